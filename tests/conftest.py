import pytest

from tests import factories


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ars(db):
    """ARS staff of Île-de-France (region 11)."""
    return factories.ars_user("11", username="ars-test-11")


@pytest.fixture
def ars_other_region(db):
    """ARS staff of Bretagne (region 53)."""
    return factories.ars_user("53", username="ars-test-53")


@pytest.fixture
def aract(db):
    return factories.aract_user("11", username="aract-test-11")


@pytest.fixture
def national(db):
    return factories.national_user(username="dgos-test")


@pytest.fixture
def admin(db):
    return factories.admin_user(username="admin-test")


@pytest.fixture
def cluster(db, aract):
    """A draft cluster of Île-de-France facilitated by the `aract` user."""
    cluster = factories.ClusterFactory(region_code="11")
    cluster.facilitators.add(aract)
    return cluster
