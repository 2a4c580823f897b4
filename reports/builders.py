"""Step 1 of a report: build its context. Every query of a report runs here, so that the
template (step 2) and WeasyPrint (step 3) only read plain Python data. This module builds the
cluster report's context and the helpers the regional and national ones (overview.py) share.

What never enters a context: people's names (participants appear by role), delegation contacts,
addresses and phone numbers, and the content of confidential sessions (only their date and kind).
"""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from clusters.models import Attendance, Cluster, ParticipantRole, Phase
from establishments.models import LegalStatus, Organisation, Sector
from experiments.models import Experiment, Indicator, Measurement, Monograph
from qvt.charts import format_value, indicator_chart_svg, indicator_trend

# Monographs the report quotes: those the ARS has validated (drafts are not final words).
QUOTED_MONOGRAPHS = (Monograph.Status.VALIDEE, Monograph.Status.PUBLIEE)
PHASE_LABELS = dict(Phase.choices)


@dataclass
class Breakdown:
    """A count per label, in a stable order (the choices' order), with the total."""

    caption: str
    header: str
    rows: list[tuple[str, int]]
    total: int = field(init=False)
    chart: str = ""

    def __post_init__(self):
        self.total = sum(count for _label, count in self.rows)


def count_breakdown(caption, header, values, choices=None) -> Breakdown:
    counts = Counter(values)
    if choices is not None:
        rows = [(label, counts[value]) for value, label in choices if counts[value]]
    else:
        rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return Breakdown(caption, header, rows)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)} %" if whole else "—"


def region_organisations(region_id) -> dict[str, str]:
    """The region's ARS and Aract names (organisations, never people)."""
    names = dict(
        Organisation.objects.filter(region_id=region_id).values_list("kind", "name").order_by("id")
    )
    return {
        "ars": names.get(Organisation.Kind.ARS, "—"),
        "aract": names.get(Organisation.Kind.ARACT, "—"),
    }


def _measurements_prefetch():
    indicators = Indicator.objects.prefetch_related(
        Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on"))
    )
    return Prefetch(
        "experiments",
        queryset=Experiment.objects.order_by("starts_on", "title").prefetch_related(
            Prefetch("indicators", queryset=indicators.order_by("name"))
        ),
    )


def _experiment_row(experiment: Experiment, *, chart_prefix: str) -> dict:
    indicators = []
    for indicator in experiment.indicators.all():
        measurements = list(indicator.measurements.all())
        trend = indicator_trend(indicator, measurements)
        unit = indicator.unit
        last = measurements[-1] if measurements else None
        indicators.append(
            {
                "name": indicator.name,
                "baseline": format_value(indicator.baseline, unit),
                "target": format_value(indicator.target, unit),
                "last": format_value(last.value, unit) if last else "—",
                "last_on": last.measured_on if last else None,
                "trend": trend.label,
                "sentence": trend.sentence,
                "chart": indicator_chart_svg(indicator, measurements, id_prefix=chart_prefix),
            }
        )
    return {
        "title": experiment.title,
        "unit": experiment.unit,
        "status": experiment.get_status_display(),
        "starts_on": experiment.starts_on,
        "ends_on": experiment.ends_on,
        "problem": experiment.problem,
        "objectives": experiment.objectives,
        "actions": experiment.actions,
        "indicators": indicators,
    }


