"""E-mail as a component: compose from a template pair, record, send after commit, retry.

Addresses and tokens never reach the logs: log lines name an e-mail by its id only.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User

from .models import Event, NotificationPreferences, OutgoingEmail

logger = logging.getLogger(__name__)
Status = OutgoingEmail.Status

SENT, RETRY, FAILED, SKIPPED = "sent", "retry", "failed", "skipped"


def absolute_url(path: str) -> str:
    """A link back into the application, as the recipient's mail reader needs it."""
    return settings.SITE_URL.rstrip("/") + path


# --- Composing (in the request) ---------------------------------------------------------------


def queue_email(
    *,
    kind: str,
    to: str,
    subject: str,
    template: str,
    context: dict,
    link: str = "",
    attachment: tuple[str, str, str] | None = None,
    hold: bool = False,
) -> OutgoingEmail:
    """Render templates/notifications/email/<template>.txt and .html, record the message and
    send it once the current transaction commits (a rolled-back action sends nothing).

    `link` is a path of this site (made absolute here); `attachment` is (name, MIME type, text).
    `hold` keeps it for the recipient's weekly digest instead.
    """
    context = {**context, "subject": subject, "link": absolute_url(link) if link else ""}
    context["site_url"] = settings.SITE_URL.rstrip("/")
    name, content_type, content = attachment or ("", "", "")
    email = OutgoingEmail.objects.create(
        kind=kind,
        to=to,
        subject=subject,
        text_body=render_to_string(f"notifications/email/{template}.txt", context),
        html_body=render_to_string(f"notifications/email/{template}.html", context),
        attachment_name=name,
        attachment_type=content_type,
        attachment_content=content,
        link=context["link"],
        status=Status.HELD if hold else Status.PENDING,
    )
    if hold:
        return email
    email_id = email.pk
    transaction.on_commit(lambda: enqueue(email_id))
    return email


def enqueue(email_id: int) -> bool:
    """Hand the e-mail to the broker; a dead Redis fails in about a second and never breaks the
    request: the e-mail stays pending and `requeue_pending_emails` sends it later."""
    from qvt.celery import app

    from .tasks import send_email

    options = {**app.conf.broker_transport_options, "max_retries": 0}
    try:
        with app.connection_for_write(transport_options=options) as connection:
            send_email.apply_async(args=[email_id], connection=connection, retry=False)
    except Exception as error:  # the broker's own errors vary with the transport
        logger.warning("E-mail %s not queued, broker unreachable: %s", email_id, type(error))
        return False
    return True


# --- Sending (in the worker) ------------------------------------------------------------------


def claim(email_id: int) -> bool:
    """pending → sending in one conditional UPDATE: of two deliveries, one sends."""
    return bool(
        OutgoingEmail.objects.filter(pk=email_id, status=Status.PENDING).update(
            status=Status.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()
        )
    )


def build_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    reply_to = [settings.EMAIL_REPLY_TO] if settings.EMAIL_REPLY_TO else None
    message = EmailMultiAlternatives(
        email.subject, email.text_body, settings.DEFAULT_FROM_EMAIL, [email.to], reply_to=reply_to
    )
    message.attach_alternative(email.html_body, "text/html")
    if email.attachment_name:
        message.attach(email.attachment_name, email.attachment_content, email.attachment_type)
    return message


def deliver(email_id: int) -> str:
    """Send one claimed e-mail; SENT, RETRY (back to pending), FAILED (for good) or SKIPPED."""
    if not claim(email_id):
        return SKIPPED
    email = OutgoingEmail.objects.get(pk=email_id)
    try:
        build_message(email).send()
    except Exception as error:  # SMTP, DNS, TLS, timeouts: all are worth another try
        final = email.attempts >= settings.EMAIL_MAX_ATTEMPTS
        OutgoingEmail.objects.filter(pk=email_id).update(
            status=Status.FAILED if final else Status.PENDING,
            last_error=f"{type(error).__name__}: {error}"[:2000],  # for administrators only
            updated_at=timezone.now(),
        )
        # The exception's text may contain the address: only its class is logged.
        logger.warning(
            "E-mail %s not sent (attempt %s): %s", email_id, email.attempts, type(error).__name__
        )
        return FAILED if final else RETRY
    OutgoingEmail.objects.filter(pk=email_id).update(
        status=Status.SENT, sent_at=timezone.now(), last_error="", updated_at=timezone.now()
    )
    return SENT


