"""The jobs framework on real services: Celery worker processes on the real Redis and the test
database. A worker is killed with SIGKILL in the middle of a job; a broker is unreachable when a
job is asked for. In both cases the requeue task (what beat runs every minute) brings the job to
its end, without anybody clicking."""

import signal

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from core.tasks import requeue_stalled_jobs
from establishments import services
from establishments.finess import with_luhn_key
from establishments.models import Establishment, FinessImport
from tests.core.worker import celery_workers_factory  # noqa: F401 (fixture)
from tests.establishments.conftest import structure, write_extract
from tests.factories import admin_user
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/4"  # nothing listens on port 1
ESTABLISHMENTS = 5


def upload(tmp_path, admin) -> FinessImport:
    numbers = [with_luhn_key(f"750{n:05d}") for n in range(ESTABLISHMENTS)]
    path = write_extract(tmp_path / "extract.csv", [structure(number) for number in numbers])
    file = SimpleUploadedFile("etalab.csv", path.read_bytes())
    # No transaction here: the job is committed and sent to the broker at once.
    return services.create_finess_import(upload=file, dry_run=False, strict=False, by=admin)


def fresh(job: FinessImport) -> FinessImport:
    job.refresh_from_db()
    return job


def waiting_for_import_lock() -> bool:
    """A backend waits for the import's advisory lock (held by the test)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND classid = 0 AND objid = %s",
            [services.IMPORT_LOCK],
        )
        return cursor.fetchone()[0] > 0


def test_a_job_whose_worker_is_killed_is_requeued_and_completed_by_another_worker(
    tmp_path, celery_workers, settings
):
    admin = admin_user(username="admin-kill")
    first = celery_workers.start()
    # The test holds the import's lock: the worker stops in the middle of the job, provably
    # (it waits for the lock), whatever the speed of the machine.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [services.IMPORT_LOCK])
    try:
        job = upload(tmp_path, admin)
        wait_until(
            lambda: fresh(job).progress > 0 and waiting_for_import_lock(), "mid-import", timeout=120
        )
        assert job.status == FinessImport.Status.RUNNING and job.attempts == 1
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [services.IMPORT_LOCK])
    assert fresh(job).status == FinessImport.Status.RUNNING  # nobody else knows it died

    # The heartbeat timeout is low in this (the requeue's) process only: the killed worker's
    # last heartbeat is already too old.
    settings.JOB_HEARTBEAT_TIMEOUT = 0
    assert requeue_stalled_jobs() == 1
    assert fresh(job).status == FinessImport.Status.PENDING and job.sent_at is not None

    celery_workers.start()
    wait_until(lambda: fresh(job).is_finished, "the second worker finished the job", timeout=120)
    assert job.status == FinessImport.Status.DONE, job.error
    assert job.attempts == 2
    assert job.summary == f"created={ESTABLISHMENTS} updated=0 unchanged=0 deactivated=0 rejected=0"
    assert Establishment.objects.count() == ESTABLISHMENTS


def test_a_finess_import_left_pending_by_a_dead_broker_runs_once_it_is_back(
    tmp_path, celery_workers, settings
):
    admin = admin_user(username="admin-broker")
    real_broker = settings.CELERY_BROKER_URL
    celery_workers.start()  # a worker on the real broker, ready to take anything sent
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER  # the web side cannot reach the broker
    job = upload(tmp_path, admin)
    assert fresh(job).status == FinessImport.Status.PENDING
    assert job.enqueue_failed and job.sent_at is None
    assert requeue_stalled_jobs() == 0  # still unreachable: the job keeps waiting
    assert redis.Redis.from_url(real_broker).llen("celery") == 0  # no message to run
    assert fresh(job).status == FinessImport.Status.PENDING

    settings.CELERY_BROKER_URL = real_broker  # the broker is back; beat runs its task
    assert requeue_stalled_jobs() == 1
    wait_until(lambda: fresh(job).is_finished, "the worker finished the job", timeout=120)
    assert job.status == FinessImport.Status.DONE, job.error
    assert not job.enqueue_failed and job.attempts == 1
    assert Establishment.objects.count() == ESTABLISHMENTS
