"""National exports: the summary as CSV, XLSX or JSON, and the detailed, streamed list of every
membership. Only aggregate counts and registry data leave: no session content, no contact."""

import csv
import io
import json
import logging
import tempfile
from functools import partial

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Concat
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from clusters.models import Membership, Phase
from establishments.models import LegalStatus, Sector
from qvt import charts

from . import xlsx

audit_log = logging.getLogger("qvt.audit")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The same starts, as a PostgreSQL regular expression (a bracket; "-" last, so not a range).
FORMULA_PATTERN = "^[" + "".join(c for c in FORMULA_STARTS if c != "-") + "-]"
CSV_BOM = "\ufeff"  # lets Excel read the file as UTF-8
CSV_COPY_OPTIONS = "FORMAT csv, DELIMITER ';', ENCODING 'UTF8'"

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
# The XLSX columns that are not plain text: codes written as text, so that a spreadsheet keeps
# their leading zeros (FINESS "01...", "02"), and withdrawn_on, a date (the last column).
DETAIL_KINDS = {
    "Code région": xlsx.CODE,
    "FINESS": xlsx.CODE,
    "Code catégorie": xlsx.CODE,
    "Date de retrait": xlsx.DATE,
}
DETAIL_WIDTHS = {
    "Cluster": 40,
    "Région": 24,
    "Établissement": 40,
    "Catégorie": 32,
    "Statut juridique": 18,
    "Phase": 22,
    "Date de retrait": 16,
}
DETAIL_COLUMNS = [
    xlsx.Column(
        header,
        kind=DETAIL_KINDS.get(header, xlsx.TEXT),
        width=DETAIL_WIDTHS.get(header, max(len(header) + 2, 14)),
    )
    for header in DETAIL_HEADERS
]
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


def chart_contents() -> list[tuple[str, str]]:
    """(anchor, title) of chart_sections after the first (the waves'), for a page's summary."""
    return [("section-" + key.replace("_", "-"), title) for key, (title, *_r) in CHARTS.items()][1:]


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
    """Every membership the user may see, as tuples of registry data (no contact, no content),
    ready to write: French labels and the formula guard (safe_cell) are computed by PostgreSQL,
    so that the CSV can be written by the database itself (detail_csv_file)."""
    memberships = Membership.objects.visible_to(user).counted()  # the figures' participations
    if wave_code:
        memberships = memberships.filter(wave__code=wave_code)
    return memberships.order_by("wave__code", "cluster__name", "establishment__finess").values_list(
        _guarded("cluster__name"),
        _guarded("wave__code"),
        "cluster__region__code",
        _guarded("cluster__region__name"),
        "establishment__finess",
        _guarded("establishment__short_name"),
        "establishment__category_code",
        _guarded("establishment__category_label"),
        _label("establishment__sector", Sector.choices),
        _label("establishment__legal_status", LegalStatus.choices),
        _label("phase", Phase.choices),
        "withdrawn_on",
    )


def _guarded(field: str):
    """safe_cell in SQL: text starting like a formula gets a leading apostrophe."""
    return Case(
        When(**{f"{field}__regex": FORMULA_PATTERN}, then=Concat(Value("'"), F(field))),
        default=F(field),
        output_field=CharField(),
    )


def _label(field: str, choices):
    """A code column as its French label."""
    whens = [When(**{field: value}, then=Value(label)) for value, label in choices]
    return Case(*whens, default=F(field), output_field=CharField())


def detail_csv_file(*, user, wave_code: str | None = None, by: str):
    """The detailed export as CSV, written by PostgreSQL (COPY ... TO STDOUT) into a temporary
    file that the caller streams: the rows cost what the query costs, and memory stays flat
    whatever their number. Header first, with the BOM that lets Excel read UTF-8."""
    audit_log.info("national_detail_export user=%s wave=%s", by, wave_code or "toutes")
    output = tempfile.TemporaryFile()
    output.write((CSV_BOM + ";".join(DETAIL_HEADERS) + "\n").encode("utf-8"))
    _copy_detail(user, wave_code, output, options=CSV_COPY_OPTIONS)
    output.seek(0)
    return output


def _copy_detail(user, wave_code, output, *, options: str, wrap=None) -> None:
    """COPY (the detail query, or wrap(it)) TO STDOUT into output; nothing when no row is
    visible (a user without region: the query is empty, the file keeps its header alone)."""
    try:
        sql, params = detail_queryset(user=user, wave_code=wave_code).query.sql_with_params()
    except EmptyResultSet:
        return
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode("utf-8")
        if wrap:
            query = wrap(query)
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH ({options})", output)


def detail_xlsx_file(*, user, wave_code: str | None = None, by: str, scope: dict):
    """The detailed export as XLSX in a temporary file that the caller streams: a first sheet
    "À propos", then the rows, whose SpreadsheetML PostgreSQL writes (programme.xlsx.rows_sql
    over detail_queryset) and COPY streams into the deflated zip entry. Python never loops over
    the rows, and memory stays flat. The codes (FINESS, region, category) are text cells, so
    that their leading zeros stay; the withdrawal date is a date cell."""
    audit_log.info("national_detail_export user=%s wave=%s format=xlsx", by, wave_code or "toutes")

    def fill(sink):
        as_rows = partial(xlsx.rows_sql, columns=DETAIL_COLUMNS)
        _copy_detail(user, wave_code, sink, options=xlsx.COPY_OPTIONS, wrap=as_rows)

    output = tempfile.TemporaryFile()
    about = _about_rows(scope=scope, wave_code=wave_code, generated_at=timezone.now())
    with xlsx.Workbook(output) as workbook:
        workbook.add_sheet(
            ABOUT_SHEET, [[safe_cell(c) for c in row] for row in about], widths=[28, 100]
        )
        workbook.add_streamed_sheet("Participations", DETAIL_COLUMNS, fill=fill)
    output.seek(0)
    return output
