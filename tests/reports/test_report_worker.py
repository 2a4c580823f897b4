"""End to end on real services: a Celery worker process on the real Redis renders the report the
view asked for, while the test polls the status view like the progress page does. A killed
worker and a dead broker are tested on the jobs framework itself, in tests/core."""

import pytest
from django.urls import reverse

from tests.core.worker import celery_worker_process, celery_workers_factory  # noqa: F401 (fixtures)
from tests.waiting import wait_until

from .conftest import pdf_text

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_real_worker_renders_the_report_the_page_asked_for(
    client, ars, report_cluster, celery_worker
):
    client.force_login(ars)
    response = client.post(reverse("reports:cluster-report-request", args=[report_cluster.pk]))
    assert response.status_code == 302
    status_url = response.url.rstrip("/") + "/statut/"

    seen = []

    def finished_status():
        assert celery_worker.poll() is None, "the worker died"
        status = client.get(status_url).json()
        seen.append(status["progress"])
        return status if status["finished"] else None

    status = wait_until(finished_status, "the report finished", timeout=120, interval=0.3)
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
