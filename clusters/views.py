"""The ARS staff's cluster pages: list, registration, members, contacts, status, cluster page."""

from collections import Counter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from establishments.models import LegalStatus, Region, Sector
from establishments.search import search_establishments
from experiments.models import Experiment, MonographTransition

from . import services
from .filters import ClusterFilter
from .forms import ClusterForm, ContactForm, MemberAddForm, MemberSearchForm, WithdrawForm
from .history import cluster_history
from .models import Cluster, DelegationContact, Membership, PhaseChange, Session
from .permissions import can_facilitate, can_manage_cluster, require

PAGE_SIZE = 20
SEARCH_LIMIT = 20


def _visible_cluster(request, pk):
    queryset = Cluster.objects.visible_to(request.user).select_related(
        "region", "wave", "aract", "ars_referent"
    )
    return get_object_or_404(queryset.prefetch_related("themes", "facilitators"), pk=pk)


def _managed_cluster(request, pk):
    """The cluster, for ARS staff of its region only (another region: 404; other roles: 403)."""
    cluster = _visible_cluster(request, pk)
    require(can_manage_cluster(request.user, cluster))
    return cluster


def _sees_contacts(user, cluster) -> bool:
    """Delegation contacts are personal data: the region's own staff only, not national readers."""
    return cluster.region_id in user.roles.region_ids


# --- List ----------------------------------------------------------------------------------------


def cluster_list(request):
    today = timezone.localdate()
    members = Membership.objects.filter(cluster=OuterRef("pk"), withdrawn_on__isnull=True)
    sessions = Session.objects.filter(cluster=OuterRef("pk"))
    queryset = (
        Cluster.objects.visible_to(request.user)
        .select_related("wave", "region")
        .prefetch_related("facilitators")
        .annotate(
            active_member_count=Coalesce(
                Subquery(members.order_by().values("cluster").annotate(n=Count("pk")).values("n")),
                0,
            ),
            next_session_on=Subquery(
                sessions.filter(held_on__gte=today).order_by("held_on").values("held_on")[:1]
            ),
            last_session_on=Subquery(
                sessions.filter(held_on__lt=today).order_by("-held_on").values("held_on")[:1]
            ),
        )
        .order_by("-wave__code", "name")
    )
    filterset = ClusterFilter(request.GET or None, queryset=queryset, user=request.user)
    clusters = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    status_counts = dict(clusters.order_by().values_list("status").annotate(n=Count("pk")))
    paginator = Paginator(clusters, PAGE_SIZE)
    paginator.count = sum(status_counts.values())  # known already: no COUNT query
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "title": "Clusters",
        "filter": filterset,
        "page_obj": page,
        "status_counts": [
            {"label": label, "count": status_counts.get(value, 0)}
            for value, label in Cluster.Status.choices
        ],
        "show_region": request.user.roles.sees_everything or len(request.user.roles.region_ids) > 1,
        "can_register": bool(request.user.roles.ars_region_ids),
    }
    return render(request, "clusters/cluster_list.html", context)


# --- Register and edit ---------------------------------------------------------------------------


def cluster_create(request):
    regions = Region.objects.filter(pk__in=request.user.roles.ars_region_ids)
    require(bool(request.user.roles.ars_region_ids))
    form = ClusterForm(request.POST or None, instance=Cluster(), regions=regions)
    if request.method == "POST" and form.is_valid():
        cluster = _save_cluster(form, request.user)
        if cluster is not None:
            messages.success(request, f"Le cluster « {cluster.name} » est enregistré.")
            return redirect("clusters:member-search", pk=cluster.pk)
    return render(
        request, "clusters/cluster_form.html", {"title": "Enregistrer un cluster", "form": form}
    )


def cluster_edit(request, pk):
    cluster = _managed_cluster(request, pk)
    form = ClusterForm(request.POST or None, instance=cluster, regions=None)
    if request.method == "POST" and form.is_valid():
        if _save_cluster(form, request.user) is not None:
            messages.success(request, "Les modifications du cluster sont enregistrées.")
            return redirect("clusters:cluster-detail", pk=cluster.pk)
    context = {"title": f"Modifier {cluster.name}", "form": form, "cluster": cluster}
    return render(request, "clusters/cluster_form.html", context)


