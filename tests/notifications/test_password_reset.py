"""Password reset by e-mail, through a real SMTP server."""

import pytest
from django.urls import reverse

from notifications.models import OutgoingEmail
from tests.factories import TEST_PASSWORD, ars_user

from .conftest import html_of, link_in, text_of

pytestmark = pytest.mark.django_db


def authenticate(username, password):
    """The password check the login page makes (axes needs no request for check_password)."""
    from accounts.models import User

    user = User.objects.get(username=username)
    return user if user.check_password(password) else None


NEW_PASSWORD = "une phrase de passe toute neuve"


def ask_reset(client, address, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("notifications:password-reset"), {"email": address})


def test_the_reset_email_arrives_and_its_link_sets_a_new_password_once(
    client, smtp, celery_eager, django_capture_on_commit_callbacks
):
    user = ars_user("11", username="reset-me", email="camille.reset@example.invalid")
    capture = django_capture_on_commit_callbacks
    response = ask_reset(client, "Camille.Reset@example.invalid", capture)
    assert response.status_code == 302
    assert response.url == reverse("notifications:password-reset-done")

    [message] = smtp.wait_for(1)
    assert message["To"] == "camille.reset@example.invalid"
    assert message["Subject"] == "Changer votre mot de passe — Clusters QVT"
    assert message["Reply-To"] == "equipe@example.invalid"
    assert "24 heures" in text_of(message) and "reset-me" in text_of(message)
    assert '<html lang="fr">' in html_of(message) and "<img" not in html_of(message)
    link = link_in(message)

    # Django moves the token into the session, then shows the form.
    response = client.get(link)
    assert response.status_code == 302
    form_url = response.url
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.url == reverse("notifications:password-reset-complete")
    assert authenticate(username="reset-me", password=TEST_PASSWORD) is None
    assert authenticate(username="reset-me", password=NEW_PASSWORD) == user

    # The link works once.
    client.logout()
    response = client.get(link, follow=True)
    assert "Lien non valable" in response.content.decode()
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT


def test_the_new_password_follows_the_policy(
    client, smtp, celery_eager, django_capture_on_commit_callbacks
):
    ars_user("11", username="policy", email="policy@example.invalid")
    ask_reset(client, "policy@example.invalid", django_capture_on_commit_callbacks)
    [message] = smtp.wait_for(1)
    form_url = client.get(link_in(message)).url
    response = client.post(form_url, {"new_password1": "court", "new_password2": "court"})
    assert response.status_code == 200
    assert "au moins 12 caractères" in response.content.decode()
    assert authenticate(username="policy", password=TEST_PASSWORD) is not None


def test_the_answer_never_tells_whether_an_account_exists(
    client, smtp, celery_eager, django_capture_on_commit_callbacks
):
    ars_user("11", username="known", email="known@example.invalid")
    known = ask_reset(client, "known@example.invalid", django_capture_on_commit_callbacks)
    unknown = ask_reset(client, "nobody@example.invalid", django_capture_on_commit_callbacks)
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    smtp.wait_for(1)
    assert OutgoingEmail.objects.filter(to="nobody@example.invalid").count() == 0
    assert smtp.to("nobody@example.invalid") == []


def test_reset_requests_are_limited_per_address_without_saying_so(
    client, settings, smtp, celery_eager, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_LIMIT_PER_EMAIL = 2
    ars_user("11", username="flooded", email="flooded@example.invalid")
    answers = {
        ask_reset(client, "flooded@example.invalid", django_capture_on_commit_callbacks).url
        for _ in range(4)
    }
    assert answers == {reverse("notifications:password-reset-done")}
    assert OutgoingEmail.objects.filter(to="flooded@example.invalid").count() == 2


def test_reset_requests_never_lock_the_account(
    client, settings, smtp, celery_eager, django_capture_on_commit_callbacks
):
    """Axes counts login failures only: a stream of reset requests leaves the login working."""
    ars_user("11", username="not-locked", email="not-locked@example.invalid")
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        ask_reset(client, "not-locked@example.invalid", django_capture_on_commit_callbacks)
    response = client.post(
        reverse("accounts:login"), {"username": "not-locked", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302 and response.url == reverse("home")


def test_the_login_page_links_to_the_reset_page(client):
    response = client.get(reverse("accounts:login"))
    assert reverse("notifications:password-reset") in response.content.decode()
    assert "Mot de passe oublié ?" in response.content.decode()
