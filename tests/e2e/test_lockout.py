"""The lockout page in a browser: the address's progressive delay, stated in French, accessible."""

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import TEST_PASSWORD, ars_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_slowed_address_gets_the_french_page_with_the_delay(page, settings):
    settings.THROTTLE_ADDRESS_BASE_DELAY = 90  # long enough for a slow browser to get there
    ars_user("11", username="ars-lockout")
    # The browser's address already failed on as many accounts as it may without waiting.
    AccessAttempt.objects.create(
        username="quelqu-un-d-autre",
        ip_address="127.0.0.1",
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/compte/connexion/",
        failures_since_start=settings.THROTTLE_ADDRESS_FREE_FAILURES,
        attempt_time=timezone.now(),
    )
    log_in(page, "ars-lockout", TEST_PASSWORD)  # even the right password waits
    expect(
        page.get_by_role("heading", name="Connexions ralenties depuis cette adresse")
    ).to_be_visible()
    expect(page.get_by_text("Réessayez dans")).to_contain_text("seconde")
    assert_accessible(page)
