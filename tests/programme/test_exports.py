"""National exports: formats, formula neutralisation, no confidential or contact data, audit."""

import csv
import io
import json
import logging

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from programme.exports import safe_cell
from tests.factories import EstablishmentFactory, new_finess

from .conftest import CONTACT, DETAIL_HEADERS, SECRET, join

pytestmark = pytest.mark.django_db


def download(client, user, name, *args, **params):
    client.force_login(user)
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    if response.streaming:
        return response, b"".join(response.streaming_content)
    return response, response.content


@pytest.mark.parametrize(
    "text, expected",
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+33 1 02", "'+33 1 02"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tcaché", "'\tcaché"),
        ("\rretour", "'\rretour"),
        ("EHPAD LES TILLEULS", "EHPAD LES TILLEULS"),
        ("", ""),
    ],
)
def test_formula_like_text_is_neutralised(text, expected):
    assert safe_cell(text) == expected


def test_numbers_are_left_as_numbers():
    assert safe_cell(-3) == -3
    assert safe_cell(12) == 12


def test_json_export_has_exactly_the_documented_keys(client, programme, national):
    response, content = download(client, national, "programme:export-summary", "json")
    data = json.loads(content)
    assert set(data) == {
        "waves",
        "total",
        "by_region",
        "by_sector",
        "by_legal_status",
        "by_category",
        "by_status",
        "by_theme",
        "by_phase",
        "experiments_by_status",
        "metadata",
    }
    metadata = data["metadata"]
    assert set(metadata) >= {"generated_at", "scope", "wave", "definitions"}
    assert metadata["scope"]["national"] is True
    assert "11" in metadata["scope"]["region_codes"] and "53" in metadata["scope"]["region_codes"]
    assert metadata["wave"] is None
    assert "brouillon" in metadata["definitions"]["clusters"]
    assert "retiré" in metadata["definitions"]["participations"]
    assert list(data["waves"][0]) == [
        "wave",
        "clusters",
        "regions",
        "participations",
        "establishments",
        "sessions",
        "experiments",
        "monographs_published",
    ]
    assert list(data["total"]) == list(data["waves"][0])[1:]
    # the withdrawn member counts (a participation); the draft cluster c4 never does
    assert data["total"]["establishments"] == 15
    assert "attachment" in response["Content-Disposition"]


def test_csv_export_is_semicolon_separated_utf8_with_bom(client, programme, national):
    response, content = download(client, national, "programme:export-summary", "csv")
    assert response["Content-Type"].startswith("text/csv")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Par vague"]
    assert rows[1][:5] == [
        "Vague",
        "Clusters",
        "Régions",
        "Participations",
        "Établissements distincts",
    ]
    assert ["Total", "3", "2", "16", "15", "2", "2", "1"] in rows
    assert ["Par région"] in rows and ["Par thématique"] in rows


def test_xlsx_export_has_one_sheet_per_breakdown_with_numbers(client, programme, national):
    _response, content = download(
        client, national, "programme:export-summary", "xlsx", vague="2030"
    )
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == [
        "À propos",
        "Par vague",
        "Par région",
        "Par secteur",
        "Par statut juridique",
        "Par catégorie",
        "Par thématique",
        "Par statut de cluster",
        "Par phase",
        "Expérimentations",
    ]
    rows = list(workbook["Par vague"].iter_rows(values_only=True))
    assert rows[1] == ("2030", 2, 2, 11, 11, 2, 2, 1)
    assert rows[-1][0] == "Total" and rows[-1][4] == 11
    sectors = {row[0]: row[2] for row in workbook["Par secteur"].iter_rows(values_only=True)}
    assert sectors["Sanitaire"] == 3 and isinstance(sectors["Sanitaire"], int)


def test_formula_like_names_are_neutralised_in_csv_and_xlsx(client, programme, national):
    evil = EstablishmentFactory(region_code="11", short_name='=HYPERLINK("http://x")')
    programme.c3.name = "@Cluster piégé"
    programme.c3.save()
    join(programme.c3, evil)
    _r, detail = download(client, national, "programme:export-detail")
    text = detail.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ";=HYPERLINK" not in text
    assert "'@Cluster piégé" in text

    programme.themes[0].name = "+Thème piégé"
    programme.themes[0].save()
    _r, content = download(client, national, "programme:export-summary", "xlsx")
    themes = [
        row[0]
        for row in load_workbook(io.BytesIO(content))["Par thématique"].iter_rows(values_only=True)
    ]
    assert "'+Thème piégé" in themes
    _r, content = download(client, national, "programme:export-summary", "csv")
    assert "'+Thème piégé" in content.decode("utf-8-sig")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_detail_written_by_postgresql_guards_every_formula_start(
    client, programme, national, start
):
    join(programme.c3, EstablishmentFactory(region_code="11", short_name=f"{start}1+2 EHPAD"))
    _r, detail = download(client, national, "programme:export-detail")
    rows = list(csv.reader(io.StringIO(detail.decode("utf-8-sig")), delimiter=";"))
    assert [row[5] for row in rows if row[5].endswith("1+2 EHPAD")] == [f"'{start}1+2 EHPAD"]


def test_detailed_export_streams_every_membership(client, programme, national):
    response, content = download(client, national, "programme:export-detail")
    assert response.streaming
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == DETAIL_HEADERS
    assert len(rows) == 1 + 16  # 15 active memberships and the withdrawn one, dated
    assert sum(1 for row in rows[1:] if row[11]) == 1
    first = next(row for row in rows if row[0] == programme.c1.name and row[10] == "Pérennisation")
    assert first[1:4] == ["2030", "11", "Île-de-France"]
    assert first[8:10] == ["Sanitaire", "Public"]


