"""Outgoing e-mails (the sending job), invitations and notification preferences."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Role


class OutgoingEmail(models.Model):
    """One message to one recipient, sent by a Celery task after the transaction commits.

    Kept small on purpose: its status/attempts/error fields are those of a job, so the lead can
    base it on the jobs framework's abstract model.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "En attente"
        SENDING = "sending", "Envoi en cours"
        SENT = "sent", "Envoyé"
        FAILED = "failed", "Échec"
        HELD = "held", "Gardé pour le récapitulatif"
        DIGESTED = "digested", "Envoyé dans un récapitulatif"

    kind = models.CharField("type", max_length=40)
    to = models.EmailField("destinataire")
    subject = models.CharField("objet", max_length=200)
    text_body = models.TextField("texte")
    html_body = models.TextField("HTML")
    link = models.URLField("lien", max_length=500, blank=True)
    # Optional attachment (an .ics convocation): file name, MIME type, text content.
    attachment_name = models.CharField(max_length=100, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_content = models.TextField(blank=True)
    status = models.CharField(
        "statut", max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "e-mail envoyé"
        verbose_name_plural = "e-mails envoyés"
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self):
        return f"{self.subject} ({self.get_status_display()})"


def token_digest(token: str) -> str:
    """Only a digest of a link's token is stored: a database leak gives no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField("rôle", max_length=16, choices=Role.choices)
    region = models.ForeignKey(
        "establishments.Region", verbose_name="région", on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="invité par", on_delete=models.SET_NULL,
        null=True, related_name="+",
    )  # fmt: skip
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("envoyée le", auto_now_add=True)
    sent_count = models.PositiveSmallIntegerField("envois", default=1)
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"

    def __str__(self):
        return f"Invitation de {self.user} ({self.get_role_display()})"

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "Acceptée"
        if self.revoked_at:
            return "Révoquée"
        if self.expires_at <= timezone.now():
            return "Expirée"
        return "En attente"


class Event(models.TextChoices):
    """What a user may be notified of (each on by default)."""

    MONOGRAPH_SUBMITTED = "monograph_submitted", "Une monographie de ma région est soumise"
    MONOGRAPH_SENT_BACK = "monograph_sent_back", "Ma monographie est renvoyée pour modification"
    MONOGRAPH_VALIDATED = "monograph_validated", "Ma monographie est validée"
    MONOGRAPH_PUBLISHED = "monograph_published", "Ma monographie est publiée ou retirée"
    REPORT_READY = "report_ready", "Un rapport que j'ai demandé est prêt"
    CLUSTER_STATUS = "cluster_status", "Un de mes clusters est constitué ou clôturé"
    SESSION_RECORDED = "session_recorded", "Une séance d'un de mes clusters est enregistrée"


class NotificationPreferences(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    disabled_events = models.JSONField("notifications désactivées", default=list, blank=True)
    weekly_digest = models.BooleanField("récapitulatif hebdomadaire", default=False)

    class Meta:
        verbose_name = "préférences de notification"
        verbose_name_plural = "préférences de notification"

    def __str__(self):
        return f"Préférences de {self.user}"

    def wants(self, event: str) -> bool:
        return event not in self.disabled_events


class CalendarFeedToken(models.Model):
    """The secret of a user's private calendar feed (one per user). Only its digest is stored:
    the feed's address is shown once, when it is created; regenerating replaces it, revoking
    deletes it (the old address then answers 404)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    last_used_at = models.DateTimeField("dernière lecture", null=True, blank=True)

    class Meta:
        verbose_name = "adresse d'agenda"
        verbose_name_plural = "adresses d'agenda"

    def __str__(self):
        return f"Agenda de {self.user}"
