"""What every app shares: region-scoped querysets and the background job (its state in the
database, see core.jobs and docs/jobs.md)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

BROKER_DOWN_TEXT = (
    "En attente : le service de calcul est indisponible, la demande sera traitée dès son retour."
)


def heartbeat_cutoff() -> datetime.datetime:
    """A running job whose last heartbeat is older than this lost its worker."""
    return timezone.now() - datetime.timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT)


class JobStatus(models.TextChoices):
    """The states of a background job, kept in the database."""

    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    FAILED = "failed", "Échec"


class RegionScopedQuerySet(models.QuerySet):
    """Tenancy: national readers see every row, regional staff the rows of their regions.

    `region_path` leads from the model to its region ("cluster__region" for a membership)."""

    region_path = "region"

    def visible_to(self, user):
        roles = user.roles
        if roles.sees_everything:
            return self
        return self.filter(**{f"{self.region_path}_id__in": roles.region_ids})


class Job(models.Model):
    """A background job. A concrete job adds its own fields and names its Celery task; the
    services of core.jobs move it pending → running → done/failed.

    `task_name`: the Celery task that runs one job from its id (core.jobs sends it by name, so a
    services module never imports its tasks module)."""

    Status = JobStatus
    task_name: str = ""
    # Shown when the job fails on an unexpected error (the cause goes to the log only).
    generic_error = (
        "Le traitement a échoué sur une erreur inattendue. Réessayez ; si le problème persiste, "
        "signalez-le à l'administrateur du service."
    )

    status = models.CharField(
        "état", max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    progress_message = models.CharField("étape en cours", max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    # Set when the broker accepted the message; `enqueue_failed` when it was unreachable (the
    # page then says so, and the requeue task sends the job once the broker is back).
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    enqueue_failed = models.BooleanField("file de tâches indisponible", default=False)
    claimed_at = models.DateTimeField("pris en charge le", null=True, blank=True)
    # Refreshed while the job runs: a running job without a recent heartbeat lost its worker.
    heartbeat_at = models.DateTimeField("signe de vie", null=True, blank=True)
    error = models.TextField("erreur", blank=True)  # French, shown to the user as it is
    created_at = models.DateTimeField("demandé le", default=timezone.now)
    started_at = models.DateTimeField("démarré le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_progress_0_100", condition=Q(progress__lte=100)
            ),
        ]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="%(class)s_status_idx")]

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def is_waiting_for_broker(self) -> bool:
        return self.status == JobStatus.PENDING and self.enqueue_failed

    @property
    def is_stalled(self) -> bool:
        """Running, but its worker gave no sign of life for JOB_HEARTBEAT_TIMEOUT seconds."""
        last = self.heartbeat_at or self.started_at
        return self.status == JobStatus.RUNNING and (last is None or last < heartbeat_cutoff())

    @property
    def status_text(self) -> str:
        """The one line the page shows, and the script updates: "En cours — 40 % : mise en page"."""
        if self.is_waiting_for_broker:
            return BROKER_DOWN_TEXT
        text = f"{self.get_status_display()} — {self.progress} %"
        if self.progress_message and self.status == JobStatus.RUNNING:
            text += f" : {self.progress_message}"
        return text

    def can_requeue(self) -> bool:
        """Whether the requeue task may send this job again (a job run outside the worker, e.g.
        by a command, says no: it is marked failed when its process died)."""
        return True
