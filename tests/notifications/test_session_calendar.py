"""Convocations of delegation contacts (.ics through a real SMTP server) and the private
calendar feed, both read back with the `icalendar` package."""

import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from clusters import convocations
from clusters.models import DelegationContact, ParticipantRole, SessionConvocation
from clusters.services import session_record
from notifications.models import CalendarFeedToken
from tests.factories import ClusterFactory, SessionFactory, add_members, aract_user
from web.personal_data import personal_data_of

from .conftest import html_of, text_of

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def planned(cluster):
    """A session in ten days, 14:00–17:30, with three delegation contacts (two with an address)."""
    first, second = add_members(cluster, 2)
    DelegationContact.objects.create(
        membership=first, role=ParticipantRole.DIRECTION, name="Alice Martin",
        email="alice.martin@example.invalid",
    )  # fmt: skip
    DelegationContact.objects.create(
        membership=second, role=ParticipantRole.IRP, name="Bruno Petit",
        email="bruno.petit@example.invalid",
    )  # fmt: skip
    DelegationContact.objects.create(
        membership=second, role=ParticipantRole.CADRE, name="Chloé Sans Courriel"
    )
    return SessionFactory(
        cluster=cluster,
        held_on=timezone.localdate() + datetime.timedelta(days=10),
        starts_at=datetime.time(14, 0),
        ends_at=datetime.time(17, 30),
        place="Salle du conseil, CH de Melun",
        agenda="Retour sur les diagnostics.\nChoix des expérimentations.",
        is_draft=True,
    )


def ics_of(message) -> Calendar:
    [part] = [p for p in message.iter_attachments() if p.get_filename() == "seance.ics"]
    assert part.get_content_type() == "text/calendar"
    return Calendar.from_ical(part.get_content())


def event_of(calendar: Calendar):
    [event] = calendar.events
    return event


def convene(client, session):
    url = reverse("clusters:session-convene", args=[session.cluster_id, session.pk])
    return client.post(url)


def test_the_convocation_arrives_with_its_ics_and_the_invitees_are_kept(
    client, aract, planned, smtp, celery_eager, django_capture_on_commit_callbacks, caplog
):
    client.force_login(aract)
    with django_capture_on_commit_callbacks(execute=True):
        response = convene(client, planned)
    assert response.status_code == 302
    messages = smtp.wait_for(2)
    assert {m["To"] for m in messages} == {
        "alice.martin@example.invalid",
        "bruno.petit@example.invalid",
    }
    [alice] = smtp.to("alice.martin@example.invalid")
    assert alice["Subject"].strip().startswith("Convocation : séance collective n° ")
    text = text_of(alice)
    assert "Salle du conseil, CH de Melun" in text
    assert "de 14:00 à 17:30 (heure de Paris)" in text
    assert "Choix des expérimentations." in text
    assert "Choix des expérimentations." in html_of(alice)

    calendar = ics_of(alice)
    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    event = event_of(calendar)
    assert str(event["UID"]) == f"seance-{planned.pk}@clusters-qvt"
    assert event["SEQUENCE"] == 0
    assert event.start == datetime.datetime.combine(planned.held_on, datetime.time(14), PARIS)
    assert event.start.tzinfo.key == "Europe/Paris"
    assert event.end.time() == datetime.time(17, 30)
    assert str(event["LOCATION"]) == "Salle du conseil, CH de Melun"
    assert str(event["ATTENDEE"]) == "mailto:alice.martin@example.invalid"
    assert str(event["STATUS"]) == "CONFIRMED"

    # Kept on the session, shown on its page (with the delivery status).
    assert SessionConvocation.objects.filter(session=planned).count() == 2
    page = client.get(reverse("clusters:session-detail", args=[planned.cluster_id, planned.pk]))
    content = page.content.decode()
    assert "Contacts convoqués à cette séance" in content
    assert "Alice Martin" in content and "Bruno Petit" in content
    assert "Envoyé" in content
    assert "Chloé Sans Courriel" not in content  # no address: not convened

    # Sending again convenes nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        convene(client, planned)
    assert SessionConvocation.objects.filter(session=planned).count() == 2
    # The logs never name a contact's address.
    assert "example.invalid" not in caplog.text


