"""The FINESS upload page (administrators only) and its background job. The Celery task is
called synchronously here, as a worker would; the real worker is exercised in tests/reports."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from establishments.models import Establishment, FinessImport
from establishments.tasks import run_finess_import
from qvt.celery import app
from tests.establishments.conftest import ERRORS, SYNTHETIC
from tests.factories import admin_user

pytestmark = pytest.mark.django_db

UPLOAD = reverse("establishments:finess-import")


def detail(job):
    return reverse("establishments:finess-import-detail", args=[job.pk])


def upload(client, path=SYNTHETIC, name="etalab-cs1100507.csv", **options):
    with open(path, "rb") as handle:
        content = handle.read()
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content), **options})


@pytest.fixture
def eager_celery():
    """Tasks run inline where they are queued (no broker involved)."""
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_an_administrator_uploads_an_extract_and_the_job_imports_it(
    client, admin, media, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks() as queued:  # not executed: no broker here
        response = upload(client)
    job = FinessImport.objects.get()
    assert response.status_code == 302 and response.url == detail(job)
    assert len(queued) == 1  # queued once the upload is committed
    assert job.status == FinessImport.Status.PENDING and job.requested_by == admin
    # Stored under a random name in the default storage, never under the uploaded name.
    assert re.fullmatch(r"finess/[0-9a-f]{32}\.csv", job.file.name)
    assert (media / job.file.name).read_bytes() == SYNTHETIC.read_bytes()
    assert job.original_name == "etalab-cs1100507.csv"

    page = client.get(detail(job)).content.decode()
    assert "En attente — 0 %" in page and "qvt/job-progress.js" in page

    run_finess_import(job.pk)  # what the worker does
    job.refresh_from_db()
    assert (job.status, job.progress) == (FinessImport.Status.DONE, 100)
    assert job.summary == "created=60 updated=0 unchanged=0 deactivated=0 rejected=0"
    assert Establishment.objects.count() == 60
    page = client.get(detail(job)).content.decode()
    assert (
        "En résumé : 60 établissements créés, aucun mis à jour, aucun inchangé, aucun désactivé "
        "et aucune ligne rejetée." in page
    )
    assert "job-progress.js" not in page  # nothing left to poll


def test_the_status_view_reports_the_jobs_progress(client, admin, media):
    client.force_login(admin)
    upload(client)
    job = FinessImport.objects.get()
    FinessImport.objects.filter(pk=job.pk).update(status="running", progress=40)
    url = reverse("establishments:finess-import-status", args=[job.pk])
    assert client.get(url).json() == {
        "status": "running",
        "status_label": "En cours",
        "progress": 40,
        "text": "En cours — 40 %",
        "finished": False,
        "waiting_for_broker": False,
        "error": "",
        "summary": "",
        "message": "",
        "can_relaunch": True,  # running without any heartbeat: its worker is gone
    }
    FinessImport.objects.filter(pk=job.pk).update(status="pending")
    run_finess_import(job.pk)
    state = client.get(url).json()
    assert state["finished"] and state["progress"] == 100
    assert state["summary"] == "created=60 updated=0 unchanged=0 deactivated=0 rejected=0"


def test_a_job_runs_only_once(client, admin, media):
    client.force_login(admin)
    upload(client)
    job = FinessImport.objects.get()
    run_finess_import(job.pk)
    job.refresh_from_db()
    finished_at = job.finished_at
    run_finess_import(job.pk)  # a duplicate delivery of the task
    job.refresh_from_db()
    assert job.finished_at == finished_at and job.created == 60


def test_the_job_page_lists_rejected_lines_and_the_summary(client, admin, media):
    client.force_login(admin)
    upload(client, ERRORS)
    job = FinessImport.objects.get()
    run_finess_import(job.pk)
    page = client.get(detail(job)).content.decode()
    assert (
        "En résumé : 2 établissements créés, aucun mis à jour, aucun inchangé, aucun désactivé "
        "et 5 lignes rejetées." in page
    )
    assert "Le département FINESS « 99 » est inconnu." in page
    assert "La clé de contrôle du numéro FINESS 262468201 est fausse." in page


def test_a_strict_simulation_from_the_page_writes_nothing(client, admin, media):
    client.force_login(admin)
    upload(client, ERRORS, dry_run="on", strict="on")
    job = FinessImport.objects.get()
    assert job.dry_run and job.strict
    run_finess_import(job.pk)
    job.refresh_from_db()
    assert job.status == FinessImport.Status.DONE and not job.applied
    assert "mode strict" in job.message
    assert not Establishment.objects.exists()
    page = client.get(detail(job)).content.decode()
    assert "Simulation terminée" in page and "rien n&#x27;a été écrit" in page


def test_an_unusable_extract_fails_with_its_reason_on_the_page(client, admin, media):
    client.force_login(admin)
    client.post(UPLOAD, {"file": SimpleUploadedFile("f.csv", b"finess;etalab;111;2026-05-12\n")})
    job = FinessImport.objects.get()
    run_finess_import(job.pk)
    page = client.get(detail(job)).content.decode()
    assert "Fichier inutilisable" in page
    assert "aucune ligne d&#x27;établissement" in page


def test_a_file_that_is_not_an_extract_is_refused_by_the_form(client, admin, media):
    client.force_login(admin)
    response = client.post(
        UPLOAD, {"file": SimpleUploadedFile("regions.csv", b"code_insee;nom\n11;IDF\n")}
    )
    assert response.status_code == 200
    assert "Ce fichier n&#x27;est pas un extrait FINESS" in response.content.decode()
    assert not FinessImport.objects.exists()


def test_a_job_whose_author_is_no_longer_administrator_does_not_run(client, media):
    author = admin_user(username="admin-temporaire")
    client.force_login(author)
    upload(client)
    author.role_assignments.all().delete()
    author.is_superuser = False
    author.save()
    job = FinessImport.objects.get()
    run_finess_import(job.pk)
    job.refresh_from_db()
    assert job.status == FinessImport.Status.FAILED
    assert not Establishment.objects.exists()


def test_an_import_the_broker_could_not_take_says_so_and_can_be_relaunched(
    client, admin, media, eager_celery, settings, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    real_broker = settings.CELERY_BROKER_URL
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/4"  # nothing listens on port 1
    app.conf.task_always_eager = False  # a real send, which fails
    with django_capture_on_commit_callbacks(execute=True):
        upload(client)
    job = FinessImport.objects.get()
    assert job.status == FinessImport.Status.PENDING and job.enqueue_failed
    page = client.get(detail(job)).content.decode()
    assert "le service de calcul est indisponible" in page
    assert "Relancer l'import</button>" in page

    settings.CELERY_BROKER_URL = real_broker
    app.conf.task_always_eager = True  # the worker runs it inline
    relaunch = reverse("establishments:finess-import-relaunch", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(relaunch).status_code == 302
    job.refresh_from_db()
    assert job.status == FinessImport.Status.DONE and job.created == 60


def test_the_upload_page_lists_previous_imports(client, admin, media):
    client.force_login(admin)
    upload(client)
    run_finess_import(FinessImport.objects.get().pk)
    page = client.get(UPLOAD).content.decode()
    assert "etalab-cs1100507.csv" in page
    assert "Dernier extrait importé : extraction du 12/05/2026" in page


@pytest.mark.parametrize("persona", ["ars", "aract", "national"])
def test_only_administrators_reach_the_import_pages(client, admin, media, request, persona):
    client.force_login(admin)
    upload(client)
    job = FinessImport.objects.get()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(UPLOAD).status_code == 403
    assert upload(client).status_code == 403
    assert client.get(detail(job)).status_code == 403
    status = reverse("establishments:finess-import-status", args=[job.pk])
    assert client.get(status).status_code == 403
    relaunch = reverse("establishments:finess-import-relaunch", args=[job.pk])
    assert client.post(relaunch).status_code == 403
    assert FinessImport.objects.count() == 1


def test_the_navigation_offers_the_import_to_administrators_only(client, admin, ars):
    client.force_login(admin)
    assert "Importer le registre FINESS" in client.get(reverse("home")).content.decode()
    client.force_login(ars)
    page = client.get(reverse("home")).content.decode()
    assert "Importer le registre FINESS" not in page and "Rechercher un établissement" in page


def test_a_job_whose_worker_died_can_be_relaunched_but_not_a_running_one(
    client, admin, media, eager_celery, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    upload(client)
    job = FinessImport.objects.get()
    relaunch = reverse("establishments:finess-import-relaunch", args=[job.pk])
    now = timezone.now()
    FinessImport.objects.filter(pk=job.pk).update(
        status="running", started_at=now, claimed_at=now, heartbeat_at=now
    )
    client.post(relaunch)
    job.refresh_from_db()
    assert job.status == FinessImport.Status.RUNNING  # still working: left alone

    long_ago = now - datetime.timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT + 1)
    FinessImport.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
    assert "relancez-le maintenant" in client.get(detail(job)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(relaunch)
    job.refresh_from_db()
    assert job.status == FinessImport.Status.DONE and job.created == 60
