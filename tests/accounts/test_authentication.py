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


def slowed_address(ip, failures):
    """`failures` failed logins from `ip`, each on another account (so no pair is locked)."""
    for n in range(failures):
        assert fail(f"inconnu-{ip}-{n}", ip) == 200


def wait_as_if(seconds):
    """Move every recorded failure `seconds` into the past, as if that long had passed."""
    for record in AccessAttempt.objects.all():  # the model is not audited; few rows
        record.attempt_time -= datetime.timedelta(seconds=seconds)
        record.save(update_fields=["attempt_time"])


def test_many_failures_from_one_address_slow_it_down_progressively(ars, settings):
    settings.THROTTLE_ADDRESS_FREE_FAILURES = 10
    settings.THROTTLE_ADDRESS_BASE_DELAY = 120  # minutes on the page: robust to a slow machine
    settings.THROTTLE_ADDRESS_MAX_DELAY = 480
    slowed_address("203.0.113.7", 9)
    # Nine failures on nine accounts: no delay yet (a shared network keeps working).
    assert attempt(ars.username, TEST_PASSWORD, ip="203.0.113.7").status_code == 302
    assert fail("inconnu-10", "203.0.113.7") == 200  # the tenth failure
    # Now even the right password from that address waits, and the page says how long.
    response = attempt(ars.username, TEST_PASSWORD, ip="203.0.113.7")
    assert response.status_code == 429
    text = response.content.decode()
    assert "Connexions ralenties depuis cette adresse" in text
    assert "Réessayez dans 2 minutes" in text
    assert response["Retry-After"] in {"119", "120"}
    assert not response.cookies.get(settings.SESSION_COOKIE_NAME)
    # The refused attempt was not counted: waiting the stated delay is enough.
    wait_as_if(121)
    assert fail("inconnu-11", "203.0.113.7") == 200  # eleventh failure: the delay doubles
    response = attempt(ars.username, TEST_PASSWORD, ip="203.0.113.7")
    assert response.status_code == 429
    assert "Réessayez dans 4 minutes" in response.content.decode()
    wait_as_if(100)  # part of the delay: still waiting, for the rest of it only (140 s)
    response = attempt(ars.username, TEST_PASSWORD, ip="203.0.113.7")
    assert "Réessayez dans 3 minutes" in response.content.decode()
    wait_as_if(141)
    assert fail("inconnu-12", "203.0.113.7") == 200
    response = attempt(ars.username, TEST_PASSWORD, ip="203.0.113.7")
    assert "Réessayez dans 8 minutes" in response.content.decode()
    wait_as_if(481)
    assert fail("inconnu-13", "203.0.113.7") == 200
    response = attempt(ars.username, TEST_PASSWORD, ip="203.0.113.7")
    assert "Réessayez dans 8 minutes" in response.content.decode()  # the maximum
    # Past the cool-off, the address's failures are forgotten.
    wait_as_if(settings.AXES_COOLOFF_TIME * 3600 + 1)
    assert attempt(ars.username, TEST_PASSWORD, ip="203.0.113.7").status_code == 302


def test_a_slowed_address_does_not_slow_anyone_elsewhere(ars):
    slowed_address("203.0.113.8", settings.THROTTLE_ADDRESS_FREE_FAILURES)
    assert attempt(ars.username, TEST_PASSWORD, ip="203.0.113.8").status_code == 429
    # The attacker's address is slowed; the account's owner, elsewhere, is not.
    assert attempt(ars.username, TEST_PASSWORD, ip="198.51.100.20").status_code == 302


def test_a_user_locked_on_one_address_can_still_log_in_from_another(ars):
    fail_until_limit(ars.username, ips=dict.fromkeys(range(10), "192.0.2.30"))
    response = attempt(ars.username, TEST_PASSWORD, ip="192.0.2.30")
    assert response.status_code == 429
    assert "Compte temporairement bloqué" in response.content.decode()
    assert attempt(ars.username, TEST_PASSWORD, ip="192.0.2.31").status_code == 302


def test_the_lockout_page_states_the_remaining_time_of_the_lock(ars):
    fail_until_limit(ars.username, ips=dict.fromkeys(range(10), "192.0.2.40"))
    wait_as_if(6 * 60)  # six of the fifteen minutes have passed
    response = attempt(ars.username, TEST_PASSWORD, ip="192.0.2.40")
    assert response.status_code == 429
    assert "Réessayez dans 9 minutes" in response.content.decode()


def test_the_delay_is_said_in_seconds_then_minutes():
    from accounts.throttling import wait_text

    assert wait_text(1) == "1 seconde"
    assert wait_text(45) == "45 secondes"
    assert wait_text(120) == "2 minutes"
    assert wait_text(121) == "3 minutes"  # rounded up: never too early


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
