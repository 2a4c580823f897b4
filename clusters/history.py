"""The cluster page's history: the audit log entries of a cluster, its memberships and their
delegation contacts, as readable "who changed what, and when" lines."""

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from .models import Cluster, DelegationContact, Membership

HISTORY_LIMIT = 50


def cluster_history(cluster, memberships, *, with_contacts):
    """The latest audit log entries of the cluster, its memberships and (for regional staff) its
    delegation contacts: who changed what, and when."""
    types = ContentType.objects.get_for_models(Cluster, Membership, DelegationContact)
    membership_ids = [m.pk for m in memberships]
    wanted = Q(content_type=types[Cluster], object_id=cluster.pk) | Q(
        content_type=types[Membership], object_id__in=membership_ids
    )
    if with_contacts and membership_ids:
        # Containment (the membership before or after the change) uses the GIN index of
        # clusters migration 0005; positional lookups read the whole audit log.
        by_membership = Q()
        for pk in membership_ids:
            by_membership |= Q(changes__contains={"membership": [str(pk)]})
        wanted |= Q(content_type=types[DelegationContact]) & by_membership
    # The newest ids first, then their entries: with ORDER BY timestamp and a LIMIT in one
    # query, PostgreSQL may walk the whole log's timestamp index backwards (70 ms at national
    # scale when its estimates are off); the cluster's own entries are few.
    matching = LogEntry.objects.filter(wanted).order_by().values_list("timestamp", "id")
    newest = [pk for _timestamp, pk in sorted(matching, reverse=True)[:HISTORY_LIMIT]]
    entries = LogEntry.objects.filter(id__in=newest).select_related("actor").order_by("-timestamp")
    models = {types[model].pk: model for model in (Cluster, Membership, DelegationContact)}
    return [
        {
            "entry": entry,
            "object": _entry_object(models[entry.content_type_id], entry),
            "changes": _readable_changes(models[entry.content_type_id], entry.changes or {}),
        }
        for entry in entries
    ]


def _entry_object(model, entry):
    if model is Cluster:
        return "Cluster"
    return f"{model._meta.verbose_name.capitalize()} : {entry.object_repr}"


SKIPPED_FIELDS = {
    "id",
    "wave",
    "cluster",
    "membership",
    "establishment",
    "region",
    "created_at",
    "updated_at",
}


def _readable_changes(model, changes):
    """Readable "field: old → new" lines. A changed foreign key is only named (resolving its ids
    would cost a query per line); many-to-many changes list the objects auditlog recorded."""
    lines = []
    for name, values in changes.items():
        if name in SKIPPED_FIELDS:
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a field removed since the entry was written
            continue
        label = str(getattr(field, "verbose_name", name)).capitalize()
        if isinstance(values, dict):  # many-to-many: {"operation", "objects"}
            verb = "ajout" if values.get("operation") == "add" else "retrait"
            lines.append(f"{label} ({verb}) : {', '.join(values.get('objects', []))}")
            continue
        if not getattr(field, "concrete", False) or field.many_to_many:
            continue
        if field.is_relation:
            lines.append(f"{label} modifié(e)")
            continue
        choices = dict(field.choices or [])
        is_date = field.get_internal_type() == "DateField"
        old, new = (_readable_value(value, choices, is_date) for value in values)
        lines.append(f"{label} : {old} → {new}")
    return lines


def _readable_value(value, choices, is_date):
    if value in ("None", None, ""):
        return "—"
    if is_date and len(value) == 10:  # "2026-02-01" -> "01/02/2026"
        return "/".join(reversed(value.split("-")))
    return str(choices.get(value, value))
