from django.db import models
from django.db.models import Q
from django.utils.text import slugify

from clusters.models import Cluster, Wave
from core.models import Job
from establishments.models import Region


class ReportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A job is visible where its target is: the cluster's or the region's users, and
        national readers; national reports only to national readers."""
        roles = user.roles
        if roles.sees_everything:
            return self
        return self.filter(
            Q(kind=ReportJob.Kind.CLUSTER, cluster__region_id__in=roles.region_ids)
            | Q(kind=ReportJob.Kind.REGION, region_id__in=roles.region_ids)
        )


class ReportJob(Job):
    """The one restitution report of a target (a cluster, a region's wave, a national wave).

    Asking again resets this row and, once the new PDF is written, replaces its file: one row
    per target keeps "the latest report" a plain lookup and the storage free of stale copies.
    """

    task_name = "reports.tasks.generate_report"
    generic_error = (
        "La génération du rapport a échoué. Réessayez ; si le problème persiste, "
        "signalez-le à l'administrateur du service."
    )

    class Kind(models.TextChoices):
        CLUSTER = "cluster", "Rapport de restitution du cluster"
        REGION = "region", "Synthèse régionale"
        NATIONAL = "national", "Synthèse nationale"

    kind = models.CharField("type", max_length=16, choices=Kind.choices)
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, null=True, blank=True, related_name="report_jobs"
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="report_jobs"
    )
    # Null on a national report means "every wave".
    wave = models.ForeignKey(
        Wave, on_delete=models.CASCADE, null=True, blank=True, related_name="report_jobs"
    )
    file = models.FileField("fichier", blank=True)
    page_count = models.PositiveIntegerField("pages", null=True, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta(Job.Meta):
        verbose_name = "rapport"
        ordering = ["-created_at"]
        constraints = [
            *Job.Meta.constraints,
            models.UniqueConstraint(
                fields=["kind", "cluster", "region", "wave"],
                name="one_report_job_per_target",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                name="report_job_target_matches_kind",
                condition=Q(
                    kind="cluster", cluster__isnull=False, region__isnull=True, wave__isnull=True
                )
                | Q(kind="region", cluster__isnull=True, region__isnull=False, wave__isnull=False)
                | Q(kind="national", cluster__isnull=True, region__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.kind == self.Kind.CLUSTER:
            return self.cluster.name
        wave = self.wave.name if self.wave_id else "toutes les vagues"
        if self.kind == self.Kind.REGION:
            return f"{self.region.name}, {wave}"
        return wave

    @property
    def download_name(self) -> str:
        return f"rapport-{self.kind}-{slugify(self.target_label)[:80] or self.pk}.pdf"
