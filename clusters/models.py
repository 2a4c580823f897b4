import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.models import RegionScopedQuerySet
from establishments.models import Establishment, Organisation, Region, Sector
from qvt import french

MIN_MEMBERS = 5
MAX_MEMBERS = 8  # also enforced by the database trigger of migration 0002
# Free text is bounded: the forms refuse more (Django's French "au plus N caractères" error), so
# no page, search or PDF ever handles an unbounded text.
LONG_TEXT_MAX = 20_000


# How many members a refusal names before "…".
MEMBERS_NAMED = 5
# The sectors a wave may be open to.
WAVE_SECTORS = [Sector.SANITAIRE, Sector.MEDICO_SOCIAL, Sector.SOCIAL]


def every_wave_sector() -> list[str]:
    return [str(sector) for sector in WAVE_SECTORS]


class WaveQuerySet(models.QuerySet):
    def open_for_registration(self):
        return self.filter(registration_open=True)


class Wave(models.Model):
    code = models.CharField("code", max_length=20, unique=True)
    name = models.CharField("nom", max_length=100)
    starts_on = models.DateField("début", null=True, blank=True)
    ends_on = models.DateField("fin", null=True, blank=True)
    sectors = ArrayField(
        models.CharField(max_length=20, choices=[(s.value, s.label) for s in WAVE_SECTORS]),
        verbose_name="secteurs",
        default=every_wave_sector,
    )
    registration_open = models.BooleanField("ouverte aux inscriptions", default=False)

    objects = WaveQuerySet.as_manager()

    class Meta:
        verbose_name = "vague"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(name="wave_has_a_sector", condition=~Q(sectors=[])),
        ]

    def __str__(self):
        return self.name

    @property
    def sector_labels(self) -> list[str]:
        return [Sector(sector).label for sector in self.sectors]

    @property
    def is_limited_to_some_sectors(self) -> bool:
        return not set(every_wave_sector()) <= set(self.sectors)

    def accepts_sector(self, sector: str) -> bool:
        """A wave open to every sector takes any establishment (even one whose sector is still
        to be qualified); a wave limited to some sectors takes only establishments of those."""
        return not self.is_limited_to_some_sectors or sector in self.sectors

    def members_outside_its_sectors(self):
        """The wave's current members (not withdrawn) whose sector it does not take: a change
        of its sectors must not leave any (clean)."""
        if not (self.pk and self.sectors and self.is_limited_to_some_sectors):
            return Membership.objects.none()
        return (
            Membership.objects.active()
            .filter(wave_id=self.pk)
            .exclude(establishment__sector__in=self.sectors)
        )

    def clean(self):
        outside = self.members_outside_its_sectors()
        count = outside.count()
        if count:
            names = outside.order_by("establishment__short_name").values_list(
                "establishment__short_name", flat=True
            )[:MEMBERS_NAMED]
            listed = ", ".join(names) + (", …" if count > MEMBERS_NAMED else "")
            members = french.count(count, "établissement membre/établissements membres")
            if count == 1:
                problem = f"relève d'un autre secteur ({listed}) : retirez-le de son cluster"
            else:
                problem = f"relèvent d'autres secteurs ({listed}) : retirez-les de leur cluster"
            raise ValidationError(
                {
                    "sectors": f"{members} de la vague {problem} avant de réserver la vague "
                    f"{self.sector_phrase}."
                }
            )

    @property
    def sector_phrase(self) -> str:
        """« au secteur médico-social » / « aux secteurs médico-social et social »."""
        labels = [label.lower() for label in self.sector_labels]
        if len(labels) == 1:
            return f"au secteur {labels[0]}"
        return f"aux secteurs {', '.join(labels[:-1])} et {labels[-1]}"


class Theme(models.Model):
    name = models.CharField("nom", max_length=150, unique=True)
    # Retired: no longer offered; kept for the clusters that used it (history is never deleted).
    retired = models.BooleanField("retirée", default=False)

    class Meta:
        verbose_name = "thématique"
        ordering = ["name"]

    def __str__(self):
        return self.name


class SessionTool(models.Model):
    name = models.CharField("nom", max_length=150, unique=True)
    retired = models.BooleanField("retiré", default=False)  # see Theme.retired

    class Meta:
        verbose_name = "outil de séance"
        verbose_name_plural = "outils de séance"
        ordering = ["name"]

    def __str__(self):
        return self.name


