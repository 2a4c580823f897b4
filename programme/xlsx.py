"""A minimal SpreadsheetML (.xlsx) writer for the detailed national export.

Written from the ECMA-376 format (Office Open XML, SpreadsheetML part): a zip holding
[Content_Types].xml, the package and workbook relationships, xl/workbook.xml, xl/styles.xml and
one xl/worksheets/sheetN.xml per sheet. Strings are inline (`t="inlineStr"`), so no shared
string table has to be known before the rows.

The point is speed: a big sheet's rows are built by PostgreSQL (`rows_sql`) and streamed by
`COPY ... TO STDOUT` into `StreamedSheet`, which deflates them straight into the zip entry.
Python never loops over rows: it only touches whole chunks with bytes operations.

Limits: no Zip64 (an entry must stay under 2 GiB uncompressed, about 3.5 million rows of the
detailed export; zipfile raises beyond), no shared strings, no other styles than the four below,
no xml:space="preserve" on the streamed cells (a reader may trim a name's outer spaces).
"""

import datetime
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Column kinds: plain text, a code kept as text (number format "@", leading zeros stay), a date.
TEXT, CODE, DATE = "text", "code", "date"
# Indexes into cellXfs of STYLES.
STYLE_BOLD, STYLE_CODE, STYLE_DATE = 1, 2, 3
DATE_FORMAT = "yyyy-mm-dd"  # what openpyxl gave the export's dates
EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 0 of the 1900 date system
COMPRESS_LEVEL = 1  # XML compresses ~15x even at level 1; higher levels only cost time
FLUSH_BYTES = 1 << 18  # the streamed rows are deflated by chunks of about 256 kB

STYLES = f"""{XML_DECLARATION}<styleSheet xmlns="{MAIN_NS}">\
<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>\
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="2"><fill><patternFill patternType="none"/></fill>\
<fill><patternFill patternType="gray125"/></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
</styleSheet>"""

# Characters XML 1.0 forbids (C0 controls but tab, line feed, carriage return; U+FFFE, U+FFFF).
ILLEGAL_CODES = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF]
_DROP_ILLEGAL = dict.fromkeys(ILLEGAL_CODES)

