"""Report jobs: asking for a report, running it once in the worker, requeueing what the broker
lost. A job's state lives in its database row; the Celery message only carries its id."""

import datetime
import logging
import uuid

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from clusters.models import Cluster
from notifications.services import notify

from . import builders, pdf
from .models import ReportJob

logger = logging.getLogger(__name__)

Status = ReportJob.Status
Kind = ReportJob.Kind

GENERIC_ERROR = (
    "La génération du rapport a échoué. Réessayez ; si le problème persiste, "
    "signalez-le à l'administrateur du service."
)
TIMEOUT_ERROR = "La génération du rapport a dépassé le temps imparti. Réessayez plus tard."
ACCESS_ERROR = "Le demandeur n'a plus accès à ce périmètre : le rapport n'a pas été généré."


class ReportFailure(Exception):
    """A failure whose French message can be shown to the user as it is."""


# --- Who may see and ask ----------------------------------------------------------------------


def can_see_target(user, *, kind, cluster=None, region=None) -> bool:
    """A report shows what its target's pages show: the same people may ask for it and read it.
    National summaries are for national readers."""
    if user is None or not user.is_active:
        return False
    roles = user.roles
    if kind == Kind.CLUSTER:
        return Cluster.objects.visible_to(user).filter(pk=cluster.pk).exists()
    if kind == Kind.REGION:
        return roles.can_see_region(region.pk)
    return roles.sees_everything


# --- Asking -----------------------------------------------------------------------------------


@transaction.atomic
def request_report(*, kind: str, by, cluster=None, region=None, wave=None) -> ReportJob:
    """Create or reset the target's job and send it to the worker once the transaction commits.

    A job already running is left alone (asking twice does not start two renders).
    """
    job, created = ReportJob.objects.select_for_update().get_or_create(
        kind=kind,
        cluster=cluster,
        region=region,
        wave=wave,
        defaults={"requested_by": by, "requested_at": timezone.now()},
    )
    if job.status == Status.RUNNING:
        return job
    if not created:
        job.status = Status.PENDING
        job.progress = 0
        job.error = ""
        job.requested_by = by
        job.requested_at = timezone.now()
        job.sent_at = None
        job.started_at = None
        job.finished_at = None
        job.attempts = 0
        job.save()
    job_id = job.pk
    transaction.on_commit(lambda: enqueue(job_id))
    return job


def enqueue(job_id: int) -> bool:
    """Hand the job to the broker. When Redis is down this fails within about a second (short
    timeouts, no retries), the job stays pending and `requeue_pending_jobs` sends it later."""
    from qvt.celery import app

    from .tasks import generate_report

    options = {**app.conf.broker_transport_options, "max_retries": 0}
    try:
        with app.connection_for_write(transport_options=options) as connection:
            generate_report.apply_async(args=[job_id], connection=connection, retry=False)
    except Exception as error:  # the broker's own errors vary with the transport
        logger.warning("Report job %s not queued, broker unreachable: %s", job_id, error)
        return False
    ReportJob.objects.filter(pk=job_id, status=Status.PENDING).update(sent_at=timezone.now())
    return True


# --- Running (in the worker) ------------------------------------------------------------------


