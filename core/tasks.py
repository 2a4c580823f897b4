"""Celery entry points of the jobs framework (the work is in core.jobs)."""

from celery import shared_task

from . import jobs


@shared_task
def requeue_stalled_jobs() -> int:
    """Beat, every minute: jobs whose worker died or that a dead broker left pending."""
    return len(jobs.requeue_stalled_jobs())
