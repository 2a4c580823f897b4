"""Uploaded import files are deleted after IMPORT_FILE_RETENTION_DAYS by a nightly beat task:
FINESS extracts (the import keeps its report) and past-cluster files never confirmed."""

import datetime
import os

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from establishments.models import FinessImport
from programme.tasks import delete_old_import_files
from qvt.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    return tmp_path / "media"


def finess_import(days_old: int) -> FinessImport:
    job = FinessImport(original_name="etalab.csv", status="done")
    job.file.save("etalab.csv", ContentFile(b"finess;etalab;111;2026-05-12\n"), save=False)
    job.save()
    FinessImport.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_old)
    )
    job.refresh_from_db()
    return job


def pending_file(media, name: str, days_old: int) -> str:
    path = default_storage.save(f"imports/{name}", ContentFile(b"vague;region"))
    stamp = (timezone.now() - datetime.timedelta(days=days_old)).timestamp()
    os.utime(media / path, (stamp, stamp))
    return path


def test_import_files_older_than_the_retention_are_deleted(media, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    old_job, recent_job = finess_import(31), finess_import(29)
    old_name, recent_name = old_job.file.name, recent_job.file.name
    old_pending = pending_file(media, "ancien.csv", 31)
    old_rejects = pending_file(media, "rejets-ancien.csv", 40)
    recent_pending = pending_file(media, "recent.xlsx", 1)

    assert delete_old_import_files() == 3

    assert not (media / old_name).exists() and (media / recent_name).exists()
    old_job.refresh_from_db()
    recent_job.refresh_from_db()
    assert old_job.file.name == "" and old_job.status == "done"  # the report stays
    assert recent_job.file.name == recent_name
    assert not default_storage.exists(old_pending) and not default_storage.exists(old_rejects)
    assert default_storage.exists(recent_pending)
    assert delete_old_import_files() == 0  # nothing left to delete


def test_a_confirmed_import_sharing_the_file_is_cleared_too(media, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 30
    stopped = finess_import(35)
    confirmation = FinessImport.objects.create(
        original_name="etalab.csv", file=stopped.file.name, confirmed_from=stopped
    )
    FinessImport.objects.filter(pk=confirmation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=34)
    )
    assert delete_old_import_files() == 1
    assert set(FinessImport.objects.values_list("file", flat=True)) == {""}


def test_the_retention_is_a_setting(media, settings):
    settings.IMPORT_FILE_RETENTION_DAYS = 60
    job = finess_import(31)
    assert delete_old_import_files() == 0
    job.refresh_from_db()
    assert job.file.name


def test_beat_runs_the_task_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["delete-old-import-files"]
    assert entry["task"] == "programme.tasks.delete_old_import_files"
    assert entry["task"] in app.tasks
    assert settings.IMPORT_FILE_RETENTION_DAYS == 30  # the default
