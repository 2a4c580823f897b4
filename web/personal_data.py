"""Personal data (RGPD): retention of delegation contacts and the right of access.

It reads accounts and cluster contacts together, hence the web layer (accounts cannot import
clusters)."""

import datetime
import logging

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessLog
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from accounts.models import User
from clusters.models import DelegationContact, SessionConvocation
from notifications.services import personal_data as notifications_personal_data

security_log = logging.getLogger("qvt.security")

CONTACT_FIELDS = ("name", "email", "phone")  # also a convocation's name and email
ERASED = "[effacé]"


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
    """
    contacts = expired_contacts(today=today, retention_years=retention_years)
    ids = [str(pk) for pk in contacts.values_list("pk", flat=True)]
    if dry_run or not ids:
        return len(ids)
    # The convocations sent to those clusters' contacts keep their names and addresses too.
    limit = retention_limit(today=today, years=retention_years)
    convocation_ids = [
        str(pk)
        for pk in SessionConvocation.objects.filter(
            session__cluster__closed_on__lt=limit
        ).values_list("pk", flat=True)
    ]
    content_type = ContentType.objects.get_for_model(DelegationContact)
    convocation_type = ContentType.objects.get_for_model(SessionConvocation)
    entries = LogEntry.objects.filter(
        Q(content_type=content_type, object_pk__in=ids)
        | Q(content_type=convocation_type, object_pk__in=convocation_ids)
    )
    for entry in entries:
        entry.object_repr = ERASED
        entry.changes = _erase_contact_values(entry.changes)
        entry.changes_text = ""
        entry.serialized_data = None
        entry.save(update_fields=["object_repr", "changes", "changes_text", "serialized_data"])
    with disable_auditlog():  # a deletion entry would record the names again
        DelegationContact.objects.filter(pk__in=ids).delete()
        SessionConvocation.objects.filter(pk__in=convocation_ids).delete()
    security_log.info(
        "personal_data_purged",
        extra={
            "event": "personal_data_purged",
            "contacts": len(ids),
            "audit_entries": len(entries),
        },
    )
    return len(ids)


def _erase_contact_values(changes):
    if not isinstance(changes, dict):
        return changes
    return {
        field: [ERASED if value not in (None, "") else value for value in values]
        if field in CONTACT_FIELDS and isinstance(values, list)
        else values
        for field, values in changes.items()
    }


def personal_data_of(email: str) -> dict:
    """Everything the service holds about the person with this e-mail address (right of access)."""
    users = list(User.objects.filter(email__iexact=email).prefetch_related("role_assignments"))
    usernames = [user.username for user in users]
    user_ids = {user.pk for user in users}
    user_type = ContentType.objects.get_for_model(User)
    contacts = DelegationContact.objects.filter(email__iexact=email).select_related(
        "membership__cluster__region", "membership__establishment"
    )
    audit = LogEntry.objects.filter(
        Q(actor__in=users)
        | Q(actor_email__iexact=email)
        | Q(content_type=user_type, object_pk__in=[str(pk) for pk in user_ids])
    ).select_related("content_type")
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
                "remote_addr": entry.remote_addr,
            }
            for entry in audit.order_by("timestamp")
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
