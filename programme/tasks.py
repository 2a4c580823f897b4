"""Celery entry points of the programme app (the work is in programme.services)."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task
def delete_old_import_files() -> int:
    """Beat, every night: uploaded import files older than IMPORT_FILE_RETENTION_DAYS."""
    return services.delete_old_import_files(days=settings.IMPORT_FILE_RETENTION_DAYS)
