"""The ways back and their confirmation pages in a browser, with axe-core and the Nu HTML Checker
on every page: delete a draft cluster, correct a member's entry date, withdraw under 5 members
(the cluster page then warns), a phase jump, replace and delete a measurement, and the library's
410 page of an unpublished monograph."""

import datetime

import pytest
from playwright.sync_api import expect

from clusters.models import Cluster
from experiments import services as experiment_services
from experiments.models import Experiment, Indicator, Measurement, Monograph
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import (
    TEST_PASSWORD,
    ClusterFactory,
    WaveFactory,
    add_members,
    aract_user,
    ars_user,
    programme_user,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world():
    aract = aract_user("11", username="aract-retour")
    ars_user("11", username="ars-retour")
    running = ClusterFactory(region_code="11", name="Cluster en cours", status="en_cours")
    running.facilitators.add(aract)
    members = add_members(running, 5)
    draft = ClusterFactory(region_code="11", name="Brouillon à supprimer", wave=running.wave)
    experiment = Experiment.objects.create(membership=members[0], title="Horaires concertés")
    indicator = Indicator.objects.create(
        experiment=experiment, name="Absentéisme", unit="%", baseline=10, target=7
    )
    Measurement.objects.create(indicator=indicator, measured_on=datetime.date(2026, 6, 1), value=9)
    library = ClusterFactory(region_code="11", wave=WaveFactory(code="2040"), name="Bibliothèque")
    monograph = Monograph.objects.create(
        membership=add_members(library, 1)[0],
        title="Monographie retirée",
        status=Monograph.Status.VALIDEE,
    )
    team = programme_user(username="pilotage-retour")
    experiment_services.monograph_transition(
        monograph=monograph, target=Monograph.Status.PUBLIEE, by=team
    )
    experiment_services.monograph_transition(
        monograph=monograph, target=Monograph.Status.VALIDEE, by=team, comment="Erreur"
    )
    return {
        "running": running,
        "members": members,
        "draft": draft,
        "experiment": experiment,
        "monograph": monograph,
    }


def test_ars_ways_back(page, world):
    running, draft, members = world["running"], world["draft"], world["members"]
    log_in(page, "ars-retour", TEST_PASSWORD)

    page.goto(f"/clusters/{draft.pk}/")
    page.get_by_role("link", name="Supprimer le brouillon").click()
    expect(page.get_by_text("Cette suppression est définitive")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer la suppression").click()
    expect(page.get_by_text("Le cluster « Brouillon à supprimer » est supprimé.")).to_be_visible()
    assert not Cluster.objects.filter(pk=draft.pk).exists()

    page.goto(f"/clusters/{running.pk}/membres/{members[1].pk}/date-entree/")
    assert_accessible(page)
    page.get_by_label("Date d'entrée dans le cluster").fill("2026-01-20")
    page.get_by_role("button", name="Enregistrer la date d'entrée").click()
    expect(page.get_by_text("est le 20/01/2026")).to_be_visible()

    page.goto(f"/clusters/{running.pk}/membres/{members[2].pk}/retrait/")
    expect(page.get_by_text("Le cluster passera sous le minimum de membres")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Motif du retrait").fill("Fusion avec un autre établissement")
    page.get_by_role("button", name="Confirmer le retrait").click()
    expect(page.get_by_text("Cochez la case pour confirmer le retrait.").first).to_be_visible()
    assert_accessible(page)
    page.locator("label[for=id_confirm]").click()  # the error summary repeats the label
    page.get_by_role("button", name="Confirmer le retrait").click()
    expect(page.get_by_text("est enregistré")).to_be_visible()
    page.goto(f"/clusters/{running.pk}/")
    expect(page.get_by_text("Moins de 5 membres actifs")).to_be_visible()
    assert_accessible(page)


def test_facilitator_ways_back(page, world):
    running, members, experiment = world["running"], world["members"], world["experiment"]
    log_in(page, "aract-retour", TEST_PASSWORD)

    page.goto(f"/clusters/{running.pk}/seances/phases/{members[0].pk}/")
    page.get_by_label("Nouvelle phase").select_option("evaluation")
    page.get_by_label("Date du changement").fill("2026-06-15")
    page.get_by_role("button", name="Enregistrer la phase").click()
    expect(page.get_by_text("en sautant au moins une étape").first).to_be_visible()
    assert_accessible(page)
    page.locator("label[for=id_confirm]").click()
    page.get_by_role("button", name="Enregistrer la phase").click()
    expect(page.get_by_text("est en phase « Évaluation »")).to_be_visible()

    page.goto(f"/experimentations/{experiment.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Ajouter une mesure").click()
    page.get_by_label("Date de mesure").fill("2026-06-01")
    page.get_by_label("Valeur").fill("6")
    page.get_by_role("button", name="Enregistrer la mesure").click()
    expect(page.get_by_text("Une mesure existe déjà au 01/06/2026")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Remplacer la mesure").click()
    expect(page.get_by_text("est enregistrée")).to_be_visible()
    assert Measurement.objects.get().value == 6

    page.get_by_role("link", name="Supprimer la mesure du 01/06/2026").click()
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer la suppression").click()
    expect(page.get_by_text("est supprimée")).to_be_visible()
    assert not Measurement.objects.exists()


def test_the_library_says_an_unpublished_monograph_is_gone(page, world):
    response = page.goto(f"/bibliotheque/{world['monograph'].pk}/")
    assert response.status == 410
    expect(
        page.get_by_role("heading", name="Monographie retirée de la bibliothèque")
    ).to_be_visible()
    assert_accessible(page)
