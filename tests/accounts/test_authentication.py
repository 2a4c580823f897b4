"""Authentication: throttling (django-axes), password policy, session lifetime and rotation."""

import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session as StoredSession
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD
from tests.security.clients import fresh_client

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
HOME_URL = reverse("home")


def attempt(username, password, ip="192.0.2.1"):
    return fresh_client().post(
        LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def fail(username, ip="192.0.2.1"):
    """One failed login: the form again with its error, or the lockout page once the limit of
    failures is reached (the attempt that reaches it is already answered with the lock)."""
    response = attempt(username, "mauvais-mot-de-passe", ip)
    if response.status_code == 200:
        assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    return response.status_code


def fail_until_limit(username=None, ips=None):
    statuses = [
        fail(username or f"inconnu-{n}", (ips or {}).get(n, "192.0.2.1"))
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]


# --- Throttling ---------------------------------------------------------------------------------


def test_failures_lock_the_account_from_that_address_only(ars):
    fail_until_limit(ars.username, ips=dict.fromkeys(range(10), "192.0.2.10"))
    response = attempt(ars.username, TEST_PASSWORD, ip="192.0.2.10")
    # Even the right password, from that address, is refused with the French page...
    assert response.status_code == 429
    assert "Compte temporairement bloqué" in response.content.decode()
    assert "Réessayez dans 15 minutes" in response.content.decode()  # the real delay
    assert not response.cookies.get(settings.SESSION_COOKIE_NAME)
    # ...but whoever failed elsewhere cannot lock the account's owner out.
    assert attempt(ars.username, TEST_PASSWORD, ip="198.51.100.99").status_code == 302


def test_failures_from_a_shared_address_do_not_lock_out_colleagues(ars, aract):
    fail_until_limit(aract.username, ips=dict.fromkeys(range(10), "203.0.113.50"))
    assert attempt(aract.username, TEST_PASSWORD, ip="203.0.113.50").status_code == 429
    # A colleague behind the same address (the State's network) still gets in.
    assert attempt(ars.username, TEST_PASSWORD, ip="203.0.113.50").status_code == 302


def test_a_few_failures_do_not_lock(ars):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert fail(ars.username) == 200
    response = attempt(ars.username, TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == HOME_URL


def test_the_lock_ends_after_the_cool_off_period(ars):
    fail_until_limit(ars.username)
    assert attempt(ars.username, TEST_PASSWORD).status_code == 429
    cool_off = datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - datetime.timedelta(1))
    assert attempt(ars.username, TEST_PASSWORD).status_code == 302


def test_lockout_settings_are_per_account_and_per_address_with_a_cool_off():
    assert settings.AXES_FAILURE_LIMIT <= 10
    # One combined pair: neither the account alone nor the address alone is locked.
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert 0 < settings.AXES_COOLOFF_TIME <= 1


# --- Password policy ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["court-2026", "motdepasse1", "telechargement", "qwerty123456", "123456789012"],
)
def test_short_common_or_numeric_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_password_containing_the_username_or_email_is_refused(ars):
    ars.username, ars.email = "ars-94", "claire.martin@ars.sante.fr"
    for password in ["ars-94ars-94", "Ars94-mon-mot-de-passe", "claire.martin-2026!"]:
        with pytest.raises(ValidationError):
            validate_password(password, user=ars)
    validate_password("une phrase de passe simple", user=ars)


@pytest.mark.parametrize(
    "password",
    # Twelve characters or more, no composition rule: lower-case words are fine.
    ["une phrase de passe simple", "jardinpotagerbleu", "tournesols en aout"],
)
def test_long_passphrases_are_accepted_without_composition_rules(password):
    validate_password(password)


def test_the_password_change_page_enforces_the_policy(client, ars):
    client.force_login(ars)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": TEST_PASSWORD, "new_password1": "court", "new_password2": "court"},
    )
    assert response.status_code == 200
    assert "12 caractères" in response.content.decode()
    ars.refresh_from_db()
    assert ars.check_password(TEST_PASSWORD)


# --- Sessions -----------------------------------------------------------------------------------


def logged_in_client(user) -> Client:
    client = fresh_client()
    response = client.post(LOGIN_URL, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def edit_session(client, **values):
    session = client.session
    session.update(values)
    session.save()


def test_the_session_key_changes_at_login(ars):
    client = fresh_client()
    anonymous_session = client.session  # a session that exists before login
    anonymous_session["panier"] = "x"
    anonymous_session.save()
    before = anonymous_session.session_key
    client.post(LOGIN_URL, {"username": ars.username, "password": TEST_PASSWORD})
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not StoredSession.objects.filter(session_key=before).exists()


def test_logout_invalidates_the_session_on_the_server(ars):
    client = logged_in_client(ars)
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post(reverse("accounts:logout")).status_code == 302
    # Replaying the old cookie does not sign in.
    replay = fresh_client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    response = replay.get(HOME_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert not StoredSession.objects.filter(session_key=old_key).exists()


def test_a_session_idle_for_more_than_thirty_minutes_ends(ars):
    client = logged_in_client(ars)
    assert client.get(HOME_URL).status_code == 200
    edit_session(client, last_seen=int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5)
    response = client.get(HOME_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_activity_within_thirty_minutes_keeps_the_session(ars):
    client = logged_in_client(ars)
    edit_session(client, last_seen=int(time.time()) - settings.SESSION_IDLE_TIMEOUT + 60)
    assert client.get(HOME_URL).status_code == 200
    # ...and the request moved `last_seen` forward.
    assert client.session["last_seen"] >= int(time.time()) - 5


def test_a_session_ends_twelve_hours_after_login_even_when_active(ars):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    client = logged_in_client(ars)
    now = int(time.time())
    edit_session(client, login_at=now - settings.SESSION_COOKIE_AGE - 5, last_seen=now)
    response = client.get(HOME_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_activity_never_moves_the_session_expiry_beyond_twelve_hours_after_login(ars):
    login_time = timezone.now()
    client = logged_in_client(ars)
    expiry = client.session.get_expiry_date()
    assert abs((expiry - login_time).total_seconds() - settings.SESSION_COOKIE_AGE) < 60
    # A request that writes the session (last_seen older than a minute) keeps the same expiry,
    # where Django's default would slide it to now + 12 h.
    edit_session(client, last_seen=int(time.time()) - 120)
    client.get(HOME_URL)
    stored = StoredSession.objects.get(session_key=client.session.session_key)
    assert stored.expire_date == expiry
    assert client.session["last_seen"] >= int(time.time()) - 5


# --- Request forgery and redirects --------------------------------------------------------------


def test_a_state_changing_post_without_csrf_token_is_refused(ars, cluster):
    client = fresh_client()
    client.force_login(ars)
    client.handler.enforce_csrf_checks = True
    try:
        response = client.post(
            reverse("clusters:cluster-transition", args=[cluster.pk]), {"target": "constitue"}
        )
    finally:
        client.handler.enforce_csrf_checks = False
    assert response.status_code == 403
    cluster.refresh_from_db()
    assert cluster.status == "brouillon"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/"]
)
def test_login_never_redirects_off_site(ars, next_url):
    response = fresh_client().post(
        f"{LOGIN_URL}?next={next_url}", {"username": ars.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == HOME_URL
