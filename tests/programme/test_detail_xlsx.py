"""The detailed XLSX export, whose rows PostgreSQL writes (programme/xlsx.py): read back with
openpyxl and checked part by part with a strict XML parser."""

import datetime
import io
import zipfile
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from programme import exports, xlsx
from tests.factories import EstablishmentFactory, UserFactory, WaveFactory, new_finess

from .conftest import DETAIL_HEADERS, join

pytestmark = pytest.mark.django_db
HEADERS = tuple(DETAIL_HEADERS)  # openpyxl reads rows as tuples


def download(client, user, **params) -> bytes:
    client.force_login(user)
    response = client.get(reverse("programme:export-detail-xlsx"), params)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def workbook_of(content: bytes):
    return load_workbook(io.BytesIO(content))


def data_rows(content: bytes) -> list[tuple]:
    return list(workbook_of(content)["Participations"].iter_rows(values_only=True))[1:]


def test_every_part_is_well_formed_xml(client, programme, national):
    content = download(client, national)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = set(archive.namelist())
        assert names == {
            "[Content_Types].xml",
            "_rels/.rels",
            "xl/workbook.xml",
            "xl/_rels/workbook.xml.rels",
            "xl/styles.xml",
            "xl/worksheets/sheet1.xml",
            "xl/worksheets/sheet2.xml",
        }
        for name in names:
            ElementTree.fromstring(archive.read(name))  # raises on a malformed part
        assert archive.getinfo("xl/worksheets/sheet2.xml").compress_type == zipfile.ZIP_DEFLATED


