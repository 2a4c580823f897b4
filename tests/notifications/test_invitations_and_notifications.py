"""Invitations and notifications, through a real SMTP server."""

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from accounts.rules import has_rule
from experiments.models import Monograph
from experiments.services import monograph_transition
from notifications import invitations
from notifications.models import Invitation, NotificationPreferences, OutgoingEmail
from notifications.services import send_weekly_digests
from tests.factories import add_members, ars_user, region

from .conftest import link_in, text_of

pytestmark = pytest.mark.django_db
PASSWORD = "ma phrase de passe secrète"


def test_an_invitation_arrives_and_is_accepted(
    client, ars, smtp, celery_eager, django_capture_on_commit_callbacks, caplog
):
    client.force_login(ars)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("notifications:invitation-list"),
            {"first_name": "Dominique", "last_name": "Aract", "email": "d.aract@example.invalid",
             "role": Role.ARACT, "region": region("11").pk},
        )  # fmt: skip
    assert response.status_code == 302
    [message] = smtp.wait_for(1)
    assert message["To"] == "d.aract@example.invalid"
    assert "dominique.aract" in text_of(message)
    link = link_in(message)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    invitation = Invitation.objects.get()
    assert not invitation.user.has_usable_password()
    assert invitation.user.role_assignments.get().role == Role.ARACT

    client.logout()
    response = client.get(link)
    assert response.url == reverse("notifications:invitation-accept")  # token out of the URL
    response = client.post(response.url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.url == reverse("home")
    assert client.get(reverse("home")).wsgi_request.user == invitation.user  # signed in
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.user.check_password(PASSWORD)

    client.logout()
    assert client.get(client.get(link).url).status_code == 404  # works once

    # Audited; and neither the address nor the token is in the logs.
    assert LogEntry.objects.get_for_object(invitation).count() == 2  # created, accepted
    assert "d.aract@example.invalid" not in caplog.text
    assert token not in caplog.text


@pytest.mark.parametrize(
    ("role", "region_code", "allowed"),
    [
        (Role.ARS, "11", True),
        (Role.ARACT, "11", True),
        (Role.ARACT, "53", False),  # another region
        (Role.NATIONAL, None, False),
        (Role.ADMIN, None, False),
    ],
)
def test_ars_staff_invite_their_own_region_only(ars, role, region_code, allowed):
    region_id = region(region_code).pk if region_code else None
    assert invitations.may_invite(ars, role=role, region_id=region_id) is allowed


def test_aract_and_national_readers_invite_nobody(aract, national, admin):
    for user in (aract, national):
        assert not has_rule(user, "accounts.invite_users")
        assert not invitations.may_invite(user, role=Role.ARACT, region_id=region("11").pk)
    assert invitations.may_invite(admin, role=Role.ADMIN, region_id=None)


def test_a_revoked_invitation_link_stops_working_and_a_resent_one_replaces_it(
    client, ars, smtp, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.invite(
            email="x@example.invalid", first_name="Xavier", last_name="Test",
            role=Role.ARS, region=region("11"), by=ars,
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        invitations.resend(invitation=invitation, by=ars)
    first, second = smtp.wait_for(2)
    assert client.get(client.get(link_in(first)).url).status_code == 404  # replaced
    assert client.get(client.get(link_in(second)).url).status_code == 200
    invitations.revoke(invitation=invitation, by=ars)
    assert client.get(client.get(link_in(second)).url).status_code == 404
    with pytest.raises(ValidationError):
        invitations.resend(invitation=invitation, by=ars)


def test_the_invitation_page_is_closed_to_aract_facilitators(client, aract):
    client.force_login(aract)
    assert client.get(reverse("notifications:invitation-list")).status_code == 403


@pytest.fixture
def submitted_setup(cluster, aract):
    membership = add_members(cluster, 1)[0]
    monograph = Monograph.objects.create(membership=membership, title="Monographie Nuit")
    monograph.authors.add(aract)
    return monograph


def test_a_monograph_submission_notifies_the_ars_of_its_region(
    aract, ars, ars_other_region, submitted_setup, smtp, celery_eager,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        monograph_transition(monograph=submitted_setup, target="soumise", by=aract)
    [message] = smtp.wait_for(1)
    assert message["To"] == ars.email
    assert "Monographie Nuit" in message["Subject"]
    assert link_in(message) == reverse("experiments:monograph-detail", args=[submitted_setup.pk])
    assert smtp.to(ars_other_region.email) == []


def test_a_send_back_tells_the_authors_the_comment(
    aract, ars, submitted_setup, smtp, celery_eager, django_capture_on_commit_callbacks
):
    monograph_transition(monograph=submitted_setup, target="soumise", by=aract)
    with django_capture_on_commit_callbacks(execute=True):
        monograph_transition(
            monograph=submitted_setup, target="brouillon", by=ars, comment="Préciser le coût."
        )
    [message] = smtp.wait_for(1)
    assert message["To"] == aract.email
    assert "Préciser le coût." in text_of(message)


def test_a_disabled_notification_is_not_sent_and_a_digest_gathers_the_rest(
    aract, ars, submitted_setup, smtp, celery_eager, django_capture_on_commit_callbacks
):
    NotificationPreferences.objects.create(user=ars, disabled_events=["monograph_submitted"])
    NotificationPreferences.objects.create(user=aract, weekly_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        monograph_transition(monograph=submitted_setup, target="soumise", by=aract)
        monograph_transition(monograph=submitted_setup, target="validee", by=ars)
    assert not OutgoingEmail.objects.filter(to=ars.email).exists()
    held = OutgoingEmail.objects.get(to=aract.email)
    assert held.status == OutgoingEmail.Status.HELD
    with django_capture_on_commit_callbacks(execute=True):
        assert send_weekly_digests() == 1
    [digest] = smtp.wait_for(1)
    assert "récapitulatif" in digest["Subject"] and "Monographie validée" in text_of(digest)
    held.refresh_from_db()
    assert held.status == OutgoingEmail.Status.DIGESTED


def test_the_preferences_page_saves_choices(client, ars):
    client.force_login(ars)
    response = client.post(
        reverse("notifications:preferences"), {"events": ["report_ready"], "weekly_digest": "on"}
    )
    assert response.status_code == 302
    preferences = NotificationPreferences.objects.get(user=ars)
    assert preferences.wants("report_ready") and not preferences.wants("monograph_submitted")
    assert preferences.weekly_digest


def test_a_report_ready_email_carries_the_link_to_the_report(
    ars, cluster, smtp, celery_eager, settings, tmp_path, django_capture_on_commit_callbacks
):
    from reports import services as reports

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    cluster.status = cluster.Status.CONSTITUE  # a draft has no report
    cluster.save()
    job = reports.request_report(kind="cluster", cluster=cluster, by=ars)
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.run_job(job.pk)
    [message] = smtp.wait_for(1)
    assert message["To"] == ars.email
    assert link_in(message) == reverse("reports:job-detail", args=[job.pk])


def test_a_region_without_ars_staff_sends_nothing_and_breaks_nothing(
    aract, submitted_setup, django_capture_on_commit_callbacks
):
    ars_user("53", username="elsewhere")
    monograph_transition(monograph=submitted_setup, target="soumise", by=aract)
    assert not OutgoingEmail.objects.exists()