class ClusterQuerySet(RegionScopedQuerySet):
    def counted(self):
        """Clusters the programme's figures count: from their constitution on (drafts never).
        The one definition read by home pages, dashboard, exports, API and reports."""
        return self.exclude(status=Cluster.Status.BROUILLON)

    def with_active_member_count(self):
        return self.annotate(
            active_member_count=models.Count(
                "memberships", filter=Q(memberships__withdrawn_on__isnull=True)
            )
        )


class Cluster(models.Model):
    class Status(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        CONSTITUE = "constitue", "Constitué"
        EN_COURS = "en_cours", "En cours"
        CLOTURE = "cloture", "Clôturé"

    name = models.CharField("nom", max_length=200)
    region = models.ForeignKey(
        Region, verbose_name="région", on_delete=models.PROTECT, related_name="clusters"
    )
    wave = models.ForeignKey(
        Wave, verbose_name="vague", on_delete=models.PROTECT, related_name="clusters"
    )
    themes = models.ManyToManyField(Theme, verbose_name="thématiques", related_name="clusters")
    problem_statement = models.TextField(
        "problématique commune", blank=True, max_length=LONG_TEXT_MAX
    )
    status = models.CharField(
        "statut", max_length=16, choices=Status.choices, default=Status.BROUILLON
    )
    ars_referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="référent ARS",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referent_clusters",
    )
    aract = models.ForeignKey(
        Organisation,
        verbose_name="Aract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"kind": Organisation.Kind.ARACT},
        related_name="clusters",
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="chargé(e)s de mission Aract",
        blank=True,
        related_name="facilitated_clusters",
    )
    starts_on = models.DateField("date de lancement", null=True, blank=True)
    ends_on = models.DateField("date de fin prévue", null=True, blank=True)
    constituted_on = models.DateField("date de constitution", null=True, blank=True)
    closed_on = models.DateField("date de clôture", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    # Maintained by the database (migration 0010): one more each time the cluster, a member, a
    # contact, a session, a phase, an experiment, a monograph or a member's registry row changes,
    # whatever writes it. The cluster page caches what it draws from them under it.
    content_version = models.BigIntegerField("version du contenu", default=0, editable=False)

    objects = ClusterQuerySet.as_manager()

    class Meta:
        verbose_name = "cluster"
        ordering = ["name"]  # no joins: lists order by wave and region explicitly
        constraints = [
            # Within the region: another region's names are none of its staff's business.
            models.UniqueConstraint(
                fields=["wave", "region", "name"], name="unique_cluster_name_per_wave_and_region"
            ),
            models.CheckConstraint(
                name="cluster_dates_in_order",
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
            ),
        ]
        indexes = [models.Index(fields=["region", "wave", "status"])]

    def __str__(self):
        return self.name


class Phase(models.TextChoices):
    CADRAGE = "cadrage", "Cadrage"
    DIAGNOSTIC = "diagnostic", "Diagnostic"
    CHOIX = "choix", "Choix d'expérimentation"
    EXPERIMENTATION = "experimentation", "Expérimentation"
    EVALUATION = "evaluation", "Évaluation"
    PERENNISATION = "perennisation", "Pérennisation"


class ParticipantRole(models.TextChoices):
    DIRECTION = "direction", "Direction"
    IRP = "irp", "Représentant du personnel"
    MEDECIN_METIER = "medecin_metier", "Médecin ou métier"
    CADRE = "cadre", "Cadre"
    PROFESSIONNEL = "professionnel", "Professionnel"
    AUTRE = "autre", "Autre"


CONTACT_ROLES = [c for c in ParticipantRole.choices if c[0] != ParticipantRole.PROFESSIONNEL]


class MembershipQuerySet(RegionScopedQuerySet):
    region_path = "cluster__region"

    def active(self):
        return self.filter(withdrawn_on__isnull=True)

    def active_on(self, day):
        """Members on `day`: joined on or before it, not withdrawn by then."""
        return self.filter(joined_on__lte=day).filter(
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day)
        )

    def closed_in_finess(self):
        """Active memberships of running (not closed) clusters whose establishment the FINESS
        registry no longer lists: the ARS must act (withdraw it, or check with FINESS)."""
        return (
            self.active()
            .filter(establishment__finess_closed_on__isnull=False)
            .exclude(cluster__status=Cluster.Status.CLOTURE)
        )

    def counted(self):
        """Participations the programme's figures count: every membership, active or withdrawn
        since, of a counted cluster (ClusterQuerySet.counted). An establishment that withdrew
        did take part, as the published figures count it."""
        return self.exclude(cluster__status=Cluster.Status.BROUILLON)


