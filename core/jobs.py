"""The one jobs framework: every background job (reports, FINESS imports, ...) goes through here.

A job's state lives in its database row (a model of core.models.Job); the Celery message only
carries its id. The life of a job:
- `enqueue_on_commit(job)`: the message is sent once the transaction commits, through a broker
  connection with short timeouts. A dead broker does not hang the request: the job stays pending,
  marked `enqueue_failed`, and `requeue_stalled_jobs` sends it once the broker is back.
- `execute(Model, job_id, work)` (in the worker): claim once with a conditional UPDATE, keep a
  heartbeat while `work(job)` runs, turn its exceptions into a French error.
- `report_progress`, `finish`, `fail`: conditional UPDATEs that a stale run (its job was requeued
  and claimed again meanwhile) cannot overwrite.
- `requeue_stalled_jobs()` (beat, every minute): running jobs without a heartbeat for
  JOB_HEARTBEAT_TIMEOUT seconds lost their worker: back to pending, or failed after
  JOB_MAX_ATTEMPTS runs; pending jobs the broker never got are sent again.
"""

import datetime
import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Job, JobStatus, heartbeat_cutoff

logger = logging.getLogger(__name__)

TIMEOUT_ERROR = "Le traitement a dépassé le temps imparti. Réessayez plus tard."
INTERRUPTED_ERROR = (
    "Le traitement a été interrompu à plusieurs reprises (processus de calcul arrêté). "
    "Réessayez plus tard ; si le problème persiste, signalez-le à l'administrateur du service."
)
# A job only its own process could run (a command) whose process died.
ABANDONED_ERROR = "Le traitement a été interrompu avant la fin (processus arrêté). Relancez-le."


class JobFailure(Exception):
    """A failure whose French message can be shown to the user as it is."""


def job_models() -> list[type[Job]]:
    """Every concrete job model of the project (the requeue task walks them all)."""
    return [model for model in apps.get_models() if issubclass(model, Job)]


# --- Enqueueing (web side) --------------------------------------------------------------------


def enqueue_on_commit(job: Job) -> None:
    """Send the job to the worker once the current transaction commits (at once without one)."""
    model, job_id = type(job), job.pk
    transaction.on_commit(lambda: send(model, job_id))


def send(model: type[Job], job_id: int) -> bool:
    """Hand the job to the broker by task name. When Redis is down this fails within about a
    second (short socket timeouts, no retries) and the job is marked `enqueue_failed`."""
    app = current_app
    # Looked up by name in Celery's registry (filled by autodiscovery): no import of the app's
    # tasks module here, and `task_always_eager` still applies.
    if model.task_name not in app.tasks:
        app.loader.import_default_modules()  # outside the worker, autodiscovery is lazy
    task = app.tasks[model.task_name]
    options = {**app.conf.broker_transport_options, "max_retries": 0}
    try:
        with app.connection_for_write(transport_options=options) as broker:
            task.apply_async(args=[job_id], connection=broker, retry=False)
    except Exception as error:  # the broker's own errors vary with the transport
        logger.warning("%s %s not queued, broker unreachable: %s", model.__name__, job_id, error)
        model.objects.filter(pk=job_id, status=JobStatus.PENDING).update(enqueue_failed=True)
        return False
    model.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        sent_at=timezone.now(), enqueue_failed=False
    )
    return True


def restart(job: Job, *, by=None, **values) -> bool:
    """Put a finished, stalled or waiting job back to pending and send it after commit (the
    "Réessayer"/"Relancer" buttons). Not a job that is running with a live worker. `values`
    reset the model's own fields (e.g. a report's file stays until the new one replaces it)."""
    model = type(job)
    live = Q(status=JobStatus.RUNNING, heartbeat_at__gte=heartbeat_cutoff())
    reset = {
        "status": JobStatus.PENDING,
        "progress": 0,
        "progress_message": "",
        "attempts": 0,
        "error": "",
        "sent_at": None,
        "enqueue_failed": False,
        "claimed_at": None,
        "heartbeat_at": None,
        "started_at": None,
        "finished_at": None,
        **({"requested_by": by} if by is not None else {}),
        **values,
    }
    if not model.objects.filter(pk=job.pk).exclude(live).update(**reset):
        return False
    for field, value in reset.items():
        setattr(job, field, value)
    enqueue_on_commit(job)
    return True


# --- Running (worker side) --------------------------------------------------------------------


def claim(model: type[Job], job_id: int) -> Job | None:
    """pending → running in one conditional UPDATE: of two deliveries of a message, one wins."""
    now = timezone.now()
    claimed = model.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        claimed_at=now,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        progress=0,
        progress_message="",
        error="",
    )
    return model.objects.get(pk=job_id) if claimed else None


def _this_run(job: Job):
    """The job's row as long as this run owns it (still running, not claimed again since: each
    claim has its own `claimed_at`)."""
    return type(job).objects.filter(pk=job.pk, status=JobStatus.RUNNING, claimed_at=job.claimed_at)


