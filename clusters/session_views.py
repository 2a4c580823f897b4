"""The facilitators' pages of one cluster: sessions with attendance and attachments, phases.

Everyone who sees the cluster reads these pages (confidential session content excepted); only
the cluster's own facilitators write (`clusters.facilitate_cluster`)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.rules import check_rule, has_rule
from qvt.french import count, de

from . import convocations, services
from .models import (
    Cluster,
    Membership,
    ParticipantRole,
    Phase,
    PhaseChange,
    Session,
    SessionAttachment,
)
from .session_forms import (
    AttachmentForm,
    AttendanceForm,
    PhaseChangeForm,
    SessionForm,
    download_name,
)


def _cluster(request, cluster_pk):
    queryset = Cluster.objects.visible_to(request.user).select_related("region", "wave")
    return get_object_or_404(queryset.prefetch_related("facilitators"), pk=cluster_pk)


def _session(request, cluster, pk):
    return get_object_or_404(Session.objects.filter(cluster=cluster), pk=pk)


def _active_memberships(cluster):
    return (
        cluster.memberships.active()
        .select_related("establishment")
        .order_by("establishment__short_name")
    )


def session_list(request, cluster_pk):
    cluster = _cluster(request, cluster_pk)
    sessions = cluster.sessions.annotate(present=Sum("attendances__count")).order_by(
        "-held_on", "-number"
    )
    page = Paginator(sessions, 20).get_page(request.GET.get("page"))
    context = {
        "title": f"Séances — {cluster.name}",
        "cluster": cluster,
        "page": page,
        "can_facilitate": has_rule(request.user, "clusters.facilitate_cluster", cluster),
        "content_visible": has_rule(request.user, "clusters.view_confidential_content", cluster),
    }
    return render(request, "clusters/session_list.html", context)


def session_detail(request, cluster_pk, pk):
    cluster = _cluster(request, cluster_pk)
    session = _session(request, cluster, pk)
    content_visible = not session.is_confidential or has_rule(
        request.user, "clusters.view_confidential_content", cluster
    )
    attendances = list(session.attendances.all())
    attending_ids = {a.membership_id for a in attendances}
    # Rows, and the ratios' basis: the members on the session's date, plus any member whose
    # attendance was recorded.
    memberships = [
        m
        for m in cluster.memberships.select_related("establishment").order_by(
            "establishment__short_name"
        )
        if m.is_active_on(session.held_on) or m.pk in attending_ids
    ]
    context = {
        "title": f"{session} — {cluster.name}",
        "cluster": cluster,
        "session": session,
        "content_visible": content_visible,
        "tools": list(session.tools.all()) if content_visible else [],
        "attachments": list(session.attachments.all()) if content_visible else [],
        "summary": services.attendance_summary(memberships=memberships, attendances=attendances),
        "can_facilitate": has_rule(request.user, "clusters.facilitate_cluster", cluster),
        "can_convene": has_rule(request.user, "clusters.convene_session", cluster),
    }
    # Who was invited: names and addresses of delegation contacts (personal data).
    if has_rule(request.user, "clusters.view_contacts", cluster):
        context["invitees"] = convocations.invitees(session)
    return render(request, "clusters/session_detail.html", context)


def session_convene(request, cluster_pk, pk):
    """Confirm, then e-mail the convocation (.ics attached) to the delegation contacts."""
    cluster = _cluster(request, cluster_pk)
    check_rule(request.user, "clusters.convene_session", cluster)
    session = _session(request, cluster, pk)
    if request.method == "POST":
        try:
            sent = convocations.session_send_convocations(session=session, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Convocation envoyée : {count(len(sent), 'contact')}.")
        return redirect("clusters:session-detail", cluster_pk=cluster.pk, pk=session.pk)
    invited = {c.email.lower(): c for c in convocations.invitees(session)}
    context = {
        "title": f"Envoyer la convocation — {session}",
        "cluster": cluster,
        "session": session,
        "contacts": [
            (contact, invited.get(contact.email.lower()) if contact.email else None)
            for contact in convocations.convocation_contacts(session)
        ],
    }
    return render(request, "clusters/session_convene.html", context)


def session_cancel(request, cluster_pk, pk):
    """Confirm, then cancel a session still to come (invitees get a cancellation)."""
    cluster = _cluster(request, cluster_pk)
    check_rule(request.user, "clusters.convene_session", cluster)
    session = _session(request, cluster, pk)
    if request.method == "POST":
        try:
            sent = convocations.session_cancel(session=session, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            notice = f" ; annulation envoyée : {count(sent, 'contact')}" if sent else ""
            messages.success(request, f"La {session} est annulée{notice}.")
        return redirect("clusters:session-detail", cluster_pk=cluster.pk, pk=session.pk)
    context = {
        "title": f"Annuler la {session}",
        "cluster": cluster,
        "session": session,
        "invited_count": len(convocations.invitees(session)),
    }
    return render(request, "clusters/session_cancel.html", context)


def session_create(request, cluster_pk):
    cluster = _cluster(request, cluster_pk)
    check_rule(request.user, "clusters.facilitate_cluster", cluster)
    return _session_form_page(request, cluster, None)


def session_edit(request, cluster_pk, pk):
    cluster = _cluster(request, cluster_pk)
    check_rule(request.user, "clusters.facilitate_cluster", cluster)
    return _session_form_page(request, cluster, _session(request, cluster, pk))


def _session_form_page(request, cluster, session):
    memberships = list(_active_memberships(cluster))
    initial = (
        {(a.membership_id, a.role): a.count for a in session.attendances.all()} if session else {}
    )
    data = request.POST if request.method == "POST" else None
    form = SessionForm(data, instance=session)
    grid = AttendanceForm(data, memberships=memberships, initial_counts=initial)
    if data is not None and form.is_valid() and grid.is_valid():
        is_draft = request.POST.get("action") == "draft"
        values = {name: value for name, value in form.cleaned_data.items() if name != "tools"}
        try:
            session = services.session_record(
                cluster=cluster,
                by=request.user,
                values=values,
                tools=form.cleaned_data["tools"],
                counts=grid.counts(),
                is_draft=is_draft,
                session=session,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            state = "enregistrée comme brouillon" if is_draft else "enregistrée"
            messages.success(
                request, f"La séance {session.number} du {session.held_on:%d/%m/%Y} est {state}."
            )
            return redirect("clusters:session-detail", cluster_pk=cluster.pk, pk=session.pk)
    context = {
        "title": f"Modifier la {session}" if session else "Nouvelle séance",
        "cluster": cluster,
        "session": session,
        "form": form,
        "grid": grid,
        "attendance": grid.grid(),
        "roles": ParticipantRole.labels,
    }
    return render(request, "clusters/session_form.html", context)


def session_attachment_create(request, cluster_pk, pk):
    cluster = _cluster(request, cluster_pk)
    check_rule(request.user, "clusters.facilitate_cluster", cluster)
    session = _session(request, cluster, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        attachment = services.session_add_attachment(
            session=session,
            file=form.cleaned_data["upload"],
            kind=form.cleaned_data["kind"],
            content_type=form.content_type,
            by=request.user,
        )
        messages.success(request, f"La pièce jointe « {attachment.original_name} » est ajoutée.")
        return redirect("clusters:session-detail", cluster_pk=cluster.pk, pk=session.pk)
    context = {"title": "Ajouter une pièce jointe", "cluster": cluster, "session": session}
    return render(request, "clusters/session_attachment_form.html", {**context, "form": form})


def _attachment(request, cluster, pk, attachment_pk):
    queryset = SessionAttachment.objects.visible_to(request.user).select_related("session")
    attachment = get_object_or_404(
        queryset, pk=attachment_pk, session_id=pk, session__cluster=cluster
    )
    if attachment.session.is_confidential and not has_rule(
        request.user, "clusters.view_confidential_content", cluster
    ):
        raise Http404("Pièce jointe confidentielle.")
    return attachment


def session_attachment_download(request, cluster_pk, pk, attachment_pk):
    cluster = _cluster(request, cluster_pk)
    attachment = _attachment(request, cluster, pk, attachment_pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=download_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def session_attachment_delete(request, cluster_pk, pk, attachment_pk):
    cluster = _cluster(request, cluster_pk)
    check_rule(request.user, "clusters.facilitate_cluster", cluster)
    attachment = _attachment(request, cluster, pk, attachment_pk)
    if request.method == "POST":
        services.session_delete_attachment(attachment=attachment)
        messages.success(request, f"La pièce jointe « {attachment.original_name} » est supprimée.")
        return redirect("clusters:session-detail", cluster_pk=cluster.pk, pk=pk)
    context = {"title": "Supprimer une pièce jointe", "cluster": cluster, "attachment": attachment}
    return render(request, "clusters/session_attachment_delete.html", context)


def phase_list(request, cluster_pk):
    cluster = _cluster(request, cluster_pk)
    memberships = cluster.memberships.select_related("establishment").order_by(
        "withdrawn_on", "establishment__short_name"
    )
    changes = (
        PhaseChange.objects.filter(membership__cluster=cluster)
        .select_related("membership__establishment", "changed_by")
        .order_by("-changed_on", "-created_at")
    )
    context = {
        "title": f"Phases des établissements — {cluster.name}",
        "cluster": cluster,
        "memberships": memberships,
        "page": Paginator(changes, 30).get_page(request.GET.get("page")),
        "phases": Phase.choices,
        "can_facilitate": has_rule(request.user, "clusters.facilitate_cluster", cluster),
    }
    return render(request, "clusters/session_phase_list.html", context)


def phase_change(request, cluster_pk, membership_pk):
    cluster = _cluster(request, cluster_pk)
    check_rule(request.user, "clusters.facilitate_cluster", cluster)
    membership = get_object_or_404(
        Membership.objects.active().select_related("establishment"),
        pk=membership_pk,
        cluster=cluster,
    )
    values = Phase.values
    following = values[min(values.index(membership.phase) + 1, len(values) - 1)]
    form = PhaseChangeForm(
        request.POST or None, initial={"phase": following, "changed_on": timezone.localdate()}
    )
    if "confirm" in request.POST:
        form.ask_confirmation()
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        confirm_jump = values.pop("confirm", False)
        try:
            services.membership_set_phase(
                membership=membership, by=request.user, confirm_jump=confirm_jump, **values
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "phase_jump":
                form.ask_confirmation()
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{membership.establishment.short_name} est en phase "
                f"« {Phase(values['phase']).label} ».",
            )
            return redirect("clusters:phase-list", cluster_pk=cluster.pk)
    context = {
        "title": f"Changer la phase {de(membership.establishment.short_name)}",
        "cluster": cluster,
        "membership": membership,
        "form": form,
    }
    return render(request, "clusters/session_phase_form.html", context)
