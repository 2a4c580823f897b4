"""A real Celery worker process for integration and browser tests."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = quote(db.get("HOST") or "127.0.0.1", safe="")  # the embedded server: a socket folder
    return f"postgres://{db['USER']}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


class Workers:
    """Starts `celery -A qvt worker --pool solo` processes on the test database and our Redis
    database, with media in a temporary folder shared with the test process."""

    def __init__(self, folder: Path, broker_url: str):
        self.folder = folder
        self.broker_url = broker_url
        self.processes = []

    def start(self) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.broker_url,
            "MEDIA_ROOT": str(self.folder / "media"),
            "CONN_MAX_AGE": "0",
            "DJANGO_SETTINGS_MODULE": "qvt.settings",
        }
        log = (self.folder / f"worker-{len(self.processes)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "qvt", "worker", "--pool", "solo",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        log.close()
        self.processes.append(process)
        return process

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        for log in sorted(self.folder.glob("worker-*.log")):
            print(log.name, log.read_text()[-3000:])  # shown when the test fails


@pytest.fixture(name="celery_workers")
def celery_workers_factory(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("celery")  # no stale messages
    workers = Workers(tmp_path, settings.CELERY_BROKER_URL)
    yield workers
    workers.stop()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("celery")


@pytest.fixture(name="celery_worker")
def celery_worker_process(celery_workers):
    """One worker, started at once."""
    return celery_workers.start()
