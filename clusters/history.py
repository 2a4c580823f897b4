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
    entries = [(models[entry.content_type_id], entry) for entry in entries]
    names = _related_names(entries)
    return [
        {
            "entry": entry,
            "object": _entry_object(model, entry),
            "changes": _readable_changes(model, entry.changes or {}, names),
        }
        for model, entry in entries
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


def _capitalized(label) -> str:
    """ "référent ARS" -> "Référent ARS" (str.capitalize would lower the acronym)."""
    label = str(label)
    return label[:1].upper() + label[1:]


def _audited_fields(model, changes):
    """(field, values) for each change the history shows, in the order recorded."""
    for name, values in changes.items():
        if name in SKIPPED_FIELDS:
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a field removed since the entry was written
            continue
        if isinstance(values, dict) or (
            getattr(field, "concrete", False) and not field.many_to_many
        ):
            yield field, values


def _related_names(entries) -> dict:
    """{(related model, str(pk)): name} for every foreign key value of the entries: one query
    per related model (a referent, an Aract), not one per line."""
    wanted = {}
    for model, entry in entries:
        for field, values in _audited_fields(model, entry.changes or {}):
            if field.is_relation and not isinstance(values, dict):
                ids = {value for value in values if value not in EMPTY}
                wanted.setdefault(field.related_model, set()).update(ids)
    names = {}
    for related, ids in wanted.items():
        valid = [pk for pk in ids if str(pk).isdigit()]
        for pk, obj in related._default_manager.in_bulk(valid).items():
            names[(related, str(pk))] = str(obj)
    return names


def _readable_changes(model, changes, names=None):
    """Readable "Field: old → new" lines: the field's label, choices by their label, foreign keys
    by the name of the object (from `names`, see _related_names), dates in French order; a
    change between two empty values is left out. Many-to-many changes list the objects
    auditlog recorded."""
    names = names or {}
    lines = []
    for field, values in _audited_fields(model, changes):
        label = _capitalized(getattr(field, "verbose_name", field.name))
        if isinstance(values, dict):  # many-to-many: {"operation", "objects"}
            verb = "ajout" if values.get("operation") == "add" else "retrait"
            lines.append(f"{label} ({verb}) : {', '.join(values.get('objects', []))}")
            continue
        if field.is_relation:
            old, new = (_related_value(value, field.related_model, names) for value in values)
        else:
            old, new = (_readable_value(value, field) for value in values)
        if old == new:  # "—" → "—": an empty value saved again, nothing to read
            continue
        lines.append(f"{label} : {old} → {new}")
    return lines


EMPTY = ("None", None, "")


def _related_value(value, related, names) -> str:
    if value in EMPTY:
        return "—"
    return names.get((related, str(value)), "(supprimé)")


def _readable_value(value, field) -> str:
    if value in EMPTY:
        return "—"
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return {"True": "oui", "False": "non"}.get(str(value), str(value))
    if kind == "DateField" and len(value) == 10:  # "2026-02-01" -> "01/02/2026"
        return "/".join(reversed(value.split("-")))
    return str(dict(field.choices or []).get(value, value))
