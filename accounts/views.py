import time

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.http import require_http_methods


def session_remaining(session) -> dict:
    """Seconds left before the session ends: idle limit, absolute limit, and whether activity
    can still push the end back (not once the absolute limit comes first)."""
    now = int(time.time())
    idle_left = settings.SESSION_IDLE_TIMEOUT - (now - session.get("last_seen", now))
    absolute_left = settings.SESSION_COOKIE_AGE - (now - session.get("login_at", now))
    return {
        "remaining": max(0, min(idle_left, absolute_left)),
        "renewable": idle_left < absolute_left,
        "idle_timeout": settings.SESSION_IDLE_TIMEOUT,
    }


@require_http_methods(["GET", "POST"])
def session_keep_alive(request):
    """The idle-timeout warning's endpoint (static/qvt/session-timeout.js): GET says how long
    the session has left without counting as activity; POST ("Rester connecté") is activity.
    A signed-out browser is sent to the login page like everywhere else."""
    if request.method == "POST":
        request.session["last_seen"] = int(time.time())
    return JsonResponse(session_remaining(request.session))
