"""Audit trail (django-auditlog) and security events (structured records of qvt.security)."""

import json
import logging

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.urls import reverse

from accounts.log_format import StructuredFormatter
from accounts.models import Role, RoleAssignment, User
from clusters.models import Attendance, Cluster, DelegationContact, Membership, Session
from establishments.models import Region
from experiments.models import Experiment, Indicator, Measurement, Monograph
from tests.factories import TEST_PASSWORD, ClusterFactory, add_members
from tests.security.clients import fresh_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    [
        User,
        RoleAssignment,
        Cluster,
        Membership,
        DelegationContact,
        Session,
        Attendance,
        Experiment,
        Indicator,
        Measurement,
        Monograph,
    ],
)
def test_every_model_holding_decisions_or_personal_data_is_audited(model):
    assert auditlog.contains(model)


def test_passwords_are_never_written_to_the_audit_trail(admin):
    user = User.objects.create_user("nouvelle", password="une phrase de passe longue")
    user.set_password("une autre phrase de passe")
    user.save()
    for entry in LogEntry.objects.get_for_object(user):
        assert "password" not in (entry.changes or {})


def test_a_change_made_through_a_view_records_who_when_and_what(client, ars, cluster):
    add_members(cluster, 5)
    client.force_login(ars)
    response = client.post(
        reverse("clusters:cluster-transition", args=[cluster.pk]), {"target": "constitue"}
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(cluster).get(
        action=LogEntry.Action.UPDATE, changes__has_key="status"
    )
    assert entry.actor == ars
    assert entry.timestamp is not None
    assert entry.changes["status"] == ["brouillon", "constitue"]
    assert entry.remote_addr == "127.0.0.1"


def admin_change_form_data(user, **changes) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%d/%m/%Y"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "role_assignments-TOTAL_FORMS": "0",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_an_administrator_grants_a_role_in_the_admin_and_it_is_audited_and_logged(
    client, admin, security_events
):
    user = User.objects.create_user("futur-ars", email="futur@example.invalid")
    client.force_login(admin)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    assert client.get(url).status_code == 200
    brittany = Region.objects.get(code="53")
    response = client.post(
        url,
        admin_change_form_data(
            user,
            **{
                "role_assignments-TOTAL_FORMS": "1",
                "role_assignments-0-role": Role.ARS,
                "role_assignments-0-region": str(brittany.pk),
                "role_assignments-0-user": str(user.pk),
            },
        ),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assignment = RoleAssignment.objects.get(user=user)
    entry = LogEntry.objects.get_for_object(assignment).get()
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == admin
    assert entry.changes["role"] == ["None", "ars"]
    granted = [r for r in security_events() if r.event == "role_granted"]
    assert len(granted) == 1
    assert (granted[0].username, granted[0].role, granted[0].region) == ("futur-ars", "ars", "53")
    assert granted[0].actor == admin.username


def test_an_administrator_deactivates_a_user_in_the_admin_and_it_is_audited(client, admin, ars):
    client.force_login(admin)
    data = admin_change_form_data(ars)
    del data["is_active"]
    assignment = ars.role_assignments.get()
    data.update(
        {
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-INITIAL_FORMS": "1",
            "role_assignments-0-id": str(assignment.pk),
            "role_assignments-0-user": str(ars.pk),
            "role_assignments-0-role": assignment.role,
            "role_assignments-0-region": str(assignment.region_id),
            "role_assignments-0-DELETE": "on",
        }
    )
    response = client.post(reverse("admin:accounts_user_change", args=[ars.pk]), data)
    assert response.status_code == 302
    ars.refresh_from_db()
    assert not ars.is_active
    update = LogEntry.objects.get_for_object(ars).filter(action=LogEntry.Action.UPDATE).get()
    assert update.actor == admin
    assert update.changes["is_active"] == ["True", "False"]
    deletion = LogEntry.objects.filter(
        action=LogEntry.Action.DELETE, object_pk=str(assignment.pk)
    ).get()
    assert deletion.actor == admin


# --- Security events ----------------------------------------------------------------------------


def events_named(records, name):
    return [r for r in records if getattr(r, "event", None) == name]


def assert_no_secret_in(records, *secrets):
    formatter = StructuredFormatter()
    for record in records:
        line = formatter.format(record)
        json.loads(line)  # one JSON object per record
        for secret in secrets:
            assert secret not in line, f"{secret!r} written in {line}"


def test_logins_failures_and_lockouts_are_logged_without_secrets(ars, security_events):
    client = fresh_client()
    login = reverse("accounts:login")
    for n in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post(
            login,
            {"username": ars.username, "password": f"un-essai-rate-{n}"},
            REMOTE_ADDR="192.0.2.77",
        )
    records = security_events()
    failures = events_named(records, "login_failed")
    assert failures and failures[0].username == ars.username and failures[0].ip == "192.0.2.77"
    assert failures[0].levelno == logging.WARNING
    lockouts = events_named(records, "lockout")
    assert lockouts and lockouts[0].username == ars.username
    assert_no_secret_in(records, "un-essai-rate")

    # A successful login (after the lock is lifted) is logged too, without the session key.
    from axes.utils import reset

    reset(username=ars.username)
    client = fresh_client()
    client.post(
        login, {"username": ars.username, "password": TEST_PASSWORD}, REMOTE_ADDR="192.0.2.78"
    )
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    records = security_events()
    logins = events_named(records, "login")
    assert logins and logins[-1].username == ars.username and logins[-1].ip == "192.0.2.78"
    assert_no_secret_in(records, TEST_PASSWORD, session_key)


def test_role_changes_outside_the_admin_are_logged_with_the_system_as_actor(ars, security_events):
    assignment = ars.role_assignments.get()
    assignment.delete()
    revoked = events_named(security_events(), "role_revoked")
    assert len(revoked) == 1
    assert (revoked[0].username, revoked[0].role, revoked[0].region) == (ars.username, "ars", "11")
    assert revoked[0].actor == "system"


def test_another_regions_object_answers_404_and_is_logged(
    client, ars_other_region, security_events
):
    breton_staff = ars_other_region
    cluster = ClusterFactory(region_code="11")
    client.force_login(breton_staff)
    response = client.get(reverse("clusters:cluster-detail", args=[cluster.pk]))
    assert response.status_code == 404
    [event] = events_named(security_events(), "object_not_found")
    assert event.username == breton_staff.username
    assert event.url_name == "clusters:cluster-detail"
    assert event.url_kwargs == {"pk": str(cluster.pk)}
    assert_no_secret_in(security_events(), client.cookies[settings.SESSION_COOKIE_NAME].value)


def test_the_structured_formatter_drops_secret_fields_passed_by_mistake():
    record = logging.makeLogRecord(
        {"msg": "oops", "event": "oops", "password": "secret-1", "session_key": "abc123"}
    )
    line = StructuredFormatter().format(record)
    assert json.loads(line)["event"] == "oops"
    assert "secret-1" not in line and "abc123" not in line


def test_report_downloads_are_logged(client, ars, cluster, security_events):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from reports.models import ReportJob

    job = ReportJob.objects.create(
        kind=ReportJob.Kind.CLUSTER,
        cluster=cluster,
        status=ReportJob.Status.DONE,
        file=ContentFile(b"%PDF-1.4 test", name="journal-test.pdf"),
        created_at=timezone.now(),
    )
    try:
        client.force_login(ars)
        response = client.get(reverse("reports:job-download", args=[job.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
        [event] = events_named(security_events(), "file_download")
        assert (event.username, event.url_name) == (ars.username, "reports:job-download")
        assert event.url_kwargs == {"pk": str(job.pk)}
    finally:
        job.file.delete(save=False)