def test_a_changed_then_cancelled_session_keeps_its_uid(
    client, aract, planned, smtp, celery_eager, django_capture_on_commit_callbacks
):
    client.force_login(aract)
    with django_capture_on_commit_callbacks(execute=True):
        convene(client, planned)
    first = event_of(ics_of(smtp.wait_for(2)[0]))

    # The facilitator moves the session (the form's path: session_record).
    new_day = planned.held_on + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        session_record(
            cluster=planned.cluster, by=aract, tools=[], counts={}, is_draft=True,
            session=planned, values={"held_on": new_day, "starts_at": datetime.time(9, 0)},
        )  # fmt: skip
    updates = smtp.wait_for(4)[2:]
    assert {m["To"] for m in updates} == {
        "alice.martin@example.invalid",
        "bruno.petit@example.invalid",
    }
    assert updates[0]["Subject"].strip().startswith("Modification : ")
    update = ics_of(updates[0])
    assert update["METHOD"] == "REQUEST"
    changed = event_of(update)
    assert changed["UID"] == first["UID"]
    assert changed["SEQUENCE"] == 1
    assert changed.start == datetime.datetime.combine(new_day, datetime.time(9), PARIS)

    # An edit that does not touch the appointment sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        session_record(
            cluster=planned.cluster, by=aract, tools=[], counts={}, is_draft=True,
            session=planned, values={"key_points": "Rien de neuf."},
        )  # fmt: skip
    assert len(smtp.messages) == 4

    url = reverse("clusters:session-cancel", args=[planned.cluster_id, planned.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    cancellations = smtp.wait_for(6)[4:]
    assert cancellations[0]["Subject"].strip().startswith("Annulation : ")
    cancel = ics_of(cancellations[0])
    assert cancel["METHOD"] == "CANCEL"
    cancelled = event_of(cancel)
    assert cancelled["UID"] == first["UID"]
    assert cancelled["SEQUENCE"] == 2
    assert str(cancelled["STATUS"]) == "CANCELLED"
    planned.refresh_from_db()
    assert planned.is_cancelled
    # A cancelled session is neither convened nor cancelled again.
    with pytest.raises(ValidationError):
        convocations.session_send_convocations(session=planned, by=aract)
    with pytest.raises(ValidationError):
        convocations.session_cancel(session=planned, by=aract)


def test_a_past_session_is_not_convened(aract, planned):
    planned.held_on = timezone.localdate() - datetime.timedelta(days=1)
    planned.save()
    with pytest.raises(ValidationError):
        convocations.session_send_convocations(session=planned, by=aract)
    assert not SessionConvocation.objects.exists()


def test_another_facilitator_may_not_convene(client, planned):
    other = aract_user("11", username="aract-autre")
    client.force_login(other)
    assert convene(client, planned).status_code == 403
    assert not SessionConvocation.objects.exists()


# --- The private calendar feed ----------------------------------------------------------------


def create_feed(client) -> str:
    response = client.post(reverse("notifications:calendar"), {"action": "creer"})
    assert response.status_code == 200
    url = response.context["created"]
    assert url in response.content.decode()  # shown once
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_the_feed_lists_the_followed_clusters_sessions_in_paris_time(
    client, aract, planned, caplog
):
    elsewhere = SessionFactory(cluster=ClusterFactory(region_code="11"))  # not followed
    client.force_login(aract)
    feed_url = create_feed(client)
    token = feed_url.split("jeton=")[1]
    client.logout()

    response = client.get(feed_url)  # no login: the secret identifies the user
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    [event] = calendar.events
    assert str(event["UID"]) == f"seance-{planned.pk}@clusters-qvt"
    assert str(event["UID"]) != f"seance-{elsewhere.pk}@clusters-qvt"
    assert event.start == datetime.datetime.combine(planned.held_on, datetime.time(14), PARIS)
    assert event.start.tzinfo.key == "Europe/Paris"

    # After a change the UID stays, the SEQUENCE moves: subscribers see the same appointment.
    session_record(
        cluster=planned.cluster, by=aract, tools=[], counts={}, is_draft=True, session=planned,
        values={"starts_at": datetime.time(10, 0)},
    )  # fmt: skip
    [moved] = Calendar.from_ical(client.get(feed_url).content).events
    assert moved["UID"] == event["UID"]
    assert moved["SEQUENCE"] == 1
    assert moved.start.hour == 10
    assert CalendarFeedToken.objects.get(user=aract).last_used_at is not None

    # Regenerating replaces the address; revoking removes it.
    client.force_login(aract)
    new_url = create_feed(client)
    client.logout()
    assert client.get(feed_url).status_code == 404
    assert client.get(new_url).status_code == 200
    client.force_login(aract)
    client.post(reverse("notifications:calendar"), {"action": "revoquer"})
    client.logout()
    assert client.get(new_url).status_code == 404
    assert not CalendarFeedToken.objects.exists()
    # Only a digest is stored; the secret never reaches the logs, even on a 404.
    assert token not in caplog.text
    assert new_url.split("jeton=")[1] not in caplog.text


def test_a_lost_role_empties_the_feed(client, aract, planned):
    client.force_login(aract)
    feed_url = create_feed(client)
    client.logout()
    aract.role_assignments.all().delete()
    calendar = Calendar.from_ical(client.get(feed_url).content)
    assert calendar.events == []


def test_the_personal_data_export_lists_the_feed_and_the_convocations(
    client, aract, planned, django_capture_on_commit_callbacks
):
    aract.email = "aract.rgpd@example.invalid"
    aract.save()
    client.force_login(aract)
    create_feed(client)
    with django_capture_on_commit_callbacks(execute=False):
        convene(client, planned)
    [feed] = personal_data_of("aract.rgpd@example.invalid")["calendar_feeds"]
    assert feed["username"] == aract.username and feed["created_at"]
    [convocation] = personal_data_of("alice.martin@example.invalid")["session_convocations"]
    assert convocation["name"] == "Alice Martin"
    assert convocation["kind"] == "Convocation"
    assert convocation["cluster"] == planned.cluster.name


def test_the_purge_of_old_contacts_also_removes_their_convocations(aract, settings):
    from auditlog.models import LogEntry

    from clusters.models import Cluster
    from web.personal_data import purge_expired_contacts

    settings.CONTACT_RETENTION_YEARS = 3
    closed = ClusterFactory(region_code="11", status=Cluster.Status.CLOTURE)
    closed.facilitators.add(aract)
    [member] = add_members(closed, 1)
    DelegationContact.objects.create(
        membership=member, role=ParticipantRole.DIRECTION, name="Claude Ancien",
        email="claude.ancien@example.invalid",
    )  # fmt: skip
    session = SessionFactory(cluster=closed, held_on=timezone.localdate())
    convocations.session_send_convocations(session=session, by=aract)
    [convocation] = SessionConvocation.objects.all()
    today = timezone.localdate()
    Cluster.objects.filter(pk=closed.pk).update(closed_on=today.replace(year=today.year - 4))

    trail = LogEntry.objects.filter(
        content_type__model="sessionconvocation", object_pk=str(convocation.pk)
    )
    assert "Claude" in trail.get().object_repr  # audited when sent
    assert purge_expired_contacts(today=today, retention_years=3) == 1
    assert not SessionConvocation.objects.exists()
    for entry in trail.all():
        dumped = str(entry.changes) + entry.object_repr + (entry.changes_text or "")
        assert "Claude" not in dumped and "claude.ancien" not in dumped
    assert personal_data_of("claude.ancien@example.invalid")["session_convocations"] == []
