from django.db import models
from django.db.models import Q
from django.utils import dateformat


class PublishedFigureQuerySet(models.QuerySet):
    def for_wave(self, wave_code: str | None):
        """Every figure (no filter), or only those of one wave."""
        return self.filter(wave_code=wave_code) if wave_code else self


class PublishedFigure(models.Model):
    """A figure published about the programme, kept as published: the sources disagree, and
    none is ever corrected with another. The dashboard shows it beside the computed figure when
    the application computes the same thing; the evaluation's own counts (establishments and
    regions studied, interviews) are shown alone. The programme team edits them
    (/programme/chiffres-publies/, audited)."""

    class Metric(models.TextChoices):
        CLUSTERS = "clusters", "Clusters"
        REGIONS = "regions", "Régions"
        PARTICIPATIONS = "participations", "Participations d'établissements"
        ESTABLISHMENTS = "establishments", "Établissements distincts"
        EVALUATED_ESTABLISHMENTS = "evaluated_establishments", "Établissements évalués"
        EVALUATED_REGIONS = "evaluated_regions", "Régions évaluées"
        INTERVIEWS = "interviews", "Entretiens"
        INTERVIEWS_ESTABLISHMENTS = (
            "interviews_establishments",
            "Entretiens auprès des professionnels des établissements",
        )
        INTERVIEWS_REGIONAL = "interviews_regional", "Entretiens auprès des acteurs régionaux"

    # The metrics the application also computes from its data (programme/statistics.py).
    COMPUTED_METRICS = frozenset(
        {Metric.CLUSTERS, Metric.REGIONS, Metric.PARTICIPATIONS, Metric.ESTABLISHMENTS}
    )

    class DatePrecision(models.TextChoices):
        DAY = "day", "Jour"
        MONTH = "month", "Mois"
        YEAR = "year", "Année"

    label = models.CharField("intitulé publié", max_length=150)
    metric = models.CharField("ce que compte le chiffre", max_length=30, choices=Metric.choices)
    wave_code = models.CharField(
        "vague", max_length=20, blank=True, help_text="Code de la vague ; vide pour le total."
    )
    value = models.PositiveIntegerField("valeur", null=True, blank=True)
    text = models.CharField(
        "valeur en toutes lettres",
        max_length=100,
        blank=True,
        help_text="Quand la source ne donne pas de nombre exact (« près de 200 »).",
    )
    source = models.CharField("source", max_length=300)
    source_url = models.URLField("adresse de la source", max_length=500, blank=True)
    published_on = models.DateField(
        "date de publication",
        help_text="Pour une source datée seulement du mois ou de l'année, le premier jour.",
    )
    date_precision = models.CharField(
        "précision de la date",
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    note = models.TextField(
        "remarque",
        blank=True,
        help_text="Par exemple : d'où vient la date, qui reprend le chiffre.",
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    objects = PublishedFigureQuerySet.as_manager()

    class Meta:
        verbose_name = "chiffre publié"
        verbose_name_plural = "chiffres publiés"
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                name="published_figure_has_value_or_text",
                condition=Q(value__isnull=False) | ~Q(text=""),
            ),
        ]

    def __str__(self):
        return f"{self.label} {self.wave_code or 'total'} : {self.shown_value} ({self.source})"

    @property
    def shown_value(self):
        return self.value if self.value is not None else self.text

    @property
    def is_computed(self) -> bool:
        """Whether the application computes the same figure (shown beside it)."""
        return self.metric in self.COMPUTED_METRICS

    @property
    def published_when(self) -> str:
        """The date as precise as the source: « 26/09/2017 », « septembre 2017 », « 2019 »."""
        formats = {"day": "d/m/Y", "month": "F Y", "year": "Y"}
        return dateformat.format(self.published_on, formats[self.date_precision])


class FigureCount(models.Model):
    """The programme's figures, counted by the database as rows are written (programme
    migration 0007: triggers on clusters, memberships, themes, sessions, experiments and the
    registry), so that the dashboard reads a few hundred rows instead of recounting the country.

    One row per region, wave (None: every wave) and breakdown key: dimension "total" (key ""),
    "status", "phase", "sector", "legal_status", "category" (key the code, label the registry's
    label), "theme" (key the theme's id) or "experiment_status". Every column counts what
    `programme.statistics.DEFINITIONS` says, for that region, wave and key; a column a dimension
    does not use stays 0. `establishments` and the registry keys' `clusters` are distinct counts,
    kept exact through FigurePresence. An establishment belongs to its cluster's region (the
    membership trigger refuses any other), so regions add up."""

    region = models.ForeignKey("establishments.Region", on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey("clusters.Wave", null=True, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=20)
    label = models.CharField(max_length=200)
    clusters = models.IntegerField(default=0)
    participations = models.IntegerField(default=0)
    establishments = models.IntegerField(default=0)
    experiments = models.IntegerField(default=0)
    # Non-draft sessions, held or to come: the figures subtract those to come when they read.
    sessions = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                # Dimension and wave first: the figures read the totals of every wave, and
                # (through the wave's own index) every key of one wave or of all.
                fields=["dimension", "wave", "region", "key", "label"],
                nulls_distinct=False,
                name="figure_count_key",
            )
        ]

    def __str__(self):
        return f"{self.dimension} {self.key} {self.label}".strip()


class FigurePresence(models.Model):
    """How many counted memberships make an item present under a FigureCount key: an
    establishment (dimension "establishment", key "") or a cluster under a registry key. A
    distinct count moves only when an item appears (0 → 1) or goes (1 → 0); rows at 0 are
    deleted."""

    region = models.ForeignKey("establishments.Region", on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey("clusters.Wave", null=True, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=20)
    label = models.CharField(max_length=200)
    item = models.BigIntegerField()
    memberships = models.IntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["region", "wave", "dimension", "key", "label", "item"],
                nulls_distinct=False,
                name="figure_presence_key",
            )
        ]

    def __str__(self):
        return f"{self.dimension} {self.key} {self.label} #{self.item}".strip()
