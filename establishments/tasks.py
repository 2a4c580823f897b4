"""Celery entry points of the establishments app (ids in, the service does the work)."""

import logging

from celery import shared_task

from . import services
from .models import FinessImport

logger = logging.getLogger(__name__)


@shared_task
def run_finess_import(job_id: int) -> None:
    """Claim the import job (it runs once) and run it."""
    if not services.claim_finess_import(job_id):
        return  # already claimed, finished, or deleted
    job = FinessImport.objects.select_related("created_by").get(pk=job_id)
    try:
        services.run_finess_import_job(job=job)
    except Exception:
        FinessImport.objects.filter(pk=job_id).update(
            status=FinessImport.Status.FAILED,
            message="L'import a échoué sur une erreur inattendue : réessayez ou prévenez l'équipe.",
        )
        raise


def enqueue_finess_import(job_id: int) -> bool:
    """Queue the job; with the broker down the job stays pending (the page offers to relaunch)."""
    try:
        run_finess_import.delay(job_id)
    except Exception:  # kombu / redis connection errors: the request must not fail
        logger.warning("FINESS import %s not queued: broker unavailable", job_id, exc_info=True)
        return False
    return True