def report_progress(job: Job, percent: int, message: str = "") -> bool:
    """Record the progress (0–100, with a French message) and refresh the heartbeat. Autocommitted
    when called outside a transaction: the page sees it at once."""
    job.progress, job.progress_message = percent, message
    return bool(
        _this_run(job).update(
            progress=percent, progress_message=message[:200], heartbeat_at=timezone.now()
        )
    )


def finish(job: Job, **values) -> bool:
    """running → done, with the model's own result fields. False when this run is stale."""
    done = {"status": JobStatus.DONE, "progress": 100, "finished_at": timezone.now(), **values}
    updated = _this_run(job).update(**done)
    if updated:
        for field, value in done.items():
            setattr(job, field, value)
    return bool(updated)


def fail(job: Job, message: str, **values) -> bool:
    """running → failed with a French message for the user."""
    failed = {"status": JobStatus.FAILED, "error": message, "finished_at": timezone.now(), **values}
    updated = _this_run(job).update(**failed)
    if updated:
        for field, value in failed.items():
            setattr(job, field, value)
    return bool(updated)


def execute(model: type[Job], job_id: int, work: Callable[[Job], None]) -> Job | None:
    """Claim the job and run `work(job)`, which calls `finish` (or raises). Returns None when
    another delivery owns the job. `JobFailure` becomes the job's error as it is; any other
    exception is logged and the user sees the model's generic French message."""
    job = claim(model, job_id)
    if job is None:
        logger.info("%s %s not pending: this delivery does nothing", model.__name__, job_id)
        return None
    with heartbeat(job):
        try:
            work(job)
        except JobFailure as failure:
            logger.warning("%s %s refused: %s", model.__name__, job_id, failure)
            fail(job, str(failure))
        except SoftTimeLimitExceeded:
            logger.error("%s %s over its time limit", model.__name__, job_id)
            fail(job, TIMEOUT_ERROR)
        except Exception:
            logger.exception("%s %s failed", model.__name__, job_id)
            fail(job, job.generic_error)
    if _this_run(job).exists():  # `work` returned without finishing the job: a bug
        logger.error("%s %s: the work returned without finishing the job", model.__name__, job_id)
        fail(job, job.generic_error)
    job.refresh_from_db()
    return job


@contextmanager
def heartbeat(job: Job):
    """Refresh the job's heartbeat from a thread while the work runs, so that a long step with
    no progress report (a PDF layout) is not taken for a dead worker. The thread dies with its
    process: a killed worker stops beating and the requeue task notices."""
    stop = threading.Event()
    interval = max(settings.JOB_HEARTBEAT_TIMEOUT / 4, 1)

    def beat():
        try:
            while not stop.wait(interval):
                try:
                    _this_run(job).update(heartbeat_at=timezone.now())
                except Exception:  # a database hiccup: the next beat tries again
                    logger.warning("Heartbeat of %s %s failed", type(job).__name__, job.pk)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{job.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


# --- Requeue (beat) ---------------------------------------------------------------------------


def requeue_stalled_jobs() -> list[Job]:
    """Requeue every job model's lost jobs; returns the jobs sent to the broker."""
    sent = []
    for model in job_models():
        sent += _requeue(model)
    return sent


def _requeue(model: type[Job]) -> list[Job]:
    now = timezone.now()
    cutoff = heartbeat_cutoff()
    stalled = model.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    )
    reset = []
    for job in stalled:  # a handful of rows: the ones whose worker died
        if not job.can_requeue():
            logger.warning("%s %s stalled, not requeueable: failed", model.__name__, job.pk)
            fail(job, ABANDONED_ERROR)
        elif job.attempts >= settings.JOB_MAX_ATTEMPTS:
            logger.warning(
                "%s %s stalled, attempt %s: failed", model.__name__, job.pk, job.attempts
            )
            fail(job, INTERRUPTED_ERROR)
        elif _this_run(job).update(
            status=JobStatus.PENDING, progress=0, progress_message="", heartbeat_at=None
        ):
            logger.warning(
                "%s %s stalled, attempt %s: requeued", model.__name__, job.pk, job.attempts
            )
            reset.append(job.pk)
    # A message the broker still has is redelivered after its visibility timeout: older than
    # that, it was lost (Redis flushed).
    lost = now - datetime.timedelta(
        seconds=settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    )
    pending = model.objects.filter(status=JobStatus.PENDING).filter(
        Q(pk__in=reset)
        | Q(enqueue_failed=True)  # the broker was down
        | Q(sent_at__isnull=True, created_at__lt=cutoff)  # the process died before sending
        | Q(sent_at__lt=lost)
    )
    sent = []
    for job in pending.order_by("created_at"):
        if not job.can_requeue():
            fail_pending(job, ABANDONED_ERROR)
        elif send(model, job.pk):
            sent.append(job)
    return sent


def fail_pending(job: Job, message: str) -> None:
    type(job).objects.filter(pk=job.pk, status=JobStatus.PENDING).update(
        status=JobStatus.FAILED, error=message, finished_at=timezone.now()
    )
