"""No typed work lost: the idle-timeout warning's endpoint, and what an expired post says."""

import time

import pytest
from django.conf import settings
from django.urls import reverse

from clusters.models import Session
from tests.factories import TEST_PASSWORD
from tests.security.clients import fresh_client

pytestmark = pytest.mark.django_db

KEEP_ALIVE = reverse("accounts:session-keep-alive")
LOGIN_URL = reverse("accounts:login")


def signed_in(user):
    client = fresh_client()
    response = client.post(LOGIN_URL, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def set_session(client, **values):
    session = client.session
    session.update(values)
    session.save()


def test_asking_how_long_is_left_does_not_count_as_activity(ars):
    client = signed_in(ars)
    ten_minutes_ago = int(time.time()) - 600
    set_session(client, last_seen=ten_minutes_ago)
    response = client.get(KEEP_ALIVE)
    assert response.status_code == 200
    status = response.json()
    assert settings.SESSION_IDLE_TIMEOUT - 600 - 5 <= status["remaining"]
    assert status["remaining"] <= settings.SESSION_IDLE_TIMEOUT - 600
    assert status["renewable"] is True
    assert status["idle_timeout"] == settings.SESSION_IDLE_TIMEOUT
    assert client.session["last_seen"] == ten_minutes_ago  # the question did not extend it


def test_staying_connected_extends_the_session(ars):
    client = signed_in(ars)
    set_session(client, last_seen=int(time.time()) - settings.SESSION_IDLE_TIMEOUT + 60)
    response = client.post(KEEP_ALIVE)
    assert response.status_code == 200
    assert response.json()["remaining"] >= settings.SESSION_IDLE_TIMEOUT - 5
    assert client.session["last_seen"] >= int(time.time()) - 5  # written in the session
    # ...so a page opened later than the old limit still works.
    set_session(client, last_seen=client.session["last_seen"] - 120)
    assert client.get(reverse("home")).status_code == 200


def test_near_the_absolute_limit_staying_connected_is_not_offered(ars):
    client = signed_in(ars)
    now = int(time.time())
    set_session(client, login_at=now - settings.SESSION_COOKIE_AGE + 90, last_seen=now)
    status = client.get(KEEP_ALIVE).json()
    assert status["renewable"] is False
    assert 80 <= status["remaining"] <= 90


def test_the_endpoint_sends_a_signed_out_browser_to_the_login_page(ars):
    client = fresh_client()
    for response in (client.get(KEEP_ALIVE), client.post(KEEP_ALIVE)):
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)
    client = signed_in(ars)
    set_session(client, last_seen=int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5)
    response = client.get(KEEP_ALIVE)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_signed_in_pages_load_the_warning_and_draft_scripts_under_the_csp(ars):
    client = signed_in(ars)
    response = client.get(reverse("home"))
    page = response.content.decode()
    nonce = response.wsgi_request.csp_nonce
    assert f'src="/static/qvt/session-timeout.js" nonce="{nonce}"' in page
    assert f'data-keep-alive-url="{KEEP_ALIVE}"' in page
    assert f'data-warn-before="{settings.SESSION_WARNING_SECONDS}"' in page
    assert f'src="/static/qvt/form-drafts.js" nonce="{nonce}" data-user="{ars.pk}"' in page
    # Same-origin script and fetch: allowed by the policy, no inline script needed.
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "connect-src 'self'" in policy
    anonymous = fresh_client().get(LOGIN_URL).content.decode()
    assert "session-timeout.js" not in anonymous
    assert 'data-user=""' in anonymous  # drafts are tidied on the login page too


def expired_post(client, cluster, **extra):
    set_session(client, last_seen=int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5)
    url = reverse("clusters:session-create", kwargs={"cluster_pk": cluster.pk})
    data = {"held_on": "2026-03-10", "key_points": "Deux heures de notes.", "action": "final"}
    response = client.post(url, {**data, **extra}, follow=True)
    return url, response


def test_an_expired_post_lands_on_the_login_page_saying_the_text_was_kept(aract, cluster):
    client = signed_in(aract)
    url, response = expired_post(client, cluster, qvt_draft_kept="1")
    assert response.redirect_chain[0][0] == f"{LOGIN_URL}?next={url}"
    text = response.content.decode()
    assert "Connexion à Clusters QVT" in text
    assert "Votre session avait expiré : le formulaire n&#x27;a pas été enregistré" in text
    assert "Le texte saisi est conservé dans ce navigateur" in text
    assert not Session.objects.exists()


def test_an_expired_post_without_a_draft_does_not_claim_the_text_was_kept(aract, cluster):
    client = signed_in(aract)
    _url, response = expired_post(client, cluster)
    text = response.content.decode()
    assert "Votre session avait expiré : le formulaire n&#x27;a pas été enregistré" in text
    assert "conservé" not in text
    assert not Session.objects.exists()


def test_the_long_forms_keep_a_draft_in_the_browser(aract, cluster):
    client = signed_in(aract)
    page = client.get(reverse("clusters:session-create", kwargs={"cluster_pk": cluster.pk}))
    assert "data-draft" in page.content.decode()
