"""Report jobs: asking for a report and building it in the worker. The job's life (enqueue,
claim once, progress, failure, requeue) is the jobs framework's (core.jobs)."""

import logging
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.rules import has_rule
from clusters.models import Cluster
from core import jobs
from notifications.models import Event
from notifications.services import notify_users

from . import builders, overview, pdf
from .models import ReportJob

logger = logging.getLogger(__name__)

Status = ReportJob.Status
Kind = ReportJob.Kind

DRAFT_CLUSTER_REFUSAL = (
    "Un cluster en brouillon n'a pas de rapport de restitution : il n'est ni constitué ni "
    "lancé, ses séances et ses établissements ne sont pas encore arrêtés. Constituez le cluster "
    "pour pouvoir demander son rapport."
)
ACCESS_ERROR = "Le demandeur n'a plus accès à ce périmètre : le rapport n'a pas été généré."


# --- Who may see and ask ----------------------------------------------------------------------


def can_see_target(user, *, kind, cluster=None, region=None) -> bool:
    """A report shows what its target's pages show: the same people may ask for it and read it.
    National summaries are for national readers."""
    if user is None or not user.is_active:
        return False
    if kind == Kind.CLUSTER:
        return Cluster.objects.visible_to(user).filter(pk=cluster.pk).exists()
    if kind == Kind.REGION:
        return has_rule(user, "reports.request_region_report", region)
    return has_rule(user, "reports.request_national_report")


# --- Asking -----------------------------------------------------------------------------------


def report_refusal(*, kind: str, cluster=None) -> str | None:
    """Why this report cannot be produced, in French, or None."""
    if kind == Kind.CLUSTER and cluster.status == Cluster.Status.BROUILLON:
        return DRAFT_CLUSTER_REFUSAL
    return None


@transaction.atomic
def request_report(*, kind: str, by, cluster=None, region=None, wave=None) -> ReportJob:
    """Create or reset the target's job and send it to the worker once the transaction commits.

    A job running with a live worker is left alone (asking twice does not start two renders);
    its previous file stays downloadable until the new one replaces it. A draft cluster's
    report is refused (ValidationError with the French reason).
    """
    refusal = report_refusal(kind=kind, cluster=cluster)
    if refusal:
        raise ValidationError(refusal)
    job, created = ReportJob.objects.select_for_update().get_or_create(
        kind=kind, cluster=cluster, region=region, wave=wave, defaults={"requested_by": by}
    )
    if created:
        jobs.enqueue_on_commit(job)
    else:
        jobs.restart(job, by=by, created_at=timezone.now())  # "demandé le": this request
    return job


def retry_job(*, job: ReportJob, by) -> ReportJob:
    """Ask again for the same target (the "Réessayer" button): requeued at once."""
    return request_report(
        kind=job.kind, by=by, cluster=job.cluster, region=job.region, wave=job.wave
    )


# --- Running (in the worker) ------------------------------------------------------------------


def build_context(job: ReportJob, *, user) -> dict:
    if job.kind == Kind.CLUSTER:
        return builders.cluster_context(job.cluster_id)
    if job.kind == Kind.REGION:
        return overview.region_context(job.region_id, job.wave_id)
    return overview.national_context(job.wave_id, user=user)


def run_job(job_id: int) -> ReportJob | None:
    """The worker's part: claim the job (None when another delivery owns it) and render it."""
    return jobs.execute(ReportJob, job_id, _render)


def _render(job: ReportJob) -> None:
    job = ReportJob.objects.select_related("requested_by", "cluster", "region").get(pk=job.pk)
    user = job.requested_by
    if not can_see_target(user, kind=job.kind, cluster=job.cluster, region=job.region):
        raise jobs.JobFailure(ACCESS_ERROR)
    refusal = report_refusal(kind=job.kind, cluster=job.cluster)
    if refusal:  # the cluster went back to draft after the request
        raise jobs.JobFailure(refusal)
    jobs.report_progress(job, 5, "collecte des données")
    context = build_context(job, user=user)
    jobs.report_progress(job, 30, "mise en forme")
    html = pdf.render_html(context)
    jobs.report_progress(job, 40, "mise en page du PDF")
    rendered = pdf.html_to_pdf(
        html, on_layout_done=lambda: jobs.report_progress(job, 85, "écriture du PDF")
    )
    jobs.report_progress(job, 95, "enregistrement")
    _store(job, rendered)


def _store(job: ReportJob, rendered: pdf.RenderedPdf) -> None:
    """Save the new file under a random name, then point the job at it and drop the old one."""
    previous = job.file.name
    name = default_storage.save(f"reports/{uuid.uuid4().hex}.pdf", ContentFile(rendered.content))
    if not jobs.finish(job, file=name, page_count=rendered.page_count):
        default_storage.delete(name)  # the job was reset meanwhile: this render is stale
        return
    if previous and previous != name:
        default_storage.delete(previous)
    if job.requested_by_id:
        notify_users(
            [job.requested_by],
            event=Event.REPORT_READY,
            subject="Votre rapport est prêt — Clusters QVT",
            template="report_ready",
            context={"job": job},
            link=reverse("reports:job-detail", args=[job.pk]),
        )


# --- Synchronous (operators' command) ---------------------------------------------------------


def build_report_pdf(*, kind: str, cluster=None, region=None, wave=None) -> pdf.RenderedPdf:
    """The same PDF as the worker's, rendered in-process for an operator."""
    refusal = report_refusal(kind=kind, cluster=cluster)
    if refusal:
        raise ValidationError(refusal)
    job = ReportJob(kind=kind, cluster=cluster, region=region, wave=wave)
    context = build_context(job, user=overview.Operator())
    return pdf.html_to_pdf(pdf.render_html(context))
