"""An ARS user registers a cluster, adds its members, constitutes it and finds it in the list."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import (
    TEST_PASSWORD,
    ClusterFactory,
    EstablishmentFactory,
    WaveFactory,
    add_members,
    aract_user,
    ars_user,
    national_user,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NAMES = [
    "CENTRE HOSPITALIER D'ÉTAMPES",
    "EHPAD LES GLYCINES",
    "EHPAD SAINT-EXUPÉRY",
    "FOYER D'ACCUEIL MÉDICALISÉ LES CÈDRES",
    "CLINIQUE DU VAL D'YERRES",
    "MAISON D'ACCUEIL SPÉCIALISÉE LE MOULIN",
]


def add_member(page, query, name):
    page.get_by_label("Rechercher un établissement").fill(query)
    page.get_by_role("button", name="Rechercher", exact=True).click()
    page.get_by_role("button", name=f"Ajouter {name}").click()
    page.get_by_text(f"{name} a rejoint le cluster.").wait_for()


def test_an_ars_user_registers_and_constitutes_a_cluster(page):
    ars_user("11", username="ars-e2e-clusters")
    facilitator = aract_user("11", username="aract-e2e-clusters", first_name="Sacha")
    WaveFactory(code="2030", name="Vague 2030")
    establishments = [EstablishmentFactory(short_name=name) for name in NAMES]
    EstablishmentFactory(short_name="EHPAD LES GLYCINES DE BRETAGNE", region_code="53")

    log_in(page, "ars-e2e-clusters", TEST_PASSWORD)
    page.goto("/clusters/")
    page.get_by_role("heading", name="Clusters", exact=True).wait_for()
    assert_accessible(page)

    # Register the cluster.
    page.get_by_role("link", name="Enregistrer un cluster").click()
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer le cluster").click()  # empty: French errors
    # The error summary takes the focus and links to each field; the message sits under it too.
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(summary).to_be_focused()
    expect(page.get_by_text("Donnez un nom au cluster.", exact=True)).to_be_visible()
    summary.get_by_role("link", name="Nom : Donnez un nom au cluster.").click()
    expect(page.get_by_label("Nom", exact=True)).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Nom", exact=True).fill("Cluster des établissements de l'Essonne")
    page.get_by_label("Vague").select_option(label="Vague 2030")
    # DSFR draws the box on the label, which takes the click: force skips Playwright's check.
    page.get_by_label("Absentéisme et attractivité").check(force=True)
    page.get_by_label("Problématique commune").fill("Fidéliser les soignants de nuit.")
    page.locator("select[name=aract]").select_option(index=1)
    page.get_by_label(str(facilitator)).check(force=True)
    page.get_by_role("button", name="Enregistrer le cluster").click()
    page.get_by_text("est enregistré").wait_for()
    assert_accessible(page)

    # Four members: two by FINESS number, two by name (one of them found while typing).
    add_member(page, establishments[0].finess, NAMES[0])
    add_member(page, establishments[1].finess, NAMES[1])
    add_member(page, "saint exupery", NAMES[2])
    page.get_by_label("Rechercher un établissement").fill("cedres")  # no click: the script
    page.get_by_role("button", name=f"Ajouter {NAMES[3]}").wait_for()
    page.get_by_label("Rechercher un établissement").fill("glycines")
    page.get_by_text("Déjà membre").wait_for()
    assert not page.get_by_text("GLYCINES DE BRETAGNE").is_visible()  # another region
    assert_accessible(page)  # the member search with results
    add_member(page, "cedres", NAMES[3])
    assert page.get_by_text("Membres actifs : 4").is_visible()
    assert page.get_by_text("Il faut au moins 5 établissements membres actifs (4").is_visible()

    # Constituting now is refused, in French.
    page.get_by_role("link", name="Aller à la page du cluster").click()
    page.get_by_role("link", name="Constituer le cluster").click()
    page.get_by_text("Le cluster ne peut pas encore être constitué").wait_for()
    assert page.get_by_text("(4 actuellement)").is_visible()
    assert page.get_by_role("button", name=re.compile("Confirmer")).count() == 0

    # Two more members by name, then constitute.
    page.get_by_role("link", name="Gérer les membres").click()
    add_member(page, "val d'yerres", NAMES[4])
    add_member(page, "moulin", NAMES[5])
    assert page.get_by_text("Le cluster peut être constitué.").is_visible()
    page.get_by_role("link", name="Aller à la page du cluster").click()
    page.get_by_role("link", name="Constituer le cluster").click()
    page.get_by_role("button", name="Confirmer : constituer le cluster").click()
    page.get_by_text("Le cluster est maintenant « Constitué ».").wait_for()
    assert page.get_by_text("Membres actifs : 6").is_visible()
    assert_accessible(page)  # the cluster page

    # The list finds it with the right filters, and not with the wrong ones.
    page.get_by_role("link", name="Clusters", exact=True).first.click()
    page.locator("select[name=wave]").select_option(label="Vague 2030")
    page.locator("select[name=status]").select_option(label="Constitué")
    page.locator("select[name=sector]").select_option(label="Médico-social")
    page.get_by_label("Nom du cluster").fill("essonne")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_text("1 cluster trouvé").wait_for()
    row = page.get_by_role("row", name=re.compile("Cluster des établissements de l'Essonne"))
    assert "Constitué" in row.text_content() and "6" in row.text_content()
    assert str(facilitator) in row.text_content()
    assert_accessible(page)
    page.locator("select[name=status]").select_option(label="Brouillon")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_text("Aucun cluster ne correspond").wait_for()


def test_an_ars_user_withdraws_a_member_and_records_a_contact(page):
    ars_user("11", username="ars-e2e-withdraw")
    national_user(username="dgos-e2e-withdraw")
    cluster = ClusterFactory(name="Cluster des EHPAD du Val-de-Marne")
    members = add_members(cluster, 2)
    name = members[0].establishment.short_name

    log_in(page, "ars-e2e-withdraw", TEST_PASSWORD)
    page.goto(f"/clusters/{cluster.pk}/membres/")
    page.get_by_role("link", name=f"Retirer {name}").click()
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer le retrait").click()  # no reason: refused
    page.get_by_text("Indiquez le motif du retrait.", exact=True).wait_for()
    page.get_by_label("Motif du retrait").fill("Fusion avec un autre établissement")
    page.get_by_role("button", name="Confirmer le retrait").click()
    page.get_by_text(f"Le retrait de {name} est enregistré.").wait_for()
    assert page.get_by_text("Membres actifs : 1").is_visible()

    page.goto(f"/clusters/{cluster.pk}/")
    other = members[1].establishment.short_name
    page.get_by_role("link", name=f"Ajouter un contact pour {other}").click()
    assert_accessible(page)
    page.get_by_label("Rôle").select_option(label="Direction")
    page.get_by_label("Nom", exact=True).fill("Dominique Lefèvre")
    page.get_by_label("Courriel").fill("dominique.lefevre@example.invalid")
    page.get_by_role("button", name="Enregistrer le contact").click()
    page.get_by_text("Le contact Dominique Lefèvre est ajouté.").wait_for()
    assert page.get_by_text("Fusion avec un autre établissement").first.is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Historique des modifications du cluster").click()
    page.get_by_role("heading", name="Historique des modifications").wait_for()
    expect(page.get_by_text("Contact de la délégation : Dominique Lefèvre")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Se déconnecter").click()
    log_in(page, "dgos-e2e-withdraw", TEST_PASSWORD)
    page.goto(f"/clusters/{cluster.pk}/")
    page.get_by_role("heading", name="Cluster des EHPAD du Val-de-Marne").wait_for()
    assert page.get_by_text("Dominique Lefèvre").count() == 0  # personal data stays regional
    assert_accessible(page)
    page.goto(f"/clusters/{cluster.pk}/historique/")
    page.get_by_role("heading", name="Historique des modifications").wait_for()
    assert page.get_by_text("Dominique Lefèvre").count() == 0
