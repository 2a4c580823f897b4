"""The programme team opens a wave in the browser; an ARS user then registers a cluster in it;
the wave then keeps the sector of its member."""

from datetime import date

import pytest

from clusters.models import Cluster, Membership, Wave
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import TEST_PASSWORD, EstablishmentFactory, ars_user, programme_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_programme_team_opens_a_wave_and_an_ars_registers_a_cluster_in_it(page):
    programme_user(username="pilotage-e2e")
    ars_user("11", username="ars-e2e-wave")
    Wave.objects.update(registration_open=False)

    # No open wave yet: the ARS is told what to do.
    log_in(page, "ars-e2e-wave", TEST_PASSWORD)
    page.goto("/clusters/nouveau/")
    page.get_by_text("Aucune vague n'est ouverte aux inscriptions").wait_for()
    page.context.clear_cookies()

    log_in(page, "pilotage-e2e", TEST_PASSWORD)
    page.get_by_role("link", name="Vagues", exact=True).first.click()
    page.get_by_role("heading", name="Vagues", level=1).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Nouvelle vague").click()
    page.wait_for_url("**/programme/vagues/nouvelle/")
    assert_accessible(page)
    page.get_by_label("Code").fill("2099")
    page.get_by_label("Libellé").fill("Vague 2099")
    page.get_by_label("Date de début").fill("2099-01-01")
    page.get_by_label("Date de fin").fill("2100-12-31")
    # Médico-social only (a new wave starts with every sector ticked). DSFR checkboxes: their
    # labels lie over the inputs, so the labels are what one clicks.
    for input_id, wanted in [("sectors_0", False), ("sectors_1", True), ("sectors_2", False)]:
        if page.locator(f"#id_{input_id}").is_checked() != wanted:
            page.locator(f"label[for=id_{input_id}]").click()
    # DSFR's single checkbox: its label lies over the input, so the label is what one clicks.
    page.locator("label[for=id_registration_open]").click()
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("« Vague 2099 » est enregistré(e).").wait_for()
    assert page.get_by_role("row", name="2099").is_visible()
    assert Wave.objects.get(code="2099").sectors == ["medico_social"]
    assert_accessible(page)
    for name, new in [
        ("Thématiques", "Nouvelle thématique"),
        ("Outils de séance", "Nouvel outil de séance"),
    ]:
        page.get_by_role("link", name=name, exact=True).click()
        page.get_by_role("heading", name=name, level=1).wait_for()
        assert_accessible(page)
        page.get_by_role("link", name=new).click()
        page.get_by_role("heading", name=new, level=1).wait_for()
        assert_accessible(page)
        page.go_back()
    page.context.clear_cookies()

    log_in(page, "ars-e2e-wave", TEST_PASSWORD)
    page.goto("/clusters/nouveau/")
    assert_accessible(page)
    page.get_by_label("Nom", exact=True).fill("Cluster de la vague 2099")
    page.get_by_label("Vague").select_option(label="Vague 2099")
    page.locator("label", has_text="Absentéisme et attractivité").click()  # DSFR: label on top
    page.get_by_label("Problématique commune").fill("Fidéliser les soignants de nuit.")
    page.get_by_role("button", name="Enregistrer le cluster").click()
    page.get_by_text("Le cluster « Cluster de la vague 2099 » est enregistré.").wait_for()
    cluster = Cluster.objects.get(name="Cluster de la vague 2099")
    assert cluster.wave.code == "2099"

    # The wave takes only médico-social establishments: the members page says so.
    EstablishmentFactory(region_code="11", short_name="CH DU CANAL E2E", sector="sanitaire")
    page.goto(f"/clusters/{cluster.pk}/membres/?q=CH+DU+CANAL+E2E")
    page.get_by_text("est réservée au secteur médico-social").wait_for()
    assert (
        page.get_by_role("row", name="CH DU CANAL E2E")
        .get_by_text("Hors des secteurs de la vague")
        .is_visible()
    )
    assert_accessible(page)

    # A member of the wave's sector joins; the programme team then tries to reserve the wave
    # to another sector: refused, the error said in the form, what was typed kept.
    member = EstablishmentFactory(
        region_code="11", short_name="EHPAD DES TILLEULS E2E", sector="medico_social"
    )
    Membership.objects.create(
        cluster=cluster, establishment=member, wave=cluster.wave, joined_on=date(2099, 1, 15)
    )
    page.context.clear_cookies()
    log_in(page, "pilotage-e2e", TEST_PASSWORD)
    page.goto(f"/programme/vagues/{cluster.wave.pk}/modifier/")
    page.get_by_label("Libellé").fill("Vague 2099 sanitaire")
    page.locator("label[for=id_sectors_0]").click()  # sanitaire on
    page.locator("label[for=id_sectors_1]").click()  # médico-social off
    page.get_by_role("button", name="Enregistrer").click()
    refusal = "relève d'un autre secteur (EHPAD DES TILLEULS E2E)"
    page.locator(".fr-message--error", has_text=refusal).wait_for()  # under the field
    assert page.get_by_role("link", name="Secteurs concernés").is_visible()  # and the summary
    assert page.get_by_label("Libellé").input_value() == "Vague 2099 sanitaire"
    assert Wave.objects.get(code="2099").sectors == ["medico_social"]
    assert_accessible(page)
