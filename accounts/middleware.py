import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.urls import reverse

security_log = logging.getLogger("qvt.security")


class SessionTimeoutMiddleware:
    """Ends a session idle for more than SESSION_IDLE_TIMEOUT seconds, or older than
    SESSION_COOKIE_AGE seconds since login (12 hours), whatever the activity.

    The login signal (accounts.signals.start_session_clock) also pins the session's expiry to an
    absolute date, so the cookie and the stored session die at that time too. `last_seen` is
    written at most once a minute to avoid a session write per request; the page's script asking
    how long is left (GET accounts:session-keep-alive) does not count as activity.

    When it ends a session it says so on the login page (it runs after MessageMiddleware): an
    expired form post is not saved, and a form whose script keeps a draft in the browser
    (static/qvt/form-drafts.js, which then sends `qvt_draft_kept`) is told its text was kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._status_path = None

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
                self._tell(request)
            else:
                if self._counts_as_activity(request) and (
                    now - last_seen > 60 or "last_seen" not in request.session
                ):
                    request.session["last_seen"] = now
                if "login_at" not in request.session:
                    request.session["login_at"] = now
        return self.get_response(request)

    def _counts_as_activity(self, request) -> bool:
        if self._status_path is None:
            self._status_path = reverse("accounts:session-keep-alive")
        return not (request.method == "GET" and request.path_info == self._status_path)

    @staticmethod
    def _tell(request):
        if request.method == "POST":
            if request.POST.get("qvt_draft_kept") == "1":
                text = (
                    "Votre session avait expiré : le formulaire n'a pas été enregistré. Le texte "
                    "saisi est conservé dans ce navigateur : reconnectez-vous, il vous sera "
                    "proposé de le restaurer."
                )
            else:
                text = (
                    "Votre session avait expiré : le formulaire n'a pas été enregistré. "
                    "Reconnectez-vous pour le saisir à nouveau."
                )
        else:
            text = "Votre session a expiré. Reconnectez-vous pour continuer."
        messages.warning(request, text)


class SecurityEventMiddleware:
    """Logs two events of signed-in users that the views do not log themselves.

    - "object_not_found": a 404 on a URL that names an object. Views fetch through
      `visible_to(user)`, so another region's object answers 404 exactly like a missing one: the
      two cannot be told apart without a leak, so both are logged; repeated events for one user
      are the sign of someone probing other regions' identifiers.
    - "file_download": any file sent as an attachment (report PDFs, session attachments,
      exports), with the URL name and arguments, so that who took which file is on record.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or not request.user.is_authenticated:
            return response
        if response.status_code == 404 and match.kwargs:
            self._log(request, match, "object_not_found")
        elif response.status_code == 200 and response.get("Content-Disposition", "").startswith(
            "attachment"
        ):
            self._log(request, match, "file_download", logging.INFO)
        return response

    @staticmethod
    def _log(request, match, event, level=logging.WARNING):
        security_log.log(
            level,
            event,
            extra={
                "event": event,
                "username": request.user.username,
                "url_name": match.view_name,
                "url_kwargs": {key: str(value) for key, value in match.kwargs.items()},
                "method": request.method,
                "ip": request.META.get("REMOTE_ADDR", ""),
            },
        )
