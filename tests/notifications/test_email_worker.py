"""A real Celery worker process sends the e-mails; with the SMTP server down, the request still
succeeds, the worker retries with backoff, then the failure shows in the administration."""

import pytest
from django.urls import reverse

from notifications.models import OutgoingEmail
from tests.core.worker import celery_worker_process, celery_workers_factory  # noqa: F401
from tests.factories import ars_user
from tests.waiting import wait_until

from .conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ADDRESS = "down.smtp@example.invalid"


def has_status(status):
    """The only e-mail once it has `status`, else None."""
    return OutgoingEmail.objects.filter(status=status).first()


def test_with_smtp_down_the_request_succeeds_and_the_failure_reaches_administrators(
    client, admin, monkeypatch, celery_workers
):
    dead_port = free_port()  # nothing listens there
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{dead_port}")
    monkeypatch.setenv("EMAIL_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("EMAIL_RETRY_BASE_SECONDS", "0")
    worker = celery_workers.start()
    ars_user("11", username="down", email=ADDRESS)

    response = client.post(reverse("notifications:password-reset"), {"email": ADDRESS})
    assert response.status_code == 302  # the visitor is not told anything went wrong

    email = wait_until(lambda: has_status(OutgoingEmail.Status.FAILED), "the e-mail failed")
    assert worker.poll() is None
    assert email.attempts == 3
    assert "ConnectionRefusedError" in email.last_error

    client.force_login(admin)
    listing = client.get(
        reverse("admin:notifications_outgoingemail_changelist"), {"status": "failed"}
    )
    assert listing.status_code == 200
    assert "Changer votre mot de passe" in listing.content.decode()

    celery_workers.stop()
    logs = "".join(log.read_text() for log in celery_workers.folder.glob("worker-*.log"))
    assert "retry" in logs.lower()  # it did retry
    assert ADDRESS not in logs  # and never wrote the address


def test_a_real_worker_delivers_to_a_real_smtp_server(client, smtp, monkeypatch, celery_workers):
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{smtp_port(smtp)}")
    monkeypatch.setenv("SITE_URL", "http://testserver")
    celery_workers.start()
    ars_user("11", username="delivered", email="delivered@example.invalid")
    client.post(reverse("notifications:password-reset"), {"email": "delivered@example.invalid"})
    [message] = smtp.wait_for(1, timeout=60)
    assert message["To"] == "delivered@example.invalid"
    email = wait_until(lambda: has_status(OutgoingEmail.Status.SENT), "the e-mail sent")
    assert email.attempts == 1


def smtp_port(inbox) -> int:
    from django.conf import settings

    return settings.EMAIL_PORT
