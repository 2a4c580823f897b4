from django.db import models
from django.db.models import Q


class PublishedFigureQuerySet(models.QuerySet):
    def for_wave(self, wave_code: str | None):
        """Every figure (no filter), or only those of one wave."""
        return self.filter(wave_code=wave_code) if wave_code else self


class PublishedFigure(models.Model):
    """A figure published about the programme, kept as published: the sources disagree, and
    none is ever corrected with another. The dashboard shows it beside the computed figure."""

    class Metric(models.TextChoices):
        CLUSTERS = "clusters", "Clusters"
        REGIONS = "regions", "Régions"
        PARTICIPATIONS = "participations", "Participations d'établissements"
        ESTABLISHMENTS = "establishments", "Établissements distincts"

    label = models.CharField("intitulé publié", max_length=150)
    metric = models.CharField("comparé au chiffre calculé", max_length=20, choices=Metric.choices)
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
    source_url = models.URLField("adresse de la source", blank=True)
    published_when = models.CharField(
        "date de publication", max_length=50, help_text="Aussi précise que la source : « 2019 »."
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
        shown = self.value if self.value is not None else self.text
        return f"{self.label} {self.wave_code or 'total'} : {shown} ({self.source})"