def retry_delay(attempts: int) -> int:
    """Exponential backoff: base, 2×base, 4×base... seconds after the 1st, 2nd, 3rd failure."""
    return settings.EMAIL_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)


def requeue_pending_emails(*, older_than: int = 900) -> list[int]:
    """E-mails the broker lost (Redis down at request time, worker killed, countdown lost):
    pending, or stuck sending, with no change for `older_than` seconds."""
    limit = timezone.now() - datetime.timedelta(seconds=older_than)
    stuck = OutgoingEmail.objects.filter(status=Status.SENDING, updated_at__lt=limit)
    stuck.update(status=Status.PENDING)
    ids = list(
        OutgoingEmail.objects.filter(Q(status=Status.PENDING), updated_at__lt=limit)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    return [email_id for email_id in ids if enqueue(email_id)]


# --- Notifications ----------------------------------------------------------------------------


def preferences_of(user) -> NotificationPreferences:
    preferences = getattr(user, "_notification_preferences", None)
    if preferences is None:
        preferences, _ = NotificationPreferences.objects.get_or_create(user=user)
    return preferences


def notify_users(users, *, event: str, subject: str, template: str, context: dict, link: str):
    """The one call a domain service makes when something worth an e-mail happens (after its
    write, inside its transaction: the e-mails leave only if it commits). Each user gets it once,
    now or in the weekly digest, unless they turned that kind of notification off."""
    seen = set()
    for user in users:
        if user.pk in seen or not user.is_active or not user.email:
            continue
        seen.add(user.pk)
        preferences = preferences_of(user)
        if not preferences.wants(event):
            continue
        queue_email(
            hold=preferences.weekly_digest,
            kind=event,
            to=user.email,
            subject=subject,
            template=template,
            context={**context, "recipient": user},
            link=link,
        )


def ars_and_programme_team(region_id):
    """Who hears of a region's monographs: its ARS staff and the national programme team."""
    return User.objects.filter(
        Q(role_assignments__role=Role.ARS, role_assignments__region_id=region_id)
        | Q(role_assignments__role=Role.PROGRAMME),
        is_active=True,
    ).distinct()


@transaction.atomic
def send_weekly_digests() -> int:
    """One e-mail per address gathering the notifications held for it; returns how many."""
    held = list(
        OutgoingEmail.objects.select_for_update().filter(status=Status.HELD).order_by("created_at")
    )
    by_address: dict[str, list[OutgoingEmail]] = {}
    for email in held:
        by_address.setdefault(email.to, []).append(email)
    for address, emails in by_address.items():
        queue_email(
            kind="weekly_digest",
            to=address,
            subject=f"Votre récapitulatif de la semaine — {len(emails)} notification(s)",
            template="weekly_digest",
            context={"items": emails},
            link=reverse("notifications:preferences"),
        )
    OutgoingEmail.objects.filter(pk__in=[e.pk for e in held]).update(status=Status.DIGESTED)
    return len(by_address)


def personal_data(users) -> dict:
    """This app's part of the RGPD right-of-access export: invitations and preferences."""
    from .models import CalendarFeedToken, Invitation

    return {
        "invitations": [
            {
                "username": invitation.user.username,
                "role": invitation.get_role_display(),
                "region": invitation.region.name if invitation.region_id else None,
                "invited_by": str(invitation.invited_by) if invitation.invited_by_id else None,
                "sent_at": invitation.created_at,
                "expires_at": invitation.expires_at,
                "accepted_at": invitation.accepted_at,
                "revoked_at": invitation.revoked_at,
            }
            for invitation in Invitation.objects.filter(user__in=users).select_related(
                "user", "region", "invited_by"
            )
        ],
        "notification_preferences": [
            {
                "username": preferences.user.username,
                "notifications": {event.label: preferences.wants(event) for event in Event},
                "weekly_digest": preferences.weekly_digest,
            }
            for preferences in NotificationPreferences.objects.filter(
                user__in=users
            ).select_related("user")
        ],
        # The feed address exists (its secret is never stored in clear, so never exported).
        "calendar_feeds": [
            {
                "username": feed.user.username,
                "created_at": feed.created_at,
                "last_used_at": feed.last_used_at,
            }
            for feed in CalendarFeedToken.objects.filter(user__in=users).select_related("user")
        ],
    }
