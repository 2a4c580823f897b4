"""National summaries of the programme, computed in SQL with aggregates.

Every function runs a fixed number of queries whatever the size of the data, and sees only what
`visible_to(user)` lets the user see (ARS staff: their region). What is counted is defined once,
by `Cluster.objects.counted()` and `Membership.objects.counted()` (DEFINITIONS below says it in
French for pages and exports): home pages, dashboard, exports, API and reports all read these
functions. An establishment in two waves is one participation per wave but counts once among the
distinct establishments of the total.
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from clusters.models import Cluster, Membership, Phase, Session, Theme, Wave
from establishments.models import LegalStatus, Region, Sector
from experiments.models import Experiment, Monograph
from qvt import french

logger = logging.getLogger(__name__)

# What each figure counts, in French: shown under the figures and written into the exports.
DEFINITIONS = {
    "clusters": (
        "Un cluster compte à partir de sa constitution (constitué, en cours ou clôturé) ; "
        "un brouillon ne compte jamais."
    ),
    "participations": (
        "Une participation est l'adhésion d'un établissement à un cluster compté, qu'elle soit "
        "active ou que l'établissement se soit retiré depuis."
    ),
    "establishments": (
        "Établissements distincts : un établissement présent dans deux vagues compte une fois."
    ),
    "sessions": "Séances tenues (date passée), hors brouillons de compte rendu.",
    "experiments": "Expérimentations des participations comptées.",
    "monographs_published": "Monographies publiées dans la bibliothèque.",
}

# Cluster.objects.counted() as a condition on joined clusters (a positive one: a negated
# condition on a many-valued relation would exclude a theme that has any draft).
COUNTED_STATUSES = [s for s in Cluster.Status.values if s != Cluster.Status.BROUILLON]

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
    clusters = Cluster.objects.visible_to(user).counted()
    memberships = Membership.objects.visible_to(user).counted()
    sessions = Session.objects.visible_to(user).filter(
        is_draft=False, held_on__lte=timezone.localdate()
    )
    # Experiments of counted participations (Membership.objects.counted()).
    experiments = Experiment.objects.visible_to(user).exclude(
        membership__cluster__status=Cluster.Status.BROUILLON
    )
    monographs = Monograph.objects.visible_to(user).filter(status=Monograph.Status.PUBLIEE)
    if wave_code:
        clusters = clusters.filter(wave__code=wave_code)
        memberships = memberships.filter(wave__code=wave_code)
        sessions = sessions.filter(cluster__wave__code=wave_code)
        experiments = experiments.filter(membership__wave__code=wave_code)
        monographs = monographs.filter(membership__wave__code=wave_code)
    return clusters, memberships, sessions, experiments, monographs


def counted_records(*, user, wave_code: str | None = None) -> tuple:
    """(experiments, published monographs) exactly as the figures count them, for the lists the
    reports print beside the figures: a list and its count never disagree."""
    _clusters, _memberships, _sessions, experiments, monographs = _scopes(user, wave_code)
    return experiments, monographs


def _by_wave(queryset, wave_path, **aggregates) -> dict[str, dict]:
    rows = queryset.order_by().values(wave_path).annotate(**aggregates)
    return {row.pop(wave_path): row for row in rows}


def national_summary(*, user, wave_code: str | None = None) -> dict:
    """Per wave and in total: clusters, regions, participations, distinct establishments,
    sessions held, experiments, published monographs; and the main breakdowns.

    The shape is the one of the JSON export (keys exactly): waves, total, by_region, by_sector,
    by_status, by_theme."""
    return dashboard_figures(user=user, wave_code=wave_code)[0]


def national_breakdowns(*, user, wave_code: str | None = None) -> dict:
    """The dashboard's further breakdowns (not in the JSON export): legal status, category,
    phase reached, experiments by status."""
    return dashboard_figures(user=user, wave_code=wave_code)[1]


def dashboard_figures(*, user, wave_code: str | None = None) -> tuple[dict, dict]:
    """(national_summary, national_breakdowns), in eight queries whatever the size of the data:
    clusters, memberships (twice: with the registry for its breakdowns) and experiments are
    each read once and grouped every way the figures need (GROUPING SETS); sessions, monographs,
    themes and the region list one query each."""
    clusters, memberships, sessions, experiments, monographs = _scopes(user, wave_code)
    by_cluster = _grouped(
        clusters,
        {"wave": "wave__code", "region": "region_id", "status": "status"},
        "COUNT(*), COUNT(DISTINCT region)",
        {"wave": ["wave"], "total": [], "region": ["region"], "status": ["status"]},
    )
    by_membership = _grouped(
        memberships,
        {
            "establishment": "establishment_id",
            "wave": "wave__code",
            "region": "cluster__region_id",
            "status": "cluster__status",
            "phase": "phase",
        },
        "COUNT(*), COUNT(DISTINCT establishment)",
        {
            "wave": ["wave"],
            "total": [],
            "region": ["region"],
            "status": ["status"],
            "phase": ["phase"],
        },
    )
    # Apart: only these need the registry joined, and distinct clusters.
    by_establishment = _grouped(
        memberships,
        {
            "cluster": "cluster_id",
            "establishment": "establishment_id",
            "sector": "establishment__sector",
            "legal_status": "establishment__legal_status",
            "category_code": "establishment__category_code",
            "category": "establishment__category_label",
        },
        "COUNT(DISTINCT cluster), COUNT(*), COUNT(DISTINCT establishment)",
        {
            "sector": ["sector"],
            "legal_status": ["legal_status"],
            "category": ["category_code", "category"],
        },
    )
    by_experiment = _grouped(
        experiments,
        {"wave": "membership__wave__code", "status": "status"},
        "COUNT(*)",
        {"wave": ["wave"], "status": ["status"]},
    )
    waves = _waves(wave_code, by_cluster, by_membership, by_experiment, sessions, monographs)
    summary = {
        "waves": waves,
        "total": _total(waves, by_cluster["total"], by_membership["total"]),
        "by_region": _by_region(user, by_cluster["region"], by_membership["region"]),
        "by_sector": _every_choice(by_establishment["sector"], Sector, "sector"),
        "by_status": [
            {
                "status": value,
                "label": label,
                "clusters": by_cluster["status"].get((value,), (0,))[0],
                "participations": by_membership["status"].get((value,), (0, 0))[0],
            }
            for value, label in Cluster.Status.choices
        ],
        "by_theme": _by_theme(user, wave_code),
    }
    breakdowns = {
        "by_legal_status": _every_choice(
            by_establishment["legal_status"], LegalStatus, "legal_status"
        ),
        "by_category": sorted(
            (
                {"category_code": code, "category": label, **_membership_figures(counts)}
                for (code, label), counts in by_establishment["category"].items()
            ),
            key=lambda row: (-row["participations"], row["category_code"]),
        ),
        "by_phase": [
            {
                "phase": value,
                "label": label,
                "participations": by_membership["phase"].get((value,), (0, 0))[0],
            }
            for value, label in Phase.choices
        ],
        "experiments_by_status": [
            {
                "status": value,
                "label": label,
                "experiments": by_experiment["status"].get((value,), (0,))[0],
            }
            for value, label in Experiment.Status.choices
        ],
    }
    return summary, breakdowns


def recent_figures(*, user, wave_code: str | None = None) -> tuple[dict, dict, datetime.datetime]:
    """dashboard_figures as computed at most PROGRAMME_FIGURES_CACHE_SECONDS ago, and when.

    The figures are national aggregates that no index makes cheap (about 150 ms at national
    scale), read by the dashboard and the summary exports: they are shared through the cache
    by every user with the same view (the whole country, or the same regions) and wave.
    """
    scope = figures_scope(user)
    digest = hashlib.sha256(f"{scope}|{wave_code or ''}".encode()).hexdigest()[:32]

    def compute():
        return (*dashboard_figures(user=user, wave_code=wave_code), timezone.now())

    seconds = settings.PROGRAMME_FIGURES_CACHE_SECONDS
    if not seconds:
        return compute()
    return _cached(f"programme-figures:{digest}", compute, seconds)


def figures_scope(user) -> str:
    """The view of the figures `user` has: "all", or their region ids. Users with the same view
    share the cached figures (and what pages draw from them)."""
    region_ids = _region_ids(user)
    return "all" if region_ids is None else ",".join(map(str, sorted(region_ids)))


_cache_down = False  # whether the last cache call failed: log the outage once, not per request


def _cached(key: str, compute, seconds: int):
    """cache.get_or_set, where the cache is optional: when it fails (Redis stopped or frozen,
    at most its 1 s socket timeout) the figures are computed without it and the page answers."""
    global _cache_down
    try:
        value = cache.get(key)
    except Exception as error:  # noqa: BLE001 - any cache failure: compute without it
        _cache_failed(error)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, seconds)
        except Exception as error:  # noqa: BLE001
            _cache_failed(error)
            return value
    if _cache_down:
        _cache_down = False
        logger.warning("cache_back: the programme figures are cached again")
    return value


def _cache_failed(error: Exception) -> None:
    global _cache_down
    if not _cache_down:
        _cache_down = True
        logger.warning("cache_down: figures computed without the cache (%s)", error)


def _grouped(queryset, columns: dict[str, str], aggregates: str, groupings: dict[str, list]):
    """The rows of `queryset` (`columns`: SQL alias -> ORM path) aggregated by each of
    `groupings` (name -> aliases) in one scan, with GROUPING SETS:
    {grouping name: {tuple of its aliases' values: tuple of the aggregates}}.

    The rows come from the scoped ORM queryset, so tenancy stays in `visible_to`."""
    result = {name: {} for name in groupings}
    try:
        sql, params = queryset.order_by().values_list(*columns.values()).query.sql_with_params()
    except EmptyResultSet:  # nothing is visible (a user without region): no row
        return result
    keys = [alias for alias in columns if any(alias in group for group in groupings.values())]
    # GROUPING(keys) has one bit per key, the first key's the highest, set when the key is not
    # in the row's grouping set: it tells which grouping a row belongs to.
    grouping_of = {
        sum(1 << (len(keys) - 1 - i) for i, key in enumerate(keys) if key not in group): name
        for name, group in groupings.items()
    }
    sets = ", ".join(f"({', '.join(group)})" for group in groupings.values())
    grouped = f"""
        SELECT GROUPING({", ".join(keys)}), {", ".join(keys)}, {aggregates}
        FROM ({sql}) AS scoped ({", ".join(columns)})
        GROUP BY GROUPING SETS ({sets})
    """  # noqa: S608 - the inner SQL is Django's, its values are passed as parameters
    with connection.cursor() as cursor:
        cursor.execute(grouped, params)
        for grouping, *values in cursor.fetchall():
            name = grouping_of[grouping]
            key_values = dict(zip(keys, values, strict=False))
            result[name][tuple(key_values[key] for key in groupings[name])] = tuple(
                values[len(keys) :]
            )
    return result


def _membership_figures(counts) -> dict:
    clusters, participations, establishments = counts
    return {
        "clusters": clusters,
        "participations": participations,
        "establishments": establishments,
    }


def _every_choice(counts: dict, choices, key) -> list[dict]:
    """Sectors and statuses list every choice, in declared order, so that spreadsheets keep the
    same rows over time."""
    return [
        {key: value, "label": label, **_membership_figures(counts.get((value,), (0, 0, 0)))}
        for value, label in choices.choices
    ]


def _waves(wave_code, by_cluster, by_membership, by_experiment, sessions, monographs):
    sessions_held = _by_wave(sessions, "cluster__wave__code", n=Count("id"))
    published = _by_wave(monographs, "membership__wave__code", n=Count("id"))
    codes = {
        *(code for (code,) in by_cluster["wave"]),
        *(code for (code,) in by_membership["wave"]),
        *(code for (code,) in by_experiment["wave"]),
        *sessions_held,
        *published,
    }
    if wave_code:
        codes.add(wave_code)
    waves = []
    for code in sorted(codes):
        clusters, regions = by_cluster["wave"].get((code,), (0, 0))
        participations, establishments = by_membership["wave"].get((code,), (0, 0))
        waves.append(
            {
                "wave": code,
                "clusters": clusters,
                "regions": regions,
                "participations": participations,
                "establishments": establishments,
                "sessions": sessions_held.get(code, {"n": 0})["n"],
                "experiments": by_experiment["wave"].get((code,), (0,))[0],
                "monographs_published": published.get(code, {"n": 0})["n"],
            }
        )
    return waves


def _total(waves, clusters_total, memberships_total) -> dict:
    total = {key: sum(wave[key] for wave in waves) for key in COUNT_KEYS}
    # Regions and establishments are distinct counts: a sum over waves would count twice.
    total["regions"] = clusters_total.get((), (0, 0))[1]
    total["establishments"] = memberships_total.get((), (0, 0))[1]
    return total


def _region_ids(user):
    roles = user.roles
    return None if roles.sees_everything else roles.region_ids


def _by_region(user, clusters_by_region, memberships_by_region) -> list[dict]:
    """Every region the user may see, zeros included (for the map)."""
    regions = Region.objects.order_by("code")
    region_ids = _region_ids(user)
    if region_ids is not None:
        regions = regions.filter(id__in=region_ids)
    rows = []
    for region_id, code, name in regions.values_list("id", "code", "name"):
        participations, establishments = memberships_by_region.get((region_id,), (0, 0))
        rows.append(
            {
                "region_code": code,
                "region": name,
                "clusters": clusters_by_region.get((region_id,), (0, 0))[0],
                "participations": participations,
                "establishments": establishments,
            }
        )
    return rows


def _by_theme(user, wave_code) -> list[dict]:
    """Themes of at least one visible cluster: clusters and participations per theme (a cluster
    with two themes counts under each). One query."""
    scope = Q(clusters__status__in=COUNTED_STATUSES)  # Cluster.objects.counted()
    region_ids = _region_ids(user)
    if region_ids is not None:
        scope &= Q(clusters__region_id__in=region_ids)
    if wave_code:
        scope &= Q(clusters__wave__code=wave_code)
    active = scope & Q(clusters__memberships__isnull=False)  # Membership.objects.counted()
    themes = (
        # filter() first: the scope becomes a WHERE on the joined clusters (only the region's
        # and wave's rows are read), not just a FILTER over every cluster of the country.
        Theme.objects.filter(scope)
        .annotate(
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
    (computed minus published; None when the source gives no exact number). Figures the
    application does not compute (the evaluation's interviews...) have None for both. One
    query."""
    from .models import PublishedFigure

    computed_by_wave = {wave["wave"]: wave for wave in summary["waves"]}
    rows = []
    for figure in PublishedFigure.objects.for_wave(wave_code):
        if not figure.is_computed:
            computed = None
        elif figure.wave_code:
            computed = computed_by_wave.get(figure.wave_code, {}).get(figure.metric, 0)
        else:
            computed = summary["total"][figure.metric]
        exact = computed is not None and figure.value is not None
        rows.append(
            {
                "label": figure.label,
                "wave": figure.wave_code,
                "published": figure.shown_value,
                "computed": computed,
                "difference": computed - figure.value if exact else None,
                "source": figure.source,
                "source_url": figure.source_url,
                "published_when": figure.published_when,
            }
        )
    return rows


KEY_FIGURES = [
    ("clusters", "cluster", "clusters"),
    ("regions", "région", "régions"),
    ("participations", "participation d'établissement", "participations d'établissements"),
    ("establishments", "établissement distinct", "établissements distincts"),
    ("sessions", "séance tenue", "séances tenues"),
    ("experiments", "expérimentation", "expérimentations"),
    ("monographs_published", "monographie publiée", "monographies publiées"),
]


def key_figures(total: dict, keys=None) -> list[dict]:
    """The totals as tiles (all, or those of `keys`): the number (French spacing) and the noun
    agreeing with it."""
    return [
        {
            "value": french.number(total.get(key) or 0),
            "label": singular if (total.get(key) or 0) <= 1 else plural,
        }
        for key, singular, plural in KEY_FIGURES
        if keys is None or key in keys
    ]
