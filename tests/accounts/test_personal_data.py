"""RGPD: the personal data page, the purge of old delegation contacts, the right of access."""

import datetime
import json
from io import StringIO

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clusters.models import Cluster, DelegationContact, ParticipantRole
from tests.factories import TEST_PASSWORD, ClusterFactory, SessionFactory, add_members

pytestmark = pytest.mark.django_db


def test_the_personal_data_page_says_what_is_kept_why_and_for_how_long(client, settings):
    settings.CONTACT_RETENTION_YEARS = 3
    response = client.get(reverse("personal-data"))
    assert response.status_code == 200
    text = response.content.decode()
    for expected in (
        "Données personnelles",
        "Quelles données ?",  # what
        "Contacts des délégations",
        "courriel",
        "Pourquoi ?",  # why
        "mission d'intérêt public",
        "Combien de temps ?",  # how long
        "supprimés 3 ans après la clôture du cluster",
        "Vos droits",
    ):
        assert expected in text, expected


def closed_cluster_with_contact(closed_on, email="claude.dupont@example.invalid"):
    cluster = ClusterFactory(region_code="11", status=Cluster.Status.CLOTURE, closed_on=closed_on)
    membership = add_members(cluster, 1)[0]
    contact = DelegationContact.objects.create(
        membership=membership,
        role=ParticipantRole.DIRECTION,
        name="Claude Dupont",
        email=email,
        phone="06 12 34 56 78",
    )
    return cluster, contact


def years_ago(years, days=0):
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def purge(*args) -> str:
    out = StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def test_purge_removes_contacts_of_clusters_closed_more_than_three_years_ago(settings):
    settings.CONTACT_RETENTION_YEARS = 3
    _old, expired = closed_cluster_with_contact(years_ago(3, days=1))
    _recent, kept = closed_cluster_with_contact(years_ago(3) + datetime.timedelta(days=1))
    running = ClusterFactory(region_code="11")
    running_contact = DelegationContact.objects.create(
        membership=add_members(running, 1)[0], role=ParticipantRole.IRP, name="Alex Martin"
    )
    output = purge()
    assert "1 contact(s) de délégation supprimés" in output
    remaining = set(DelegationContact.objects.values_list("pk", flat=True))
    assert remaining == {kept.pk, running_contact.pk}
    assert expired.pk not in remaining


def test_purge_also_erases_the_contacts_values_from_the_audit_trail(settings):
    settings.CONTACT_RETENTION_YEARS = 3
    _cluster, contact = closed_cluster_with_contact(years_ago(4))
    contact.phone = "07 00 00 00 00"
    contact.save()
    entries = LogEntry.objects.filter(object_pk=str(contact.pk), object_repr__contains="Claude")
    assert entries.count() == 2
    purge()
    # The trail keeps that a contact was created and changed, not who it was.
    for entry in LogEntry.objects.filter(
        content_type__model="delegationcontact", object_pk=str(contact.pk)
    ):
        dumped = json.dumps(entry.changes) + entry.object_repr + (entry.changes_text or "")
        for value in ("Claude", "Dupont", "claude.dupont", "06 12", "07 00"):
            assert value not in dumped


def test_purge_dry_run_counts_without_deleting(settings):
    settings.CONTACT_RETENTION_YEARS = 3
    closed_cluster_with_contact(years_ago(5))
    output = purge("--dry-run")
    assert "1 contact(s) de délégation à supprimer" in output
    assert DelegationContact.objects.count() == 1


def test_the_retention_period_is_a_setting(settings):
    _cluster, contact = closed_cluster_with_contact(years_ago(2))
    settings.CONTACT_RETENTION_YEARS = 3
    purge()
    assert DelegationContact.objects.filter(pk=contact.pk).exists()
    settings.CONTACT_RETENTION_YEARS = 1
    purge()
    assert not DelegationContact.objects.filter(pk=contact.pk).exists()


def export(email) -> dict:
    out = StringIO()
    call_command("export_personal_data", email, stdout=out)
    return json.loads(out.getvalue())


def test_export_returns_everything_held_about_a_person(ars, cluster):
    ars.email = "camille.martin@example.invalid"
    ars.save()
    membership = add_members(cluster, 1)[0]
    DelegationContact.objects.create(
        membership=membership,
        role=ParticipantRole.CADRE,
        name="Camille Martin",
        email="Camille.Martin@example.invalid",  # same address, other case
        phone="01 02 03 04 05",
    )
    with set_actor(ars):  # an audited change made by the person
        cluster.name = "Cluster renommé"
        cluster.save()

    data = export("camille.martin@example.invalid")
    [account] = data["user_accounts"]
    assert account["username"] == ars.username
    assert [(r["role"], r["region"]) for r in account["role_assignments"]] == [
        ("Agent d'ARS", "Île-de-France")
    ]
    [contact] = data["delegation_contacts"]
    assert (contact["name"], contact["phone"]) == ("Camille Martin", "01 02 03 04 05")
    assert contact["cluster"] == "Cluster renommé"
    by_person = [e for e in data["audit_entries"] if e["by_this_person"]]
    assert [e["changes"]["name"][1] for e in by_person if e["object_type"] == "cluster"] == [
        "Cluster renommé"
    ]
    # Changes made to the person's own account are part of it too.
    assert any(e["object_type"] == "user" for e in data["audit_entries"])


