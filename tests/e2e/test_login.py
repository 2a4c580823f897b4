import pytest

from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import TEST_PASSWORD, ClusterFactory, ars_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_ars_user_logs_in_and_sees_the_dashboard(page):
    ars_user("11", username="ars-e2e")
    ClusterFactory(region_code="11", name="Cluster francilien des EHPAD")

    page.goto("/")
    assert "/compte/connexion/" in page.url  # sent to the login page
    assert_accessible(page)

    log_in(page, "ars-e2e", TEST_PASSWORD)
    page.get_by_role("heading", name="Tableau de bord").wait_for()
    assert page.get_by_text("Cluster francilien des EHPAD").is_visible()
    assert_accessible(page)


def test_a_wrong_password_is_refused_in_french(page):
    ars_user("11", username="ars-e2e-2")
    log_in(page, "ars-e2e-2", "pas-le-bon-mot-de-passe")
    assert page.get_by_text("Identifiant ou mot de passe incorrect.").is_visible()
    assert_accessible(page)