def cluster_context(cluster_id: int) -> dict:
    """Everything the cluster restitution report shows. Eleven queries whatever the size."""
    today = timezone.localdate()
    cluster = (
        Cluster.objects.select_related("region", "wave", "aract")
        .prefetch_related("themes")
        .get(pk=cluster_id)
    )
    memberships = list(
        cluster.memberships.select_related("establishment", "monograph")
        .prefetch_related(_measurements_prefetch())
        .order_by("withdrawn_on", "establishment__short_name")
    )
    sessions = list(
        cluster.sessions.filter(is_draft=False)
        .prefetch_related("tools")
        .order_by("held_on", "number")
    )
    held = [s for s in sessions if s.held_on <= today]
    open_held = [s for s in held if not s.is_confidential]

    # Attendance: presence cells of the non-confidential sessions held (rows with count > 0).
    cells = list(
        Attendance.objects.filter(session__in=open_held, count__gt=0).values_list(
            "session_id", "membership_id", "role", "count"
        )
    )
    present_pairs = {role: set() for role in ParticipantRole.values}
    people = Counter()
    per_session = {s.pk: {"people": 0, "members": set()} for s in open_held}
    for session_id, membership_id, role, count in cells:
        present_pairs[role].add((session_id, membership_id))
        people[role] += count
        per_session[session_id]["people"] += count
        per_session[session_id]["members"].add(membership_id)
    expected = sum(
        1 for session in open_held for m in memberships if m.is_active_on(session.held_on)
    )
    attendance = [
        {
            "role": label,
            "people": people[value],
            "present": len(present_pairs[value]),
            "rate": _percent(len(present_pairs[value]), expected),
        }
        for value, label in ParticipantRole.choices
        if value != ParticipantRole.AUTRE or people[value]
    ]

    session_rows = []
    for session in sessions:
        row = {
            "number": session.number,
            "held_on": session.held_on,
            "kind": session.get_kind_display(),
            "is_held": session.held_on <= today,
            "is_confidential": session.is_confidential,
        }
        if not session.is_confidential:  # confidential sessions: date and kind only
            counts = per_session.get(session.pk, {"people": 0, "members": set()})
            row |= {
                "format": session.get_format_display(),
                "agenda": session.agenda,
                "tools": [t.name for t in session.tools.all()]
                + ([session.other_tools] if session.other_tools else []),
                "key_points": session.key_points,
                "decisions": session.decisions,
                "next_steps": session.next_steps,
                "people": counts["people"],
                "members_present": len(counts["members"]),
            }
        session_rows.append(row)

    active = [m for m in memberships if m.withdrawn_on is None]
    members = []
    lessons = []
    for membership in memberships:
        establishment = membership.establishment
        monograph = getattr(membership, "monograph", None)
        quoted = monograph if monograph and monograph.status in QUOTED_MONOGRAPHS else None
        members.append(
            {
                "anchor": f"membre-{membership.pk}",
                "name": establishment.short_name,
                "long_name": establishment.long_name,
                "finess": establishment.finess,
                "town": establishment.town,
                "category": establishment.category_label,
                "sector": establishment.get_sector_display(),
                "legal_status": establishment.get_legal_status_display(),
                "joined_on": membership.joined_on,
                "withdrawn_on": membership.withdrawn_on,
                "phase": membership.get_phase_display(),
                "phase_index": Phase.values.index(membership.phase) + 1,
                "experiments": [
                    _experiment_row(e, chart_prefix=f"m{membership.pk}-e{e.pk}")
                    for e in membership.experiments.all()
                ],
                "monograph": {"title": quoted.title, "status": quoted.get_status_display()}
                if quoted
                else None,
            }
        )
        if quoted and (quoted.lessons or quoted.outlook):
            lessons.append(
                {"establishment": establishment.short_name, "lessons": quoted.lessons,
                 "outlook": quoted.outlook}
            )  # fmt: skip
    last_open = open_held[-1] if open_held else None
    return {
        "kind": "cluster",
        "title": f"Rapport de restitution — {cluster.name}",
        "generated_on": today,
        "cluster": {
            "name": cluster.name,
            "region": cluster.region.name,
            "wave": cluster.wave.name,
            "status": cluster.get_status_display(),
            "themes": [t.name for t in cluster.themes.all()],
            "problem_statement": cluster.problem_statement,
            "starts_on": cluster.starts_on,
            "ends_on": cluster.ends_on,
            "closed_on": cluster.closed_on,
            "aract": cluster.aract.name
            if cluster.aract_id
            else region_organisations(cluster.region_id)["aract"],
            "ars": region_organisations(cluster.region_id)["ars"],
        },
        "figures": {
            "members": len(active),
            "withdrawn": len(memberships) - len(active),
            "sessions_held": len(held),
            "sessions_planned": len(sessions) - len(held),
            "confidential": sum(1 for s in held if s.is_confidential),
            "experiments": sum(len(m["experiments"]) for m in members if not m["withdrawn_on"]),
        },
        "breakdowns": [
            count_breakdown(
                "Membres par secteur",
                "Secteur",
                [m.establishment.sector for m in active],
                Sector.choices,
            ),
            count_breakdown(
                "Membres par statut juridique",
                "Statut juridique",
                [m.establishment.legal_status for m in active],
                LegalStatus.choices,
            ),
            count_breakdown(
                "Membres par catégorie FINESS",
                "Catégorie",
                [m.establishment.category_label or "Non renseignée" for m in active],
            ),
            count_breakdown(
                "Membres par phase atteinte", "Phase", [m.phase for m in active], Phase.choices
            ),
        ],
        "attendance": attendance,
        "attendance_basis": expected,
        "sessions": session_rows,
        "members": members,
        "lessons": lessons,
        "next_steps": last_open.next_steps if last_open else "",
        "next_steps_on": last_open.held_on if last_open else None,
        "phases": Phase.choices,
    }
