"""A national reader follows the programme: dashboard, wave filter, XLSX download."""

import datetime

import pytest
from openpyxl import load_workbook

from clusters.models import Cluster, Theme
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import (
    TEST_PASSWORD,
    ClusterFactory,
    EstablishmentFactory,
    WaveFactory,
    add_members,
    national_user,
    programme_user,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_national_reader_filters_a_wave_and_downloads_the_xlsx(page, tmp_path):
    national_user(username="dgos-e2e")
    first, second = WaveFactory(code="2030"), WaveFactory(code="2031")
    for code, wave, size in [("11", first, 5), ("53", first, 6), ("84", second, 7)]:
        add_members(ClusterFactory(region_code=code, wave=wave, status="constitue"), size)

    log_in(page, "dgos-e2e", TEST_PASSWORD)
    page.get_by_role("link", name="Programme national").first.click()
    page.get_by_role("heading", name="Programme national", level=1).wait_for()
    assert page.get_by_role("img", name="Nombre de clusters par région").is_visible()
    assert_accessible(page)

    page.get_by_role("combobox", name="Vague").select_option("2031")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**/programme/?vague=2031")
    total = page.get_by_role("row", name="Total")
    assert total.first.inner_text().split()[:5] == ["Total", "1", "1", "7", "7"]
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Synthèse XLSX").click()
    download = download_info.value
    assert download.suggested_filename.startswith("synthese-nationale-vague-2031-")
    download.save_as(tmp_path / "synthese.xlsx")
    workbook = load_workbook(tmp_path / "synthese.xlsx")
    rows = list(workbook["Par vague"].iter_rows(values_only=True))
    assert rows[1][:5] == ("2031", 1, 1, 7, 7)
    regions = {row[0]: row[2] for row in workbook["Par région"].iter_rows(values_only=True)}
    assert regions["Auvergne-Rhône-Alpes"] == 1 and regions["Bretagne"] == 0


def test_import_page_reports_rejections_accessibly(page, tmp_path):
    programme_user(username="pilotage-e2e-import")  # the programme team imports
    path = tmp_path / "clusters.csv"
    path.write_text("vague;region;cluster;thematiques;finess\n1999;11;C;Inconnue;010999999\n")

    log_in(page, "pilotage-e2e-import", TEST_PASSWORD)
    page.goto("/programme/import/")
    assert_accessible(page)
    page.get_by_label("Fichier des clusters").set_input_files(path)
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_role("heading", name="1 rejet(s) : rien n'a été enregistré").wait_for()
    assert page.get_by_role("cell", name="La vague « 1999 » n'existe pas").is_visible()
    assert_accessible(page)

    # A correct file: checked first, imported on confirmation.
    WaveFactory(code="2016", ends_on=datetime.date(2017, 6, 30))
    theme = Theme.objects.order_by("name").first().name
    rows = [
        f"2016;53;Cluster breton;{theme};{EstablishmentFactory(region_code='53').finess}"
        for _ in range(5)
    ]
    path.write_text("\n".join(["vague;region;cluster;thematiques;finess", *rows]))
    page.get_by_label("Fichier des clusters").set_input_files(path)
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_role("heading", name="Fichier vérifié : aucun rejet").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer l'import").click()
    page.get_by_text("Import terminé : 1 cluster(s) créé(s), 5 participation(s)").wait_for()
    assert Cluster.objects.get(name="Cluster breton").status == "cloture"
