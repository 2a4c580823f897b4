"""Reading a FINESS "etalab" extract (layouts cs1100502 and cs1100507) into rows ready to write.

No database access here: the caller passes the department and category tables. Every line is
either kept, or rejected with its line number and a French reason; a file that is not a FINESS
extract at all raises `UnusableExtract`.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from qvt.uploads import control_character_refusal

from .finess import finess_error
from .models import LegalStatus, Sector, fold

STRUCTURE_FIELDS = 32  # structureet ... numuai
GEOLOCATION_FIELDS = 6  # geolocalisation;nofinesset;x;y;source;date
# Positions of the structureet fields used here (see DOMAIN.md for the full list).
(NOFINESSET, NOFINESSEJ, RS, RSLONGUE) = (1, 2, 3, 4)
(COMPLDISTRIB, NUMVOIE, TYPVOIE, VOIE, COMPVOIE, LIEUDITBP) = (6, 7, 8, 9, 10, 11)
(DEPARTEMENT, LIGNEACHEMINEMENT, TELEPHONE, CATEGETAB, LIBCATEGETAB) = (13, 15, 16, 18, 19)
(CODESPH, DATEOUV, DATEMAJ) = (26, 28, 30)

LEGAL_STATUS_OF_CODESPH = {"1": LegalStatus.PUBLIC, "6": LegalStatus.ESPIC}
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FRENCH_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
# One unbounded repetition per pattern: "\s+(.*)$" and "\d+.*$" retried ".*" from each position
# of the run before a line break (quadratic in the length of a hostile field).
_POSTCODE_TOWN = re.compile(r"^(\d{5})\s(.*)", re.S)
_EPSG = re.compile(r"EPSG:\d[^\n]*")


def normalise_finess(value: str) -> str:
    # Same result as finess.normalise_finess, without a regular expression (called 200,000 times).
    return "".join(value.split()).upper()


@lru_cache(maxsize=100_000)
def _fold(text: str) -> str:
    return text.upper() if text.isascii() else fold(text)


def search_text(row) -> str:
    """`models.search_text_of(row)`, faster: ASCII fast path and cached parts (names and towns
    repeat). Folding works character by character, so folding the parts is folding the whole."""
    return " ".join(
        _fold(part) for part in (row.finess, row.short_name, row.long_name, row.town, row.postcode)
    )


class UnusableExtract(Exception):
    """The file is not a readable FINESS extract (its message is French, for the user)."""


@dataclass(slots=True)
class Row:
    """One valid structureet line, in the shape of `Establishment`."""

    line: int
    finess: str
    finess_ej: str
    short_name: str
    long_name: str
    category_id: int | None
    category_code: str
    category_label: str
    sector: str
    legal_status: str
    department_id: int
    region_id: int | None
    address: str
    postcode: str
    town: str
    phone: str
    opened_on: datetime.date | None
    updated_on: datetime.date | None
    x: float | None = None
    y: float | None = None
    projection: str = ""
    search_text: str = ""


@dataclass
class Extract:
    extraction_date: datetime.date
    rows: dict[str, Row] = field(default_factory=dict)  # by FINESS number, in file order
    rejections: list[tuple[int, str]] = field(default_factory=list)
    # FINESS numbers read on rejected lines: these establishments are not absent from the file.
    rejected_numbers: set[str] = field(default_factory=set)
    # Every number read on a structureet line, valid or not (to place geolocation lines).
    structure_numbers: set[str] = field(default_factory=set)
    unknown_categories: dict[str, dict] = field(default_factory=dict)
    has_geolocation: bool = False


def detect_encoding(data: bytes) -> str:
    """UTF-8 (recent files, with or without BOM), else cp1252 (older files). The decoded text
    is not kept: the reader decodes again as it goes, which keeps a 60 MB extract's memory low."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise UnusableExtract("Le fichier n'est ni en UTF-8 ni en Windows-1252 : il est illisible.")


