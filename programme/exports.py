"""National exports: the summary as CSV, XLSX or JSON, and the detailed, streamed list of every
membership. Only aggregate counts and registry data leave: no session content, no contact."""

import csv
import io
import itertools
import json
import logging
import tempfile

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from clusters.models import Membership, Phase
from establishments.models import LegalStatus, Sector
from qvt import charts

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


ABOUT_SHEET = "À propos"
SOURCES = [
    "Application Clusters QVT : saisies des ARS et des Aract (clusters, adhésions, séances, "
    "expérimentations, monographies).",
    "Répertoire FINESS (numéros, catégories, statuts juridiques des établissements).",
]
# Codes written as text, so that a spreadsheet keeps their leading zeros (FINESS "01...", "02").
DETAIL_TEXT_COLUMNS = {"Code région", "FINESS", "Code catégorie"}
BOLD = Font(bold=True)
WIDTH_MIN, WIDTH_MAX = 8, 60


def scope_of(summary: dict, *, national: bool) -> dict:
    """What a file covers: the whole country, or the regions of the user (their codes)."""
    codes = [row["region_code"] for row in summary["by_region"]]
    if national:
        label = "Toutes les régions"
    else:
        label = ("Région " if len(codes) == 1 else "Régions ") + ", ".join(codes)
    return {"national": national, "label": label, "region_codes": codes}


def summary_document(*, figures, scope: dict, wave_code: str | None, generated_at) -> dict:
    """Every table of the summary and the metadata: the JSON export and the API's figures."""
    from .statistics import DEFINITIONS

    summary, breakdowns = figures
    return {
        **summary,
        **breakdowns,
        "metadata": {
            "generated_at": generated_at.isoformat(),
            "scope": scope,
            "wave": wave_code,
            "definitions": DEFINITIONS,
            "sources": SOURCES,
        },
    }


def export_filename(stem: str, *, scope: dict, wave_code: str | None, extension: str) -> str:
    """`synthese-nationale-2026-12-02.xlsx`, `synthese-region-11-vague-2017-2026-12-02.csv`:
    the name says what the file covers."""
    from django.utils.text import slugify

    codes = scope["region_codes"]
    if scope["national"]:
        where = "nationale" if stem == "synthese" else "national"
    elif len(codes) == 1:
        where = f"region-{codes[0]}"
    else:
        where = "regions-" + "-".join(codes)
    wave = f"-vague-{slugify(wave_code)}" if wave_code else ""
    return f"{stem}-{where}{wave}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _about_rows(*, scope: dict, wave_code: str | None, generated_at) -> list[list[str]]:
    from .statistics import DEFINITIONS

    local = timezone.localtime(generated_at)
    rows = [
        ["Clusters sociaux QVT : synthèse du programme"],
        ["Périmètre", scope["label"]],
        ["Vague", wave_code or "Toutes les vagues"],
        ["Généré le", f"{local:%d/%m/%Y à %H:%M}"],
        [],
        ["Définitions"],
    ]
    labels = {"clusters": "Clusters", "participations": "Participations"}
    labels |= {"establishments": "Établissements distincts", "sessions": "Séances tenues"}
    labels |= {"experiments": "Expérimentations", "monographs_published": "Monographies publiées"}
    rows += [[labels.get(key, key), text] for key, text in DEFINITIONS.items()]
    rows += [[], ["Sources"], *[["", source] for source in SOURCES]]
    return rows


def _about_sheet(workbook, rows) -> None:
    sheet = workbook.create_sheet(title=ABOUT_SHEET, index=0)
    for row in rows:
        sheet.append([safe_cell(cell) for cell in row])
        if len(row) == 1:
            sheet.cell(row=sheet.max_row, column=1).font = BOLD
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 100


def _width(values) -> float:
    longest = max((len(str(value)) for value in values if value is not None), default=0)
    return min(max(longest + 2, WIDTH_MIN), WIDTH_MAX)


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


# Table key -> (chart title, column of the label, column of the value, unit): the breakdowns
# the national dashboard and the national report draw, each above its data table.
CHARTS = {
    "waves": ("Clusters par vague", 0, 1, "clusters"),
    "by_sector": ("Participations par secteur", 0, 2, "participations"),
    "by_legal_status": ("Participations par statut juridique", 0, 2, "participations"),
    "by_category": ("Participations par catégorie FINESS", 1, 3, "participations"),
    "by_theme": ("Clusters par thématique", 0, 1, "clusters"),
    "by_status": ("Clusters par statut", 0, 1, "clusters"),
    "by_phase": ("Participations par phase atteinte", 0, 1, "participations"),
    "experiments_by_status": ("Expérimentations par statut", 0, 1, "expérimentations"),
}


