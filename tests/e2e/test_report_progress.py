"""An ARS user asks for a cluster's restitution report, watches it progress, downloads it."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import TEST_PASSWORD
from tests.reports.conftest import pdf_text, report_cluster  # noqa: F401 (fixture)
from tests.reports.worker import celery_worker_process, celery_workers_factory  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_ars_user_generates_watches_and_downloads_the_report(
    page,
    ars,
    report_cluster,  # noqa: F811 (fixture imported above)
    celery_worker,
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

    download_link = page.get_by_role("link", name="Télécharger le rapport")
    seen = []  # the bar's values, as job-progress.js moves them without reloading the page
    for _ in range(600):
        if download_link.count():
            break  # the script reloaded the page once the job was done
        try:
            value = page.evaluate("() => document.querySelector('progress')?.value ?? null")
        except PlaywrightError:  # the page is reloading
            value = None
        if value is not None:
            seen.append(value)
        page.wait_for_timeout(200)
    download_link.wait_for()
    assert seen and seen == sorted(seen)
    assert max(seen) > 0, seen
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
