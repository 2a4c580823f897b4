"""The development transport, the message's shape, and the RGPD export's part of this app."""

import email
from email import policy

import pytest
from django.core.mail import get_connection

from accounts.models import Role
from notifications import invitations
from notifications.models import NotificationPreferences, OutgoingEmail
from notifications.services import build_message, queue_email
from tests.factories import region
from web.personal_data import personal_data_of

pytestmark = pytest.mark.django_db


def test_the_development_backend_writes_one_eml_file_per_message(tmp_path, ars):
    first = queue_email(
        kind="test", to="a@example.invalid", subject="Premier", template="report_ready",
        context={"recipient": ars, "job": "Rapport"}, link="/rapports/1/",
    )  # fmt: skip
    second = queue_email(
        kind="test", to="b@example.invalid", subject="Second", template="report_ready",
        context={"recipient": ars, "job": "Rapport"}, link="/rapports/2/",
    )  # fmt: skip
    backend = get_connection("notifications.backends.EmlFileBackend", file_path=tmp_path)
    assert backend.send_messages([build_message(first), build_message(second)]) == 2
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    subjects = set()
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        subjects.add(message["Subject"])
        assert message.get_body(preferencelist=("plain",)) is not None
        assert message.get_body(preferencelist=("html",)) is not None
    assert subjects == {"Premier", "Second"}


def test_a_rolled_back_action_sends_nothing(ars, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        queue_email(
            kind="test", to="a@example.invalid", subject="S", template="report_ready",
            context={"recipient": ars, "job": "R"},
        )  # fmt: skip
    assert len(callbacks) == 1  # queued for after the commit, not before
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.PENDING


def test_the_rgpd_export_lists_invitations_and_notification_preferences(admin):
    invitation = invitations.invite(
        email="rgpd@example.invalid", first_name="Rose", last_name="Gpd",
        role=Role.ARS, region=region("11"), by=admin,
    )  # fmt: skip
    NotificationPreferences.objects.create(
        user=invitation.user, disabled_events=["report_ready"], weekly_digest=True
    )
    data = personal_data_of("rgpd@example.invalid")
    [exported] = data["invitations"]
    assert exported["role"] == "Agent d'ARS" and exported["region"] == "Île-de-France"
    [preferences] = data["notification_preferences"]
    assert preferences["weekly_digest"] is True
    assert preferences["notifications"]["Un rapport que j'ai demandé est prêt"] is False
