import unicodedata
import uuid

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q

from core.models import Job, JobStatus, RegionScopedQuerySet

from .finess import FINESS_PATTERN, validate_finess


class Sector(models.TextChoices):
    SANITAIRE = "sanitaire", "Sanitaire"
    MEDICO_SOCIAL = "medico_social", "Médico-social"
    SOCIAL = "social", "Social"
    HORS_CHAMP = "hors_champ", "Hors champ"
    A_QUALIFIER = "a_qualifier", "À qualifier"


class LegalStatus(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVE_NON_LUCRATIF = "prive_non_lucratif", "Privé non lucratif"
    ESPIC = "espic", "ESPIC"
    PRIVE_COMMERCIAL = "prive_commercial", "Privé commercial"
    A_QUALIFIER = "a_qualifier", "À qualifier"


SECTOR_LABELS = dict(Sector.choices)
LEGAL_STATUS_LABELS = dict(LegalStatus.choices)


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=2, unique=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    finess_code = models.CharField("code FINESS", max_length=2, unique=True)
    name = models.CharField("nom", max_length=100)
    # Null for territories that belong to no ARS region (FINESS 9E, 9J).
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="departments"
    )

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ARS = "ars", "ARS"
        ARACT = "aract", "Aract"
        NATIONAL = "national", "Organisme national"

    kind = models.CharField("type", max_length=16, choices=Kind.choices)
    name = models.CharField("nom", max_length=200, unique=True)
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )

    class Meta:
        verbose_name = "organisation"
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                name="regional_organisation_has_region",
                condition=Q(kind="national", region__isnull=True)
                | (~Q(kind="national") & Q(region__isnull=False)),
            ),
        ]

    def __str__(self):
        return self.name


class Category(models.Model):
    """A FINESS establishment category; its sector is our own, editable classification."""

    code = models.CharField("code", max_length=4, unique=True)
    label = models.CharField("libellé", max_length=200)
    sector = models.CharField("secteur", max_length=16, choices=Sector.choices)

    class Meta:
        verbose_name = "catégorie FINESS"
        verbose_name_plural = "catégories FINESS"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.label}"


def fold(text: str) -> str:
    """Upper-case and accent-free, as the search compares: 'Réunion' -> 'REUNION'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def search_text_of(establishment) -> str:
    return fold(
        " ".join(
            [
                establishment.finess,
                establishment.short_name,
                establishment.long_name,
                establishment.town,
                establishment.postcode,
            ]
        )
    )


class EstablishmentQuerySet(RegionScopedQuerySet):
    """The whole registry for national readers; the user's regions for regional staff."""

    def active(self):
        return self.filter(is_active=True)

    def open(self):
        """Active and not reported closed by FINESS: the establishments a cluster may take in."""
        return self.filter(is_active=True, finess_closed_on__isnull=True)