def test_sheets_header_and_rows(client, programme, national):
    workbook = workbook_of(download(client, national))
    assert workbook.sheetnames == ["À propos", "Participations"]
    about = [row[:2] for row in workbook["À propos"].iter_rows(values_only=True)]
    assert ("Périmètre", "Toutes les régions") in about
    assert ("Vague", "Toutes les vagues") in about
    assert workbook["À propos"]["A1"].font.bold  # the title
    sheet = workbook["Participations"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert len(rows) == 1 + 16
    first = next(row for row in rows if row[0] == programme.c1.name and row[10] == "Pérennisation")
    assert first[1:4] == ("2030", "11", "Île-de-France")
    assert first[8:10] == ("Sanitaire", "Public")
    assert first[11] is None


def test_bold_frozen_header_widths_and_autofilter_over_the_data(client, programme, national):
    sheet = workbook_of(download(client, national))["Participations"]
    assert all(cell.font.bold for cell in sheet[1])
    assert not any(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:L17"
    assert sheet.column_dimensions["A"].width >= 30
    assert sheet.column_dimensions["F"].width >= 30


def test_codes_are_text_cells_with_their_leading_zeros(client, programme, national):
    leading_zero = EstablishmentFactory(region_code="11", finess=new_finess("01"))
    join(programme.c1, leading_zero)
    sheet = workbook_of(download(client, national))["Participations"]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[4].value == leading_zero.finess)
    assert leading_zero.finess.startswith("0")
    for cell in (row[2], row[4], row[6]):  # region code, FINESS, category code
        assert isinstance(cell.value, str)
        assert cell.number_format == "@"
    assert row[0].number_format == "General"


def test_the_withdrawal_date_is_a_date_cell(client, programme, national):
    sheet = workbook_of(download(client, national))["Participations"]
    dated = [row for row in sheet.iter_rows(min_row=2) if row[11].value is not None]
    assert [row[11].value for row in dated] == [datetime.datetime(2026, 3, 1)]
    assert dated[0][11].is_date


@pytest.mark.parametrize(
    "name",
    [
        'EHPAD <Les "Tilleuls"> & Cie',
        "Ligne 1\nLigne 2\r\nLigne 3",
        "Fin ]]> de section",
        "Tab\tulé",
    ],
)
def test_xml_special_characters_and_newlines_survive(client, programme, national, name):
    join(programme.c3, EstablishmentFactory(region_code="11", short_name=name))
    programme.c3.name = f"Cluster {name}"
    programme.c3.save()
    rows = data_rows(download(client, national))
    assert name in {row[5] for row in rows}
    assert {row[0] for row in rows if row[1] == "2031"} == {f"Cluster {name}"}
    assert len(rows) == 17


@pytest.mark.parametrize(
    "control",
    # the separators and COPY's quote/delimiter (rows built cell by cell), then other controls
    ["\x01", "\x02", "\x03", "\x04", "\x05", "\x0b", "\x1f", "\ufffe", "\uffff"],
)
def test_characters_xml_forbids_are_removed_and_the_columns_stay_in_place(
    client, programme, national, control
):
    establishment = EstablishmentFactory(
        region_code="11", short_name=f"EHPAD{control}DES PINS", legal_status="public"
    )
    join(programme.c3, establishment)
    programme.c3.name = f"Cluster{control} piégé"
    programme.c3.save()
    rows = data_rows(download(client, national))
    row = next(r for r in rows if r[4] == establishment.finess)
    assert row[0] == "Cluster piégé"
    assert row[5] == "EHPADDES PINS"
    assert row[1:4] == ("2031", "11", "Île-de-France")
    assert row[6:] == (
        "500",
        establishment.category_label,
        "Médico-social",
        "Public",
        "Cadrage",
        None,
    )
    assert len(rows) == 17


def test_formula_like_names_get_an_apostrophe(client, programme, national):
    evil = EstablishmentFactory(region_code="11", short_name='=HYPERLINK("http://x")')
    join(programme.c3, evil)
    programme.c3.name = "@Cluster piégé"
    programme.c3.save()
    rows = data_rows(download(client, national))
    assert '\'=HYPERLINK("http://x")' in {row[5] for row in rows}
    assert {row[0] for row in rows if row[1] == "2031"} == {"'@Cluster piégé"}
    assert not any(str(cell).startswith(("=", "@", "+")) for row in rows for cell in row)


def test_a_wave_filter_keeps_its_rows_only(client, programme, national):
    content = download(client, national, vague="2031")
    rows = data_rows(content)
    assert len(rows) == 5 and {row[1] for row in rows} == {"2031"}
    assert workbook_of(content)["Participations"].auto_filter.ref == "A1:L6"
    about = [row[:2] for row in workbook_of(content)["À propos"].iter_rows(values_only=True)]
    assert ("Vague", "2031") in about


def test_an_empty_wave_gives_the_header_alone(client, programme, national):
    WaveFactory(code="2040")
    content = download(client, national, vague="2040")
    sheet = workbook_of(content)["Participations"]
    assert list(sheet.iter_rows(values_only=True)) == [HEADERS]
    assert sheet.auto_filter.ref == "A1:L1"


def test_a_user_who_sees_nothing_gets_a_valid_workbook_with_the_header(programme):
    outsider = UserFactory()
    output = exports.detail_xlsx_file(
        user=outsider, by=outsider.username, scope={"label": "Aucune région", "region_codes": []}
    )
    workbook = load_workbook(output)
    assert list(workbook["Participations"].iter_rows(values_only=True)) == [HEADERS]
    assert workbook["Participations"].freeze_panes == "A2"


def test_rows_sql_wants_its_dates_last():
    with pytest.raises(ValueError):
        xlsx.rows_sql("SELECT 1", [xlsx.Column("A", kind=xlsx.DATE), xlsx.Column("B")])


def test_python_cells_escape_and_clean_text():
    assert xlsx.cell('a<b & "c"\x07\n') == (
        '<c t="inlineStr"><is><t xml:space="preserve">a&lt;b &amp; &quot;c&quot;&#10;</t></is></c>'
    )
    assert xlsx.cell(None) == "<c/>"
    assert xlsx.cell(datetime.date(1900, 3, 1)) == '<c s="3"><v>61</v></c>'
    assert [xlsx.column_letter(n) for n in (1, 12, 26, 27, 52, 703)] == [
        "A",
        "L",
        "Z",
        "AA",
        "AZ",
        "AAA",
    ]
