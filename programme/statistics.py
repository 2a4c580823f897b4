"""National summaries of the programme, read from the counts the database keeps.

Every function runs a fixed number of queries whatever the size of the data, and sees only the
user's regions (ARS staff: their region; `visible_to` for the lists). What is counted is defined
by `Cluster.objects.counted()` and `Membership.objects.counted()` (DEFINITIONS below says it in
French for pages and exports); the triggers of programme migration 0007 keep FigureCount by the
same rules (tests/programme/test_figure_counts.py holds them to a plain count of the rows). Home
pages, dashboard, exports, API and reports all read these functions. An establishment in two
waves is one participation per wave but counts once among the distinct establishments of the
total.
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from clusters.models import Cluster, Phase, Session, Wave
from establishments.models import LegalStatus, Sector
from experiments.models import Experiment, Monograph
from qvt import french

from .models import FigureCount, FigurePresence, PublishedFigure

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


def counted_records(*, user, wave_code: str | None = None) -> tuple:
    """(experiments, published monographs) exactly as the figures count them, for the lists the
    reports print beside the figures: a list and its count never disagree."""
    # Experiments of counted participations (Membership.objects.counted()).
    experiments = Experiment.objects.visible_to(user).exclude(
        membership__cluster__status=Cluster.Status.BROUILLON
    )
    if wave_code:
        experiments = experiments.filter(membership__wave__code=wave_code)
    return experiments, _published_monographs(user, wave_code)


def _published_monographs(user, wave_code):
    monographs = Monograph.objects.visible_to(user).filter(status=Monograph.Status.PUBLIEE)
    return monographs.filter(membership__wave__code=wave_code) if wave_code else monographs


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


# The counts the database keeps (programme.models.FigureCount), added up over the user's
# regions: per wave ("wave" rows), per region the user sees, zeros included ("region"), and per
# breakdown key of the wave asked for, or of every wave ("total", "status", "theme"...). The
# "regions" column counts regions with a counted cluster.
COUNTS_SQL = """
SELECT 'wave', w.code, '', SUM(c.clusters), COUNT(*) FILTER (WHERE c.clusters > 0),
       SUM(c.participations), SUM(c.establishments), SUM(c.experiments), SUM(c.sessions)
  FROM programme_figurecount c JOIN clusters_wave w ON w.id = c.wave_id
 WHERE c.dimension = 'total' AND {regions} {one_wave}
 GROUP BY w.code
UNION ALL
SELECT 'region', r.code, r.name, COALESCE(c.clusters, 0), 0, COALESCE(c.participations, 0),
       COALESCE(c.establishments, 0), 0, 0
  FROM establishments_region r
  LEFT JOIN programme_figurecount c ON c.region_id = r.id AND c.dimension = 'total' AND {wave}
 WHERE {region_rows}
UNION ALL
SELECT c.dimension, c.key, COALESCE(t.name, c.label), SUM(c.clusters),
       COUNT(*) FILTER (WHERE c.clusters > 0), SUM(c.participations), SUM(c.establishments),
       SUM(c.experiments), SUM(c.sessions)
  FROM programme_figurecount c
  LEFT JOIN clusters_theme t ON c.dimension = 'theme' AND t.id::text = c.key
 WHERE {wave} AND {regions}
 GROUP BY c.dimension, c.key, COALESCE(t.name, c.label)
