import time

from django.conf import settings
from django.contrib.auth import logout


class SessionTimeoutMiddleware:
    """Ends a session idle for more than SESSION_IDLE_TIMEOUT seconds.

    The absolute limit (12 hours) is SESSION_COOKIE_AGE: the expiry is set once at login and the
    session is not saved on every request, so activity never extends it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get("last_seen", now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            elif now - last_seen > 60:  # write the session at most once a minute
                request.session["last_seen"] = now
            elif "last_seen" not in request.session:
                request.session["last_seen"] = now
        return self.get_response(request)
