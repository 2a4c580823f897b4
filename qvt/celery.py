"""Celery application: JSON only, time limits, short broker timeouts (a dead Redis must not hang
a web request: enqueueing fails fast and the job stays pending until the beat task
core.tasks.requeue_stalled_jobs sends it). The settings are the CELERY_* ones of qvt/settings.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qvt.settings")

app = Celery("qvt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
