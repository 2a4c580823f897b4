"""The jobs framework's rules, on real PostgreSQL (the worker processes are in
test_job_worker.py): a job runs once, a stale run writes nothing, a job that keeps losing its
worker ends failed with a French message, and the status endpoint is permission-checked."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from core import jobs
from core.models import JobStatus
from establishments import services
from establishments.models import FinessImport
from reports.models import ReportJob
from tests.factories import WaveFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(national):
    return ReportJob.objects.create(kind=ReportJob.Kind.NATIONAL, requested_by=national)


def long_ago(settings):
    return timezone.now() - datetime.timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT + 1)


def test_every_job_model_is_known_to_the_framework():
    assert {ReportJob, FinessImport} <= set(jobs.job_models())


def test_a_job_is_claimed_once(job):
    claimed = jobs.claim(ReportJob, job.pk)
    assert claimed.status == JobStatus.RUNNING and claimed.attempts == 1
    assert claimed.claimed_at == claimed.heartbeat_at == claimed.started_at
    assert jobs.claim(ReportJob, job.pk) is None  # a second delivery of the message
    assert ReportJob.objects.get(pk=job.pk).attempts == 1


def test_progress_is_recorded_with_its_message_and_refreshes_the_heartbeat(job, settings):
    claimed = jobs.claim(ReportJob, job.pk)
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=long_ago(settings))
    assert ReportJob.objects.get(pk=job.pk).is_stalled
    assert jobs.report_progress(claimed, 40, "mise en page du PDF")
    job.refresh_from_db()
    assert (job.progress, job.progress_message) == (40, "mise en page du PDF")
    assert not job.is_stalled
    assert job.status_text == "En cours — 40 % : mise en page du PDF"


def test_a_stale_run_cannot_overwrite_the_job_claimed_again(job, settings):
    stale = jobs.claim(ReportJob, job.pk)
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=long_ago(settings))
    assert jobs.restart(stale)  # "Réessayer" on a job whose worker stopped answering
    current = jobs.claim(ReportJob, job.pk)
    assert not jobs.report_progress(stale, 90)
    assert not jobs.finish(stale)
    assert not jobs.fail(stale, "Ancien passage.")
    assert jobs.finish(current)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.progress == 100 and job.error == ""


def test_a_job_running_with_a_live_worker_is_not_restarted(job):
    jobs.claim(ReportJob, job.pk)
    assert not jobs.restart(job)
    assert ReportJob.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_a_job_that_keeps_losing_its_worker_fails_in_french(job, settings, client, national):
    jobs.claim(ReportJob, job.pk)
    ReportJob.objects.filter(pk=job.pk).update(
        attempts=settings.JOB_MAX_ATTEMPTS, heartbeat_at=long_ago(settings)
    )
    assert jobs.requeue_stalled_jobs() == []
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert job.error == jobs.INTERRUPTED_ERROR
    assert job.error.startswith("Le traitement a été interrompu à plusieurs reprises")
    client.force_login(national)
    page = client.get(reverse("reports:job-detail", args=[job.pk])).content.decode()
    assert "interrompu à plusieurs reprises" in page and "Réessayer" in page


def test_a_command_import_whose_process_died_is_failed_not_requeued(settings):
    job = FinessImport.objects.create(source=FinessImport.Source.COMMAND)
    jobs.claim(FinessImport, job.pk)
    FinessImport.objects.filter(pk=job.pk).update(heartbeat_at=long_ago(settings))
    assert jobs.requeue_stalled_jobs() == []
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == jobs.ABANDONED_ERROR


def test_a_failure_reason_is_recorded_in_french_and_the_cause_in_the_log(admin, settings, caplog):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    job = FinessImport(requested_by=admin, original_name="vide.csv")
    job.file.save("vide.csv", ContentFile(b"finess;etalab;111;2026-05-12\n"))
    job = services.run_finess_import(job.pk)
    assert job.status == JobStatus.FAILED
    assert "aucune ligne d'établissement" in job.error
    assert "refused" in caplog.text


def test_the_status_endpoint_answers_only_within_the_users_perimeter(
    client, ars, ars_other_region, national
):
    job = ReportJob.objects.create(
        kind=ReportJob.Kind.REGION, region=region("11"), wave=WaveFactory(), requested_by=ars
    )
    url = reverse("reports:job-status", args=[job.pk])
    client.force_login(ars_other_region)
    assert client.get(url).status_code == 404  # another region's job: not even its existence
    client.force_login(ars)
    assert client.get(url).json() == {
        "status": "pending",
        "status_label": "En attente",
        "progress": 0,
        "text": "En attente — 0 %",
        "finished": False,
        "waiting_for_broker": False,
        "error": "",
        "download_url": None,
    }
    ReportJob.objects.filter(pk=job.pk).update(enqueue_failed=True)
    data = client.get(url).json()
    assert data["waiting_for_broker"]
    assert data["text"] == (
        "En attente : le service de calcul est indisponible, la demande sera traitée dès son "
        "retour."
    )
