"""Browser test of the FINESS import's safeguard: a partial extract stops before writing, the
page shows the counts and asks for an explicit confirmation; once confirmed, the members of a
running cluster stay members and their cluster page and the ARS home warn about them. Every page
is checked with axe-core and the Nu HTML Checker."""

import pytest

from clusters.models import Cluster
from establishments.models import Establishment, FinessImport
from qvt.celery import app
from tests.e2e.conftest import assert_accessible, log_in
from tests.establishments.conftest import media, structure, write_extract  # noqa: F401
from tests.factories import (
    TEST_PASSWORD,
    ClusterFactory,
    EstablishmentFactory,
    admin_user,
    ars_user,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def eager_celery():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_a_partial_extract_is_confirmed_on_the_page_and_members_are_flagged(
    page,
    media,  # noqa: F811
    eager_celery,
    tmp_path,
):
    # Waits on conditions only; the bound is generous because an import runs inside the
    # request (eager Celery) on a shared, busy machine.
    page.set_default_timeout(90_000)
    admin_user(username="admin-e2e-confirm")
    log_in(page, "admin-e2e-confirm", TEST_PASSWORD)
    establishments = [
        EstablishmentFactory(region_code="11", short_name=f"EHPAD E2E {n:02d}") for n in range(20)
    ]
    cluster = ClusterFactory(region_code="11", status=Cluster.Status.EN_COURS, name="Cluster E2E")
    for establishment in establishments[:5]:
        cluster.memberships.create(
            establishment=establishment, wave=cluster.wave, joined_on=cluster.starts_on
        )
    partial = write_extract(
        tmp_path / "etalab-partiel.csv",
        [structure(e.finess, rs=e.short_name, departement="75") for e in establishments[10:]],
    )
    page.goto("/etablissements/import-finess/")
    page.get_by_label("Extrait FINESS").set_input_files(str(partial))
    page.get_by_role("button", name="Lancer l'import").click()
    page.get_by_role("heading", name="Import arrêté avant écriture").wait_for()
    assert page.get_by_role("row", name="Actifs dans le registre 20").is_visible()
    assert page.get_by_text("50 %", exact=True).is_visible()
    assert Establishment.objects.filter(is_active=True).count() == 20  # nothing written
    assert_accessible(page)

    # The box is required: unticked, the browser does not send the form (the server's own
    # refusal is tested in tests/establishments/test_finess_safeguards.py).
    assert page.get_by_role("checkbox").evaluate("box => box.required")
    assert FinessImport.objects.count() == 1

    page.get_by_text("Je confirme que ce fichier est l'extrait national complet").click()
    page.get_by_role("button", name="Confirmer et importer").click()
    page.get_by_role("heading", name="Import terminé").wait_for()
    assert page.get_by_text("Confirmation de l'import n°").is_visible()
    assert page.get_by_role("row", name="Désactivés (absents de l'extrait) 5").is_visible()
    assert_accessible(page)

    ars_user("11", username="ars-e2e-confirm")
    page.context.clear_cookies()
    log_in(page, "ars-e2e-confirm", TEST_PASSWORD)
    page.get_by_role("heading", name="5 membres sont fermés dans le répertoire FINESS").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Cluster E2E").first.click()
    page.get_by_role("heading", name="5 membres sont fermés dans le répertoire FINESS").wait_for()
    assert page.get_by_text("EHPAD E2E 00 (").is_visible()
    assert_accessible(page)
