"""Step 1 of the regional and national reports: their contexts (see builders.py, which builds
the cluster report's and the helpers both share). Every query of a report runs here."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils import timezone

from clusters.models import Cluster, Membership, Phase, Session, Wave
from establishments.models import LegalStatus, Region, Sector
from experiments.models import Experiment, Monograph
from programme.exports import chart_sections, tables_from
from programme.statistics import (
    DEFINITIONS,
    counted_records,
    dashboard_figures,
    published_comparison,
)
from qvt import charts, french

from .builders import count_breakdown, region_organisations


def region_context(region_id: int, wave_id: int) -> dict:
    """The regional summary: every cluster of a wave in a region. Seven queries."""
    today = timezone.localdate()
    region = Region.objects.get(pk=region_id)
    wave = Wave.objects.get(pk=wave_id)
    clusters = list(
        # The clusters the figures count (Cluster.objects.counted(): never a draft).
        Cluster.objects.counted()
        .filter(region=region, wave=wave)
        .select_related("aract")
        .prefetch_related(
            "themes",
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("establishment").order_by(
                    "withdrawn_on", "establishment__short_name"
                ),
            ),
        )
        .order_by("name")
    )
    sessions = dict(
        Session.objects.filter(cluster__in=clusters, is_draft=False, held_on__lte=today)
        .values_list("cluster_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    # Experiments of counted participations and published monographs, as
    # programme/statistics.py counts them: listed in full (one region and wave) and counted
    # from the lists, so that a list and its count never disagree.
    experiment_list = _experiment_list(
        Experiment.objects.filter(membership__cluster__in=clusters), limit=None
    )
    published = _published_monographs(
        Monograph.objects.filter(membership__cluster__in=clusters), limit=None
    )
    experiments = Counter()
    for experiment in experiment_list["rows"]:
        experiments[experiment["cluster_id"]] += 1
        experiments[experiment["status_code"]] += 1
    monographs = Counter(monograph["cluster_id"] for monograph in published)
    rows = []
    participations = []  # Membership.objects.counted(): active or withdrawn since
    for cluster in clusters:
        active = [m for m in cluster.memberships.all() if m.withdrawn_on is None]
        participations.extend(cluster.memberships.all())
        rows.append(
            {
                "anchor": f"cluster-{cluster.pk}",
                "name": cluster.name,
                "status": cluster.get_status_display(),
                "themes": [t.name for t in cluster.themes.all()],
                "problem_statement": cluster.problem_statement,
                "aract": cluster.aract.name if cluster.aract_id else "—",
                "starts_on": cluster.starts_on,
                "ends_on": cluster.ends_on,
                "sessions_held": sessions.get(cluster.pk, 0),
                "experiments": experiments[cluster.pk],
                "monographs_published": monographs.get(cluster.pk, 0),
                "members": [
                    {
                        "name": m.establishment.short_name,
                        "finess": m.establishment.finess,
                        "category": m.establishment.category_label,
                        "sector": m.establishment.get_sector_display(),
                        "phase": m.get_phase_display(),
                    }
                    for m in active
                ],
                "phases": count_breakdown(
                    "Phases", "Phase", [m.phase for m in active], Phase.choices
                ),
            }
        )
    organisations = region_organisations(region.pk)
    breakdowns = [
        count_breakdown(
            "Clusters par statut",
            "Statut",
            [c.status for c in clusters],
            Cluster.Status.choices,
        ),
        count_breakdown(
            "Participations par secteur",
            "Secteur",
            [m.establishment.sector for m in participations],
            Sector.choices,
        ),
        count_breakdown(
            "Participations par statut juridique",
            "Statut juridique",
            [m.establishment.legal_status for m in participations],
            LegalStatus.choices,
        ),
        count_breakdown(
            "Clusters par thématique (un cluster à deux thématiques compte dans chacune)",
            "Thématique",
            [theme.name for cluster in clusters for theme in cluster.themes.all()],
        ),
        count_breakdown(
            "Participations par phase",
            "Phase",
            [m.phase for m in participations],
            Phase.choices,
        ),
        count_breakdown(
            "Expérimentations par statut",
            "Statut",
            [s for s, _l in Experiment.Status.choices for _ in range(experiments[s])],
            Experiment.Status.choices,
        ),
    ]
    for index, breakdown in enumerate(breakdowns, start=1):
        # An accessible SVG bar chart (its title is the figure's alternative text in the tagged
        # PDF); the table under it gives the same values.
        if breakdown.rows:
            breakdown.chart = charts.bar_chart_svg(
                chart_id=f"graphique-{index}",
                title=breakdown.caption,
                rows=breakdown.rows,
                unit="nombre",
            )
    return {
        "kind": "region",
        "title": f"Synthèse régionale — {region.name}, {wave.name}",
        "generated_on": today,
        "region": region.name,
        "wave": wave.name,
        "ars": organisations["ars"],
        "aract": organisations["aract"],
        "figures": {
            "clusters": len(clusters),
            "participations": len(participations),
            "establishments": len({m.establishment_id for m in participations}),
            "sessions_held": sum(sessions.values()),
            "experiments": sum(experiments[c.pk] for c in clusters),
            "monographs_published": sum(monographs.values()),
        },
        "breakdowns": breakdowns,
        "clusters": rows,
        "experiment_list": experiment_list,
        "monographs": published,
        "lessons": _lessons(published),
    }


class _EveryRegion:
    sees_everything = True
    region_ids = frozenset()


@dataclass
class Operator:
    """An operator at the command line: sees the whole programme (they hold the database)."""

    roles: _EveryRegion = field(default_factory=_EveryRegion)


def national_context(wave_id: int | None, *, user) -> dict:
    """The national summary: the figures and tables of the national dashboard (the same
    statistics functions, the same charts), the region tile map, the experiments and published
    monographs those figures count, the lessons of the monographs, and the published figures
    beside the computed ones. Fixed number of queries whatever the size."""
    wave = Wave.objects.get(pk=wave_id) if wave_id else None
    wave_code = wave.code if wave else None
    summary, breakdowns = dashboard_figures(user=user, wave_code=wave_code)
    wave_names = dict(Wave.objects.values_list("code", "name"))
    tables = tables_from({**summary, **breakdowns})
    for row in tables[0]["rows"]:  # the per-wave table: names rather than codes
        row[0] = wave_names.get(row[0], row[0])
    sections = {
        section["key"]: {**section, "table": _display_table(section["table"], section["title"])}
        for section in chart_sections(tables)
    }
    region_table = next(table for table in tables if table["key"] == "by_region")
    experiments, monographs = counted_records(user=user, wave_code=wave_code)
    experiment_rows = _experiment_list(experiments)
    published = _published_monographs(monographs)
    return {
        "kind": "national",
        "title": "Synthèse nationale — " + (wave.name if wave else "toutes les vagues"),
        "generated_on": timezone.localdate(),
        "wave": wave.name if wave else "Toutes les vagues",
        "total": summary["total"],
        "definitions": DEFINITIONS,
        "chapters": [
            {
                "anchor": "par-vague",
                "title": "Chiffres par vague",
                "sections": [sections["waves"]],
                "note": DEFINITIONS["participations"] + " " + DEFINITIONS["establishments"],
            },
            {
                "anchor": "par-secteur",
                "title": "Par secteur, statut juridique et catégorie",
                "sections": [sections[k] for k in ("by_sector", "by_legal_status", "by_category")],
            },
            {
                "anchor": "par-statut",
                "title": "Par statut des clusters et par thématique",
                "sections": [sections["by_status"], sections["by_theme"]],
                "note": "Un cluster à deux thématiques compte dans chacune.",
            },
            {
                "anchor": "avancement",
                "title": "Phases atteintes et expérimentations",
                "sections": [sections["by_phase"], sections["experiments_by_status"]],
            },
        ],
        "tile_map": _tile_map(summary["by_region"]),
        "region_table": _display_table(
            region_table, "Clusters, participations et établissements par région"
        ),
        "experiments": experiment_rows,
        "experiments_total": summary["total"]["experiments"],
        "monographs": published,
        "lessons": _lessons(published),
        # The published figures beside the computed ones, as on the dashboard (never "fixed").
        "published": published_comparison(summary, wave_code=wave_code),
    }


# The lists of a report stay readable at national scale: beyond this, the report says how many
# it leaves out (the exports and the library have them all).
LIST_MAX = 400
LESSONS_MAX = 40
EXCERPT_CHARS = 600
KEEP_TOGETHER_ROWS = 20  # a table this short moves whole to the next page rather than split


def _display_table(table: dict, caption: str) -> dict:
    """A table of `programme.exports.tables_from` as the PDF prints it: numbers in French
    notation, right-aligned; short tables are kept on one page (no orphan rows)."""
    rows = [
        [
            {"text": french.number(cell) if isinstance(cell, int) else str(cell or "—"),
             "num": isinstance(cell, int)}
            for cell in row
        ]
        for row in table["rows"]
    ]  # fmt: skip
    numeric = [
        all(isinstance(row[i], int) for row in table["rows"]) for i in range(len(table["headers"]))
    ]
    return {
        "caption": caption,
        "headers": [
            {"text": header, "num": bool(table["rows"]) and numeric[index]}
            for index, header in enumerate(table["headers"])
        ],
        "rows": rows,
        "keep_together": len(rows) <= KEEP_TOGETHER_ROWS,
    }


def _tile_map(regions: list[dict]) -> dict:
    """The regions as a grid of tiles with their number of clusters; the SVG title (the figure's
    alternative text in the tagged PDF) summarises what the map shows."""
    with_clusters = [r for r in regions if r["clusters"]]
    most = max(regions, key=lambda r: (r["clusters"], -int(r["region_code"] or 0)), default=None)
    verb = "a" if len(with_clusters) <= 1 else "ont"
    summary = (
        "Carte des régions en tuiles : nombre de clusters par région. "
        f"{french.count(len(with_clusters), 'région:f')} sur {len(regions)} {verb} au moins "
        "un cluster"
    )
    if most and most["clusters"]:
        summary += f" ; le plus grand nombre : {most['region']} ({most['clusters']})"
    summary += ". Le tableau qui suit donne chaque valeur."
    return {
        "svg": charts.cartogram_svg(chart_id="carte-regions", title=summary, regions=regions),
        "legend": charts.legend_classes(regions),
        "summary": summary,
    }


def _experiment_list(experiments, *, limit: int | None = LIST_MAX) -> dict:
    """The experiments, by region, cluster and establishment (names of organisations only);
    at most `limit` of them (None: all)."""
    found = experiments.order_by(
        "membership__cluster__region__code",
        "membership__cluster__name",
        "membership__establishment__short_name",
        "title",
        "pk",
    ).values_list(
        "membership__cluster_id",
        "status",
        "title",
        "unit",
        "membership__establishment__short_name",
        "membership__cluster__name",
        "membership__cluster__region__name",
    )
    found = list(found if limit is None else found[: limit + 1])
    statuses = dict(Experiment.Status.choices)
    shown = found if limit is None else found[:limit]
    return {
        "rows": [
            {
                "cluster_id": cluster_id,
                "status_code": status,
                "status": statuses.get(status, status),
                "title": title,
                "unit": unit,
                "establishment": establishment,
                "cluster": cluster,
                "region": region,
            }
            for cluster_id, status, title, unit, establishment, cluster, region in shown
        ],
        "truncated": len(found) > len(shown),
    }


def _published_monographs(monographs, *, limit: int | None = LIST_MAX) -> list[dict]:
    """Published monographs, newest first, with their lessons as the library shows them
    (contacts masked); at most `limit` of them (None: all)."""
    found = (
        monographs.filter(status=Monograph.Status.PUBLIEE)
        .select_related("membership__establishment", "membership__cluster__region")
        .order_by("-published_at", "title", "pk")
    )
    if limit is not None:
        found = found[:limit]
    rows = []
    for monograph in found:
        sections = {name: text for name, _label, text in monograph.public_sections()}
        membership = monograph.membership
        rows.append(
            {
                "cluster_id": membership.cluster_id,
                "title": monograph.title,
                "establishment": membership.establishment.short_name,
                "cluster": membership.cluster.name,
                "region": membership.cluster.region.name,
                "published_at": monograph.published_at,
                "lessons": sections.get("lessons", ""),
            }
        )
    return rows


def _excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The beginning of a text, cut at a word, with an ellipsis when shortened."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:.") + " […]"


def _lessons(monographs: list[dict]) -> list[dict]:
    """Excerpts of the « Enseignements » section of published monographs, with the cluster and
    the establishment they come from."""
    return [
        {
            "establishment": m["establishment"],
            "cluster": m["cluster"],
            "region": m["region"],
            "title": m["title"],
            "excerpt": _excerpt(m["lessons"]),
        }
        for m in monographs
        if m["lessons"].strip()
    ][:LESSONS_MAX]
