"""An ARS user asks for a cluster's restitution report, watches it progress, downloads it."""

import os
import signal
import time

import pytest

from reports.models import ReportJob
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import TEST_PASSWORD
from tests.reports.conftest import pdf_text, report_cluster  # noqa: F401 (fixture)
from tests.reports.worker import celery_workers_factory  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def running_job(job, timeout=60):
    """The job once a worker has claimed it (polled every 5 ms: it runs for well under a second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == ReportJob.Status.RUNNING:
            return job
        assert job.status == ReportJob.Status.PENDING, job.error
        time.sleep(0.005)
    raise AssertionError("no worker claimed the job")


def test_ars_user_generates_watches_and_downloads_the_report(
    page,
    ars,
    report_cluster,  # noqa: F811 (fixture imported above)
    celery_workers,
):
    log_in(page, ars.username, TEST_PASSWORD)
    page.goto(f"/rapports/clusters/{report_cluster.pk}/")
    assert_accessible(page)
    page.goto(f"/clusters/{report_cluster.pk}/")  # the panel the cluster page includes

    page.get_by_role("button", name="Générer le rapport de restitution").click()
    progress = page.locator("progress")
    progress.wait_for()  # the progress bar, moved by job-progress.js
    assert page.get_by_role("link", name="Actualiser").is_visible()
    assert_accessible(page)
    page.evaluate("() => { window.notReloaded = true; }")

    # A report takes well under a second: the worker is frozen while the job runs, so that the
    # bar is seen between 0 and 100 whatever the speed of the machine.
    worker = celery_workers.start()
    job = running_job(ReportJob.objects.get(cluster=report_cluster))
    os.kill(worker.pid, signal.SIGSTOP)
    try:
        time.sleep(0.05)  # an update the worker had just sent gets committed
        job.refresh_from_db()
        assert 0 < job.progress < 100
        page.wait_for_function(
            "expected => document.querySelector('progress').value === expected",
            arg=job.progress,
            timeout=10_000,
        )
        assert page.evaluate("() => window.notReloaded === true")  # moved without a reload
    finally:
        os.kill(worker.pid, signal.SIGCONT)

    download_link = page.get_by_role("link", name="Télécharger le rapport")
    download_link.wait_for(timeout=60_000)  # the script reloads the page once the job is done
    assert page.get_by_text("Le rapport est prêt").is_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        download_link.click()
    path = download_info.value.path()
    with open(path, "rb") as handle:
        text = pdf_text(handle.read())
    assert report_cluster.name in text

    page.get_by_role("link", name="Rapports", exact=True).first.click()
    page.get_by_role("heading", name="Rapports demandés").wait_for()
    assert page.get_by_role("cell", name=report_cluster.name).is_visible()
    assert_accessible(page)
