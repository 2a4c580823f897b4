"""Personal data (RGPD): retention of delegation contacts and the right of access.

It reads accounts and cluster contacts together, hence the web layer (accounts cannot import
clusters)."""

import datetime
import logging
import re

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessLog
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from accounts.models import User
from clusters.models import DelegationContact, SessionConvocation
from notifications.services import personal_data as notifications_personal_data

security_log = logging.getLogger("qvt.security")

CONTACT_FIELDS = ("name", "email", "phone")  # also a convocation's name and email
ERASED = "[effacé]"
# Shorter values (initials, "06") would match unrelated text: they are not searched for.
MIN_MENTION_LENGTH = 5


def retention_limit(*, today: datetime.date, years: int) -> datetime.date:
    """The date `years` years before `today` (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def expired_contacts(*, today: datetime.date, retention_years: int):
    """Contacts of clusters closed more than `retention_years` years before `today`."""
    limit = retention_limit(today=today, years=retention_years)
    return DelegationContact.objects.filter(membership__cluster__closed_on__lt=limit)


@transaction.atomic
def purge_expired_contacts(
    *, today: datetime.date, retention_years: int, dry_run: bool = False
) -> int:
    """Delete the expired contacts and erase their values from the audit trail.

    The audit entries stay (who created or changed a contact, and when) but lose the name,
    e-mail and phone they recorded: otherwise the trail would keep what the purge removed.
    Entries of other objects that mention those values (a session's notes naming the contact)
    have the values replaced too.
    """
    contacts = expired_contacts(today=today, retention_years=retention_years)
    ids = [str(pk) for pk in contacts.values_list("pk", flat=True)]
    if dry_run or not ids:
        return len(ids)
    erased_entries = erase_contacts_from_audit(ids)
    # The convocations sent to those clusters' contacts keep their names and addresses too.
    limit = retention_limit(today=today, years=retention_years)
    convocation_ids = [
        str(pk)
        for pk in SessionConvocation.objects.filter(
            session__cluster__closed_on__lt=limit
        ).values_list("pk", flat=True)
    ]
    convocation_type = ContentType.objects.get_for_model(SessionConvocation)
    for entry in LogEntry.objects.filter(
        content_type=convocation_type, object_pk__in=convocation_ids
    ):
        entry.object_repr = ERASED
        entry.changes = _erase_contact_values(entry.changes)
        entry.changes_text = ""
        entry.serialized_data = None
        entry.save(update_fields=["object_repr", "changes", "changes_text", "serialized_data"])
        erased_entries += 1
    with disable_auditlog():  # a deletion entry would record the names again
        DelegationContact.objects.filter(pk__in=ids).delete()
        SessionConvocation.objects.filter(pk__in=convocation_ids).delete()
    security_log.info(
        "personal_data_purged",
        extra={
            "event": "personal_data_purged",
            "contacts": len(ids),
            "audit_entries": erased_entries,
        },
    )
    return len(ids)


def deleted_contacts_in_audit() -> list[str]:
    """Ids of contacts deleted since (by a user, or with their membership) whose audit entries
    still hold their values."""
    content_type = ContentType.objects.get_for_model(DelegationContact)
    existing = {str(pk) for pk in DelegationContact.objects.values_list("pk", flat=True)}
    in_audit = (
        LogEntry.objects.filter(content_type=content_type)
        .exclude(object_repr=ERASED)
        .values_list("object_pk", flat=True)
        .distinct()
    )
    return sorted(set(in_audit) - existing, key=lambda pk: (len(pk), pk))


@transaction.atomic
def purge_deleted_contacts_from_audit(*, dry_run: bool = False) -> int:
    """Erase the values of deleted contacts from the audit trail (the entries themselves stay:
    that a contact was created, changed and deleted, by whom and when). Returns the number of
    deleted contacts concerned."""
    ids = deleted_contacts_in_audit()
    if dry_run or not ids:
        return len(ids)
    erased_entries = erase_contacts_from_audit(ids)
    security_log.info(
        "personal_data_purged",
        extra={
            "event": "personal_data_purged",
            "deleted_contacts": len(ids),
            "audit_entries": erased_entries,
        },
    )
    return len(ids)


def erase_contacts_from_audit(contact_ids: list[str]) -> int:
    """Erase these contacts' name, e-mail and phone from their own audit entries, and from any
    other entry that mentions them. Values that a remaining contact or an account still holds
    are left in other entries (they are that person's, who is still known). Returns the number
    of entries changed."""
    content_type = ContentType.objects.get_for_model(DelegationContact)
    own_entries = list(
        LogEntry.objects.filter(content_type=content_type, object_pk__in=contact_ids)
    )
    values = set()
    for contact in DelegationContact.objects.filter(pk__in=contact_ids):
        values.update((contact.name, contact.email, contact.phone))
    for entry in own_entries:
        values.update(_contact_values(entry.changes))
    values -= _values_still_held(exclude_contact_ids=contact_ids)
    values = {value for value in values if len(value) >= MIN_MENTION_LENGTH}
    for entry in own_entries:
        entry.object_repr = ERASED
        entry.changes = _erase_contact_values(entry.changes)
        entry.changes_text = ""
        entry.serialized_data = None
        entry.save(update_fields=["object_repr", "changes", "changes_text", "serialized_data"])
    changed = len(own_entries)
    own_ids = {entry.pk for entry in own_entries}
    for entry in mentioning(values).exclude(pk__in=own_ids):
        entry.object_repr = _erase_mentions(entry.object_repr, values)
        entry.changes = _erase_mentions(entry.changes, values)
        entry.changes_text = _erase_mentions(entry.changes_text or "", values)
        entry.serialized_data = _erase_mentions(entry.serialized_data, values)
        entry.save(update_fields=["object_repr", "changes", "changes_text", "serialized_data"])
        changed += 1
    return changed


def _contact_values(changes) -> set[str]:
    """The name, e-mail and phone values an audit entry of a contact recorded."""
    if not isinstance(changes, dict):
        return set()
    found = set()
    for field in CONTACT_FIELDS:
        values = changes.get(field)
        if isinstance(values, list):
            found.update(v for v in values if isinstance(v, str) and v not in ("", "None"))
    return found


def _values_still_held(*, exclude_contact_ids) -> set[str]:
    held = set()
    for row in DelegationContact.objects.exclude(pk__in=exclude_contact_ids).values_list(
        *CONTACT_FIELDS
    ):
        held.update(row)
    for first, last, email in User.objects.values_list("first_name", "last_name", "email"):
        held.update((f"{first} {last}".strip(), email))
    return held


def mentioning(values) -> "QuerySet[LogEntry]":
    """Audit entries whose changes, text, serialized data or object name contain one of these
    strings (case-insensitive)."""
    condition = Q()
    for value in values:
        condition |= (
            Q(changes_as_text__icontains=value)
            | Q(serialized_as_text__icontains=value)
            | Q(changes_text__icontains=value)
            | Q(object_repr__icontains=value)
        )
    if not condition:
        return LogEntry.objects.none()
    return LogEntry.objects.annotate(
        changes_as_text=Cast("changes", TextField()),
        serialized_as_text=Cast("serialized_data", TextField()),
    ).filter(condition)


def _erase_mentions(data, values):
    """`data` (a string, or lists and dicts of them) with each value replaced by [effacé]."""
    if isinstance(data, str):
        for value in sorted(values, key=len, reverse=True):
            data = re.sub(re.escape(value), ERASED, data, flags=re.IGNORECASE)
        return data
    if isinstance(data, list):
        return [_erase_mentions(item, values) for item in data]
    if isinstance(data, dict):
        return {key: _erase_mentions(item, values) for key, item in data.items()}
    return data


def _erase_contact_values(changes):
    if not isinstance(changes, dict):
        return changes
    return {
        field: [ERASED if value not in (None, "") else value for value in values]
        if field in CONTACT_FIELDS and isinstance(values, list)
        else values
        for field, values in changes.items()
    }


def _audit_entries_about(*, email: str, users: list, contacts) -> list[tuple[LogEntry, list]]:
    """The audit entries that concern the person, each with why (one or more of):

    - "made_by_this_person": they made the change;
    - "about_their_account": a change to their user account;
    - "about_their_contact": a change to a delegation contact with their e-mail, now or in the
      past (deleted contacts included: found by the e-mail their entries recorded);
    - "mentions_their_email": their e-mail appears in the changes of any object;
    - "mentions_their_name": a name they are known by (account or contact) appears in them. A
      namesake's entries would match too: whoever sends the export checks these first.
    """
    user_ids = {user.pk for user in users}
    user_type = ContentType.objects.get_for_model(User)
    contact_type = ContentType.objects.get_for_model(DelegationContact)
    by_email = set(mentioning([email]).values_list("pk", flat=True))
    contact_pks = {str(contact.pk) for contact in contacts} | set(
        LogEntry.objects.filter(pk__in=by_email, content_type=contact_type).values_list(
            "object_pk", flat=True
        )
    )
    names = {f"{user.first_name} {user.last_name}".strip() for user in users}
    names |= {contact.name for contact in contacts}
    for entry in LogEntry.objects.filter(content_type=contact_type, object_pk__in=contact_pks):
        names |= {
            value
            for value in (entry.changes or {}).get("name", [])
            if isinstance(value, str) and value not in ("", "None", ERASED)
        }
    names = {name for name in names if len(name) >= MIN_MENTION_LENGTH}
    by_name = set(mentioning(names).values_list("pk", flat=True))
    entries = (
        LogEntry.objects.filter(
            Q(actor__in=users)
            | Q(actor_email__iexact=email)
            | Q(content_type=user_type, object_pk__in=[str(pk) for pk in user_ids])
            | Q(content_type=contact_type, object_pk__in=contact_pks)
            | Q(pk__in=by_email | by_name)
        )
        .select_related("content_type")
        .order_by("timestamp", "pk")
    )
    result = []
    for entry in entries:
        reasons = []
        if entry.actor_id in user_ids or (entry.actor_email or "").lower() == email.lower():
            reasons.append("made_by_this_person")
        if entry.content_type_id == user_type.pk and entry.object_pk in {
            str(pk) for pk in user_ids
        }:
            reasons.append("about_their_account")
        if entry.content_type_id == contact_type.pk and entry.object_pk in contact_pks:
            reasons.append("about_their_contact")
        if entry.pk in by_email:
            reasons.append("mentions_their_email")
        if entry.pk in by_name:
            reasons.append("mentions_their_name")
        result.append((entry, reasons))
    return result


def personal_data_of(email: str) -> dict:
    """Everything the service holds about the person with this e-mail address (right of access)."""
    users = list(User.objects.filter(email__iexact=email).prefetch_related("role_assignments"))
    usernames = [user.username for user in users]
    user_ids = {user.pk for user in users}
    contacts = list(
        DelegationContact.objects.filter(email__iexact=email).select_related(
            "membership__cluster__region", "membership__establishment"
        )
    )
    audit = _audit_entries_about(email=email, users=users, contacts=contacts)
    return {
        "email": email,
        "user_accounts": [
            {
                "username": user.username,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "organisation": str(user.organisation) if user.organisation_id else None,
                "is_active": user.is_active,
                "date_joined": user.date_joined,
                "last_login": user.last_login,
                "role_assignments": [
                    {
                        "role": assignment.get_role_display(),
                        "region": assignment.region.name if assignment.region_id else None,
                        "since": assignment.created_at,
                    }
                    for assignment in user.role_assignments.select_related("region")
                ],
            }
            for user in users
        ],
        "delegation_contacts": [
            {
                "name": contact.name,
                "email": contact.email,
                "phone": contact.phone,
                "role": contact.get_role_display(),
                "establishment": contact.membership.establishment.short_name,
                "cluster": contact.membership.cluster.name,
                "region": contact.membership.cluster.region.name,
            }
            for contact in contacts
        ],
        "audit_entries": [
            {
                "timestamp": entry.timestamp,
                "action": entry.get_action_display(),
                "object_type": entry.content_type.model,
                "object": entry.object_repr,
                "changes": entry.changes,
                "by_this_person": entry.actor_id in user_ids,
                "why": reasons,
                "remote_addr": entry.remote_addr,
            }
            for entry, reasons in audit
        ],
        "login_records": [
            {
                "username": log.username,
                "ip_address": log.ip_address,
                "user_agent": log.user_agent,
                "login": log.attempt_time,
                "logout": log.logout_time,
            }
            for log in AccessLog.objects.filter(username__in=usernames).order_by("attempt_time")
        ],
        "failed_login_records": [
            {
                "username": attempt.username,
                "ip_address": attempt.ip_address,
                "failures": attempt.failures_since_start,
                "last_attempt": attempt.attempt_time,
            }
            for attempt in AccessAttempt.objects.filter(username__in=usernames)
        ],
        # Convocations e-mailed to this address as a delegation contact (name and address as sent).
        "session_convocations": [
            {
                "name": convocation.name,
                "email": convocation.email,
                "establishment": convocation.establishment_name,
                "cluster": convocation.session.cluster.name,
                "session": str(convocation.session),
                "kind": convocation.get_method_display(),
                "is_update": convocation.is_update,
                "sent_at": convocation.sent_at,
            }
            for convocation in SessionConvocation.objects.filter(email__iexact=email)
            .select_related("session__cluster")
            .order_by("sent_at")
        ],
        **notifications_personal_data(users),
    }
