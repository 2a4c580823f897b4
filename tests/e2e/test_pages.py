"""Every role's menu pages and the admin pages pass axe-core and the Nu HTML Checker (the HTML
is validated at the end of the session); error pages are French; the cluster form works with
the keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import (
    TEST_PASSWORD,
    ClusterFactory,
    WaveFactory,
    add_members,
    admin_user,
    aract_user,
    ars_user,
    national_user,
)

PERSONAS = {
    "ars": lambda: ars_user("11", username="ars-e2e-pages"),
    "aract": lambda: aract_user("11", username="aract-e2e-pages"),
    "national": lambda: national_user(username="dgos-e2e-pages"),
    "admin": lambda: admin_user(username="admin-e2e-pages"),
}


@pytest.fixture
def clusters(db):
    cluster = ClusterFactory(region_code="11")
    add_members(cluster, 5)
    return cluster


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_roles_menu_pages_are_accessible_and_valid(page, persona, clusters):
    user = PERSONAS[persona]()
    log_in(page, user.username, TEST_PASSWORD)
    assert_accessible(page)
    links = page.locator("#navigation-principale a")
    urls = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert urls, "the menu has entries"
    for url in urls:
        page.goto(url)
        assert_accessible(page)


ADMIN_PAGES = [
    "/admin/",
    "/admin/accounts/user/",
    "/admin/accounts/user/{user_id}/change/",
    "/admin/accounts/roleassignment/",
    "/admin/establishments/finessimport/",
]


def test_the_admin_pages_administrators_use_are_french_and_accessible(page, db):
    user = PERSONAS["admin"]()
    log_in(page, user.username, TEST_PASSWORD)
    for url in ADMIN_PAGES:
        page.goto(url.format(user_id=user.pk))
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        assert_accessible(page)
    page.goto("/admin/")
    expect(page.get_by_role("link", name="Administration — Clusters QVT")).to_be_visible()


def expect_french_error_page(page, heading):
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("link", name="Retour à l'accueil")).to_be_visible()
    assert_accessible(page)


def test_error_pages_are_french(page, clusters):
    # Production settings: the test server runs with DEBUG off, as Django's test runner sets.
    other_region = ars_user("53", username="ars-e2e-pages-53")
    log_in(page, other_region.username, TEST_PASSWORD)
    response = page.goto(f"/clusters/{clusters.pk}/")
    assert response.status == 404
    expect_french_error_page(page, "Page non trouvée")

    page.context.clear_cookies()
    facilitator = aract_user("11", username="aract-e2e-pages-403")
    log_in(page, facilitator.username, TEST_PASSWORD)
    response = page.goto(f"/clusters/{clusters.pk}/modifier/")
    assert response.status == 403
    expect_french_error_page(page, "Accès refusé")

    # A form sent after its token was lost (cookies cleared, e.g. a new browser session).
    page.context.clear_cookies()
    page.goto("/compte/connexion/")
    page.context.clear_cookies()
    page.get_by_label("Identifiant", exact=True).fill(facilitator.username)
    page.get_by_label("Mot de passe", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect_french_error_page(page, "Le formulaire a expiré")


def test_the_cluster_form_works_with_the_keyboard_alone(page, db):
    WaveFactory(code="2031", name="Vague 2031")
    user = ars_user("11", username="ars-e2e-keyboard")
    log_in(page, user.username, TEST_PASSWORD)
    page.goto("/clusters/nouveau/")
    # Submit empty with Enter from the first field: the summary takes the focus.
    page.get_by_label("Nom", exact=True).focus()
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(summary).to_be_focused()
    # Tab to the summary's first link and follow it: the focus lands in the name field.
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    name = page.get_by_label("Nom", exact=True)
    expect(name).to_be_focused()
    page.keyboard.type("Cluster du clavier")
    # Tab on to the wave, choose with the arrows, then to the first theme and tick it with Space.
    page.keyboard.press("Tab")
    expect(page.get_by_label("Vague")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Vague")).not_to_have_value("")
    page.keyboard.press("Tab")
    first_theme = page.locator("input[name=themes]").first
    expect(first_theme).to_be_focused()
    page.keyboard.press("Space")
    expect(first_theme).to_be_checked()
    # Every field and button is reachable: tab until the submit button has the focus.
    submit = page.get_by_role("button", name="Enregistrer le cluster")
    for _ in range(80):
        if submit.evaluate("button => button === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(submit).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").filter(has_text="Le formulaire contient")).to_have_count(0)
    expect(page.get_by_text("est enregistré")).to_be_visible()


def test_an_invalid_cluster_form_shows_the_error_summary_and_focuses_it(page, db):
    WaveFactory(code="2032", name="Vague 2032")
    user = ars_user("11", username="ars-e2e-invalid")
    log_in(page, user.username, TEST_PASSWORD)
    page.goto("/clusters/nouveau/")
    page.get_by_label("Nom", exact=True).fill("Cluster sans vague")
    page.get_by_role("button", name="Enregistrer le cluster").click()
    # The page comes back with the summary focused (screen readers announce it first).
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    assert links.count() >= 2  # the wave and the themes are missing
    expect(links.filter(has_text="Vague")).to_have_count(1)
    # The field shows its own DSFR error message, tied to the select it describes.
    wave = page.get_by_label("Vague")
    expect(wave).to_have_attribute("aria-describedby", re.compile(r"messages"))
    expect(page.locator(".fr-select-group--error .fr-message--error")).to_be_visible()
    # A summary link moves the focus to its field; the name typed is kept.
    links.filter(has_text="Vague").click()
    expect(wave).to_be_focused()
    expect(page.get_by_label("Nom", exact=True)).to_have_value("Cluster sans vague")
    assert_accessible(page)
