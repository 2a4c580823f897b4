"""Report jobs: asking, running once, failing in French, requeueing, and who may see them."""

import datetime
import time

import pytest
import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts.models import RoleAssignment
from core import jobs
from core.models import BROKER_DOWN_TEXT
from reports import services, tasks
from reports.models import ReportJob

from .conftest import pdf_text

pytestmark = pytest.mark.django_db

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/4"  # nothing listens on port 1


@pytest.fixture
def broker_queue():
    """The real Redis queue of our broker URL, emptied before and after the test."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery")
    yield client
    client.delete("celery")


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    return tmp_path


def ask(client, cluster, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:cluster-report-request", args=[cluster.pk]))
    return response, ReportJob.objects.get(cluster=cluster)


def test_asking_records_a_pending_job_and_queues_it_after_commit(
    client, ars, report_cluster, broker_queue, django_capture_on_commit_callbacks
):
    client.force_login(ars)
    response, job = ask(client, report_cluster, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response.url == reverse("reports:job-detail", args=[job.pk])
    assert job.status == ReportJob.Status.PENDING and job.requested_by == ars
    assert job.sent_at is not None
    assert broker_queue.llen("celery") == 1


def test_a_task_delivered_twice_runs_once(ars, report_cluster, media):
    job = services.request_report(kind="cluster", cluster=report_cluster, by=ars)
    tasks.generate_report(job.pk)
    tasks.generate_report(job.pk)  # the same message delivered again
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE and job.progress == 100
    assert job.attempts == 1
    assert len(list((media / "reports").iterdir())) == 1


def test_a_running_job_is_not_run_by_a_second_delivery(ars, report_cluster, media):
    job = services.request_report(kind="cluster", cluster=report_cluster, by=ars)
    assert jobs.claim(ReportJob, job.pk)  # the first delivery holds it
    tasks.generate_report(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.RUNNING and job.attempts == 1
    assert not (media / "reports").exists()


def test_asking_again_replaces_the_previous_file(ars, report_cluster, media):
    job = services.request_report(kind="cluster", cluster=report_cluster, by=ars)
    services.run_job(job.pk)
    job.refresh_from_db()
    first_file = job.file.name
    services.request_report(kind="cluster", cluster=report_cluster, by=ars)
    services.run_job(job.pk)
    job.refresh_from_db()
    assert ReportJob.objects.count() == 1
    assert job.file.name != first_file
    assert not default_storage.exists(first_file)
    assert [p.name for p in (media / "reports").iterdir()] == [job.file.name.split("/")[-1]]


def test_broker_down_the_view_answers_fast_and_the_job_is_requeued_later(
    client, ars, report_cluster, settings, broker_queue, django_capture_on_commit_callbacks
):
    client.force_login(ars)
    real_broker = settings.CELERY_BROKER_URL
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    start = time.monotonic()
    response, job = ask(client, report_cluster, django_capture_on_commit_callbacks)
    assert time.monotonic() - start < 3
    assert response.status_code == 302
    assert job.status == ReportJob.Status.PENDING and job.sent_at is None and job.enqueue_failed
    page = client.get(response.url).content.decode()
    assert f'<p class="fr-text--sm" role="status" data-job-text>{BROKER_DOWN_TEXT}</p>' in page
    assert client.get(reverse("reports:job-status", args=[job.pk])).json()["waiting_for_broker"]

    assert jobs.requeue_stalled_jobs() == []  # still down: stays pending
    settings.CELERY_BROKER_URL = real_broker  # the broker is back
    assert jobs.requeue_stalled_jobs() == [job]
    job.refresh_from_db()
    assert job.sent_at is not None and not job.enqueue_failed
    assert broker_queue.llen("celery") == 1
    assert jobs.requeue_stalled_jobs() == []  # sent recently: not again


def test_requeue_command_sends_pending_jobs(ars, report_cluster, settings, broker_queue):
    from django.core.management import call_command

    real_broker = settings.CELERY_BROKER_URL
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    job = services.request_report(kind="cluster", cluster=report_cluster, by=ars)
    assert not jobs.send(ReportJob, job.pk)
    assert broker_queue.llen("celery") == 0
    settings.CELERY_BROKER_URL = real_broker
    call_command("requeue_pending_jobs")
    assert broker_queue.llen("celery") == 1


def test_a_job_without_heartbeat_goes_back_to_pending_and_is_sent_again(
    ars, report_cluster, broker_queue
):
    job = services.request_report(kind="cluster", cluster=report_cluster, by=ars)
    jobs.claim(ReportJob, job.pk)
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT + 1)
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=long_ago)
    assert jobs.requeue_stalled_jobs() == [job]
    job.refresh_from_db()
    assert job.status == ReportJob.Status.PENDING and job.sent_at is not None
    assert broker_queue.llen("celery") == 1


def test_a_failure_is_shown_in_french_logged_and_retry_works(
    client, ars, report_cluster, media, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    import weasyprint

    def broken_render(self, *args, **kwargs):
        raise RuntimeError("cairo exploded")

    monkeypatch.setattr(weasyprint.HTML, "render", broken_render)
    client.force_login(ars)
    job = services.request_report(kind="cluster", cluster=report_cluster, by=ars)
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert "cairo exploded" in caplog.text  # the cause, in the log
    page = client.get(reverse("reports:job-detail", args=[job.pk])).content.decode()
    assert "La génération du rapport a échoué" in page and "Réessayer" in page
    assert "cairo" not in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("reports:job-retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ReportJob.Status.PENDING and job.error == ""
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    download = client.get(reverse("reports:job-download", args=[job.pk]))
    assert "Cluster Restitution Test" in pdf_text(b"".join(download.streaming_content))


def test_a_requester_who_lost_access_gets_a_refusal(ars, report_cluster, media):
    job = services.request_report(kind="cluster", cluster=report_cluster, by=ars)
    RoleAssignment.objects.filter(user=ars).delete()
    ars.refresh_from_db()
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED and job.error == services.ACCESS_ERROR


@pytest.fixture
def done_job(ars, report_cluster, media):
    job = services.request_report(kind="cluster", cluster=report_cluster, by=ars)
    services.run_job(job.pk)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("name", ["job-detail", "job-status", "job-download"])
def test_another_regions_user_gets_404_on_a_job(client, ars_other_region, done_job, name):
    client.force_login(ars_other_region)
    assert client.get(reverse(f"reports:{name}", args=[done_job.pk])).status_code == 404
    assert client.post(reverse("reports:job-retry", args=[done_job.pk])).status_code == 404


def test_another_regions_user_cannot_ask_for_the_cluster_report(
    client, ars_other_region, report_cluster
):
    client.force_login(ars_other_region)
    url = reverse("reports:cluster-report-request", args=[report_cluster.pk])
    assert client.post(url).status_code == 404
    assert not ReportJob.objects.exists()


def test_status_view_reports_progress_and_the_download_link(client, aract, done_job):
    client.force_login(aract)
    data = client.get(reverse("reports:job-status", args=[done_job.pk])).json()
    assert data["status"] == "done" and data["progress"] == 100 and data["finished"]
    assert data["download_url"] == reverse("reports:job-download", args=[done_job.pk])


def test_download_is_a_pdf_that_no_cache_keeps(client, national, done_job):
    client.force_login(national)
    response = client.get(reverse("reports:job-download", args=[done_job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]


def test_the_national_summary_is_for_national_readers(
    client, ars, national, report_cluster, broker_queue
):
    client.force_login(ars)
    assert client.post(reverse("reports:national-report-request")).status_code == 403
    job = services.request_report(kind="national", by=national)
    assert client.get(reverse("reports:job-status", args=[job.pk])).status_code == 404
    client.force_login(national)
    assert client.get(reverse("reports:job-status", args=[job.pk])).status_code == 200


def test_an_ars_user_asks_for_the_regional_summary_of_their_region_only(
    client, ars, report_cluster, broker_queue
):
    from establishments.models import Region

    client.force_login(ars)
    wave = report_cluster.wave.pk
    breton = Region.objects.get(code="53").pk
    response = client.post(
        reverse("reports:region-report-request"), {"region": breton, "wave": wave}
    )
    assert response.status_code == 302 and not ReportJob.objects.exists()
    own = report_cluster.region_id
    client.post(reverse("reports:region-report-request"), {"region": own, "wave": wave})
    assert ReportJob.objects.get().kind == "region"


def test_report_pages_render(client, ars, done_job, report_cluster):
    client.force_login(ars)
    assert client.get(reverse("reports:report-list")).status_code == 200
    page = client.get(reverse("reports:cluster-report", args=[report_cluster.pk]))
    assert "Télécharger le rapport" in page.content.decode()


def test_the_progress_page_works_without_javascript(client, ars, report_cluster, broker_queue):
    job = services.request_report(kind="cluster", cluster=report_cluster, by=ars)
    client.force_login(ars)
    page = client.get(reverse("reports:job-detail", args=[job.pk])).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert '<progress id="job-progress-' in page and 'value="0"' in page
    assert ">Actualiser</a>" in page
    ReportJob.objects.filter(pk=job.pk).update(status="failed", error="Échec de test.")
    page = client.get(reverse("reports:job-detail", args=[job.pk])).content.decode()
    assert "http-equiv" not in page and "Échec de test." in page and "Réessayer" in page


def test_a_report_whose_file_is_gone_answers_404(client, ars, done_job):
    default_storage.delete(done_job.file.name)
    client.force_login(ars)
    assert client.get(reverse("reports:job-download", args=[done_job.pk])).status_code == 404
    assert client.get(reverse("reports:job-detail", args=[done_job.pk])).status_code == 200


def test_the_cluster_page_offers_the_report(client, ars, report_cluster):
    client.force_login(ars)
    page = client.get(reverse("clusters:cluster-detail", args=[report_cluster.pk])).content
    request_url = reverse("reports:cluster-report-request", args=[report_cluster.pk])
    assert f'action="{request_url}"'.encode() in page
    assert "Générer le rapport de restitution".encode() in page
