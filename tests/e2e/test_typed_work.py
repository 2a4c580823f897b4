"""No typed work lost, in a browser: the warning before the idle timeout and "Rester connecté",
and a session form posted after the timeout, restored from the browser's draft after a new login.
axe-core and the Nu HTML Checker run on each page state shown."""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from clusters.models import Session
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import TEST_PASSWORD, ClusterFactory, add_members, aract_user, ars_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NOTES = "Le trinôme de l'EHPAD présente son diagnostic : trois irritants sur les plannings."


@pytest.fixture
def world():
    aract = aract_user("11", username="aract-typed")
    cluster = ClusterFactory(region_code="11", name="Cluster des notes longues")
    cluster.facilitators.add(aract)
    add_members(cluster, 5)
    return {"cluster": cluster}


def server_session(page) -> SessionStore:
    [cookie] = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    return SessionStore(session_key=cookie["value"])


def drafts(page) -> list[str]:
    return page.evaluate(
        "() => Object.keys(localStorage).filter((key) => key.startsWith('qvt-draft:'))"
    )


def test_a_session_posted_after_the_timeout_is_restored_after_a_new_login(page, world):
    cluster = world["cluster"]
    log_in(page, "aract-typed", TEST_PASSWORD)
    form_url = f"/clusters/{cluster.pk}/seances/nouvelle/"
    page.goto(form_url)
    page.get_by_label("Date").fill("2026-03-10")
    page.get_by_label("Lieu").fill("Salle du conseil")
    page.get_by_label("Points clés").fill(NOTES)
    # The draft is saved as one types (half a second after the last key).
    page.wait_for_function("() => Object.keys(localStorage).some((k) => k.startsWith('qvt-d'))")

    # Thirty minutes pass without a request: the server ends the session at the next one.
    session = server_session(page)
    session["last_seen"] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    page.get_by_role("button", name="Enregistrer comme brouillon").click()

    # The login page says the form was not saved and the text was kept.
    expect(page.get_by_role("heading", name="Connexion à Clusters QVT")).to_be_visible()
    expect(page.get_by_text("Le texte saisi est conservé dans ce navigateur")).to_be_visible()
    assert not Session.objects.exists()
    assert len(drafts(page)) == 1
    assert_accessible(page)

    # A new login brings the person back to the form, which offers the draft.
    page.get_by_label("Identifiant", exact=True).fill("aract-typed")
    page.get_by_label("Mot de passe", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Nouvelle séance")).to_be_visible()
    assert page.url.endswith(form_url)
    expect(page.get_by_text("Votre saisie n'a pas été envoyée")).to_be_visible()
    expect(page.get_by_label("Points clés")).to_have_value("")
    assert_accessible(page)
    page.get_by_role("button", name="Restaurer le brouillon").click()
    expect(page.get_by_label("Points clés")).to_have_value(NOTES)
    expect(page.get_by_label("Lieu")).to_have_value("Salle du conseil")
    expect(page.get_by_label("Date")).to_have_value("2026-03-10")

    page.get_by_role("button", name="Enregistrer comme brouillon").click()
    expect(page.get_by_role("heading", name="Séance 1 du 10/03/2026")).to_be_visible()
    saved = Session.objects.get()
    assert (saved.key_points, saved.place) == (NOTES, "Salle du conseil")
    assert drafts(page) == []  # the server has it: the browser keeps no copy


def test_the_cluster_form_offers_its_draft_in_another_tab(page, world):
    """What an ARS agent typed into a new cluster is kept in the browser: another tab of the
    same form (or the same one after a crash) offers it back."""
    ars_user("11", username="ars-typed")
    log_in(page, "ars-typed", TEST_PASSWORD)
    page.goto("/clusters/nouveau/")
    page.get_by_label("Nom", exact=True).fill("Cluster des plannings")
    page.get_by_label("Problématique commune").fill(NOTES)
    page.wait_for_function("() => Object.keys(localStorage).some((k) => k.startsWith('qvt-d'))")

    other = page.context.new_page()
    other.goto("/clusters/nouveau/")
    expect(other.get_by_text("Un brouillon de ce formulaire est conservé")).to_be_visible()
    expect(other.get_by_label("Problématique commune")).to_have_value("")
    assert_accessible(other)
    other.get_by_role("button", name="Restaurer le brouillon").click()
    expect(other.get_by_label("Nom", exact=True)).to_have_value("Cluster des plannings")
    expect(other.get_by_label("Problématique commune")).to_have_value(NOTES)


def test_the_page_warns_before_the_timeout_and_keeps_the_session_alive(page, world, settings):
    settings.SESSION_IDLE_TIMEOUT = 125
    settings.SESSION_WARNING_SECONDS = 120  # the warning comes about 5 seconds after a request
    log_in(page, "aract-typed", TEST_PASSWORD)
    expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
    warning = page.locator("#avertissement-session")
    expect(warning).to_have_attribute("aria-live", "assertive")
    expect(warning.get_by_text("Votre session va bientôt expirer")).to_be_visible(timeout=30_000)
    expect(warning.get_by_text("vous serez déconnecté(e) à")).to_be_visible()
    assert_accessible(page)
    before = server_session(page)["last_seen"]
    clicked_at = int(time.time())
    warning.get_by_role("button", name="Rester connecté").click()
    expect(warning.get_by_text("Vous restez connecté(e).")).to_be_visible()
    after = server_session(page)["last_seen"]
    assert after >= clicked_at and after > before  # the server's idle clock restarted


def test_a_page_left_idle_says_when_the_session_has_expired(page, world, settings):
    settings.SESSION_IDLE_TIMEOUT = 30  # room for a slow machine to load the form page first
    settings.SESSION_WARNING_SECONDS = 20
    log_in(page, "aract-typed", TEST_PASSWORD)
    page.goto(f"/clusters/{world['cluster'].pk}/seances/nouvelle/")
    warning = page.locator("#avertissement-session")
    expect(warning.get_by_text("Votre session va bientôt expirer")).to_be_visible(timeout=60_000)
    # Nobody clicks: the page notices the end of the session and says how to go on.
    expect(warning.get_by_text("Votre session a expiré")).to_be_visible(timeout=60_000)
    link = warning.get_by_role("link", name="Se reconnecter")
    expect(link).to_have_attribute(
        "href",
        f"/compte/connexion/?next=%2Fclusters%2F{world['cluster'].pk}%2Fseances%2Fnouvelle%2F",
    )
    assert_accessible(page)
