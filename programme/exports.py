"""National exports: the summary as CSV, XLSX or JSON, and the detailed, streamed list of every
membership. Only aggregate counts and registry data leave: no session content, no contact."""

import csv
import io
import itertools
import json
import logging

from openpyxl import Workbook

from clusters.models import Membership, Phase
from establishments.models import LegalStatus, Sector

audit_log = logging.getLogger("qvt.audit")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_BOM = "\ufeff"  # lets Excel read the file as UTF-8
DETAIL_CHUNK = 500  # rows per fetch and per block written: memory is a few chunks

WAVE_HEADERS = [
    ("wave", "Vague"),
    ("clusters", "Clusters"),
    ("regions", "Régions"),
    ("participations", "Participations"),
    ("establishments", "Établissements distincts"),
    ("sessions", "Séances tenues"),
    ("experiments", "Expérimentations"),
    ("monographs_published", "Monographies publiées"),
]
# (key in the summary, sheet title, [(column key, header)])
BREAKDOWNS = [
    (
        "by_region",
        "Par région",
        [
            ("region", "Région"),
            ("region_code", "Code région"),
            ("clusters", "Clusters"),
            ("participations", "Participations"),
            ("establishments", "Établissements distincts"),
        ],
    ),
    (
        "by_sector",
        "Par secteur",
        [
            ("label", "Secteur"),
            ("clusters", "Clusters"),
            ("participations", "Participations"),
            ("establishments", "Établissements distincts"),
        ],
    ),
    (
        "by_legal_status",
        "Par statut juridique",
        [
            ("label", "Statut juridique"),
            ("clusters", "Clusters"),
            ("participations", "Participations"),
            ("establishments", "Établissements distincts"),
        ],
    ),
    (
        "by_category",
        "Par catégorie",
        [
            ("category_code", "Code catégorie"),
            ("category", "Catégorie"),
            ("clusters", "Clusters"),
            ("participations", "Participations"),
            ("establishments", "Établissements distincts"),
        ],
    ),
    (
        "by_theme",
        "Par thématique",
        [("theme", "Thématique"), ("clusters", "Clusters"), ("participations", "Participations")],
    ),
    (
        "by_status",
        "Par statut de cluster",
        [("label", "Statut"), ("clusters", "Clusters"), ("participations", "Participations")],
    ),
    ("by_phase", "Par phase", [("label", "Phase atteinte"), ("participations", "Participations")]),
    (
        "experiments_by_status",
        "Expérimentations",
        [("label", "Statut de l'expérimentation"), ("experiments", "Expérimentations")],
    ),
]
DETAIL_HEADERS = [
    "Cluster",
    "Vague",
    "Code région",
    "Région",
    "FINESS",
    "Établissement",
    "Code catégorie",
    "Catégorie",
    "Secteur",
    "Statut juridique",
    "Phase",
    "Date de retrait",
]


def safe_cell(value):
    """A spreadsheet runs text starting with = + - @ (or a tab, a carriage return) as a formula:
    such text gets a leading apostrophe. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def tables_from(data: dict) -> list[dict]:
    """Every table of a summary (national_summary + national_breakdowns), in order: per wave
    with the total, then each breakdown. {"key", "title", "headers", "rows"}; numbers stay ints."""
    total = {"wave": "Total", **data["total"]}
    tables = [
        {
            "key": "waves",
            "title": "Par vague",
            "headers": [header for _key, header in WAVE_HEADERS],
            "rows": [[row[key] for key, _h in WAVE_HEADERS] for row in [*data["waves"], total]],
        }
    ]
    for key, title, columns in BREAKDOWNS:
        tables.append(
            {
                "key": key,
                "title": title,
                "headers": [header for _column, header in columns],
                "rows": [[row[column] for column, _h in columns] for row in data[key]],
            }
        )
    return tables


def summary_csv(tables) -> bytes:
    """Every table one after the other, each under its title, separated by an empty line."""
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([safe_cell(table["title"])])
        writer.writerow([safe_cell(header) for header in table["headers"]])
        writer.writerows([safe_cell(cell) for cell in row] for row in table["rows"])
    return buffer.getvalue().encode("utf-8")


def summary_xlsx(tables) -> bytes:
    """One sheet per table; numbers are written as numbers."""
    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=table["title"][:31])
        sheet.append([safe_cell(header) for header in table["headers"]])
        for row in table["rows"]:
            sheet.append([safe_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_summary(*, figures, fmt: str, wave_code: str | None = None, by: str) -> bytes:
    """The national summary in `fmt` (csv, xlsx, json), from `figures` = (national_summary,
    national_breakdowns) as dashboard_figures gives them; logged in the audit log. The JSON
    export holds the summary only."""
    audit_log.info("national_export user=%s format=%s wave=%s", by, fmt, wave_code or "toutes")
    summary, breakdowns = figures
    if fmt == "json":
        return json.dumps(summary, ensure_ascii=False, indent=2).encode("utf-8")
    tables = tables_from({**summary, **breakdowns})
    return summary_csv(tables) if fmt == "csv" else summary_xlsx(tables)


def detail_queryset(*, user, wave_code: str | None = None):
    """Every membership the user may see, as tuples of registry data (no contact, no content)."""
    memberships = Membership.objects.visible_to(user)
    if wave_code:
        memberships = memberships.filter(wave__code=wave_code)
    return memberships.order_by("wave__code", "cluster__name", "establishment__finess").values_list(
        "cluster__name",
        "wave__code",
        "cluster__region__code",
        "cluster__region__name",
        "establishment__finess",
        "establishment__short_name",
        "establishment__category_code",
        "establishment__category_label",
        "establishment__sector",
        "establishment__legal_status",
        "phase",
        "withdrawn_on",
    )


def detail_rows(*, user, wave_code: str | None = None):
    """The detailed rows with French labels, read through a server-side cursor in chunks so that
    memory stays flat whatever the number of rows. Free text (names, labels, wave code) goes
    through safe_cell; the other columns are codes, our own labels or dates."""
    sectors, statuses, phases = dict(Sector.choices), dict(LegalStatus.choices), dict(Phase.choices)
    rows = detail_queryset(user=user, wave_code=wave_code)
    for cluster, wave, region_code, region, finess, name, code, label, *rest in rows.iterator(
        chunk_size=DETAIL_CHUNK
    ):
        sector, status, phase, withdrawn_on = rest
        yield (
            safe_cell(cluster),
            safe_cell(wave),
            region_code,
            safe_cell(region),
            finess,
            safe_cell(name),
            code,
            safe_cell(label),
            sectors.get(sector, sector),
            statuses.get(status, status),
            phases.get(phase, phase),
            withdrawn_on.isoformat() if withdrawn_on else "",
        )


def detail_csv_lines(*, user, wave_code: str | None = None, by: str):
    """The detailed export as blocks of CSV text (BOM and header first), generated as rows
    arrive: one block per DETAIL_CHUNK rows, since one write per row would cost more than
    the rows themselves."""
    audit_log.info("national_detail_export user=%s wave=%s", by, wave_code or "toutes")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write(CSV_BOM)
    writer.writerow(DETAIL_HEADERS)
    rows = detail_rows(user=user, wave_code=wave_code)
    while True:
        writer.writerows(itertools.islice(rows, DETAIL_CHUNK))
        block = buffer.getvalue()
        if not block:
            return
        yield block
        buffer.seek(0)
        buffer.truncate()