def claim(job_id: int) -> bool:
    """pending → running in one conditional UPDATE: of two deliveries, one wins."""
    return bool(
        ReportJob.objects.filter(pk=job_id, status=Status.PENDING).update(
            status=Status.RUNNING,
            progress=5,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


def _set_progress(job_id: int, progress: int) -> None:
    ReportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(progress=progress)


def build_context(job: ReportJob, *, user) -> dict:
    if job.kind == Kind.CLUSTER:
        return builders.cluster_context(job.cluster_id)
    if job.kind == Kind.REGION:
        return builders.region_context(job.region_id, job.wave_id)
    return builders.national_context(job.wave_id, user=user)


def run_job(job_id: int) -> bool:
    """Run a claimed-here job to the end. Returns False when another delivery owns it."""
    if not claim(job_id):
        logger.info("Report job %s not pending: this delivery does nothing", job_id)
        return False
    job = ReportJob.objects.select_related("requested_by", "cluster", "region").get(pk=job_id)
    try:
        user = job.requested_by
        if not can_see_target(user, kind=job.kind, cluster=job.cluster, region=job.region):
            raise ReportFailure(ACCESS_ERROR)
        context = build_context(job, user=user)
        _set_progress(job_id, 30)
        html = pdf.render_html(context)
        _set_progress(job_id, 40)
        rendered = pdf.html_to_pdf(html, on_layout_done=lambda: _set_progress(job_id, 85))
        _set_progress(job_id, 95)
        _store(job, rendered)
    except ReportFailure as failure:
        logger.warning("Report job %s refused: %s", job_id, failure)
        _fail(job, str(failure))
    except SoftTimeLimitExceeded:
        logger.error("Report job %s over its time limit", job_id)
        _fail(job, TIMEOUT_ERROR)
    except Exception:
        logger.exception("Report job %s failed", job_id)
        _fail(job, GENERIC_ERROR)
    return True


def _store(job: ReportJob, rendered: pdf.RenderedPdf) -> None:
    """Save the new file under a random name, then point the job at it and drop the old one."""
    name = default_storage.save(f"reports/{uuid.uuid4().hex}.pdf", ContentFile(rendered.content))
    updated = ReportJob.objects.filter(pk=job.pk, status=Status.RUNNING, attempts=job.attempts)
    if not updated.update(
        status=Status.DONE,
        progress=100,
        file=name,
        page_count=rendered.page_count,
        error="",
        finished_at=timezone.now(),
    ):
        default_storage.delete(name)  # the job was reset meanwhile: this render is stale
        return
    if job.file and job.file.name != name:
        default_storage.delete(job.file.name)
    notify("report_ready", job)


def _fail(job: ReportJob, message: str) -> None:
    ReportJob.objects.filter(pk=job.pk, status=Status.RUNNING, attempts=job.attempts).update(
        status=Status.FAILED, error=message, finished_at=timezone.now()
    )


def retry_job(*, job: ReportJob, by) -> ReportJob:
    """Ask again for the same target (the "Réessayer" button)."""
    return request_report(
        kind=job.kind, by=by, cluster=job.cluster, region=job.region, wave=job.wave
    )


# --- Requeue ----------------------------------------------------------------------------------


MAX_ATTEMPTS = 3
KILLED_ERROR = (
    "La génération du rapport a été interrompue à plusieurs reprises. Réessayez plus tard ; si le "
    "problème persiste, signalez-le à l'administrateur du service."
)


def requeue_pending_jobs(*, older_than: int = 30) -> list[int]:
    """Send again the jobs the broker may have lost, and return their ids:
    - pending jobs never sent (Redis was down) for `older_than` seconds;
    - pending jobs sent but still not started after twice the task's time limit (message lost);
    - running jobs past the hard time limit: their worker died. They go back to pending, or
      fail after MAX_ATTEMPTS runs (a report that kills its worker must not loop forever).
    """
    now = timezone.now()
    limit = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    stuck = ReportJob.objects.filter(status=Status.RUNNING, started_at__lt=now - limit - limit / 5)
    failed = stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, error=KILLED_ERROR, finished_at=now
    )
    reset = list(stuck.values_list("pk", flat=True))
    ReportJob.objects.filter(pk__in=reset, status=Status.RUNNING).update(
        status=Status.PENDING, progress=0, sent_at=None
    )
    if failed or reset:
        logger.warning("Report jobs stuck running: %s failed, %s reset to pending", failed, reset)
    ids = list(
        ReportJob.objects.filter(status=Status.PENDING)
        .filter(
            Q(sent_at__isnull=True, requested_at__lt=now - datetime.timedelta(seconds=older_than))
            | Q(sent_at__lt=now - 2 * limit)
            | Q(pk__in=reset)
        )
        .order_by("requested_at")
        .values_list("pk", flat=True)
    )
    return [job_id for job_id in ids if enqueue(job_id)]


# --- Synchronous (operators' command) ---------------------------------------------------------


def build_report_pdf(*, kind: str, cluster=None, region=None, wave=None) -> pdf.RenderedPdf:
    """The same PDF as the worker's, rendered in-process for an operator."""
    job = ReportJob(kind=kind, cluster=cluster, region=region, wave=wave)
    context = build_context(job, user=builders.Operator())
    return pdf.html_to_pdf(pdf.render_html(context))
