"""Login throttling: django-axes locks the (account, address) pair; this adds a progressive delay
per address, so that one address cannot try a few passwords on every account (spraying).

Both are computed from axes' own failure records (`AccessAttempt`), without any other state and
without sleeping in the request: an attempt that comes too early is answered at once with the
lockout page (429), which states the real remaining delay.

- The pair lock: AXES_FAILURE_LIMIT failures of one account from one address lock that pair for
  AXES_COOLOFF_TIME. Another address (the owner's) or another account (a colleague behind the same
  network) is not concerned.
- The address delay: once an address has THROTTLE_ADDRESS_FREE_FAILURES failures (all accounts
  together) within the cool-off period, each further attempt from it must wait
  THROTTLE_ADDRESS_BASE_DELAY seconds after its last failure, doubled at each further failure, up
  to THROTTLE_ADDRESS_MAX_DELAY. The threshold is above the pair limit, so a few people mistyping
  behind a shared address are never slowed; the delay is seconds to minutes, never a lock.
  Attempts refused while waiting are not counted
  (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off).
"""

import datetime
import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

from qvt.french import count


def address_delay(*, ip_address: str, now: datetime.datetime) -> int:
    """Seconds an attempt from `ip_address` must still wait at `now` (0: it may try)."""
    if not ip_address:
        return 0
    cool_off = get_cool_off()
    failures = AccessAttempt.objects.filter(
        ip_address=ip_address, attempt_time__gte=now - cool_off
    ).aggregate(total=Sum("failures_since_start"), last=Max("attempt_time"))
    excess = (failures["total"] or 0) - settings.THROTTLE_ADDRESS_FREE_FAILURES
    if excess < 0:
        return 0
    delay = min(
        settings.THROTTLE_ADDRESS_BASE_DELAY * 2 ** min(excess, 32),
        settings.THROTTLE_ADDRESS_MAX_DELAY,
    )
    remaining = (failures["last"] + datetime.timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(remaining))


def pair_delay(*, username: str | None, ip_address: str, now: datetime.datetime) -> int:
    """Seconds until the (account, address) pair's lock ends (0: not locked)."""
    cool_off = get_cool_off()
    failures = AccessAttempt.objects.filter(
        username=username, ip_address=ip_address, attempt_time__gte=now - cool_off
    ).aggregate(total=Sum("failures_since_start"), last=Max("attempt_time"))
    if (failures["total"] or 0) < settings.AXES_FAILURE_LIMIT:
        return 0
    return max(0, math.ceil((failures["last"] + cool_off - now).total_seconds()))


class ThrottlingHandler(AxesDatabaseHandler):
    """Axes' database handler, plus the progressive delay per address."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        now = getattr(request, "axes_attempt_time", None) or timezone.now()
        return address_delay(ip_address=request.axes_ip_address, now=now) > 0

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        # A ProConnect identity refused (no account with a role...) comes without a username:
        # the provider authenticated the person, nothing was guessed. It is logged
        # (proconnect_refused), not counted, so that refusals behind a shared address never
        # lock ProConnect, or slow password logins, for the others.
        if "username" not in (credentials or {}):
            return
        super().user_login_failed(sender, credentials, request, **kwargs)


def wait_text(seconds: int) -> str:
    """ "45 secondes", "1 minute", "15 minutes": minutes (rounded up) from two minutes on."""
    if seconds < 120:
        return count(seconds, "seconde:f")
    return count(math.ceil(seconds / 60), "minute:f")


def lockout_response(request, original_response=None, credentials=None):
    """The French lockout page (AXES_LOCKOUT_CALLABLE) with the real remaining delay."""
    now = timezone.now()
    ip_address = getattr(request, "axes_ip_address", "") or ""
    pair = pair_delay(
        username=get_client_username(request, credentials), ip_address=ip_address, now=now
    )
    address = address_delay(ip_address=ip_address, now=now)
    # Always at least one second: the page is shown because the attempt was refused.
    delay = max(pair, address, 1)
    context = {
        "title": "Connexion temporairement suspendue",
        "by_address": address > pair,
        "delay_seconds": delay,
        "wait": wait_text(delay),
    }
    response = render(request, "accounts/lockout.html", context, status=429)
    response["Retry-After"] = str(delay)
    return response
