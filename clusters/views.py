"""The ARS staff's cluster pages: list, registration, members, contacts, status.

The cluster page itself shows experiments and monographs too: it lives in web/views.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    DateField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.rules import check_rule, has_rule, rule_required
from core.expressions import compiled_once
from core.rendering import rows_key
from establishments.models import Region
from establishments.search import search_establishments

from . import services
from .filters import ClusterFilter
from .forms import (
    ClusterForm,
    ContactForm,
    JoinedOnForm,
    MemberAddForm,
    MemberSearchForm,
    WithdrawForm,
)
from .history import HISTORY_LIMIT, cluster_history
from .models import Cluster, DelegationContact, Membership, Session

PAGE_SIZE = 20
SEARCH_LIMIT = 20
# What clusters/_member_results.html shows of an establishment.
RESULT_COLUMNS = [
    "finess",
    "short_name",
    "postcode",
    "town",
    "category_label",
    "sector",
    "legal_status",
]


def _visible_cluster(request, pk):
    queryset = Cluster.objects.visible_to(request.user).select_related(
        "region", "wave", "aract", "ars_referent"
    )
    return get_object_or_404(queryset.prefetch_related("themes", "facilitators"), pk=pk)


def _managed_cluster(request, pk):
    """The cluster, for ARS staff of its region only (another region: 404; other roles: 403)."""
    cluster = _visible_cluster(request, pk)
    check_rule(request.user, "clusters.change_cluster", cluster)
    return cluster


# --- List ----------------------------------------------------------------------------------------


def _active_member_count():
    members = Membership.objects.filter(cluster=OuterRef("pk"), withdrawn_on__isnull=True)
    return Coalesce(
        Subquery(members.order_by().values("cluster").annotate(n=Count("pk")).values("n")), 0
    )


def _next_session_on(today):
    sessions = Session.objects.filter(cluster=OuterRef("pk"), held_on__gte=today)
    return Subquery(sessions.order_by("held_on").values("held_on")[:1])


def _last_session_on(today):
    sessions = Session.objects.filter(cluster=OuterRef("pk"), held_on__lt=today)
    return Subquery(sessions.order_by("-held_on").values("held_on")[:1])


@rule_required("clusters.list_clusters")
def cluster_list(request):
    today = timezone.localdate()
    facilitators = User.objects.only("first_name", "last_name", "username")  # what str() shows
    queryset = (
        Cluster.objects.visible_to(request.user)
        .select_related("wave", "region")
        .only("name", "status", "region__name", "wave__name")  # what the rows show
        .prefetch_related(
            Prefetch("facilitators", queryset=facilitators, to_attr="facilitator_list")
        )
        # Three correlated subqueries: compiled once per process (and day), not per request.
        .annotate(
            active_member_count=compiled_once(
                Cluster, _active_member_count, output_field=IntegerField()
            ),
            next_session_on=compiled_once(
                Cluster, _next_session_on, today, output_field=DateField()
            ),
            last_session_on=compiled_once(
                Cluster, _last_session_on, today, output_field=DateField()
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
        # Everything a row shows (the rows are cached under it; facilitators by their str()).
        "rows_key": rows_key(
            page.object_list,
            "pk",
            "name",
            "region.name",
            "wave.name",
            "status",
            "active_member_count",
            "facilitator_list",
            "next_session_on",
            "last_session_on",
        ),
        "can_register": has_rule(request.user, "clusters.add_cluster"),
    }
    return render(request, "clusters/cluster_list.html", context)


def cluster_history_page(request, pk):
    """Who changed what, and when: the cluster's latest audit log entries (its own page, so that
    the cluster page does not pay for them on every visit)."""
    cluster = _visible_cluster(request, pk)
    with_contacts = has_rule(request.user, "clusters.view_contacts", cluster)
    context = {
        "title": f"Historique des modifications — {cluster.name}",
        "cluster": cluster,
        "history": cluster_history(
            cluster, list(cluster.memberships.only("pk")), with_contacts=with_contacts
        ),
        "limit": HISTORY_LIMIT,
    }
    return render(request, "clusters/cluster_history.html", context)


# --- Register and edit ---------------------------------------------------------------------------


@rule_required("clusters.add_cluster")
def cluster_create(request):
    regions = Region.objects.filter(pk__in=request.user.roles.ars_region_ids)
    form = ClusterForm(request.POST or None, instance=Cluster(), regions=regions)
    if request.method == "POST" and form.is_valid():
        cluster = _save_cluster(form, request.user, request)
        if cluster is not None:
            messages.success(request, f"Le cluster « {cluster.name} » est enregistré.")
            return redirect("clusters:member-search", pk=cluster.pk)
    context = {
        "title": "Enregistrer un cluster",
        "form": form,
        "no_open_wave": not form.fields["wave"].queryset.exists(),
    }
    return render(request, "clusters/cluster_form.html", context)


def cluster_edit(request, pk):
    cluster = _managed_cluster(request, pk)
    form = ClusterForm(request.POST or None, instance=cluster, regions=None)
    if request.method == "POST" and form.is_valid():
        if _save_cluster(form, request.user, request) is not None:
            messages.success(request, "Les modifications du cluster sont enregistrées.")
            return redirect("clusters:cluster-detail", pk=cluster.pk)
    context = {"title": f"Modifier {cluster.name}", "form": form, "cluster": cluster}
    return render(request, "clusters/cluster_form.html", context)


def _save_cluster(form, user, request=None):
    try:
        cluster = services.cluster_save(
            cluster=form.instance,
            themes=form.cleaned_data["themes"],
            facilitators=form.cleaned_data["facilitators"],
            by=user,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    warning = services.dates_outside_wave(cluster)
    if warning and request is not None:
        messages.warning(request, warning)
    return cluster


# --- Members -------------------------------------------------------------------------------------


def member_search(request, pk):
    """Search establishments of the cluster's region (GET `q`), each with an "Ajouter" button."""
    # What this page shows of the cluster: not its themes, Aract or referent (_visible_cluster).
    cluster = get_object_or_404(
        Cluster.objects.visible_to(request.user).select_related("region", "wave"), pk=pk
    )
    check_rule(request.user, "clusters.change_cluster", cluster)
    search = MemberSearchForm(request.GET or None)
    results = None
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if query:
        same_wave = Membership.objects.active().filter(
            establishment=OuterRef("pk"), wave_id=cluster.wave_id
        )
        results = list(
            search_establishments(request.user, query)
            .open()  # never a deactivated or closed establishment: none may be added
            .filter(region_id=cluster.region_id)
            .select_related(None)  # the rows show these columns only
            .only(*RESULT_COLUMNS)
            .annotate(in_wave=Exists(same_wave))[:SEARCH_LIMIT]
        )
        for establishment in results:
            establishment.outside_wave_sectors = not cluster.wave.accepts_sector(
                establishment.sector
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
        # Everything a member's row shows (the rows are cached under it).
        "members_key": rows_key(
            memberships,
            "pk",
            "establishment.short_name",
            "establishment.finess",
            "establishment.department.name",
            "joined_on",
            "withdrawn_on",
            "withdrawal_reason",
        ),
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
            services.cluster_add_member(cluster=cluster, establishment=establishment)
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
    warning = services.withdrawal_leaves_too_few(membership)
    form = WithdrawForm(request.POST or None, under_minimum_warning=warning)
    if request.method == "POST" and form.is_valid():
        try:
            services.cluster_withdraw_member(
                membership=membership,
                by=request.user,
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                reason=form.cleaned_data["reason"],
                confirm_under_minimum=form.cleaned_data.get("confirm", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            name = membership.establishment.short_name
            messages.success(request, f"Le retrait de {name} est enregistré.")
            if warning:
                messages.warning(request, warning)
            return redirect("clusters:member-search", pk=cluster.pk)
    context = {
        "title": f"Retirer {membership.establishment.short_name}",
        "cluster": cluster,
        "membership": membership,
        "form": form,
        "warning": warning,
    }
    return render(request, "clusters/cluster_member_withdraw.html", context)


def member_joined_on(request, pk, membership_pk):
    """Correct a member's entry date (the attendance ratios count members on each date)."""
    cluster = _managed_cluster(request, pk)
    membership = get_object_or_404(
        cluster.memberships.select_related("establishment"), pk=membership_pk
    )
    form = JoinedOnForm(request.POST or None, initial={"joined_on": membership.joined_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_set_joined_on(
                membership=membership, joined_on=form.cleaned_data["joined_on"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            name = membership.establishment.short_name
            messages.success(
                request, f"La date d'entrée de {name} est le {membership.joined_on:%d/%m/%Y}."
            )
            return redirect("clusters:member-search", pk=cluster.pk)
    context = {
        "title": f"Date d'entrée de {membership.establishment.short_name}",
        "cluster": cluster,
        "membership": membership,
        "form": form,
    }
    return render(request, "clusters/cluster_member_joined_on.html", context)


def _memberships(cluster):
    return cluster.memberships.select_related("establishment__department").order_by(
        "withdrawn_on", "establishment__short_name"
    )


# --- Delegation contacts -------------------------------------------------------------------------


def _contact_editor_cluster(request, pk):
    """ARS staff of the region and the cluster's own facilitators edit delegation contacts."""
    cluster = _visible_cluster(request, pk)
    check_rule(request.user, "clusters.change_contacts", cluster)
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
    check_rule(request.user, "clusters.change_cluster", cluster)
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


# --- Deleting a draft -----------------------------------------------------------------------------


def cluster_delete(request, pk):
    """Confirmation page (GET) and deletion (POST) of a draft cluster without sessions."""
    cluster = _visible_cluster(request, pk)
    check_rule(request.user, "clusters.delete_cluster", cluster)
    refusal = services.cluster_delete_refusal(cluster)
    if request.method == "POST" and refusal is None:
        try:
            services.cluster_delete(cluster=cluster, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("clusters:cluster-detail", pk=cluster.pk)
        messages.success(request, f"Le cluster « {cluster.name} » est supprimé.")
        return redirect("clusters:cluster-list")
    context = {
        "title": f"Supprimer le cluster {cluster.name}",
        "cluster": cluster,
        "refusal": refusal,
        "member_count": cluster.memberships.count(),
    }
    return render(request, "clusters/cluster_delete.html", context)