class Establishment(models.Model):
    finess = models.CharField(
        "numéro FINESS ET", max_length=9, unique=True, validators=[validate_finess]
    )
    finess_ej = models.CharField("numéro FINESS EJ", max_length=9, blank=True)
    short_name = models.CharField("raison sociale", max_length=100)
    long_name = models.CharField("raison sociale longue", max_length=300, blank=True)
    category = models.ForeignKey(
        Category, verbose_name="catégorie", on_delete=models.PROTECT, null=True, blank=True
    )
    category_code = models.CharField("code catégorie", max_length=4, blank=True)
    category_label = models.CharField("libellé catégorie", max_length=200, blank=True)
    sector = models.CharField(
        "secteur", max_length=16, choices=Sector.choices, default=Sector.A_QUALIFIER
    )
    legal_status = models.CharField(
        "statut juridique",
        max_length=20,
        choices=LegalStatus.choices,
        default=LegalStatus.A_QUALIFIER,
    )
    department = models.ForeignKey(
        Department, verbose_name="département", on_delete=models.PROTECT, related_name="+"
    )
    # Denormalised from the department so that region filters need no join.
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="establishments",
    )
    address = models.CharField("adresse", max_length=300, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    town = models.CharField("commune", max_length=100, blank=True)
    phone = models.CharField("téléphone", max_length=20, blank=True)
    x = models.FloatField("coordonnée X", null=True, blank=True)
    y = models.FloatField("coordonnée Y", null=True, blank=True)
    projection = models.CharField("projection", max_length=100, blank=True)
    opened_on = models.DateField("date d'ouverture", null=True, blank=True)
    updated_on = models.DateField("date de mise à jour FINESS", null=True, blank=True)
    is_active = models.BooleanField("actif", default=True)
    # The extraction date of the first FINESS extract that no longer listed this establishment.
    # A member of a running cluster is kept active (and stays a member) with this date set, so
    # that the ARS sees a warning and acts; any other absent establishment is also deactivated.
    # Cleared when a later extract lists it again.
    finess_closed_on = models.DateField(
        "fermé dans FINESS depuis l'extrait du", null=True, blank=True
    )
    # Upper-case, accent-free "number name long name town postcode", searched with a trigram index.
    search_text = models.TextField(editable=False, default="")

    objects = EstablishmentQuerySet.as_manager()

    class Meta:
        verbose_name = "établissement"
        ordering = ["short_name", "finess"]
        constraints = [
            models.CheckConstraint(
                name="finess_format", condition=Q(finess__regex=rf"^{FINESS_PATTERN}$")
            ),
        ]
        indexes = [
            models.Index(fields=["region", "is_active"]),
            GinIndex(
                fields=["search_text"], opclasses=["gin_trgm_ops"], name="establishment_search_trgm"
            ),
        ]

    def __str__(self):
        return f"{self.short_name} ({self.finess})"

    def save(self, *args, **kwargs):
        self.search_text = search_text_of(self)
        super().save(*args, **kwargs)

    # Django's get_FOO_display() rebuilds a dict of the field's choices at each call (~20 µs);
    # search results show both labels on every row. Same result: the label, else the value.
    def get_sector_display(self) -> str:
        return SECTOR_LABELS.get(self.sector, self.sector)

    def get_legal_status_display(self) -> str:
        return LEGAL_STATUS_LABELS.get(self.legal_status, self.legal_status)

    @property
    def can_join_cluster(self) -> bool:
        return self.region_id is not None and self.is_active and not self.is_closed_in_finess

    @property
    def is_closed_in_finess(self) -> bool:
        return self.finess_closed_on is not None


def _finess_upload_name(instance, filename) -> str:
    # A random name: the uploaded name is kept only as text, never used as a path.
    return f"finess/{uuid.uuid4().hex}.csv"


class FinessImportQuerySet(models.QuerySet):
    def latest_extraction_date(self):
        """The extraction date of the newest extract written to the registry (None before any)."""
        return self.filter(applied=True).aggregate(latest=models.Max("extraction_date"))["latest"]


class FinessImport(Job):
    """One import of a FINESS extract (upload page or command): its job state and its report.

    An upload runs in the worker (establishments.tasks.run_finess_import); a command import runs
    in the command's own process, through the same job services."""

    task_name = "establishments.tasks.run_finess_import"
    generic_error = "L'import a échoué sur une erreur inattendue : réessayez ou prévenez l'équipe."

    class Source(models.TextChoices):
        UPLOAD = "upload", "Téléversement"
        COMMAND = "command", "Commande"

    source = models.CharField("origine", max_length=16, choices=Source.choices, default="upload")
    file = models.FileField("fichier", upload_to=_finess_upload_name, blank=True)
    original_name = models.CharField("nom du fichier", max_length=255, blank=True)
    dry_run = models.BooleanField("simulation", default=False)
    strict = models.BooleanField("mode strict", default=False)
    # Given: write even when the extract would deactivate more than
    # FINESS_MAX_DEACTIVATION_SHARE of the active establishments (--allow-deactivation, or the
    # confirmation step of the upload page, which creates a new import from `confirmed_from`).
    allow_deactivation = models.BooleanField("désactivations massives autorisées", default=False)
    confirmed_from = models.ForeignKey(
        "self",
        verbose_name="confirmation de l'import",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="confirmations",
    )
    extraction_date = models.DateField("date d'extraction FINESS", null=True, blank=True)
    # True once the extract was written to the registry (not a simulation, not aborted).
    applied = models.BooleanField("appliqué", default=False)
    created = models.PositiveIntegerField("créés", default=0)
    updated = models.PositiveIntegerField("mis à jour", default=0)
    unchanged = models.PositiveIntegerField("inchangés", default=0)
    deactivated = models.PositiveIntegerField("désactivés", default=0)
    rejected = models.PositiveIntegerField("rejetés", default=0)
    # Active establishments before the import, and those of them the extract no longer lists
    # (deactivated, or kept and marked closed when they are members of a running cluster).
    active_before = models.PositiveIntegerField("établissements actifs avant l'import", default=0)
    absent = models.PositiveIntegerField("établissements actifs absents de l'extrait", default=0)
    # Absent members of a running cluster: kept active, marked closed in FINESS.
    closed_members = models.PositiveIntegerField("membres signalés fermés", default=0)
    # Stopped before writing: too many deactivations and no `allow_deactivation`.
    stopped = models.BooleanField("arrêté avant écriture", default=False)
    # [{"line": 3, "reason": "..."}] and [{"code": "999", "label": "...", "count": 2}]
    rejections = models.JSONField("lignes rejetées", default=list, blank=True)
    unknown_categories = models.JSONField("catégories inconnues", default=list, blank=True)
    # The result in French ("Import terminé : ..."); a failure's reason is in `error`.
    message = models.TextField("message", blank=True)

    objects = FinessImportQuerySet.as_manager()

    class Meta(Job.Meta):
        verbose_name = "import FINESS"
        verbose_name_plural = "imports FINESS"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Import FINESS n° {self.pk} ({self.get_status_display()})"

    @property
    def summary(self) -> str:
        return (
            f"created={self.created} updated={self.updated} unchanged={self.unchanged} "
            f"deactivated={self.deactivated} rejected={self.rejected}"
        )

    @property
    def absent_share(self) -> float:
        """The share (0-1) of the active establishments that the extract no longer lists."""
        return self.absent / self.active_before if self.active_before else 0.0

    @property
    def exit_code(self) -> int:
        """The command's exit status: 3 stopped before writing (too many deactivations),
        2 unusable file, 1 some lines rejected, 0 otherwise."""
        if self.status == JobStatus.FAILED:
            return 2
        if self.stopped:
            return 3
        return 1 if self.rejected else 0

    @property
    def awaits_confirmation(self) -> bool:
        """Stopped by the deactivation threshold and not confirmed yet (upload page)."""
        return (
            self.stopped
            and self.source == self.Source.UPLOAD
            and not self.dry_run
            and not self.confirmations.exists()
        )

    def can_requeue(self) -> bool:
        # A command import has no stored file: only its own process can run it.
        return self.source == self.Source.UPLOAD
