"""National summaries of the programme, computed in SQL with aggregates.

Every function runs a fixed number of queries whatever the size of the data, and sees only what
`visible_to(user)` lets the user see (ARS staff: their region). Participations are active
memberships; an establishment in two waves is one participation per wave but counts once among
the distinct establishments of the total.
"""

from django.db.models import Count, Q
from django.utils import timezone

from clusters.models import Cluster, Membership, Phase, Session, Theme, Wave
from establishments.models import LegalStatus, Region, Sector
from experiments.models import Experiment, Monograph

COUNT_KEYS = [
    "clusters",
    "regions",
    "participations",
    "establishments",
    "sessions",
    "experiments",
    "monographs_published",
]


def _scopes(user, wave_code):
    """The querysets every figure starts from, restricted to the user's regions and the wave."""
    clusters = Cluster.objects.visible_to(user)
    memberships = Membership.objects.visible_to(user).active()
    sessions = Session.objects.visible_to(user).filter(
        is_draft=False, held_on__lte=timezone.localdate()
    )
    experiments = Experiment.objects.visible_to(user).filter(membership__withdrawn_on__isnull=True)
    monographs = Monograph.objects.visible_to(user).filter(status=Monograph.Status.PUBLIEE)
    if wave_code:
        clusters = clusters.filter(wave__code=wave_code)
        memberships = memberships.filter(wave__code=wave_code)
        sessions = sessions.filter(cluster__wave__code=wave_code)
        experiments = experiments.filter(membership__wave__code=wave_code)
        monographs = monographs.filter(membership__wave__code=wave_code)
    return clusters, memberships, sessions, experiments, monographs


def _by_wave(queryset, wave_path, **aggregates) -> dict[str, dict]:
    rows = queryset.order_by().values(wave_path).annotate(**aggregates)
    return {row.pop(wave_path): row for row in rows}


def national_summary(*, user, wave_code: str | None = None) -> dict:
    """Per wave and in total: clusters, regions, participations, distinct establishments,
    sessions held, experiments, published monographs; and the main breakdowns.

    The shape is the one of the JSON export (keys exactly): waves, total, by_region, by_sector,
    by_status, by_theme. Twelve queries.
    """
    clusters, memberships, sessions, experiments, monographs = _scopes(user, wave_code)
    per_wave = {}
    for figures in [
        _by_wave(
            clusters, "wave__code", clusters=Count("id"), regions=Count("region", distinct=True)
        ),
        _by_wave(
            memberships,
            "wave__code",
            participations=Count("id"),
            establishments=Count("establishment", distinct=True),
        ),
        _by_wave(sessions, "cluster__wave__code", sessions=Count("id")),
        _by_wave(experiments, "membership__wave__code", experiments=Count("id")),
        _by_wave(monographs, "membership__wave__code", monographs_published=Count("id")),
    ]:
        for code, row in figures.items():
            per_wave.setdefault(code, dict.fromkeys(COUNT_KEYS, 0)).update(row)
    if wave_code:
        per_wave.setdefault(wave_code, dict.fromkeys(COUNT_KEYS, 0))
    waves = [{"wave": code, **per_wave[code]} for code in sorted(per_wave)]

    # Regions and establishments are distinct counts: a sum over waves would count twice.
    total = {key: sum(wave[key] for wave in waves) for key in COUNT_KEYS}
    total["regions"] = clusters.aggregate(n=Count("region", distinct=True))["n"]
    total["establishments"] = memberships.aggregate(n=Count("establishment", distinct=True))["n"]

    return {
        "waves": waves,
        "total": total,
        "by_region": _by_region(user, wave_code),
        "by_sector": _by_choice(memberships, "establishment__sector", Sector, "sector"),
        "by_status": _by_status(clusters, memberships),
        "by_theme": _by_theme(user, wave_code),
    }


