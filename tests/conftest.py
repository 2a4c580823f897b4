import pytest

from tests import factories


def pytest_collection_modifyitems(items):
    """Transactional tests get their reference data from the `reference_data` fixture below,
    not from Django's serialized rollback (which clashes with content types re-created by the
    flush of a transactional test that did not ask for it)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("serialized_rollback"):
            kwargs = {**marker.kwargs, "serialized_rollback": False}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)


@pytest.fixture(autouse=True)
def reference_data(request):
    """A transactional test empties every table when it ends: the next one reloads the
    reference data that the migrations loaded (regions, departments, categories, themes...)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from clusters import reference_data as cluster_reference_data
    from establishments import reference_data as establishment_reference_data
    from establishments.models import Region

    if not Region.objects.exists():
        establishment_reference_data.load(apps)
        cluster_reference_data.load(apps)


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache (the programme's figures are kept there)."""
    from django.core.cache import cache

    cache.clear()


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
def programme_team(db):
    """The national programme team (`pilotage` in the demo)."""
    return factories.programme_user(username="pilotage-test")


@pytest.fixture
def admin(db):
    return factories.admin_user(username="admin-test")


@pytest.fixture
def cluster(db, aract):
    """A draft cluster of Île-de-France facilitated by the `aract` user."""
    cluster = factories.ClusterFactory(region_code="11")
    cluster.facilitators.add(aract)
    return cluster