class Membership(models.Model):
    """An establishment's participation in a cluster.

    The database (trigger of migration 0002) keeps the rules two requests could race on: the
    establishment is in the cluster's region, the membership's wave is the cluster's, and a
    cluster never has more than MAX_MEMBERS active members.
    """

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    establishment = models.ForeignKey(
        Establishment,
        verbose_name="établissement",
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    # Copied from the cluster by the trigger, so that one-cluster-per-wave is a unique index.
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="+", editable=False)
    joined_on = models.DateField("date d'entrée")
    withdrawn_on = models.DateField("date de retrait", null=True, blank=True)
    withdrawal_reason = models.TextField("motif du retrait", blank=True, max_length=LONG_TEXT_MAX)
    phase = models.CharField("phase", max_length=20, choices=Phase.choices, default=Phase.CADRAGE)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "participation"
        # No default ordering: it joined the establishments on every query. Pages order by
        # name explicitly.
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "wave"],
                condition=Q(withdrawn_on__isnull=True),
                name="one_active_cluster_per_wave",
                violation_error_message=(
                    "Cet établissement participe déjà à un cluster de cette vague."
                ),
            ),
            models.CheckConstraint(
                name="withdrawal_after_joining",
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("joined_on")),
            ),
        ]
        indexes = [models.Index(fields=["cluster", "withdrawn_on"])]

    def __str__(self):
        return f"{self.establishment.short_name} — {self.cluster}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_on is None

    def is_active_on(self, day) -> bool:
        """A member on `day` (MembershipQuerySet.active_on, in Python)."""
        return self.joined_on <= day and (self.withdrawn_on is None or self.withdrawn_on > day)


class DelegationContact(models.Model):
    """A person of the establishment's delegation (personal data: see the RGPD page)."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField("rôle", max_length=20, choices=CONTACT_ROLES)
    name = models.CharField("nom", max_length=150)
    email = models.EmailField("courriel", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)

    class Meta:
        verbose_name = "contact de la délégation"
        verbose_name_plural = "contacts de la délégation"
        ordering = ["role", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"


class PhaseChange(models.Model):
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="phase_changes"
    )
    phase = models.CharField("phase", max_length=20, choices=Phase.choices)
    changed_on = models.DateField("date")
    comment = models.TextField("commentaire", blank=True, max_length=LONG_TEXT_MAX)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "changement de phase"
        ordering = ["-changed_on", "-created_at"]

    def __str__(self):
        return f"{self.membership} → {self.get_phase_display()}"


class SessionQuerySet(RegionScopedQuerySet):
    region_path = "cluster__region"


class Session(models.Model):
    class Kind(models.TextChoices):
        LANCEMENT = "lancement", "Lancement"
        COLLECTIVE = "collective", "Séance collective"
        APPUI = "appui", "Appui individuel"
        SEMINAIRE = "seminaire", "Séminaire régional"
        RESTITUTION = "restitution", "Restitution"

    class Format(models.TextChoices):
        PRESENTIEL = "presentiel", "Présentiel"
        DISTANCIEL = "distanciel", "Distanciel"
        HYBRIDE = "hybride", "Hybride"

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField("numéro")
    held_on = models.DateField("date")
    kind = models.CharField("type", max_length=16, choices=Kind.choices, default=Kind.COLLECTIVE)
    format = models.CharField(
        "format", max_length=16, choices=Format.choices, default=Format.PRESENTIEL
    )
    place = models.CharField("lieu", max_length=200, blank=True)
    agenda = models.TextField("ordre du jour", blank=True, max_length=LONG_TEXT_MAX)
    tools = models.ManyToManyField(SessionTool, verbose_name="outils utilisés", blank=True)
    other_tools = models.CharField("autres outils", max_length=300, blank=True)
    key_points = models.TextField("points clés", blank=True, max_length=LONG_TEXT_MAX)
    decisions = models.TextField("décisions", blank=True, max_length=LONG_TEXT_MAX)
    next_steps = models.TextField("prochaines étapes", blank=True, max_length=LONG_TEXT_MAX)
    is_confidential = models.BooleanField(
        "confidentielle",
        default=False,
        help_text="Contenu masqué aux lecteurs nationaux, exclu des exports et des rapports.",
    )
    is_draft = models.BooleanField("brouillon", default=False)
    # Calendar: a one-day session's hours (Europe/Paris), its cancellation, and the iCalendar
    # SEQUENCE that convocations and the feed carry (incremented on each change sent to invitees).
    starts_at = models.TimeField("heure de début", default=datetime.time(9, 30))
    ends_at = models.TimeField("heure de fin", default=datetime.time(17, 0))
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    calendar_sequence = models.PositiveIntegerField("version du rendez-vous", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = "séance"
        ordering = ["cluster_id", "held_on", "number"]  # "_id": no join to the cluster's order
        constraints = [
            models.UniqueConstraint(fields=["cluster", "number"], name="unique_session_number"),
            models.CheckConstraint(
                name="session_ends_after_it_starts", condition=Q(ends_at__gt=models.F("starts_at"))
            ),
        ]
        indexes = [
            models.Index(fields=["cluster", "held_on"]),
            # The figures count sessions to come apart (programme.statistics): few rows.
            models.Index(fields=["held_on"], condition=Q(is_draft=False), name="session_held_on"),
        ]

    def __str__(self):
        return f"Séance {self.number} du {self.held_on:%d/%m/%Y}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "L'heure de fin doit suivre l'heure de début."})

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_planned(self) -> bool:
        """Still to come and not cancelled: convocations may be sent."""
        return not self.is_cancelled and self.held_on >= timezone.localdate()


class Attendance(models.Model):
    """How many people of one member establishment, in one role, attended a session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="attendances")
    role = models.CharField("rôle", max_length=20, choices=ParticipantRole.choices)
    count = models.PositiveSmallIntegerField("présents", validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = "présence"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "membership", "role"], name="unique_attendance_cell"
            ),
        ]

    def __str__(self):
        return f"{self.membership.establishment.short_name}: {self.count} {self.role}"