def chart_sections(tables) -> list[dict]:
    """Each breakdown of `tables_from` as an accessible SVG bar chart and its data table (the
    region table goes with the map): {"key", "title", "anchor", "svg", "table"}."""
    sections = []
    for table in tables:
        if table["key"] not in CHARTS:
            continue
        title, label, value, unit = CHARTS[table["key"]]
        rows = table["rows"][:-1] if table["key"] == "waves" else table["rows"]  # not the total
        svg = charts.bar_chart_svg(
            chart_id=table["key"].replace("_", "-"),
            title=title,
            rows=[(str(row[label]), row[value]) for row in rows],
            unit=unit,
        )
        sections.append(
            {
                "key": table["key"],
                "title": title,
                "anchor": "section-" + table["key"].replace("_", "-"),
                "svg": svg,
                "table": table,
            }
        )
    return sections


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


def summary_xlsx(tables, *, about: list[list[str]]) -> bytes:
    """A first sheet "À propos" (scope, date, definitions, sources), then one sheet per table:
    bold frozen header, an autofilter, columns as wide as their content; numbers stay numbers."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _about_sheet(workbook, about)
    for table in tables:
        sheet = workbook.create_sheet(title=table["title"][:31])
        sheet.append([safe_cell(header) for header in table["headers"]])
        for cell in sheet[1]:
            cell.font = BOLD
        for row in table["rows"]:
            sheet.append([safe_cell(cell) for cell in row])
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(table["headers"]))
        sheet.auto_filter.ref = f"A1:{last}{max(sheet.max_row, 1)}"
        for index, header in enumerate(table["headers"], start=1):
            column = [header, *(row[index - 1] for row in table["rows"])]
            sheet.column_dimensions[get_column_letter(index)].width = _width(column)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_summary(
    *, figures, fmt: str, scope: dict, wave_code: str | None = None, by: str, generated_at=None
) -> bytes:
    """The summary in `fmt` (csv, xlsx, json), from `figures` = (national_summary,
    national_breakdowns) as dashboard_figures gives them; logged in the audit log. JSON and
    XLSX say what they cover (scope, wave, date, definitions)."""
    audit_log.info("national_export user=%s format=%s wave=%s", by, fmt, wave_code or "toutes")
    generated_at = generated_at or timezone.now()
    summary, breakdowns = figures
    if fmt == "json":
        document = summary_document(
            figures=figures, scope=scope, wave_code=wave_code, generated_at=generated_at
        )
        return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    tables = tables_from({**summary, **breakdowns})
    if fmt == "csv":
        return summary_csv(tables)
    about = _about_rows(scope=scope, wave_code=wave_code, generated_at=generated_at)
    return summary_xlsx(tables, about=about)


def detail_queryset(*, user, wave_code: str | None = None):
    """Every membership the user may see, as tuples of registry data (no contact, no content)."""
    memberships = Membership.objects.visible_to(user).counted()  # the figures' participations
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


def detail_xlsx_file(*, user, wave_code: str | None = None, by: str, scope: dict):
    """The detailed export as XLSX, written row by row (openpyxl's write-only mode) into a
    temporary file that the caller streams: memory stays flat. The codes (FINESS, region,
    category) are text cells, so that their leading zeros stay; a first sheet "À propos"."""
    audit_log.info("national_detail_export user=%s wave=%s format=xlsx", by, wave_code or "toutes")
    workbook = Workbook(write_only=True)
    about = workbook.create_sheet(title=ABOUT_SHEET)
    for row in _about_rows(scope=scope, wave_code=wave_code, generated_at=timezone.now()):
        about.append([safe_cell(cell) for cell in row])
    sheet = workbook.create_sheet(title="Participations")
    sheet.freeze_panes = "A2"
    for index, header in enumerate(DETAIL_HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(len(header) + 2, 14)
    header_row = []
    for header in DETAIL_HEADERS:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = BOLD
        header_row.append(cell)
    sheet.append(header_row)
    text_columns = [header in DETAIL_TEXT_COLUMNS for header in DETAIL_HEADERS]
    count = 0
    for row in detail_rows(user=user, wave_code=wave_code):
        cells = []
        for value, as_text in zip(row, text_columns, strict=True):
            if as_text:
                cell = WriteOnlyCell(sheet, value=str(value or ""))
                cell.number_format = "@"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(DETAIL_HEADERS))}{count + 1}"
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return output
