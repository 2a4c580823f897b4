"""An ARS user asks for a cluster's restitution report, watches it progress, downloads it."""

import pytest
from django.db import connection, transaction

from reports.models import ReportJob
from tests.core.worker import celery_workers_factory  # noqa: F401
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import TEST_PASSWORD
from tests.reports.conftest import pdf_text, report_cluster  # noqa: F401 (fixture)
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


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

    # A report takes well under a second: the test holds a table the report reads, so that the
    # worker stops in the middle of the job and the bar is seen between 0 and 100 whatever the
    # speed of the machine (the status view reads none of it).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE clusters_attendance IN ACCESS EXCLUSIVE MODE")
        celery_workers.start()
        job = wait_until(
            lambda: ReportJob.objects.filter(cluster=report_cluster, progress__gt=0).first(),
            "a worker reporting progress",
        )
        assert 0 < job.progress < 100
        page.wait_for_function(
            "expected => document.querySelector('progress').value === expected",
            arg=job.progress,
            timeout=10_000,
        )
        assert page.get_by_text(job.status_text).is_visible()
        assert page.evaluate("() => window.notReloaded === true")  # moved without a reload

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
