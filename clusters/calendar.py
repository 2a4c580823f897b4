"""Sessions as iCalendar (RFC 5545) events: the convocation sent to delegation contacts (iTIP
METHOD REQUEST / CANCEL, RFC 5546) and the private feed a user subscribes to.

A session keeps one UID for its whole life; each change sent to invitees increments its
SEQUENCE (`Session.calendar_sequence`), so calendar programs replace the appointment instead of
adding a second one. Times are local times of Europe/Paris (TZID) with the zone's VTIMEZONE.
"""

import datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress

from .models import Session

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//Clusters QVT//Séances//FR"
ICS_CONTENT_TYPE = "text/calendar"


def session_uid(session: Session) -> str:
    """Stable for the session's whole life (its primary key never changes)."""
    return f"seance-{session.pk}@clusters-qvt"


def session_start(session: Session) -> datetime.datetime:
    return datetime.datetime.combine(session.held_on, session.starts_at, tzinfo=PARIS)


def session_end(session: Session) -> datetime.datetime:
    return datetime.datetime.combine(session.held_on, session.ends_at, tzinfo=PARIS)


def session_summary(session: Session) -> str:
    return f"{session.get_kind_display()} n° {session.number} — cluster {session.cluster.name}"


def paris_timezone() -> Timezone:
    """Europe/Paris as the EU has defined it since 1996: CEST from the last Sunday of March at
    02:00 to the last Sunday of October at 03:00."""
    zone = Timezone()
    zone.add("tzid", "Europe/Paris")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("dtstart", datetime.datetime(1996, 3, 31, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    summer.add("tzoffsetfrom", datetime.timedelta(hours=1))
    summer.add("tzoffsetto", datetime.timedelta(hours=2))
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("dtstart", datetime.datetime(1996, 10, 27, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    winter.add("tzoffsetfrom", datetime.timedelta(hours=2))
    winter.add("tzoffsetto", datetime.timedelta(hours=1))
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def _calendar(*, method: str | None = None, name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Paris")
        calendar.add(
            "refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"}
        )
        calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(paris_timezone())
    return calendar


def _event(session: Session, *, with_content: bool, cancelled: bool) -> Event:
    event = Event()
    event.add("uid", session_uid(session))
    event.add("sequence", session.calendar_sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("created", session.created_at.astimezone(datetime.UTC))
    event.add("last-modified", session.updated_at.astimezone(datetime.UTC))
    event.add("dtstart", session_start(session))
    event.add("dtend", session_end(session))
    event.add("summary", session_summary(session))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if with_content:
        if session.place:
            event.add("location", session.place)
        lines = [f"Format : {session.get_format_display()}"]
        if session.agenda:
            lines += ["", "Ordre du jour :", session.agenda]
        event.add("description", "\n".join(lines))
    return event


def _organizer() -> vCalAddress:
    """The service sends the convocations: replies (if any) go to its reply-to mailbox."""
    name, address = parseaddr(settings.EMAIL_REPLY_TO or settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = name or "Clusters QVT"
    return organizer


def convocation_ics(session: Session, *, name: str, email: str, cancel: bool = False) -> str:
    """The .ics attached to one contact's convocation (REQUEST) or cancellation (CANCEL)."""
    calendar = _calendar(method="CANCEL" if cancel else "REQUEST")
    event = _event(session, with_content=True, cancelled=cancel)
    event.add("organizer", _organizer())
    attendee = vCalAddress(f"mailto:{email}")
    attendee.params["CN"] = name
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["RSVP"] = "FALSE"
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical().decode()


def feed_ics(sessions, *, content_visible) -> str:
    """A subscribable calendar of `sessions` (cancelled ones stay, marked CANCELLED, so a
    subscriber sees the cancellation). `content_visible(session)` says whether the place and
    agenda may be shown (confidential sessions)."""
    calendar = _calendar(name="Séances des clusters QVT")
    for session in sessions:
        event = _event(
            session, with_content=content_visible(session), cancelled=session.is_cancelled
        )
        event.add(
            "url",
            settings.SITE_URL.rstrip("/")
            + reverse("clusters:session-detail", args=[session.cluster_id, session.pk]),
        )
        calendar.add_component(event)
    return calendar.to_ical().decode()
