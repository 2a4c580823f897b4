"""Browser: the password reset from the login page and an accepted invitation, with the e-mails
going through a real SMTP server; axe-core on every new page."""

import pytest

from accounts.models import Role
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import ars_user
from tests.notifications.conftest import (  # noqa: F401 (fixtures)
    celery_eager_mode,
    link_in,
    smtp_server,
)

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "une nouvelle phrase de passe"


def test_a_person_resets_a_forgotten_password_from_the_login_page(
    page, smtp, celery_eager, settings, live_server
):
    settings.SITE_URL = live_server.url
    ars_user("11", username="oublieuse", email="oublieuse@example.invalid")
    page.goto("/compte/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_role("heading", name="Mot de passe oublié").wait_for()
    assert_accessible(page)
    page.get_by_label("Adresse électronique").fill("oublieuse@example.invalid")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.get_by_role("heading", name="Demande enregistrée").wait_for()
    assert_accessible(page)

    [message] = smtp.wait_for(1)
    page.goto(link_in(message, site_url=live_server.url))
    page.get_by_role("heading", name="Choisir un nouveau mot de passe").wait_for()
    assert_accessible(page)
    page.get_by_label("Nouveau mot de passe").first.fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    page.get_by_role("heading", name="Mot de passe changé").wait_for()
    assert_accessible(page)

    log_in(page, "oublieuse", NEW_PASSWORD)
    page.get_by_role("heading", name="Tableau de bord").wait_for()


def test_an_invited_facilitator_chooses_a_password_and_lands_on_the_home_page(
    page, browser, smtp, celery_eager, settings, live_server
):
    settings.SITE_URL = live_server.url
    ars_user("11", username="ars-invite", password="mot-de-passe-de-test-2026")
    log_in(page, "ars-invite", "mot-de-passe-de-test-2026")
    page.goto("/compte/invitations/")
    assert_accessible(page)
    page.get_by_label("Prénom").fill("Sacha")
    page.get_by_label("Nom", exact=True).fill("Facilitateur")
    page.get_by_label("Adresse électronique").fill("sacha@example.invalid")
    page.get_by_label("Rôle").select_option(Role.ARACT)
    page.get_by_label("Région").select_option(label="Île-de-France")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    page.get_by_text("L'invitation est envoyée.").wait_for()
    assert page.get_by_role("cell", name="Sacha Facilitateur", exact=True).is_visible()
    assert_accessible(page)

    [message] = smtp.wait_for(1)
    invitee = browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    invitee.goto(link_in(message, site_url=live_server.url))
    invitee.get_by_role("heading", name="Activer votre compte").wait_for()
    assert_accessible(invitee)
    invitee.get_by_label("Nouveau mot de passe").first.fill(NEW_PASSWORD)
    invitee.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Activer mon compte").click()
    invitee.get_by_role("heading", name="Tableau de bord").wait_for()
    assert invitee.get_by_text("Bienvenue ! Votre compte est activé.").is_visible()
    invitee.goto("/compte/notifications/")
    invitee.get_by_role("heading", name="Mes notifications").wait_for()
    assert_accessible(invitee)
    invitee.context.close()
