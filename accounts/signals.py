"""Security events as structured log records: never passwords nor session keys.

Each record's message is the event name; its fields are in `extra` (rendered as JSON by
accounts.log_format.StructuredFormatter), so a log pipeline can filter on them.
"""

import logging
import time
from datetime import timedelta

from auditlog.context import auditlog_value
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from .models import RoleAssignment

security_log = logging.getLogger("qvt.security")


def _client(request):
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def _current_actor() -> str:
    """The signed-in user of the current request (set by AuditlogMiddleware), or "system"."""
    try:
        actor = auditlog_value.get().get("actor")
    except LookupError:
        actor = None
    return actor.username if actor is not None else "system"


def log_event(event: str, level: int = logging.INFO, **fields) -> None:
    security_log.log(level, event, extra={"event": event, **fields})


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    """Pin the session's end to login + SESSION_COOKIE_AGE: activity never extends it.

    Django's default expiry slides (each saved session gets now + SESSION_COOKIE_AGE); an
    absolute date makes the 12-hour limit real. The idle limit is the middleware's job.
    """
    if request is None or not hasattr(request, "session"):
        return
    ends_at = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    request.session.set_expiry(ends_at)
    request.session["login_at"] = int(time.time())
    request.session["last_seen"] = int(time.time())


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    log_event("login", username=user.username, ip=_client(request))


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs):
    log_event("logout", username=user.username if user else "", ip=_client(request))


@receiver(user_login_failed)
def log_login_failure(sender, credentials, request=None, **kwargs):
    # `credentials` is already cleansed by Django; only the username is kept.
    log_event(
        "login_failed",
        logging.WARNING,
        username=credentials.get("username", ""),
        ip=_client(request),
    )


@receiver(user_locked_out)
def log_lockout(sender, request, username, ip_address, **kwargs):
    log_event("lockout", logging.WARNING, username=username or "", ip=ip_address)


@receiver(post_save, sender=RoleAssignment)
def log_role_granted(sender, instance, created, **kwargs):
    log_event(
        "role_granted" if created else "role_changed",
        logging.WARNING,
        username=instance.user.username,
        role=instance.role,
        region=instance.region.code if instance.region_id else "",
        actor=_current_actor(),
    )


@receiver(post_delete, sender=RoleAssignment)
def log_role_revoked(sender, instance, **kwargs):
    log_event(
        "role_revoked",
        logging.WARNING,
        username=instance.user.username,
        role=instance.role,
        region=instance.region.code if instance.region_id else "",
        actor=_current_actor(),
    )
