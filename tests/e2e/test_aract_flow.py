"""The facilitators' whole flow in a browser, with axe-core on every page: a session with its
attendance and an attachment, a phase change, an experiment with two indicators and their charts,
a monograph written, submitted, validated, published, then found in the public library."""

import re

import pytest
from playwright.sync_api import expect

from clusters.models import Theme
from qvt.french import de
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import TEST_PASSWORD, ClusterFactory, add_members, aract_user, ars_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def world(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    aract = aract_user("11", username="aract-flow", first_name="Claire", last_name="Facil")
    ars_user("11", username="ars-flow")
    theme = Theme.objects.order_by("name").first()
    cluster = ClusterFactory(region_code="11", name="Cluster des EHPAD du Val", themes=[theme])
    cluster.facilitators.add(aract)
    members = add_members(cluster, 6)
    return {"cluster": cluster, "members": members, "theme": theme}


def check(page):
    assert_accessible(page)


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()


def test_the_facilitators_flow_from_session_to_library(page, world):
    cluster, members = world["cluster"], world["members"]
    first = members[0].establishment.short_name

    # --- A session with attendance for six establishments.
    log_in(page, "aract-flow", TEST_PASSWORD)
    page.goto(f"/clusters/{cluster.pk}/")
    check(page)
    page.get_by_role("link", name="Consigner une séance").click()
    expect(page.get_by_role("heading", name="Nouvelle séance")).to_be_visible()
    check(page)
    page.get_by_label("Date").fill("2026-03-10")
    page.get_by_label("Lieu").fill("Salle du conseil")
    page.get_by_label("Ordre du jour").fill("Lancement du diagnostic")
    page.get_by_label("Points clés").fill("Chaque trinôme présente son contexte.")
    for member in members:
        page.locator(f'[name="m{member.pk}-direction"]').fill("1")
        page.locator(f'[name="m{member.pk}-irp"]').fill("1")
    page.locator(f'[name="m{members[0].pk}-cadre"]').fill("2")
    expect(page.locator("[data-grand-total]")).to_have_text("14")  # totals follow the typing
    page.get_by_role("button", name="Enregistrer la séance").click()
    expect(page.get_by_role("heading", name="Séance 1 du 10/03/2026")).to_be_visible()
    expect(page.get_by_text("Taux de présence : 100 %")).to_be_visible()
    check(page)

    # --- An attachment.
    page.get_by_role("link", name="Ajouter une pièce jointe").click()
    check(page)
    page.get_by_label("Type de document").select_option("ordre_du_jour")
    page.get_by_label("Fichier").set_input_files(
        {"name": "ordre-du-jour.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Ajouter la pièce jointe").click()
    expect(
        page.get_by_role("link", name=re.compile("^Ordre du jour : ordre-du-jour"))
    ).to_be_visible()
    check(page)

    # --- Found on the cluster page's timeline.
    page.get_by_role("link", name=f"Retour au cluster {cluster.name}").click()
    page.get_by_role("link", name=re.compile("Séance 1")).first.click()
    expect(page.get_by_role("heading", name="Séance 1 du 10/03/2026")).to_be_visible()

    # --- A member moves to "expérimentation".
    page.goto(f"/clusters/{cluster.pk}/")
    page.get_by_role("link", name="Faire avancer les phases").click()
    check(page)
    page.get_by_role("link", name=f"Changer la phase {de(first)}").click()
    check(page)
    page.get_by_label("Nouvelle phase").select_option("experimentation")
    page.get_by_label("Commentaire").fill("Le choix d'expérimentation est validé par le COPIL.")
    page.get_by_role("button", name="Enregistrer la phase").click()
    # A jump over several phases is confirmed first.
    page.get_by_text("Je confirme ce changement de plusieurs phases").click()
    page.get_by_role("button", name="Enregistrer la phase").click()
    expect(page.get_by_text(f"{first} est en phase « Expérimentation »")).to_be_visible()
    check(page)

    # --- An experiment with two indicators and their charts.
    page.goto(f"/clusters/{cluster.pk}/")
    page.get_by_role("link", name="Expérimentations et monographies").first.click()
    check(page)
    page.get_by_role("link", name=f"Nouvelle expérimentation pour {first}").click()
    check(page)
    page.get_by_label("Titre").fill("Plannings co-construits")
    page.get_by_label("Unité ou service").fill("Unité Alzheimer")
    page.get_by_label("Début").fill("2026-04-01")
    page.get_by_label("Statut").select_option("en_cours")
    page.get_by_role("button", name="Enregistrer l'expérimentation").click()
    expect(page.get_by_role("heading", name="Plannings co-construits")).to_be_visible()
    for name, unit, baseline, target, higher, values in (
        ("Absentéisme", "%", "9", "6", False, [("2026-06-01", "8"), ("2026-09-01", "7")]),
        ("Satisfaction au travail", "/10", "5", "7", True, [("2026-06-01", "6")]),
    ):
        page.get_by_role("link", name="Ajouter un indicateur").click()
        check(page)
        page.locator("#id_name").fill(name)
        page.locator("#id_unit").fill(unit)
        page.locator("#id_baseline").fill(baseline)
        page.locator("#id_target").fill(target)
        if page.locator("#id_higher_is_better").is_checked() != higher:
            page.locator('label[for="id_higher_is_better"]').click()  # DSFR: the label is on top
        page.get_by_role("button", name="Enregistrer l'indicateur").click()
        for measured_on, value in values:
            page.get_by_role("link", name=f"Ajouter une mesure de {name}").click()
            check(page)
            page.locator("#id_measured_on").fill(measured_on)
            page.locator("#id_value").fill(value)
            page.get_by_role("button", name="Enregistrer la mesure").click()
    expect(page.locator("svg.qvt-chart")).to_have_count(2)
    expect(page.get_by_role("img", name=re.compile("Absentéisme"))).to_be_visible()
    expect(page.get_by_text("Vers la cible").first).to_be_visible()
    check(page)

    # --- A monograph, written and submitted.
    page.get_by_role("link", name="Expérimentations et monographies").last.click()
    page.get_by_role("link", name=f"Rédiger la monographie de {first}").click()
    check(page)
    page.get_by_label("Titre").fill("Des plannings pensés par les équipes")
    page.locator("#id_context").fill("Un absentéisme élevé en unité Alzheimer.")
    page.locator("#id_lessons").fill("Associer les équipes de nuit dès le diagnostic.")
    page.get_by_role("button", name="Enregistrer la monographie").click()
    expect(page.get_by_role("heading", name="Des plannings pensés par les équipes")).to_be_visible()
    check(page)
    page.get_by_role("link", name="Soumettre à l'ARS").click()
    check(page)
    page.get_by_role("button", name="Soumettre à l'ARS").click()
    expect(page.get_by_text("La monographie est maintenant « Soumise »")).to_be_visible()
    log_out(page)

    # --- The ARS validates and publishes.
    log_in(page, "ars-flow", TEST_PASSWORD)
    page.get_by_role("link", name="Monographies", exact=True).first.click()
    check(page)
    page.get_by_role("link", name="Des plannings pensés par les équipes").click()
    page.get_by_role("link", name="Valider").click()
    check(page)
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("link", name="Publier dans la bibliothèque").click()
    page.get_by_role("button", name="Publier dans la bibliothèque").click()
    expect(page.get_by_text("La monographie est maintenant « Publiée »")).to_be_visible()
    check(page)
    log_out(page)

    # --- An anonymous visitor finds it in the library by theme.
    page.goto("/bibliotheque/")
    check(page)
    page.get_by_label("Thématique").select_option(str(world["theme"].pk))
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("link", name="Des plannings pensés par les équipes").click()
    expect(page.get_by_role("heading", name="Des plannings pensés par les équipes")).to_be_visible()
    expect(page.get_by_text("Associer les équipes de nuit dès le diagnostic.")).to_be_visible()
    assert "Facil" not in page.content()  # the author's name is personal data
    check(page)


def test_leaving_a_session_form_with_unsaved_changes_warns(page, world):
    log_in(page, "aract-flow", TEST_PASSWORD)
    page.goto(f"/clusters/{world['cluster'].pk}/seances/nouvelle/")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_label("Lieu").click()
    page.keyboard.type("Salle B")
    page.get_by_role("link", name="Annuler").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/seances/nouvelle/")  # stayed: nothing lost