def test_export_includes_the_persons_login_records(client, ars):
    client.post(reverse("accounts:login"), {"username": ars.username, "password": TEST_PASSWORD})
    data = export(ars.email)
    assert [record["username"] for record in data["login_records"]] == [ars.username]


def test_export_of_an_unknown_address_is_empty():
    data = export("personne@example.invalid")
    assert data["user_accounts"] == data["delegation_contacts"] == data["audit_entries"] == []


# --- The audit trail: entries that mention the person, and deleted contacts ---------------------


ACTION_DELETE = LogEntry(action=LogEntry.Action.DELETE).get_action_display()


def contact_of(cluster, **values):
    return DelegationContact.objects.create(
        membership=add_members(cluster, 1)[0], role=ParticipantRole.IRP, **values
    )


def audit_text(entry) -> str:
    return (
        json.dumps(entry.changes, ensure_ascii=False)
        + json.dumps(entry.serialized_data, ensure_ascii=False)
        + entry.object_repr
        + (entry.changes_text or "")
    )


def test_export_includes_audit_entries_that_mention_the_person(ars, cluster):
    """Entries made by others, about the person's contact (deleted since, or whose e-mail was
    changed), or naming them in another object's text."""
    with set_actor(ars):  # someone else makes every change below
        contact = contact_of(cluster, name="Dominique Leroy", email="d.leroy@example.invalid")
        contact.phone = "01 40 00 00 00"
        contact.save()  # an entry about their contact that does not repeat their e-mail
        old_address = contact_of(cluster, name="Dominique Leroy", email="dleroy@old.invalid")
        old_address.email = "d.leroy@example.invalid"
        old_address.save()
        old_address.delete()  # deleted: only the audit trail still knows it
        session = SessionFactory(cluster=cluster, key_points="Appeler Dominique Leroy lundi.")
        other = SessionFactory(cluster=cluster, key_points="Rien à signaler.")
    other_entries = set(LogEntry.objects.get_for_object(other).values_list("pk", flat=True))

    data = export("d.leroy@example.invalid")
    entries = data["audit_entries"]
    assert all(not e["by_this_person"] for e in entries)
    about_contacts = [e for e in entries if "about_their_contact" in e["why"]]
    # Created, phone changed (live contact); created, e-mail changed, deleted (the other).
    assert len(about_contacts) == 5
    assert [e["action"] for e in about_contacts].count(ACTION_DELETE) == 1
    [session_entry] = [e for e in entries if e["object_type"] == "session"]
    assert session_entry["why"] == ["mentions_their_name"]
    assert "Dominique Leroy" in json.dumps(session_entry["changes"], ensure_ascii=False)
    assert str(session.pk) == session_entry["changes"]["id"][1]
    # Another object's entries that do not mention them are not part of it.
    assert other_entries and not any("Rien à signaler" in json.dumps(e["changes"]) for e in entries)


def test_purge_erases_deleted_contacts_from_the_audit_trail(ars, cluster):
    with set_actor(ars):
        kept = contact_of(cluster, name="Sacha Bernard", email="sacha@example.invalid")
        gone = contact_of(
            cluster, name="Morgane Petit", email="morgane@example.invalid", phone="06 99 88 77 66"
        )
        gone.phone = "06 11 22 33 44"
        gone.save()
        SessionFactory(
            cluster=cluster, key_points="Morgane Petit (morgane@example.invalid) et Sacha Bernard."
        )
        gone_pk = gone.pk
        gone.delete()
    gone_entries = LogEntry.objects.filter(
        content_type__model="delegationcontact", object_pk=str(gone_pk)
    )
    assert gone_entries.count() == 3  # created, changed, deleted

    assert "1 contact(s) supprimé(s) auparavant : valeurs à effacer" in purge("--dry-run")
    # The dry run erased nothing.
    assert "Morgane" in "".join(audit_text(e) for e in gone_entries.all())

    assert "1 contact(s) supprimé(s) auparavant : valeurs effacés" in purge()
    everything = "".join(audit_text(entry) for entry in LogEntry.objects.all())
    for value in ("Morgane", "Petit", "morgane@", "06 99", "06 11"):
        assert value not in everything, value
    # The entries stay (that a contact was created, changed, deleted), without the values...
    assert gone_entries.count() == 3
    assert {entry.object_repr for entry in gone_entries.all()} == {"[effacé]"}
    # ...and a contact still held keeps its history, even where the other one was mentioned.
    assert "Sacha Bernard" in everything
    assert LogEntry.objects.get_for_object(kept).get().object_repr.startswith("Sacha Bernard")
    session_entry = LogEntry.objects.filter(content_type__model="session").get()
    assert "[effacé] ([effacé]) et Sacha Bernard." in json.dumps(
        session_entry.changes, ensure_ascii=False
    )
    # Run again, nothing left to do.
    assert "0 contact(s) supprimé(s) auparavant" in purge()


def test_purge_erases_mentions_of_expired_contacts_in_other_entries(settings):
    settings.CONTACT_RETENTION_YEARS = 3
    cluster, _contact = closed_cluster_with_contact(years_ago(4))
    notes = "Compte rendu envoyé à Claude.Dupont@example.invalid"  # other case: found too
    SessionFactory(cluster=cluster, key_points=notes)
    purge()
    session_entry = LogEntry.objects.filter(content_type__model="session").get()
    assert "claude.dupont" not in audit_text(session_entry)
    assert "Compte rendu envoyé à [effacé]" in audit_text(session_entry)
