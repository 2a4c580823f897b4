"""Pages that combine several domains: each role's dashboard and the cluster page (its members,
their experiments and monographs, and the shared timeline). Domain apps never import this app."""

from collections import Counter

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts.rules import has_rule
from clusters import services
from clusters.models import Cluster, Membership, PhaseChange, Session, Wave
from clusters.views import _memberships, _visible_cluster
from establishments.models import LegalStatus, Sector
from experiments.models import Experiment, MonographTransition
from programme.statistics import DEFINITIONS, key_figures, recent_figures

# --- Home ----------------------------------------------------------------------------------------

HOME_CLUSTERS = 20  # unclosed clusters listed on an ARS or Aract dashboard
HOME_FINESS_CLOSURES = 50  # members closed in FINESS listed on an ARS dashboard


def home(request):
    roles = request.user.roles
    clusters = Cluster.objects.visible_to(request.user)
    context = {"title": "Tableau de bord"}
    if roles.sees_everything:
        # The dashboard's figures (one definition, programme/statistics.py), not a count of its own.
        summary, _breakdowns, _computed_at = recent_figures(user=request.user)
        names = dict(Wave.objects.values_list("code", "name"))
        context["waves"] = [
            {**wave, "name": names.get(wave["wave"], wave["wave"])} for wave in summary["waves"]
        ]
        total = summary["total"]
        context["definitions"] = DEFINITIONS
        context["can_view_programme"] = has_rule(request.user, "programme.view_dashboard")
        context["key_figures"] = key_figures(
            total, keys=("clusters", "participations", "establishments")
        )
    if roles.ars_region_ids or roles.aract_region_ids:
        today = timezone.localdate()
        # One GROUP BY, not a loop over every cluster of the region.
        counts = dict(clusters.order_by().values_list("status").annotate(n=Count("id")))
        context["status_counts"] = [
            {"label": label, "value": counts.get(status, 0), "status": status}
            for status, label in Cluster.Status.choices
        ]
        # Subqueries: joining memberships and sessions in one query multiplied the member count
        # by the number of sessions. The dashboard shows the newest unclosed clusters only; the
        # cluster list pages through all of them.
        active_members = (
            Membership.objects.filter(cluster=OuterRef("pk"), withdrawn_on__isnull=True)
            .order_by()
            .values("cluster")
            .annotate(n=Count("id"))
            .values("n")
        )
        next_session = (
            Session.objects.filter(cluster=OuterRef("pk"), held_on__gte=today)
            .order_by("held_on")
            .values("held_on")[:1]
        )
        context["open_count"] = sum(
            counts.get(status, 0) for status in Cluster.Status.values if status != "cloture"
        )
        context["my_clusters"] = (
            clusters.exclude(status=Cluster.Status.CLOTURE)
            .select_related("wave")
            .annotate(
                active_member_count=Coalesce(Subquery(active_members), 0),
                next_session=Subquery(next_session),
            )
            .order_by("-wave__code", "name")[:HOME_CLUSTERS]
        )
        if roles.ars_region_ids:
            # Members of running clusters that FINESS no longer lists: the ARS must act.
            context["finess_closures"] = list(
                Membership.objects.closed_in_finess()
                .filter(cluster__region_id__in=roles.ars_region_ids)
                .select_related("establishment", "cluster")
                .order_by("cluster__name", "establishment__short_name")[:HOME_FINESS_CLOSURES]
            )
        if roles.aract_region_ids:
            context["next_sessions"] = (
                Session.objects.visible_to(request.user)
                .filter(cluster__facilitators=request.user, held_on__gte=today)
                .select_related("cluster")
                .order_by("held_on")[:10]
            )
    context["summary"] = _home_summary(context)
    return render(request, "home.html", context)


def _home_summary(context) -> list[tuple[str, str]]:
    """The sections the home page shows, as (anchor, label) for its summary (sommaire)."""
    sections = []
    if "waves" in context:
        sections += [
            ("figures-title", "Chiffres clés"),
            ("programme-title", "Le programme par vague"),
        ]
    if "status_counts" in context:
        sections += [
            ("status-title", "Clusters de ma région par statut"),
            ("clusters-title", "Clusters en cours"),
        ]
    if "next_sessions" in context:
        sections.append(("sessions-title", "Mes prochaines séances"))
    return sections


# --- Cluster page --------------------------------------------------------------------------------


def cluster_detail(request, pk):
    cluster = _visible_cluster(request, pk)
    user = request.user
    sees_contacts = has_rule(user, "clusters.view_contacts", cluster)
    can_edit_contacts = has_rule(user, "clusters.change_contacts", cluster)
    is_draft = cluster.status == Cluster.Status.BROUILLON
    active_count = cluster.memberships.active().count()
    details_key = f"{cluster.pk}|{cluster.content_version}|{sees_contacts}|{can_edit_contacts}"
    context = {
        "title": cluster.name,
        "cluster": cluster,
        "active_count": active_count,
        "missing": services.constitution_missing(cluster, member_count=active_count)
        if is_draft
        else [],
        "can_manage": has_rule(user, "clusters.change_cluster", cluster),
        "can_delete": is_draft
        and has_rule(user, "clusters.delete_cluster", cluster)
        and not cluster.sessions.exists(),
        "can_facilitate": has_rule(user, "clusters.facilitate_cluster", cluster),
        "can_edit_contacts": can_edit_contacts,
        "sees_contacts": sees_contacts,
        "transitions": [
            {"target": target, "label": label}
            for target, (source, label) in services.TRANSITIONS.items()
            if source == cluster.status
        ],
        "finess_closures": list(
            cluster.memberships.closed_in_finess()
            .select_related("establishment")
            .order_by("establishment__short_name")
        ),
        # Members, contacts, homogeneity, timeline, experiments and monographs: cached under the
        # cluster's content version (kept by the database) and what this user may see of them,
        # and loaded only when that rendering is missing.
        "details_key": details_key,
        "details": SimpleLazyObject(lambda: cluster_details(cluster, sees_content=sees_contacts)),
    }
    return render(request, "clusters/cluster_detail.html", context)


def cluster_details(cluster, *, sees_content) -> dict:
    """What the cluster page draws from its members and their work."""
    memberships = _memberships(cluster).select_related("establishment__category", "monograph")
    memberships = memberships.prefetch_related(
        Prefetch("experiments", queryset=Experiment.objects.order_by("starts_on", "title"))
    )
    if sees_content:
        memberships = memberships.prefetch_related("contacts")
    memberships = list(memberships)
    active = [m for m in memberships if m.is_active]
    sessions = list(cluster.sessions.order_by("held_on", "number"))
    return {
        "memberships": memberships,
        "homogeneity": _homogeneity(active),
        "timeline": _timeline(cluster, memberships, sessions, sees_content=sees_content),
    }


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
