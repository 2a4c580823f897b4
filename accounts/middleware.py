import logging
import time

from django.conf import settings
from django.contrib.auth import logout

security_log = logging.getLogger("qvt.security")


class SessionTimeoutMiddleware:
    """Ends a session idle for more than SESSION_IDLE_TIMEOUT seconds, or older than
    SESSION_COOKIE_AGE seconds since login (12 hours), whatever the activity.

    The login signal (accounts.signals.start_session_clock) also pins the session's expiry to an
    absolute date, so the cookie and the stored session die at that time too. `last_seen` is
    written at most once a minute to avoid a session write per request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get("last_seen", now)
            login_at = request.session.get("login_at", now)
            if (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - login_at > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
            else:
                if now - last_seen > 60 or "last_seen" not in request.session:
                    request.session["last_seen"] = now
                if "login_at" not in request.session:
                    request.session["login_at"] = now
        return self.get_response(request)


class ObjectNotFoundLogMiddleware:
    """Logs a 404 answered to a signed-in user on a URL that names an object.

    Views fetch objects through `visible_to(user)`, so another region's object answers 404 exactly
    like a missing one: from outside the view, the two cannot be told apart without leaking. Both
    are logged (event "object_not_found" with the user, URL name and arguments); repeated events
    for one user are the signal of someone probing other regions' identifiers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            response.status_code == 404
            and match is not None
            and match.kwargs
            and request.user.is_authenticated
        ):
            security_log.warning(
                "object_not_found",
                extra={
                    "event": "object_not_found",
                    "username": request.user.username,
                    "url_name": match.view_name,
                    "url_kwargs": {key: str(value) for key, value in match.kwargs.items()},
                    "method": request.method,
                    "ip": request.META.get("REMOTE_ADDR", ""),
                },
            )
        return response
