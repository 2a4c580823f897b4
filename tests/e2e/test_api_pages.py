"""The API's pages in a real browser: the OpenAPI documentation renders under the strict CSP
from our own static files; the open-data and token pages pass axe-core."""

import re

import pytest

from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import TEST_PASSWORD, ars_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_documentation_renders_under_the_csp_without_any_cdn(page, live_server):
    csp_errors, foreign = [], []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on(
        "requestfinished",  # blocked requests fail: only what really left the browser
        lambda request: (
            foreign.append(request.url)
            if not request.url.startswith((live_server.url, "data:", "blob:"))
            else None
        ),
    )
    page.goto("/api/v1/docs/")
    # Redoc fetched the schema and rendered it: the API's title and an operation are shown.
    page.get_by_role("heading", name=re.compile("API Clusters QVT")).wait_for()
    page.get_by_role("heading", name="Clusters visibles").first.wait_for()
    # Redoc's sidebar credits Redocly with a logo from its CDN: the CSP blocks it (no request
    # leaves the browser; Redoc then drops the image). Nothing else may be blocked.
    assert [text for text in csp_errors if "cdn.redoc.ly/redoc/logo-mini.svg" not in text] == []
    assert foreign == []


def test_the_open_data_page_is_accessible(page):
    page.goto("/donnees-ouvertes/")
    page.get_by_role("heading", name="Données ouvertes", level=1).wait_for()
    assert_accessible(page)


def test_a_user_creates_a_token_and_sees_it_once(page):
    ars_user("11", username="ars-jetons")
    log_in(page, "ars-jetons", TEST_PASSWORD)
    page.get_by_role("heading", name="Tableau de bord").wait_for()
    page.goto("/compte/jetons-api/")
    page.get_by_label("Nom du jeton").fill("Grist de l'ARS")
    page.get_by_role("button", name="Créer le jeton").click()
    token = page.locator("#nouveau-jeton").inner_text()
    assert token.startswith("qvt_")
    assert_accessible(page)
    page.goto("/compte/jetons-api/")
    assert token not in page.content()
    assert page.get_by_role("button", name="Révoquer le jeton Grist de l'ARS").is_visible()