def _attachment_path(instance, filename):
    """A random name: the uploader's file name is kept in the database only."""
    return f"seances/{uuid.uuid4().hex}"


class SessionAttachmentQuerySet(RegionScopedQuerySet):
    region_path = "session__cluster__region"


class SessionAttachment(models.Model):
    """A file of a session (agenda, slides, sign-in sheet), downloaded only through a view."""

    class Kind(models.TextChoices):
        ORDRE_DU_JOUR = "ordre_du_jour", "Ordre du jour"
        SUPPORT = "support", "Support de présentation"
        EMARGEMENT = "emargement", "Feuille d'émargement"
        AUTRE = "autre", "Autre document"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("type de document", max_length=16, choices=Kind.choices)
    file = models.FileField("fichier", upload_to=_attachment_path, max_length=200)
    original_name = models.CharField("nom du fichier", max_length=255)
    content_type = models.CharField("type de contenu", max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = SessionAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = "pièce jointe de séance"
        verbose_name_plural = "pièces jointes de séance"
        ordering = ["session_id", "uploaded_at"]

    def __str__(self):
        return self.original_name


class SessionConvocation(models.Model):
    """One convocation (or its update, or its cancellation) e-mailed to a delegation contact:
    who was invited to a session, at which version of the appointment, and the e-mail's fate.
    The name and address are those the message went to (the contact may change later)."""

    class Method(models.TextChoices):
        REQUEST = "REQUEST", "Convocation"
        CANCEL = "CANCEL", "Annulation"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="convocations")
    contact = models.ForeignKey(
        DelegationContact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    establishment_name = models.CharField("établissement", max_length=200, blank=True)
    name = models.CharField("nom", max_length=150)
    email = models.EmailField("courriel")
    method = models.CharField("nature", max_length=8, choices=Method.choices)
    sequence = models.PositiveIntegerField("version du rendez-vous")
    is_update = models.BooleanField("mise à jour", default=False)
    outgoing = models.ForeignKey(
        "notifications.OutgoingEmail", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField("envoyée le", auto_now_add=True)

    class Meta:
        verbose_name = "convocation à une séance"
        verbose_name_plural = "convocations aux séances"
        indexes = [models.Index(fields=["session", "email"])]

    def __str__(self):
        return f"{self.get_method_display()} de {self.name} ({self.session})"