@lru_cache(maxsize=50_000)  # dates repeat a lot (datemaj is often the same on every line)
def parse_date(value: str) -> datetime.date | None:
    """ISO dates, or DD/MM/YYYY from copies that went through a spreadsheet; '' is None."""
    value = value.strip()
    if not value:
        return None
    if match := _ISO_DATE.match(value):
        year, month, day = match.groups()
    elif match := _FRENCH_DATE.match(value):
        day, month, year = match.groups()
    else:
        raise ValueError(value)
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(value) from None  # the reason names the date as written


def _header_date(record: list[str]) -> datetime.date:
    if len(record) < 4 or [v.strip().lower() for v in record[:2]] != ["finess", "etalab"]:
        raise UnusableExtract(
            "Ce fichier n'est pas un extrait FINESS : sa première ligne doit être "
            "« finess;etalab;<n>;<date d'extraction> »."
        )
    try:
        extraction_date = parse_date(record[3])
    except ValueError:
        extraction_date = None
    if extraction_date is None:
        raise UnusableExtract(
            f"La date d'extraction « {record[3]} » de la première ligne est invalide."
        )
    return extraction_date


def read_extract(
    data: bytes,
    *,
    departments: dict[str, tuple[int, int | None]],
    categories: dict[str, tuple[int, str]],
    progress: Callable[[int], None] | None = None,
) -> Extract:
    """Parse `data`. `departments`: FINESS code -> (id, region id); `categories`: code -> (id,
    sector). `progress(percent)` is called now and then while reading."""
    encoding = detect_encoding(data)
    total_lines = data.count(b"\n") + 1
    lines = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    reader = csv.reader(lines, delimiter=";", quotechar='"')
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise UnusableExtract("Le fichier est vide ou illisible.") from error
    extract = Extract(extraction_date=_header_date(header))
    geolocations: dict[str, tuple[int, list[str]]] = {}
    structure_count = 0
    last_line = reader.line_num
    try:
        for record in reader:
            line, last_line = last_line + 1, reader.line_num
            if progress and line % 5000 == 0:
                progress(min(99, line * 100 // total_lines))
            if not record or record == [""]:
                continue  # blank line
            kind = record[0].strip().lower()
            if refusal := control_character_refusal(record):
                number = ""
                if kind == "structureet" and len(record) > NOFINESSET:
                    structure_count += 1
                    number = normalise_finess(record[NOFINESSET])
                _reject(extract, line, refusal, number)  # its establishment is not "absent"
            elif kind == "structureet":
                structure_count += 1
                _read_structure(extract, line, record, departments, categories)
            elif kind == "geolocalisation":
                extract.has_geolocation = True
                _read_geolocation(extract, line, record, geolocations)
            else:
                extract.rejections.append(
                    (
                        line,
                        f"Type de ligne « {record[0][:30]} » inconnu "
                        "(attendu : structureet ou geolocalisation).",
                    )
                )
    except csv.Error as error:
        raise UnusableExtract(
            f"Ligne {reader.line_num} : fichier CSV mal formé ({error})."
        ) from error
    if structure_count == 0:
        raise UnusableExtract("Le fichier ne contient aucune ligne d'établissement (structureet).")
    _attach_geolocations(extract, geolocations)
    return extract


def _reject(extract: Extract, line: int, reason: str, number: str = "") -> None:
    extract.rejections.append((line, reason))
    if number and finess_error(number) is None:
        extract.rejected_numbers.add(number)


def _read_structure(extract, line, record, departments, categories) -> None:
    number = normalise_finess(record[NOFINESSET]) if len(record) > NOFINESSET else ""
    extract.structure_numbers.add(number)
    if len(record) != STRUCTURE_FIELDS:
        _reject(
            extract,
            line,
            f"La ligne compte {len(record)} champs au lieu de {STRUCTURE_FIELDS}.",
            number,
        )
        return
    if error := finess_error(number):
        _reject(extract, line, error)
        return
    if number in extract.rows:
        first = extract.rows[number].line
        _reject(extract, line, f"Le numéro FINESS {number} figure déjà ligne {first} (doublon).")
        return
    department_code = record[DEPARTEMENT].strip().upper()
    if department_code not in departments:
        _reject(extract, line, f"Le département FINESS « {department_code} » est inconnu.", number)
        return
    short_name = record[RS].strip()
    if not short_name:
        _reject(extract, line, "La raison sociale est vide.", number)
        return
    try:
        opened_on = parse_date(record[DATEOUV])
        updated_on = parse_date(record[DATEMAJ])
    except ValueError as error:
        _reject(
            extract,
            line,
            f"La date « {error} » est invalide (attendu AAAA-MM-JJ ou JJ/MM/AAAA).",
            number,
        )
        return
    department_id, region_id = departments[department_code]
    category_code = record[CATEGETAB].strip()
    category_label = record[LIBCATEGETAB].strip()
    category_id, sector = categories.get(category_code, (None, Sector.A_QUALIFIER))
    if category_id is None:
        unknown = extract.unknown_categories.setdefault(
            category_code, {"code": category_code, "label": category_label, "count": 0}
        )
        unknown["count"] += 1
    postcode, town = "", record[LIGNEACHEMINEMENT].strip()
    if match := _POSTCODE_TOWN.match(town):
        postcode, town = match[1], match[2].lstrip()
    street = " ".join(part.strip() for part in record[NUMVOIE : COMPVOIE + 1] if part.strip())
    address = ", ".join(
        part for part in (street, record[LIEUDITBP].strip(), record[COMPLDISTRIB].strip()) if part
    )
    row = Row(
        line=line,
        finess=number,
        finess_ej=normalise_finess(record[NOFINESSEJ])[:9],
        short_name=short_name[:100],
        long_name=record[RSLONGUE].strip()[:300],
        category_id=category_id,
        category_code=category_code[:4],
        category_label=category_label[:200],
        sector=sector,
        legal_status=LEGAL_STATUS_OF_CODESPH.get(record[CODESPH].strip(), LegalStatus.A_QUALIFIER),
        department_id=department_id,
        region_id=region_id,
        address=address[:300],
        postcode=postcode,
        town=town[:100],
        phone=record[TELEPHONE].strip()[:20],
        opened_on=opened_on,
        updated_on=updated_on,
    )
    row.search_text = search_text(row)
    extract.rows[number] = row


def _read_geolocation(extract, line, record, geolocations) -> None:
    number = normalise_finess(record[1]) if len(record) > 1 else ""
    if len(record) != GEOLOCATION_FIELDS:
        reason = f"La ligne de géolocalisation compte {len(record)} champs au lieu de 6."
        extract.rejections.append((line, reason))
        return
    try:
        x = float(record[2]) if record[2].strip() else None
        y = float(record[3]) if record[3].strip() else None
    except ValueError:
        extract.rejections.append((line, f"Coordonnées « {record[2]} ; {record[3]} » invalides."))
        return
    if number in geolocations:
        first = geolocations[number][0]
        extract.rejections.append(
            (line, f"La géolocalisation de {number} figure déjà ligne {first} (doublon).")
        )
        return
    geolocations[number] = (line, [x, y, record[4].strip()])


def _attach_geolocations(extract: Extract, geolocations) -> None:
    for number, (line, (x, y, source)) in geolocations.items():
        row = extract.rows.get(number)
        if row is None:
            if number not in extract.structure_numbers:
                extract.rejections.append(
                    (line, f"Géolocalisation d'un établissement absent du fichier ({number}).")
                )
            continue
        match = _EPSG.search(source)
        row.x, row.y = x, y
        row.projection = (match.group(0) if match else source)[:100]
    extract.rejections.sort()
