"""End to end on real services: a Celery worker process on the real Redis renders the report the
view asked for, while the test polls the status view like the progress page does."""

import time

import pytest
from django.urls import reverse

from .conftest import pdf_text
from .worker import celery_worker_process, celery_workers_factory  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_real_worker_renders_the_report_the_page_asked_for(
    client, ars, report_cluster, celery_worker
):
    client.force_login(ars)
    response = client.post(reverse("reports:cluster-report-request", args=[report_cluster.pk]))
    assert response.status_code == 302
    status_url = response.url.rstrip("/") + "/statut/"

    seen = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = client.get(status_url).json()
        seen.append(status["progress"])
        if status["finished"]:
            break
        assert celery_worker.poll() is None, "the worker died"
        time.sleep(0.3)
    assert status["status"] == "done", status
    assert seen == sorted(seen)  # progress only moves forward

    download = client.get(status["download_url"])
    assert download.status_code == 200
    text = pdf_text(b"".join(download.streaming_content))
    assert report_cluster.name in text
    for membership in report_cluster.memberships.select_related("establishment"):
        assert membership.establishment.short_name in text
    for session in report_cluster.sessions.all():
        assert f"{session.held_on:%d/%m/%Y}" in text


def test_a_job_whose_worker_is_killed_is_run_again_by_another_worker(
    client, ars, report_cluster, celery_workers, settings
):
    import signal

    from reports import services
    from reports.models import ReportJob

    first = celery_workers.start()
    client.force_login(ars)
    client.post(reverse("reports:cluster-report-request", args=[report_cluster.pk]))
    job = ReportJob.objects.get()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status != ReportJob.Status.PENDING:
            break
        time.sleep(0.05)
    assert job.status == ReportJob.Status.RUNNING
    first.send_signal(signal.SIGKILL)  # killed in the middle of the job
    first.wait(timeout=10)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.RUNNING  # left as it was

    settings.CELERY_TASK_TIME_LIMIT = 0  # so the requeue treats it as past its time limit now
    assert services.requeue_pending_jobs() == [job.pk]
    celery_workers.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not job.is_finished:
        time.sleep(0.3)
        job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE, job.error
    assert job.attempts == 2