"""
COUNT_COLUMNS = (
    "clusters",
    "regions",
    "participations",
    "establishments",
    "experiments",
    "sessions",
)
ZERO = dict.fromkeys(COUNT_COLUMNS, 0)


def _counts(user, wave_code) -> tuple[dict, list, dict]:
    """({wave code: counts}, [region rows], {dimension: {(key, label): counts}}) in one query."""
    region_ids = _region_ids(user)
    sql = COUNTS_SQL.format(
        regions="TRUE" if region_ids is None else "c.region_id = ANY(%(regions)s)",
        region_rows="TRUE" if region_ids is None else "r.id = ANY(%(regions)s)",
        one_wave="AND w.code = %(wave)s" if wave_code else "",
        wave=(
            "c.wave_id = (SELECT id FROM clusters_wave WHERE code = %(wave)s)"
            if wave_code
            else "c.wave_id IS NULL"
        ),
    )
    params = {"regions": list(region_ids or ()), "wave": wave_code}
    waves, regions, keys = {}, [], {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for part, key, label, *numbers in cursor.fetchall():
            counts = dict(zip(COUNT_COLUMNS, numbers, strict=True))
            if part == "wave":
                waves[key] = counts
            elif part == "region":
                regions.append({"region_code": key, "region": label, **counts})
            else:
                keys.setdefault(part, {})[(key, label)] = counts
    return waves, sorted(regions, key=lambda row: row["region_code"]), keys


def dashboard_figures(*, user, wave_code: str | None = None) -> tuple[dict, dict]:
    """(national_summary, national_breakdowns), in three queries whatever the size of the data:
    the counts the database keeps (FigureCount), the sessions still to come (counted apart:
    "held" depends on the day) and the published monographs."""
    waves, regions, keys = _counts(user, wave_code)
    sessions = Session.objects.visible_to(user).filter(
        is_draft=False, held_on__gt=timezone.localdate()
    )
    if wave_code:
        sessions = sessions.filter(cluster__wave__code=wave_code)
    to_come = _by_wave(sessions, "cluster__wave__code")
    published = _by_wave(_published_monographs(user, wave_code), "membership__wave__code")

    def by_key(dimension, choices, *columns, name=None):
        """Every choice, in declared order, zeros included: spreadsheets keep the same rows."""
        counts = keys.get(dimension, {})
        return [
            {name or dimension: value, "label": label, **_pick(counts.get((value, "")), columns)}
            for value, label in choices
        ]

    total = keys.get("total", {}).get(("", ""), ZERO)
    summary = {
        "waves": _waves(wave_code, waves, to_come, published),
        "total": _figures(total, sum(to_come.values()), sum(published.values())),
        "by_region": [_pick(row, ("region_code", "region", *REGISTRY_COLUMNS)) for row in regions],
        "by_sector": by_key("sector", Sector.choices, *REGISTRY_COLUMNS),
        "by_status": by_key("status", Cluster.Status.choices, "clusters", "participations"),
        "by_theme": sorted(
            (
                {"theme": name, **_pick(counts, ("clusters", "participations"))}
                for (_key, name), counts in keys.get("theme", {}).items()
                if counts["clusters"]
            ),
            key=lambda row: (-row["clusters"], row["theme"]),
        ),
    }
    breakdowns = {
        "by_legal_status": by_key("legal_status", LegalStatus.choices, *REGISTRY_COLUMNS),
        "by_category": sorted(
            (
                {"category_code": code, "category": label, **_pick(counts, REGISTRY_COLUMNS)}
                for (code, label), counts in keys.get("category", {}).items()
                if counts["participations"]
            ),
            key=lambda row: (-row["participations"], row["category_code"]),
        ),
        "by_phase": by_key("phase", Phase.choices, "participations"),
        "experiments_by_status": by_key(
            "experiment_status", Experiment.Status.choices, "experiments", name="status"
        ),
    }
    return summary, breakdowns


# The registry breakdowns' and the regions' columns: distinct clusters and establishments.
REGISTRY_COLUMNS = ("clusters", "participations", "establishments")


def _pick(counts: dict | None, columns) -> dict:
    counts = counts or ZERO
    return {column: counts[column] for column in columns}


def _by_wave(queryset, wave_path) -> dict[str, int]:
    rows = queryset.order_by().values(wave_path).annotate(n=Count("id"))
    return {row[wave_path]: row["n"] for row in rows}


def _waves(wave_code, waves, to_come, published) -> list[dict]:
    """A row per wave with anything counted (and the wave asked for, zeros included)."""
    rows = []
    for code in sorted({*waves, *published, *([wave_code] if wave_code else [])}):
        figures = _figures(waves.get(code, ZERO), to_come.get(code, 0), published.get(code, 0))
        if code == wave_code or any(figures.values()):
            rows.append({"wave": code, **figures})
    return rows


def _figures(counts: dict, sessions_to_come: int, published: int) -> dict:
    """The figures of a wave or of the total (the keys of KEY_FIGURES)."""
    return {
        **_pick(counts, ("clusters", "regions", "participations", "establishments")),
        "sessions": counts["sessions"] - sessions_to_come,
        "experiments": counts["experiments"],
        "monographs_published": published,
    }


def recount_figures() -> int:
    """Rebuilds the counts the database keeps from the rows (`programme_recount_figures()`:
    the triggers' own functions run over every cluster) and returns how many rows it changed:
    0 when the triggers had kept them, as they should. For after a load that went around the
    triggers (`manage.py recount_figures`)."""
    with transaction.atomic():
        before = _kept_counts()
        with connection.cursor() as cursor:
            cursor.execute("SELECT programme_recount_figures()")
        after = _kept_counts()
    return sum(before.get(key) != after.get(key) for key in before.keys() | after.keys())


def _kept_counts() -> dict:
    """{row's key: its counts} of FigureCount and FigurePresence."""
    key = ("region", "wave", "dimension", "key", "label")
    counts = FigureCount.objects.values_list(
        *key, "clusters", "participations", "establishments", "experiments", "sessions"
    )
    presences = FigurePresence.objects.values_list(*key, "item", "memberships")
    return {
        # A count at 0 says nothing (the triggers leave them, a recount writes none).
        **{row[:5]: row[5:] for row in counts if any(row[5:])},
        **{("presence", *row[:6]): row[6] for row in presences},
    }


def recent_figures(*, user, wave_code: str | None = None) -> tuple[dict, dict, datetime.datetime]:
    """dashboard_figures as computed at most PROGRAMME_FIGURES_CACHE_SECONDS ago, and when.

    The figures are cheap to read from the counts the database keeps (about 12 ms at national
    scale), but the dashboard, its charts and the summary exports read them on every request:
    they are shared through the cache by every user with the same view (the whole country, or
    the same regions) and wave.
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


def _region_ids(user):
    roles = user.roles
    return None if roles.sees_everything else roles.region_ids


def wave_choices() -> list[tuple[str, str]]:
    """(code, name) of every wave, for the dashboard's filter."""
    return list(Wave.objects.order_by("code").values_list("code", "name"))


def published_comparison(summary: dict, *, wave_code: str | None = None) -> list[dict]:
    """Each published figure beside the one computed from the database, with the difference
    (computed minus published; None when the source gives no exact number). Figures the
    application does not compute (the evaluation's interviews...) have None for both. One
    query."""
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
