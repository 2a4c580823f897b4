"""Celery entry points of the establishments app (ids in, the services do the work)."""

from celery import shared_task

from . import services


# acks_late: a worker killed mid-import leaves the message for another one; the import is
# idempotent (claimed once, written in one transaction, a re-import of a file changes nothing).
@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_finess_import(job_id: int) -> None:
    services.run_finess_import(job_id)