def _save_cluster(form, user):
    try:
        return services.cluster_save(
            cluster=form.instance,
            themes=form.cleaned_data["themes"],
            facilitators=form.cleaned_data["facilitators"],
            by=user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


# --- Members -------------------------------------------------------------------------------------


def member_search(request, pk):
    """Search establishments of the cluster's region (GET `q`), each with an "Ajouter" button."""
    cluster = _managed_cluster(request, pk)
    search = MemberSearchForm(request.GET or None)
    results = None
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if query:
        same_wave = Membership.objects.active().filter(
            establishment=OuterRef("pk"), wave_id=cluster.wave_id
        )
        results = list(
            search_establishments(request.user, query)
            .filter(region_id=cluster.region_id)
            .annotate(in_wave=Exists(same_wave))[:SEARCH_LIMIT]
        )
    memberships = list(_memberships(cluster))
    active_count = sum(1 for m in memberships if m.is_active)
    context = {
        "title": f"Membres de {cluster.name}",
        "cluster": cluster,
        "search": search,
        "query": query,
        "results": results,
        "search_limit": SEARCH_LIMIT,
        "memberships": memberships,
        "active_count": active_count,
        "member_ids": {m.establishment_id for m in memberships if m.is_active},
        "missing": services.constitution_missing(cluster, member_count=active_count),
    }
    template = "clusters/_member_results.html" if request.GET.get("partiel") else None
    return render(request, template or "clusters/cluster_members.html", context)


@require_POST
def member_add(request, pk):
    cluster = _managed_cluster(request, pk)
    form = MemberAddForm(request.POST, cluster=cluster)
    if form.is_valid():
        establishment = form.cleaned_data["establishment"]
        try:
            services.cluster_add_member(
                cluster=cluster, establishment=establishment, by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{establishment.short_name} a rejoint le cluster.")
    else:
        messages.error(request, " ".join(form.errors["establishment"]))
    url = reverse("clusters:member-search", args=[cluster.pk])
    query = request.POST.get("q", "").strip()
    return redirect(f"{url}?{urlencode({'q': query})}" if query else url)


def member_withdraw(request, pk, membership_pk):
    cluster = _managed_cluster(request, pk)
    membership = get_object_or_404(
        cluster.memberships.select_related("establishment"), pk=membership_pk
    )
    if not membership.is_active:
        raise Http404("Cet établissement s'est déjà retiré.")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cluster_withdraw_member(
                membership=membership,
                by=request.user,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            name = membership.establishment.short_name
            messages.success(request, f"Le retrait de {name} est enregistré.")
            return redirect("clusters:member-search", pk=cluster.pk)
    context = {
        "title": f"Retirer {membership.establishment.short_name}",
        "cluster": cluster,
        "membership": membership,
        "form": form,
    }
    return render(request, "clusters/cluster_member_withdraw.html", context)


def _memberships(cluster):
    return cluster.memberships.select_related("establishment__department").order_by(
        "withdrawn_on", "establishment__short_name"
    )


# --- Delegation contacts -------------------------------------------------------------------------


def _contact_editor_cluster(request, pk):
    """ARS staff of the region and the cluster's own facilitators edit delegation contacts."""
    cluster = _visible_cluster(request, pk)
    user = request.user
    require(can_manage_cluster(user, cluster) or can_facilitate(user, cluster))
    return cluster


def contact_create(request, pk, membership_pk):
    cluster = _contact_editor_cluster(request, pk)
    membership = get_object_or_404(
        cluster.memberships.select_related("establishment"), pk=membership_pk
    )
    return _contact_form(request, cluster, DelegationContact(membership=membership))


def contact_edit(request, pk, contact_pk):
    cluster = _contact_editor_cluster(request, pk)
    contact = get_object_or_404(
        DelegationContact.objects.filter(membership__cluster=cluster).select_related(
            "membership__establishment"
        ),
        pk=contact_pk,
    )
    return _contact_form(request, cluster, contact)


def _contact_form(request, cluster, contact):
    creating = contact.pk is None
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_save(contact=form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            verb = "ajouté" if creating else "modifié"
            messages.success(request, f"Le contact {contact.name} est {verb}.")
            return redirect("clusters:cluster-detail", pk=cluster.pk)
    name = contact.membership.establishment.short_name
    context = {
        "title": f"{'Ajouter un contact' if creating else 'Modifier le contact'} — {name}",
        "cluster": cluster,
        "contact": contact,
        "form": form,
    }
    return render(request, "clusters/cluster_contact_form.html", context)


def contact_delete(request, pk, contact_pk):
    cluster = _contact_editor_cluster(request, pk)
    contact = get_object_or_404(
        DelegationContact.objects.filter(membership__cluster=cluster).select_related(
            "membership__establishment"
        ),
        pk=contact_pk,
    )
    if request.method == "POST":
        services.contact_delete(contact=contact, by=request.user)
        messages.success(request, f"Le contact {contact.name} est supprimé.")
        return redirect("clusters:cluster-detail", pk=cluster.pk)
    context = {"title": "Supprimer un contact", "cluster": cluster, "contact": contact}
    return render(request, "clusters/cluster_contact_delete.html", context)


# --- Status transitions --------------------------------------------------------------------------


def cluster_transition_confirm(request, pk, target):
    """The confirmation page of a status change; says in French why it is refused, if it is."""
    cluster = _managed_cluster(request, pk)
    if target not in services.TRANSITIONS:
        raise Http404("Ce changement de statut n'existe pas.")
    context = {
        "title": services.TRANSITIONS[target][1],
        "cluster": cluster,
        "target": target,
        "label": services.TRANSITIONS[target][1],
        "target_label": Cluster.Status(target).label,
        "refusal": services.transition_refusal(cluster, target),
    }
    return render(request, "clusters/cluster_transition_confirm.html", context)


@require_POST
def cluster_transition(request, pk):
    cluster = _visible_cluster(request, pk)
    require(can_manage_cluster(request.user, cluster))
    try:
        services.cluster_transition(
            cluster=cluster, target=request.POST.get("target", ""), by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        cluster.refresh_from_db()
        messages.success(request, f"Le cluster est maintenant « {cluster.get_status_display()} ».")
    return redirect("clusters:cluster-detail", pk=cluster.pk)


# --- Cluster page --------------------------------------------------------------------------------


def cluster_detail(request, pk):
    cluster = _visible_cluster(request, pk)
    user = request.user
    sees_contacts = _sees_contacts(user, cluster)
    memberships = _memberships(cluster).select_related("establishment__category", "monograph")
    memberships = memberships.prefetch_related(
        Prefetch("experiments", queryset=Experiment.objects.order_by("starts_on", "title"))
    )
    if sees_contacts:
        memberships = memberships.prefetch_related("contacts")
    memberships = list(memberships)
    active = [m for m in memberships if m.is_active]
    sessions = list(cluster.sessions.order_by("held_on", "number"))
    context = {
        "title": cluster.name,
        "cluster": cluster,
        "memberships": memberships,
        "active_count": len(active),
        "missing": services.constitution_missing(cluster, member_count=len(active))
        if cluster.status == Cluster.Status.BROUILLON
        else [],
        "can_manage": can_manage_cluster(user, cluster),
        "can_facilitate": can_facilitate(user, cluster),
        "can_edit_contacts": can_manage_cluster(user, cluster) or can_facilitate(user, cluster),
        "sees_contacts": sees_contacts,
        "transitions": [
            {"target": target, "label": label}
            for target, (source, label) in services.TRANSITIONS.items()
            if source == cluster.status
        ],
        "homogeneity": _homogeneity(active),
        "timeline": _timeline(cluster, memberships, sessions, sees_content=sees_contacts),
        "history": cluster_history(cluster, memberships, with_contacts=sees_contacts),
    }
    return render(request, "clusters/cluster_detail.html", context)


def _homogeneity(active):
    """Distributions of the active members by sector, legal status and category."""
    sector_labels, status_labels = dict(Sector.choices), dict(LegalStatus.choices)
    rows = [
        ("Secteur", Counter(sector_labels.get(m.establishment.sector) for m in active)),
        (
            "Statut juridique",
            Counter(status_labels.get(m.establishment.legal_status) for m in active),
        ),
        (
            "Catégorie",
            Counter(m.establishment.category_label or "Non renseignée" for m in active),
        ),
    ]
    return [
        {
            "label": label,
            "values": counter.most_common(),
            "homogeneous": len(counter) == 1,
        }
        for label, counter in rows
        if counter
    ]


def _timeline(cluster, memberships, sessions, *, sees_content):
    """The cluster's shared history, oldest first: status changes, members joining and leaving,
    sessions, phase changes and monograph steps. Confidential sessions show only their date and
    kind to users outside the region."""
    events = [(timezone.localdate(cluster.created_at), "statut", "Cluster enregistré", None)]
    status = Cluster.Status
    if cluster.constituted_on:
        events.append((cluster.constituted_on, "statut", "Cluster constitué", None))
    if cluster.starts_on and cluster.status in (status.EN_COURS, status.CLOTURE):
        events.append((cluster.starts_on, "statut", "Cluster démarré", None))
    if cluster.closed_on:
        events.append((cluster.closed_on, "statut", "Cluster clôturé", None))
    for m in memberships:
        name = m.establishment.short_name
        events.append((m.joined_on, "membre", f"{name} rejoint le cluster", None))
        if m.withdrawn_on:
            reason = f" : {m.withdrawal_reason}" if sees_content and m.withdrawal_reason else ""
            events.append((m.withdrawn_on, "membre", f"{name} se retire{reason}", None))
    for session in sessions:
        if session.is_confidential and not sees_content:
            events.append((session.held_on, "seance", session.get_kind_display(), None))
            continue
        label = f"Séance {session.number} — {session.get_kind_display()}"
        if session.is_draft:
            label += " (brouillon)"
        events.append((session.held_on, "seance", label, session))
    phase_changes = PhaseChange.objects.filter(membership__cluster=cluster).select_related(
        "membership__establishment"
    )
    for change in phase_changes:
        name = change.membership.establishment.short_name
        label = f"{name} passe en phase « {change.get_phase_display()} »"
        events.append((change.changed_on, "phase", label, None))
    transitions = MonographTransition.objects.filter(
        monograph__membership__cluster=cluster
    ).select_related("monograph__membership__establishment")
    for step in transitions:
        name = step.monograph.membership.establishment.short_name
        label = f"Monographie de {name} : « {step.get_to_status_display()} »"
        events.append((timezone.localdate(step.at), "monographie", label, None))
    events.sort(key=lambda event: event[0])
    kinds = {
        "statut": "Statut",
        "membre": "Membres",
        "seance": "Séance",
        "phase": "Phase",
        "monographie": "Monographie",
    }
    return [
        {"date": date, "kind": kinds[kind], "label": label, "session": session}
        for date, kind, label, session in events
    ]
