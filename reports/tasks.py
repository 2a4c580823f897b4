"""Celery entry points of the reports (the work itself is in services)."""

from celery import shared_task

from . import services


# acks_late + reject_on_worker_lost: a worker killed mid-job leaves the message for another one;
# the job is idempotent (claimed by a conditional UPDATE, its file replaced as a whole).
@shared_task(acks_late=True, reject_on_worker_lost=True)
def generate_report(job_id: int) -> None:
    services.run_job(job_id)