# The streamed rows: PostgreSQL joins a row's text cells with two control characters, one
# before a plain text cell and one before a code cell, and StreamedSheet expands them into the
# cells' tags (COPY sends 40 % of the bytes). COPY quotes a CSV field that holds its QUOTE or
# DELIMITER character: two other control characters, which never reach the output either.
SEP_TEXT, SEP_CODE, COPY_QUOTE, COPY_DELIMITER = "\x03", "\x04", "\x01", "\x02"
COPY_OPTIONS = "FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02', ENCODING 'UTF8'"
_OPEN_TEXT = '<c t="inlineStr"><is><t>'
_OPEN_CODE = f'<c t="inlineStr" s="{STYLE_CODE}"><is><t>'
_CLOSE_TEXT = "</t></is></c>"
# The C0 bytes StreamedSheet deletes: every one XML forbids, but the separators it expands.
_STRIPPED_BYTES = bytes(c for c in ILLEGAL_CODES if c < 0x20 and chr(c) not in (SEP_TEXT, SEP_CODE))
_XML_ESCAPES = [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")]
_SQL_ESCAPES = [*_XML_ESCAPES, ("E'\\n'", "&#10;"), ("E'\\r'", "&#13;")]


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: float = 14


def column_letter(number: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def clean(text: str) -> str:
    """Text without the characters XML 1.0 forbids."""
    return text.translate(_DROP_ILLEGAL)


def cell(value, style: int = 0) -> str:
    """One cell: text inline (newlines kept as character references), numbers and dates as
    numbers (a date gets the date format), None as an empty cell."""
    attributes = f' s="{style}"' if style else ""
    if value is None:
        return "<c/>"
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        serial = (value - EXCEL_EPOCH).days
        return f'<c s="{style or STYLE_DATE}"><v>{serial}</v></c>'
    if isinstance(value, bool):
        return f'<c t="b"{attributes}><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f"<c{attributes}><v>{value}</v></c>"
    text = escape(clean(str(value)), {'"': "&quot;", "\n": "&#10;", "\r": "&#13;"})
    return f'<c t="inlineStr"{attributes}><is><t xml:space="preserve">{text}</t></is></c>'


def row(number: int, cells) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def _sheet_head(*, widths, frozen_header: bool, selected: bool) -> str:
    view = '<sheetView workbookViewId="0"' + (' tabSelected="1"' if selected else "") + ">"
    if frozen_header:
        view += (
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        )
    head = f'{XML_DECLARATION}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
    head += f'<sheetViews>{view}</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
    if widths:
        head += "<cols>"
        for number, width in enumerate(widths, start=1):
            head += f'<col min="{number}" max="{number}" width="{width}" customWidth="1"/>'
        head += "</cols>"
    return head + "<sheetData>"


def _escaped_sql(expression: str) -> str:
    for character, reference in _SQL_ESCAPES:
        literal = character if character.startswith("E'") else f"'{character}'"
        expression = f"replace({expression}, {literal}, '{reference}')"
    return expression


def _sql_chars(codes) -> str:
    """A PostgreSQL E'' string literal of these characters (\\x escapes, \\u beyond ASCII)."""
    return "E'" + "".join(f"\\x{c:02x}" if c < 0x80 else f"\\u{c:04X}" for c in codes) + "'"


def rows_sql(query: str, columns: list[Column]) -> str:
    """A query giving one line of SpreadsheetML per row of `query` (whose columns are, in order,
    the `columns`: text and code columns first, date columns last), for StreamedSheet.

    The text of a row is joined with SEP_TEXT / SEP_CODE and XML-escaped once for the whole row
    (& < > " and newlines as character references: a line never breaks), which costs a few
    replace() per row, not per cell. A row whose own text holds one of the four control
    characters the format relies on (the separators, COPY's QUOTE and DELIMITER) is built cell
    by cell instead, with every character XML forbids removed. The other forbidden characters of
    the fast rows are removed by StreamedSheet, by chunk."""
    texts = [index for index, column in enumerate(columns) if column.kind != DATE]
    dates = [index for index, column in enumerate(columns) if column.kind == DATE]
    if texts != list(range(len(texts))) or not texts:
        raise ValueError("rows_sql: text and code columns first, dates last")
    names = [f"c{index}" for index in range(len(columns))]
    joined = f"coalesce({names[0]}, '')"
    for index in texts[1:]:
        separator = SEP_CODE if columns[index].kind == CODE else SEP_TEXT
        joined += f" || {_sql_chars([ord(separator)])} || coalesce({names[index]}, '')"
    reserved = [ord(c) for c in (COPY_QUOTE, COPY_DELIMITER, SEP_TEXT, SEP_CODE)]
    stripped = "joined"
    for code in reserved:
        stripped = f"replace({stripped}, {_sql_chars([code])}, '')"
    date_cells = "".join(
        f" || CASE WHEN {names[index]} IS NULL THEN '<c/>' ELSE '<c s=\"{STYLE_DATE}\"><v>' || "
        f"({names[index]} - DATE '{EXCEL_EPOCH:%Y-%m-%d}') || '</v></c>' END"
        for index in dates
    )
    first = _OPEN_CODE if columns[0].kind == CODE else _OPEN_TEXT
    fast = f"'<row>{first}' || {_escaped_sql('joined')} || '{_CLOSE_TEXT}'"
    illegal_bracket = "'[' || " + _sql_chars(ILLEGAL_CODES[1:]) + " || ']'"
    slow_cells = []
    for index in texts:
        opening = _OPEN_CODE if columns[index].kind == CODE else _OPEN_TEXT
        # A bracket of single characters: nothing to backtrack. (PostgreSQL text holds no NUL.)
        value = f"regexp_replace({names[index]}, {illegal_bracket}, '', 'g')"
        slow_cells.append(f"'{opening}' || coalesce({_escaped_sql(value)}, '') || '{_CLOSE_TEXT}'")
    slow = "'<row>' || " + " || ".join(slow_cells)
    # `query` is SQL the ORM wrote (values bound by mogrify); the rest are our own constants.
    # OFFSET 0 keeps the subquery apart, so that `joined` is computed once per row; it keeps the
    # rows in the order of `query`.
    source = f"(SELECT *, {joined} AS joined FROM ({query}) AS d({', '.join(names)}) OFFSET 0)"  # noqa: S608
    check = f"octet_length(joined) - octet_length({stripped}) = {len(texts) - 1}"
    select = f"SELECT CASE WHEN {check} THEN {fast} ELSE {slow} END{date_cells} || '</row>'"
    return f"{select} FROM {source} AS j"


class StreamedSheet:
    """The file COPY writes a sheet's rows into (one line per row, from rows_sql). It joins them
    into chunks of FLUSH_BYTES; a worker thread removes the characters XML forbids from
    each chunk, expands the separators into the cells' tags and deflates it into the zip entry,
    while this thread receives the next rows (zlib, and psycopg2 waiting for rows, release the
    GIL). At most one chunk waits for the worker: memory stays flat. `rows` counts the lines."""

    def __init__(self, entry):
        self._entry = entry
        self._chunks = []
        self._size = 0
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx")
        self._pending = None
        self.rows = 0

    def write(self, data) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        self._chunks.append(data)
        self._size += len(data)
        if self._size >= FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        data = b"".join(self._chunks)
        self._chunks, self._size = [], 0
        self.rows += data.count(b"\n")
        if self._pending is not None:
            self._pending.result()  # the previous chunk is written (or its error raised)
        self._pending = self._worker.submit(self._write_chunk, data)

    def _write_chunk(self, data: bytes) -> None:
        # A forbidden C0 byte is never part of a multi-byte UTF-8 sequence: deleting it is safe.
        data = data.translate(None, _STRIPPED_BYTES)
        if b"\xef\xbf" in data:  # U+FFC0 to U+FFFF, rare: drop U+FFFE and U+FFFF
            data = data.replace(b"\xef\xbf\xbe", b"").replace(b"\xef\xbf\xbf", b"")
        data = data.replace(SEP_TEXT.encode(), (_CLOSE_TEXT + _OPEN_TEXT).encode())
        data = data.replace(SEP_CODE.encode(), (_CLOSE_TEXT + _OPEN_CODE).encode())
        self._entry.write(data)

    def close(self) -> None:
        """Writes what is left; waits for the worker."""
        try:
            self._flush()
            self._pending.result()
        finally:
            self._worker.shutdown(wait=True, cancel_futures=True)


class Workbook:
    """Sheets written one after the other into `output` (a binary file), then the workbook parts.

    with Workbook(output) as book:
        book.add_sheet("À propos", rows)
        book.add_streamed_sheet("Participations", columns, fill=lambda sink: ...)
    """

    def __init__(self, output):
        self._zip = zipfile.ZipFile(
            output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
        )
        self._titles = []
        self._filters = {}  # sheet index -> autoFilter range

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if exc_info[0] is None:
            self.close()
        else:
            self._zip.close()

    def _entry_name(self) -> str:
        return f"xl/worksheets/sheet{len(self._titles)}.xml"

    def _new_sheet(self, title: str) -> str:
        title = clean(title)[:31]
        if any(character in title for character in "[]:*?/\\"):
            raise ValueError(f"Invalid sheet title: {title!r}")
        self._titles.append(title)
        return self._entry_name()

    def add_sheet(self, title: str, rows, *, widths=(), bold_single_cells=True) -> None:
        """A small sheet from Python values; a row of one cell is a title, in bold."""
        name = self._new_sheet(title)
        parts = [_sheet_head(widths=widths, frozen_header=False, selected=len(self._titles) == 1)]
        for number, values in enumerate(rows, start=1):
            style = STYLE_BOLD if bold_single_cells and len(values) == 1 else 0
            parts.append(row(number, (cell(value, style) for value in values)))
        parts.append("</sheetData></worksheet>")
        self._zip.writestr(name, "".join(parts))

    def add_streamed_sheet(self, title: str, columns: list[Column], *, fill) -> int:
        """A sheet with a bold, frozen header, the columns' widths and an autoFilter over the
        data; `fill(sink)` writes the rows (COPY of rows_sql) into the sink. Returns the row
        count. force_zip64 stays off: zipfile refuses an entry past 2 GiB (see the module)."""
        name = self._new_sheet(title)
        widths = [column.width for column in columns]
        with self._zip.open(name, "w") as entry:
            head = _sheet_head(widths=widths, frozen_header=True, selected=len(self._titles) == 1)
            header = row(1, (cell(column.header, STYLE_BOLD) for column in columns))
            entry.write((head + header + "\n").encode("utf-8"))
            sink = StreamedSheet(entry)
            try:
                fill(sink)
            finally:
                sink.close()
            last = f"{column_letter(len(columns))}{sink.rows + 1}"
            self._filters[len(self._titles) - 1] = f"A1:{last}"
            entry.write(f'</sheetData><autoFilter ref="A1:{last}"/></worksheet>'.encode())
        return sink.rows

    def close(self) -> None:
        count = len(self._titles)
        sheets = "".join(
            f'<sheet name={quoteattr(title)} sheetId="{index}" r:id="rId{index}"/>'
            for index, title in enumerate(self._titles, start=1)
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
            f"{escape(self._quoted(self._titles[index]))}!{self._absolute(ref)}</definedName>"
            for index, ref in self._filters.items()
        )
        workbook = (
            f'{XML_DECLARATION}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets>'
            + (f"<definedNames>{names}</definedNames>" if names else "")
            + "</workbook>"
        )
        relationships = "".join(
            f'<Relationship Id="rId{index}" Type="{REL_NS}/worksheet" '
            f'Target="worksheets/sheet{index}.xml"/>'
            for index in range(1, count + 1)
        )
        relationships += (
            f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>'
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{index}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for index in range(1, count + 1)
        )
        self._zip.writestr(
            "[Content_Types].xml",
            f'{XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self._zip.writestr(
            "_rels/.rels",
            f'{XML_DECLARATION}<Relationships xmlns="{PACKAGE_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        self._zip.writestr("xl/workbook.xml", workbook)
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{XML_DECLARATION}<Relationships xmlns="{PACKAGE_REL_NS}">{relationships}'
            "</Relationships>",
        )
        self._zip.writestr("xl/styles.xml", STYLES)
        self._zip.close()

    @staticmethod
    def _quoted(title: str) -> str:
        return "'" + title.replace("'", "''") + "'"

    @staticmethod
    def _absolute(ref: str) -> str:
        """A1:L18 -> $A$1:$L$18."""
        start, end = ref.split(":")
        return ":".join(
            "$" + part.rstrip("0123456789") + "$" + part[len(part.rstrip("0123456789")) :]
            for part in (start, end)
        )
