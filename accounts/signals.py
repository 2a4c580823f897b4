"""Security events as structured log records: never passwords nor session keys."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

security_log = logging.getLogger("qvt.security")


def _client(request):
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in)
def log_login(sender, request, user, **kwargs):
    security_log.info(
        "login", extra={"event": "login", "username": user.username, "ip": _client(request)}
    )


@receiver(user_logged_out)
def log_logout(sender, request, user, **kwargs):
    username = user.username if user else ""
    security_log.info(
        "logout", extra={"event": "logout", "username": username, "ip": _client(request)}
    )


@receiver(user_login_failed)
def log_login_failure(sender, credentials, request=None, **kwargs):
    security_log.warning(
        "login_failed",
        extra={
            "event": "login_failed",
            "username": credentials.get("username", ""),
            "ip": _client(request),
        },
    )


@receiver(user_locked_out)
def log_lockout(sender, request, username, ip_address, **kwargs):
    security_log.warning(
        "lockout", extra={"event": "lockout", "username": username or "", "ip": ip_address}
    )
