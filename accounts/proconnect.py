"""ProConnect, the State's single sign-on for public agents (OpenID Connect, mozilla-django-oidc).

Enabled when PROCONNECT_CLIENT_ID is set (qvt/settings.py maps the PROCONNECT_* variables onto
mozilla-django-oidc's settings). A ProConnect identity signs in an EXISTING active account whose
e-mail address equals the identity's e-mail, and only if that account holds a role: nobody gets
an account through ProConnect, accounts come from an administrator or an invitation.

ProConnect's documented claims (given_name, usual_name, email, uid, siret, idp_id...) carry no
`email_verified`: its identity providers are vetted, and it recommends the professional e-mail
for matching accounts. So a missing `email_verified` is accepted; an identity whose provider
says it is NOT verified (`false`) is refused.

Logging out of the application also ends the ProConnect session (`logout`). Password login
stays for everyone.

Logs never carry the address or the tokens: refusals are logged by reason only.
"""

import logging

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.http import urlencode
from django.views.decorators.http import require_POST
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .rules import has_a_role

security_log = logging.getLogger("qvt.security")
REFUSED_MESSAGE = (
    "La connexion avec ProConnect n'a pas abouti : votre adresse électronique ProConnect doit "
    "être vérifiée et correspondre à un compte Clusters QVT doté d'un rôle. Demandez une "
    "invitation à votre administrateur, ou connectez-vous avec votre identifiant."
)


def refused(reason: str) -> None:
    security_log.warning(
        "proconnect_refused", extra={"event": "proconnect_refused", "reason": reason}
    )


def proconnect_enabled() -> bool:
    return bool(getattr(settings, "PROCONNECT_CLIENT_ID", ""))


class ProConnectBackend(OIDCAuthenticationBackend):
    def describe_user_by_claims(self, claims):
        return "a ProConnect identity"  # never the address (mozilla-django-oidc logs this)

    def verify_claims(self, claims):
        if not claims.get("email"):
            refused("no_email")
            return False
        if str(claims.get("email_verified", "")).lower() == "false":
            refused("email_not_verified")
            return False
        return True

    def filter_users_by_claims(self, claims):
        users = [
            user
            for user in self.UserModel.objects.filter(email__iexact=claims["email"], is_active=True)
            if has_a_role(user)
        ]
        if not users:
            refused("no_account_with_role")
        return users

    def create_user(self, claims):
        # OIDC_CREATE_USER is False; should it be turned on, still never create an account.
        raise SuspiciousOperation("ProConnect never creates accounts")


@login_not_required
def login_start(request):
    """The "S'identifier avec ProConnect" button: off to the provider (404 when not set up)."""
    if not proconnect_enabled():
        raise Http404("ProConnect n'est pas configuré.")
    return OIDCAuthenticationRequestView.as_view()(request)


class _Callback(OIDCAuthenticationCallbackView):
    @property
    def failure_url(self):
        return reverse("accounts:login")

    def login_failure(self):
        messages.error(self.request, REFUSED_MESSAGE)
        return super().login_failure()

    def login_success(self):
        security_log.info("proconnect_login", extra={"event": "proconnect_login",
                                                      "username": self.user.username})  # fmt: skip
        return super().login_success()


@login_not_required
def login_callback(request):
    if not proconnect_enabled():
        raise Http404("ProConnect n'est pas configuré.")
    try:
        return _Callback.as_view()(request)
    except SuspiciousOperation:  # an unknown or replayed state
        messages.error(request, REFUSED_MESSAGE)
        return redirect("accounts:login")


@require_POST
def logout(request):
    """Log out here; when the session came from ProConnect, also at ProConnect (RP-initiated
    logout with the ID token as hint), which sends the browser back to the login page."""
    id_token = request.session.get("oidc_id_token")
    auth.logout(request)
    if not (id_token and proconnect_enabled()):
        return redirect(settings.LOGOUT_REDIRECT_URL)
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": get_random_string(32),
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:login")),
        }
    )
    return HttpResponseRedirect(f"{settings.PROCONNECT_END_SESSION_ENDPOINT}?{query}")
