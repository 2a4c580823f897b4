"""Convocations of delegation contacts to a session: sending, updates, cancellation.

The contacts are not users: each one gets an e-mail (through notifications' e-mail component,
sent after the transaction commits) with the session's .ics (clusters/calendar.py), and each
e-mail is recorded as a `SessionConvocation`, the list of who was invited shown on the session
page. Logs name sessions by id only, never a contact's address.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from notifications.services import queue_email

from .calendar import ICS_CONTENT_TYPE, convocation_ics
from .models import DelegationContact, Session, SessionConvocation

logger = logging.getLogger(__name__)
Method = SessionConvocation.Method

# A change of one of these is a change of the appointment: invitees get an update.
CALENDAR_FIELDS = ("held_on", "starts_at", "ends_at", "place", "agenda", "format", "kind")


def convocation_contacts(session: Session) -> list[DelegationContact]:
    """The delegation contacts of the cluster's active members, those with an address first."""
    contacts = (
        DelegationContact.objects.filter(
            membership__cluster_id=session.cluster_id, membership__withdrawn_on__isnull=True
        )
        .select_related("membership__establishment")
        .order_by("membership__establishment__short_name", "role", "name")
    )
    return sorted(contacts, key=lambda contact: not contact.email)


def invitees(session: Session) -> list[SessionConvocation]:
    """Who was invited: the latest message sent to each address (convocation, update or
    cancellation), with its e-mail's delivery status."""
    latest: dict[str, SessionConvocation] = {}
    convocations = session.convocations.select_related("outgoing").order_by("sent_at", "pk")
    for convocation in convocations:
        latest[convocation.email.lower()] = convocation
    return sorted(latest.values(), key=lambda c: (c.establishment_name, c.name))


def _invited(session: Session) -> dict[str, SessionConvocation]:
    """Addresses that received a convocation (REQUEST) of this session, with their last one."""
    invited: dict[str, SessionConvocation] = {}
    for convocation in session.convocations.filter(method=Method.REQUEST).order_by("sent_at", "pk"):
        invited[convocation.email.lower()] = convocation
    return invited


def _send(session, *, name, email, establishment, contact_id, method, update, by):
    cancel = method == Method.CANCEL
    subject_prefix = "Annulation" if cancel else ("Modification" if update else "Convocation")
    subject = (
        f"{subject_prefix} : {session.get_kind_display().lower()} n° {session.number} du "
        f"cluster « {session.cluster.name} », {session.held_on:%d/%m/%Y}"
    )
    outgoing = queue_email(
        kind="session_cancellation" if cancel else "session_convocation",
        to=email,
        subject=subject[:200],
        template="session_cancellation" if cancel else "session_convocation",
        context={
            "name": name,
            "establishment": establishment,
            "session": session,
            "cluster": session.cluster,
            "update": update,
            "sender": by.get_full_name() if by else "",
        },
        attachment=(
            "seance.ics",
            ICS_CONTENT_TYPE,
            convocation_ics(session, name=name, email=email, cancel=cancel),
        ),
    )
    return SessionConvocation.objects.create(
        session=session,
        contact_id=contact_id,
        establishment_name=establishment,
        name=name,
        email=email,
        method=method,
        sequence=session.calendar_sequence,
        is_update=update,
        outgoing=outgoing,
        sent_by=by,
    )


@transaction.atomic
def session_send_convocations(*, session: Session, by) -> list[SessionConvocation]:
    """Convene every delegation contact (with an address) of the cluster's active members who
    has not yet received the current version of the appointment. Returns the new convocations."""
    session = Session.objects.select_for_update().select_related("cluster").get(pk=session.pk)
    if not session.is_planned:
        raise ValidationError("On ne convoque qu'à une séance à venir et non annulée.")
    invited = _invited(session)
    sent = []
    for contact in convocation_contacts(session):
        if not contact.email:
            continue
        previous = invited.get(contact.email.lower())
        if previous is not None and previous.sequence == session.calendar_sequence:
            continue  # already has this version
        sent.append(
            _send(
                session,
                name=contact.name,
                email=contact.email,
                establishment=contact.membership.establishment.short_name,
                contact_id=contact.pk,
                method=Method.REQUEST,
                update=previous is not None,
                by=by,
            )
        )
    if not sent:
        raise ValidationError(
            "Aucun contact à convoquer : tous ont déjà reçu cette convocation, ou aucun contact "
            "de la délégation n'a d'adresse électronique."
        )
    logger.info("Session %s: %s convocation(s) queued", session.pk, len(sent))
    return sent


def calendar_changes(session: Session, before: dict) -> list[str]:
    """The appointment's fields that differ from `before` (values read before the edit)."""
    return [name for name in CALENDAR_FIELDS if before.get(name) != getattr(session, name)]


def calendar_values(session: Session) -> dict:
    return {name: getattr(session, name) for name in CALENDAR_FIELDS}


@transaction.atomic
def session_calendar_changed(*, session: Session, before: dict, by) -> int:
    """After an edit that changed the appointment: a new SEQUENCE, and an update (same UID) to
    everyone invited when the session was or is still to come. Returns how many were sent."""
    if session.is_cancelled or not calendar_changes(session, before):
        return 0
    session.calendar_sequence += 1
    session.save(update_fields=["calendar_sequence", "updated_at"])
    today = timezone.localdate()
    if session.held_on < today and before["held_on"] < today:
        return 0  # a past session's record corrected: nobody is to come
    invited = _send_again(session, method=Method.REQUEST, update=True, by=by)
    if invited:
        logger.info("Session %s changed: %s update(s) queued", session.pk, len(invited))
    return len(invited)


@transaction.atomic
def session_cancel(*, session: Session, by) -> int:
    """Cancel a session still to come: everyone invited gets a cancellation with the same UID.
    Returns how many were sent."""
    session = Session.objects.select_for_update().select_related("cluster").get(pk=session.pk)
    if not session.is_planned:
        raise ValidationError("Seule une séance à venir et non annulée peut être annulée.")
    session.cancelled_at = timezone.now()
    session.calendar_sequence += 1
    session.save(update_fields=["cancelled_at", "calendar_sequence", "updated_at"])
    invited = _send_again(session, method=Method.CANCEL, update=False, by=by)
    logger.info("Session %s cancelled: %s cancellation(s) queued", session.pk, len(invited))
    return len(invited)


def _send_again(session: Session, *, method, update: bool, by) -> dict:
    """Send the session's new version (update or cancellation) to everyone already invited."""
    invited = _invited(session)
    for previous in invited.values():
        _send(
            session,
            name=previous.name,
            email=previous.email,
            establishment=previous.establishment_name,
            contact_id=previous.contact_id,
            method=method,
            update=update,
            by=by,
        )
    return invited
