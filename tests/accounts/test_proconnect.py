"""ProConnect sign-in against a real OpenID Connect provider (tests/oidc/provider.mjs, the npm
package `oidc-provider`) on 127.0.0.1: the accepted case, logout at the provider, and the
refused cases (an address its provider says is unverified, no role, unknown address); an
identity without `email_verified`, as ProConnect sends them, is accepted. The browser test is
tests/e2e/test_proconnect.py."""

import html
import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from establishments.models import Region
from notifications import invitations
from notifications.models import Invitation
from tests.factories import UserFactory, aract_user, ars_user
from tests.oidc.provider import oidc_provider

pytestmark = pytest.mark.django_db
SITE = "http://testserver"
ACCOUNTS = {
    "alice": {"email": "Alice.Proconnect@example.invalid", "email_verified": True,
              "given_name": "Alice", "usual_name": "Martin"},
    "bruno": {"email": "bruno.proconnect@example.invalid", "email_verified": False},
    "berthe": {"email": "berthe.proconnect@example.invalid", "email_verified": "false"},
    # As ProConnect sends it: no email_verified claim at all.
    "emma": {"email": "emma.proconnect@example.invalid", "given_name": "Emma",
             "usual_name": "Petit", "uid": "emma-1", "siret": "13002526500013"},
    "chloe": {"email": "chloe.sansrole@example.invalid", "email_verified": True},
    "denis": {"email": "denis.inconnu@example.invalid", "email_verified": True},
}  # fmt: skip


@pytest.fixture(scope="module")
def provider():
    with oidc_provider(
        redirect_uris=[f"{SITE}/compte/proconnect/retour/"],
        post_logout_redirect_uris=[f"{SITE}/compte/connexion/"],
        accounts=ACCOUNTS,
    ) as running:
        yield running


@pytest.fixture
def proconnect(provider, settings):
    provider.configure(settings)
    return provider


def _form(html: str) -> tuple[str, dict]:
    action = re.search(r'<form[^>]*action="([^"]+)"', html).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return action, fields


def at_provider(browser: requests.Session, url: str, *, login: str | None = None) -> str:
    """Go through the provider's pages (login form, consent) from `url` until it sends the
    browser back to the site; returns that address."""
    response = browser.get(url, allow_redirects=False)
    for _ in range(10):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if location.startswith(SITE):
                return location
            response = browser.get(location, allow_redirects=False)
            continue
        action, fields = _form(response.text)
        if 'name="login"' in response.text:
            assert login, "the provider asks who signs in"
            fields.update(login=login, password="peu-importe")
        if 'name="logout"' in response.text:
            fields["logout"] = "yes"  # its "Yes, sign me out" button
        response = browser.post(urljoin(response.url, action), data=fields, allow_redirects=False)
    raise AssertionError("the provider never sent the browser back")


def sign_in(client, login: str | None, browser: requests.Session | None = None):
    """Click the button, go through the provider as `login` (None: the provider must not ask,
    its session is still open), come back to the callback."""
    start = client.get(reverse("accounts:proconnect-login"))
    assert start.status_code == 302
    back = at_provider(browser or requests.Session(), start["Location"], login=login)
    parts = urlsplit(back)
    assert parts.path == reverse("accounts:proconnect-callback")
    return client.get(f"{parts.path}?{parts.query}")


def test_the_login_page_shows_the_proconnect_button_only_when_configured(client, settings):
    settings.PROCONNECT_CLIENT_ID = ""
    page = client.get(reverse("accounts:login")).content.decode()
    assert "fr-connect" not in page
    assert client.get(reverse("accounts:proconnect-login")).status_code == 404
    settings.PROCONNECT_CLIENT_ID = "un-client"
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'class="fr-connect"' in page and "S’identifier avec" in page


def test_a_verified_address_signs_in_its_account_and_logout_ends_both_sessions(
    client, proconnect, caplog
):
    user = aract_user("11", username="alice-aract", email="alice.proconnect@example.invalid")
    browser = requests.Session()  # the browser's cookies at the provider
    response = sign_in(client, "alice", browser)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).wsgi_request.user == user
    # While the ProConnect session lasts, the provider does not ask again (the control of the
    # check after logout below).
    assert sign_in(Client(), None, browser)["Location"] == reverse("home")

    response = client.post(reverse("accounts:logout"))
    end_session = response["Location"]
    assert end_session.startswith(f"{proconnect.issuer}/session/end?")
    assert parse_qs(urlsplit(end_session).query)["id_token_hint"]
    assert client.get(reverse("home")).status_code == 302  # signed out here
    # At the provider: its logout confirmation, then back to our login page.
    back = at_provider(browser, end_session)
    assert urlsplit(back).path == reverse("accounts:login")
    # The ProConnect session is over too: signing in again asks who signs in.
    with pytest.raises(AssertionError, match="the provider asks who signs in"):
        sign_in(client, None, browser)

    assert "alice.proconnect@example.invalid" not in caplog.text.lower()
    assert "proconnect_login" in caplog.text


def test_an_identity_without_email_verified_signs_in_as_proconnect_sends_it(client, proconnect):
    user = ars_user("11", username="emma-ars", email="emma.proconnect@example.invalid")
    response = sign_in(client, "emma")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).wsgi_request.user == user


def test_an_invitee_who_signs_in_with_proconnect_has_accepted_the_invitation(
    client, proconnect, django_capture_on_commit_callbacks
):
    """Never sets the password the link offers: the invitation is accepted all the same."""
    colleague = ars_user("11", username="ars-colleague")
    with django_capture_on_commit_callbacks():  # the e-mail is not what this test is about
        invitation = invitations.invite(
            email="emma.proconnect@example.invalid", first_name="Emma", last_name="Petit",
            role=Role.ARS, region=Region.objects.get(code="11"), by=colleague,
        )  # fmt: skip
    assert invitation.state == "En attente"
    assert sign_in(client, "emma")["Location"] == reverse("home")
    invitation.refresh_from_db()
    assert invitation.state == "Acceptée"
    assert not Invitation.objects.usable().filter(pk=invitation.pk).exists()  # link dead


@pytest.mark.parametrize(
    ("login", "reason"),
    [("bruno", "email_not_verified"), ("berthe", "email_not_verified"),
     ("chloe", "no_account_with_role"), ("denis", "no_account_with_role")],
)  # fmt: skip
def test_refused_identities_do_not_get_in(client, proconnect, caplog, login, reason):
    ars_user("11", username="bruno-ars", email="bruno.proconnect@example.invalid")
    ars_user("11", username="berthe-ars", email="berthe.proconnect@example.invalid")
    UserFactory(username="chloe-sans-role", email="chloe.sansrole@example.invalid")
    response = sign_in(client, login)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    page = client.get(response["Location"])
    assert "La connexion avec ProConnect n'a pas abouti" in html.unescape(page.content.decode())
    assert not page.wsgi_request.user.is_authenticated
    assert reason in [getattr(r, "reason", None) for r in caplog.records]
    assert ACCOUNTS[login]["email"] not in caplog.text


def test_refused_identities_are_not_counted_as_password_failures(client, proconnect, settings):
    """A shared address where people without an account try ProConnect is never locked."""
    user = ars_user("11", username="emma-ars", email="emma.proconnect@example.invalid")
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        assert sign_in(Client(), "denis")["Location"] == reverse("accounts:login")
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, "emma")["Location"] == reverse("home")
    assert client.get(reverse("home")).wsgi_request.user == user
