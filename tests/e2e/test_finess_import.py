"""Browser tests of the FINESS import page and the establishment search.

No Celery worker runs in these tests (the real worker is exercised in tests/reports): the first
test sets Celery's `task_always_eager`, so the task runs inside the upload request once it
commits; the second leaves the job pending, runs the task function from the test (as a worker
would) and checks that the page's script follows the job to its end.
"""

import pytest
from django.core.files.base import ContentFile

from establishments.models import FinessImport
from establishments.tasks import run_finess_import
from qvt.celery import app
from tests.e2e.conftest import assert_accessible, log_in
from tests.establishments.conftest import SYNTHETIC, media  # noqa: F401  (fixture)
from tests.factories import TEST_PASSWORD, admin_user, ars_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SUMMARY = (
    "En résumé : 60 établissements créés, aucun mis à jour, aucun inchangé, aucun désactivé "
    "et aucune ligne rejetée."
)


@pytest.fixture
def eager_celery():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_an_administrator_uploads_the_sample_and_sees_the_result(page, media, eager_celery):  # noqa: F811
    admin_user(username="admin-e2e")
    log_in(page, "admin-e2e", TEST_PASSWORD)
    page.get_by_role("link", name="Importer le registre FINESS", exact=True).click()
    page.get_by_role("heading", name="Importer le registre FINESS").wait_for()
    assert page.get_by_text("Aucun import pour l'instant.").is_visible()
    assert_accessible(page)

    page.get_by_label("Extrait FINESS").set_input_files(str(SYNTHETIC))
    page.get_by_role("button", name="Lancer l'import").click()
    page.get_by_role("heading", name="Import FINESS n°").wait_for()
    page.get_by_text(SUMMARY).wait_for()
    assert page.get_by_role("heading", name="Import terminé").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Rechercher un établissement", exact=True).first.click()
    page.get_by_label("Numéro FINESS, nom ou commune").fill("beausejour")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_text("3 établissements pour « beausejour »").wait_for()
    assert page.get_by_text("Hors région ARS").is_visible()  # the Wallis-et-Futuna hospital
    assert_accessible(page)


def test_the_import_page_follows_a_running_job_to_its_end(page, media):  # noqa: F811
    admin = admin_user(username="admin-e2e-2")
    # Left pending by a broker that was down when it was asked for.
    job = FinessImport(requested_by=admin, original_name="etalab.csv", enqueue_failed=True)
    job.file.save("etalab.csv", ContentFile(SYNTHETIC.read_bytes()))
    log_in(page, "admin-e2e-2", TEST_PASSWORD)
    page.goto(f"/etablissements/import-finess/{job.pk}/")
    page.get_by_text("le service de calcul est indisponible").wait_for()
    assert page.get_by_role("button", name="Relancer l'import").is_visible()
    assert_accessible(page)

    FinessImport.objects.filter(pk=job.pk).update(enqueue_failed=False)  # the broker is back
    run_finess_import(job.pk)  # the worker's part
    page.get_by_text(SUMMARY).wait_for()  # polled, then reloaded by static/qvt/job-progress.js
    assert page.get_by_role("heading", name="Import terminé").is_visible()
    assert_accessible(page)


def test_the_search_page_is_accessible_for_a_regional_user(page):
    from tests.factories import EstablishmentFactory

    ars_user("11", username="ars-e2e-search")
    EstablishmentFactory(region_code="11", short_name="EHPAD DE LA RÉUNION", is_active=False)
    EstablishmentFactory(region_code="11", short_name="EHPAD LES ROSES DE LA RÉUNION")
    log_in(page, "ars-e2e-search", TEST_PASSWORD)
    page.get_by_role("link", name="Rechercher un établissement", exact=True).first.click()
    assert_accessible(page)
    page.get_by_label("Numéro FINESS, nom ou commune").fill("reunion")
    page.get_by_text(
        "Inclure les établissements inactifs"
    ).click()  # DSFR: the label covers the box
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_text("2 établissements pour « reunion »").wait_for()
    assert page.get_by_text("Inactif", exact=True).is_visible()
    assert_accessible(page)