def test_detailed_export_is_restricted_for_ars_staff(client, programme, ars):
    _r, content = download(client, ars, "programme:export-detail", vague="2030")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))[1:]
    assert len(rows) == 5
    assert {row[2] for row in rows} == {"11"}


@pytest.mark.parametrize(
    "name, args",
    [
        ("programme:export-summary", ["csv"]),
        ("programme:export-summary", ["xlsx"]),
        ("programme:export-summary", ["json"]),
        ("programme:export-detail", []),
    ],
)
def test_no_confidential_or_contact_data_in_exports(client, programme, national, name, args):
    _r, content = download(client, national, name, *args)
    if args == ["xlsx"]:
        workbook = load_workbook(io.BytesIO(content))
        content = "\n".join(
            str(cell)
            for sheet in workbook
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        ).encode()
    text = content.decode("utf-8", errors="replace")
    for secret in [SECRET, *CONTACT, "Points clés"]:
        assert secret not in text


def test_each_national_export_is_logged(client, programme, national, caplog):
    with caplog.at_level(logging.INFO, logger="qvt.audit"):
        download(client, national, "programme:export-summary", "csv", vague="2030")
        download(client, national, "programme:export-detail")
    messages = [r.getMessage() for r in caplog.records if r.name == "qvt.audit"]
    assert f"national_export user={national.username} format=csv wave=2030" in messages
    assert f"national_detail_export user={national.username} wave=toutes" in messages


def test_aract_staff_cannot_export(client, programme, aract):
    client.force_login(aract)
    assert client.get(reverse("programme:export-summary", args=["csv"])).status_code == 403
    assert client.get(reverse("programme:export-detail")).status_code == 403


def test_unknown_format_or_wave_answers_404(client, programme, national):
    client.force_login(national)
    assert client.get(reverse("programme:export-summary", args=["pdf"])).status_code == 404
    url = reverse("programme:export-summary", args=["csv"])
    assert client.get(url, {"vague": "1999"}).status_code == 404


def test_export_command_writes_each_format(programme, tmp_path):
    call_command("export_national", "--format", "xlsx", "--wave", "2030", "-o", tmp_path / "s.xlsx")
    sheet = load_workbook(tmp_path / "s.xlsx")["Par vague"]
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["Vague", "2030", "Total"]
    call_command("export_national", "--format", "csv", "-o", tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    output = io.StringIO()
    call_command("export_national", "--format", "json", "--wave", "2031", stdout=output)
    assert json.loads(output.getvalue())["total"]["participations"] == 5
    call_command("export_national", "--format", "csv", "--detail", "-o", tmp_path / "d.csv")
    assert len((tmp_path / "d.csv").read_text(encoding="utf-8-sig").splitlines()) == 17


def test_json_metadata_of_an_ars_export_says_its_region(client, programme, ars):
    response, content = download(client, ars, "programme:export-summary", "json", vague="2030")
    metadata = json.loads(content)["metadata"]
    assert metadata["scope"] == {"national": False, "label": "Région 11", "region_codes": ["11"]}
    assert metadata["wave"] == "2030"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="synthese-region-11-vague-2030-{today:%Y-%m-%d}.json"'
    )
    response, _content = download(client, ars, "programme:export-summary", "xlsx")
    assert f'filename="synthese-region-11-{today:%Y-%m-%d}.xlsx"' in response["Content-Disposition"]


def test_xlsx_sheets_have_a_bold_frozen_header_an_autofilter_and_widths(
    client, programme, national
):
    response, content = download(client, national, "programme:export-summary", "xlsx")
    assert (
        f"synthese-nationale-{timezone.localdate():%Y-%m-%d}.xlsx"
        in (response["Content-Disposition"])
    )
    workbook = load_workbook(io.BytesIO(content))
    about = [row for row in workbook["À propos"].iter_rows(values_only=True)]
    labels = [row[0] for row in about]
    assert {"Périmètre", "Vague", "Généré le", "Définitions", "Sources"} <= set(labels)
    assert ("Périmètre", "Toutes les régions") in [row[:2] for row in about]
    for name in workbook.sheetnames[1:]:
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), name
        assert all(cell.font.bold for cell in sheet[1]), name
        assert sheet.column_dimensions["A"].width >= 8, name
    regions = workbook["Par région"]
    assert regions.column_dimensions["A"].width >= len("Île-de-France")


def test_detail_xlsx_keeps_codes_as_text(client, programme, national):
    leading_zero = EstablishmentFactory(region_code="11", finess=new_finess("01"))
    join(programme.c1, leading_zero)
    response, content = download(client, national, "programme:export-detail-xlsx")
    assert (
        f"participations-national-{timezone.localdate():%Y-%m-%d}.xlsx"
        in (response["Content-Disposition"])
    )
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["À propos", "Participations"]
    sheet = workbook["Participations"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:L")
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4] == "FINESS" and sheet["A1"].font.bold
    assert len(rows) == 1 + 17  # c1, c2 (with the withdrawn member), c3; never the draft c4
    finess = {row[4] for row in rows[1:]}
    assert leading_zero.finess.startswith("0") and leading_zero.finess in finess
    assert all(isinstance(row[2], str) and isinstance(row[4], str) for row in rows[1:])
    assert {row[2] for row in rows[1:]} == {"11", "53"}


def test_export_command_writes_the_detail_as_xlsx(programme, tmp_path):
    call_command("export_national", "--format", "xlsx", "--detail", "-o", tmp_path / "d.xlsx")
    rows = list(load_workbook(tmp_path / "d.xlsx")["Participations"].iter_rows(values_only=True))
    assert len(rows) == 1 + 16
