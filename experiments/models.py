from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import Q

from clusters.models import LONG_TEXT_MAX, Membership, Phase, Theme
from core.models import RegionScopedQuerySet

from .redaction import redact_contacts


class ClusterScopedQuerySet(RegionScopedQuerySet):
    """Rows reached through a membership: visible where the membership's cluster is."""

    region_path = "membership__cluster__region"


class Experiment(models.Model):
    class Status(models.TextChoices):
        ENVISAGEE = "envisagee", "Envisagée"
        EN_COURS = "en_cours", "En cours"
        EVALUEE = "evaluee", "Évaluée"
        PERENNISEE = "perennisee", "Pérennisée"
        ABANDONNEE = "abandonnee", "Abandonnée"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="experiments")
    title = models.CharField("titre", max_length=200)
    themes = models.ManyToManyField(Theme, verbose_name="thématiques", blank=True)
    problem = models.TextField("problème traité", blank=True, max_length=LONG_TEXT_MAX)
    objectives = models.TextField("objectifs", blank=True, max_length=LONG_TEXT_MAX)
    unit = models.CharField("unité ou service", max_length=200, blank=True)
    starts_on = models.DateField("début", null=True, blank=True)
    ends_on = models.DateField("fin", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=16, choices=Status.choices, default=Status.ENVISAGEE
    )
    actions = models.TextField("actions menées", blank=True, max_length=LONG_TEXT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClusterScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "expérimentation"
        ordering = ["membership_id", "starts_on", "title"]  # "_id": no joins
        constraints = [
            models.CheckConstraint(
                name="experiment_dates_in_order",
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
            ),
        ]

    def __str__(self):
        return self.title


# The earliest phase of its establishment's démarche at which an experiment can have each
# status: one still choosing its experiment has not made it last, nor evaluated it.
EARLIEST_PHASE = {
    Experiment.Status.ENVISAGEE: Phase.CHOIX,
    Experiment.Status.EN_COURS: Phase.EXPERIMENTATION,
    Experiment.Status.ABANDONNEE: Phase.EXPERIMENTATION,
    Experiment.Status.EVALUEE: Phase.EVALUATION,
    Experiment.Status.PERENNISEE: Phase.PERENNISATION,
}


def status_fits_phase(status: str, phase: str) -> bool:
    """Whether an experiment with `status` is possible for an establishment in `phase`."""
    return Phase.values.index(phase) >= Phase.values.index(EARLIEST_PHASE[status])


class Indicator(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField("nom", max_length=200)
    unit = models.CharField("unité", max_length=50, blank=True)
    baseline = models.DecimalField("valeur de départ", max_digits=12, decimal_places=2)
    target = models.DecimalField("cible", max_digits=12, decimal_places=2)
    higher_is_better = models.BooleanField("plus haut est mieux", default=True)

    class Meta:
        verbose_name = "indicateur"
        ordering = ["experiment_id", "name"]

    def __str__(self):
        return self.name


class Measurement(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField("date de mesure")
    value = models.DecimalField("valeur", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "mesure"
        # "indicator" followed the indicator's, experiment's and membership's orderings: 4 joins.
        ordering = ["indicator_id", "measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "measured_on"],
                name="one_measurement_per_date",
                violation_error_message="Une mesure existe déjà à cette date pour cet indicateur.",
            ),
        ]

    def __str__(self):
        return f"{self.indicator}: {self.value} ({self.measured_on})"


MONOGRAPH_SECTIONS = [
    ("identity", "1. Identité de l'établissement"),
    ("context", "2. Contexte et enjeux"),
    ("approach", "3. La démarche (trinôme, COPIL, dialogue social, calendrier)"),
    ("diagnostic", "4. Diagnostic"),
    ("experiments", "5. Expérimentation(s)"),
    ("results", "6. Résultats et évaluation"),
    ("lessons", "7. Enseignements (leviers, difficultés)"),
    ("outlook", "8. Perspectives"),
    ("annexes", "9. Annexes"),
]


# The French configuration with accents removed first (migration 0005 creates it): "absenteisme"
# and "absentéisme" give the same lexeme.
SEARCH_CONFIG = "french_unaccent"


def monograph_search_vector() -> SearchVector:
    """French full-text vector over the title, the summary and the nine sections (the GIN index
    below is built on this very expression, so library searches use it)."""
    fields = ("title", "summary", *(name for name, _label in MONOGRAPH_SECTIONS))
    return SearchVector(*fields, config=SEARCH_CONFIG)


def experiment_search_vector() -> SearchVector:
    """What the library searches of an experiment: its title and unit, both shown publicly."""
    return SearchVector("title", "unit", config=SEARCH_CONFIG)


SUMMARY_MAX = 1000


class Monograph(models.Model):
    class Status(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        SOUMISE = "soumise", "Soumise"
        VALIDEE = "validee", "Validée"
        PUBLIEE = "publiee", "Publiée"

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="monograph"
    )
    title = models.CharField("titre", max_length=200)
    summary = models.TextField(
        "résumé",
        blank=True,
        max_length=SUMMARY_MAX,
        help_text="Quelques phrases affichées sur la fiche de la bibliothèque.",
    )
    identity = models.TextField(MONOGRAPH_SECTIONS[0][1], blank=True, max_length=LONG_TEXT_MAX)
    context = models.TextField(MONOGRAPH_SECTIONS[1][1], blank=True, max_length=LONG_TEXT_MAX)
    approach = models.TextField(MONOGRAPH_SECTIONS[2][1], blank=True, max_length=LONG_TEXT_MAX)
    diagnostic = models.TextField(MONOGRAPH_SECTIONS[3][1], blank=True, max_length=LONG_TEXT_MAX)
    experiments = models.TextField(MONOGRAPH_SECTIONS[4][1], blank=True, max_length=LONG_TEXT_MAX)
    results = models.TextField(MONOGRAPH_SECTIONS[5][1], blank=True, max_length=LONG_TEXT_MAX)
    lessons = models.TextField(MONOGRAPH_SECTIONS[6][1], blank=True, max_length=LONG_TEXT_MAX)
    outlook = models.TextField(MONOGRAPH_SECTIONS[7][1], blank=True, max_length=LONG_TEXT_MAX)
    annexes = models.TextField(MONOGRAPH_SECTIONS[8][1], blank=True, max_length=LONG_TEXT_MAX)
    status = models.CharField(
        "statut", max_length=16, choices=Status.choices, default=Status.BROUILLON
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name="auteurs", blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField("soumise le", null=True, blank=True)
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    # The nine sections as the public library shows them, contacts masked: computed once at
    # publication (a published monograph is never edited again), never on a public request.
    redacted_sections = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClusterScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "monographie"
        ordering = ["-published_at", "title"]
        indexes = [
            models.Index(fields=["status", "published_at"]),
            GinIndex(monograph_search_vector(), name="monograph_fulltext"),
        ]

    def __str__(self):
        return self.title

    def sections(self) -> list[tuple[str, str, str]]:
        """(field name, French heading, text) of the nine sections, in order."""
        return [(name, label, getattr(self, name)) for name, label in MONOGRAPH_SECTIONS]

    def redact(self) -> None:
        """Store the summary and the sections with their contact details masked (redaction.py)."""
        self.redacted_sections = {name: redact_contacts(text) for name, _l, text in self.sections()}
        self.redacted_sections["summary"] = redact_contacts(self.summary)

    def public_summary(self) -> str:
        """The summary as the public library shows it (see public_sections)."""
        stored = self.redacted_sections.get("summary")
        return stored if stored is not None else redact_contacts(self.summary)

    def public_sections(self) -> list[tuple[str, str, str]]:
        """sections() as the public library shows them (public_sections_of)."""
        texts = {name: text for name, _label, text in self.sections()}
        return public_sections_of(self.redacted_sections, texts)


def public_sections_of(stored: dict, texts) -> list[tuple[str, str, str]]:
    """(field name, French heading, public text) of the nine sections: the text stored at
    publication (Monograph.redacted_sections), else `texts[name]` masked here, in linear time (a
    row published by other means than the workflow). Lists of rows read as dicts call it
    without building a Monograph."""
    return [
        (name, label, stored[name] if name in stored else redact_contacts(texts[name]))
        for name, label in MONOGRAPH_SECTIONS
    ]


class MonographTransition(models.Model):
    """Each state change of a monograph: who, when, and the comment of a send-back."""

    monograph = models.ForeignKey(Monograph, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=Monograph.Status.choices)
    to_status = models.CharField(max_length=16, choices=Monograph.Status.choices)
    comment = models.TextField("commentaire", blank=True, max_length=LONG_TEXT_MAX)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "transition de monographie"
        ordering = ["at"]

    def __str__(self):
        return f"{self.monograph}: {self.from_status} → {self.to_status}"
