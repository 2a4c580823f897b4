"""A real Celery worker process for integration and browser tests."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{db['USER']}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture(name="celery_worker")
def celery_worker_process(tmp_path, settings):
    """`celery -A qvt worker --pool solo` on the test database and our Redis database; media in
    a temporary folder shared with this process."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("celery")  # no stale messages
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "CONN_MAX_AGE": "0",
        "DJANGO_SETTINGS_MODULE": "qvt.settings",
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "qvt", "worker", "--pool", "solo",
         "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    yield worker
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
    log.close()
    print((tmp_path / "worker.log").read_text()[-3000:])  # shown when the test fails