def national_breakdowns(*, user, wave_code: str | None = None) -> dict:
    """The dashboard's further breakdowns (not in the JSON export): legal status, category,
    phase reached, experiments by status. Four queries."""
    _clusters, memberships, _sessions, experiments, _monographs = _scopes(user, wave_code)
    categories = (
        memberships.order_by()
        .values("establishment__category_code", "establishment__category_label")
        .annotate(
            participations=Count("id"),
            establishments=Count("establishment", distinct=True),
            clusters=Count("cluster", distinct=True),
        )
        .order_by("-participations", "establishment__category_code")
    )
    experiment_counts = dict(
        experiments.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    phase_counts = dict(
        memberships.order_by()
        .values_list("phase")
        .annotate(n=Count("id"))
        .values_list("phase", "n")
    )
    return {
        "by_legal_status": _by_choice(
            memberships, "establishment__legal_status", LegalStatus, "legal_status"
        ),
        "by_category": [
            {
                "category_code": row["establishment__category_code"],
                "category": row["establishment__category_label"],
                "clusters": row["clusters"],
                "participations": row["participations"],
                "establishments": row["establishments"],
            }
            for row in categories
        ],
        "by_phase": [
            {"phase": value, "label": label, "participations": phase_counts.get(value, 0)}
            for value, label in Phase.choices
        ],
        "experiments_by_status": [
            {"status": value, "label": label, "experiments": experiment_counts.get(value, 0)}
            for value, label in Experiment.Status.choices
        ],
    }


def _by_choice(memberships, path, choices, key) -> list[dict]:
    """Clusters, participations and distinct establishments per value of a choice field; every
    choice is listed, in its declared order, so spreadsheets keep the same rows over time."""
    rows = {
        row[path]: row
        for row in memberships.order_by()
        .values(path)
        .annotate(
            clusters=Count("cluster", distinct=True),
            participations=Count("id"),
            establishments=Count("establishment", distinct=True),
        )
    }
    return [
        {
            key: value,
            "label": label,
            "clusters": rows.get(value, {}).get("clusters", 0),
            "participations": rows.get(value, {}).get("participations", 0),
            "establishments": rows.get(value, {}).get("establishments", 0),
        }
        for value, label in choices.choices
    ]


def _by_status(clusters, memberships) -> list[dict]:
    cluster_counts = dict(
        clusters.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    participation_counts = dict(
        memberships.order_by()
        .values_list("cluster__status")
        .annotate(n=Count("id"))
        .values_list("cluster__status", "n")
    )
    return [
        {
            "status": value,
            "label": label,
            "clusters": cluster_counts.get(value, 0),
            "participations": participation_counts.get(value, 0),
        }
        for value, label in Cluster.Status.choices
    ]


def _region_ids(user):
    roles = user.roles
    return None if roles.sees_everything else roles.region_ids


def _by_region(user, wave_code) -> list[dict]:
    """Every region the user may see (zeros included, for the map), with its clusters,
    participations and distinct establishments. One query: region ⋈ cluster ⋈ membership."""
    in_wave = Q(clusters__wave__code=wave_code) if wave_code else Q()
    active = Q(clusters__memberships__withdrawn_on__isnull=True) & in_wave
    regions = Region.objects.all()
    region_ids = _region_ids(user)
    if region_ids is not None:
        regions = regions.filter(id__in=region_ids)
    regions = regions.annotate(
        cluster_count=Count("clusters", filter=in_wave, distinct=True),
        participation_count=Count("clusters__memberships", filter=active),
        establishment_count=Count(
            "clusters__memberships__establishment", filter=active, distinct=True
        ),
    ).order_by("code")
    return [
        {
            "region_code": region.code,
            "region": region.name,
            "clusters": region.cluster_count,
            "participations": region.participation_count,
            "establishments": region.establishment_count,
        }
        for region in regions
    ]


def _by_theme(user, wave_code) -> list[dict]:
    """Themes of at least one visible cluster: clusters and participations per theme (a cluster
    with two themes counts under each). One query."""
    scope = Q()
    region_ids = _region_ids(user)
    if region_ids is not None:
        scope &= Q(clusters__region_id__in=region_ids)
    if wave_code:
        scope &= Q(clusters__wave__code=wave_code)
    active = scope & Q(clusters__memberships__withdrawn_on__isnull=True)
    themes = (
        Theme.objects.annotate(
            cluster_count=Count("clusters", filter=scope, distinct=True),
            participation_count=Count("clusters__memberships", filter=active),
        )
        .filter(cluster_count__gt=0)
        .order_by("-cluster_count", "name")
    )
    return [
        {
            "theme": theme.name,
            "clusters": theme.cluster_count,
            "participations": theme.participation_count,
        }
        for theme in themes
    ]


def wave_choices() -> list[tuple[str, str]]:
    """(code, name) of every wave, for the dashboard's filter."""
    return list(Wave.objects.order_by("code").values_list("code", "name"))


def published_comparison(summary: dict, *, wave_code: str | None = None) -> list[dict]:
    """Each published figure beside the one computed from the database, with the difference
    (computed minus published; None when the source gives no exact number). One query."""
    from .models import PublishedFigure

    computed_by_wave = {wave["wave"]: wave for wave in summary["waves"]}
    rows = []
    for figure in PublishedFigure.objects.for_wave(wave_code):
        if figure.wave_code:
            computed = computed_by_wave.get(figure.wave_code, {}).get(figure.metric, 0)
        else:
            computed = summary["total"][figure.metric]
        rows.append(
            {
                "label": figure.label,
                "wave": figure.wave_code,
                "published": figure.value if figure.value is not None else figure.text,
                "computed": computed,
                "difference": computed - figure.value if figure.value is not None else None,
                "source": figure.source,
                "published_when": figure.published_when,
            }
        )
    return rows
