"""Ways back on clusters: delete a draft cluster (no sessions yet), edit a member's entry date
(default: the launch date when added before the first session). Audited; refusals write nothing."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clusters import services
from clusters.models import Cluster, Membership
from tests.factories import EstablishmentFactory, SessionFactory, add_members

pytestmark = pytest.mark.django_db
Status = Cluster.Status


def deletions_of(model, pk):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_pk=str(pk),
        action=LogEntry.Action.DELETE,
    )


# --- Deleting a draft cluster --------------------------------------------------------------------


def test_ars_deletes_a_draft_cluster_after_confirmation(client, ars, cluster):
    member = add_members(cluster, 2)[0]
    client.force_login(ars)
    url = reverse("clusters:cluster-delete", args=[cluster.pk])
    page = client.get(url).content.decode()
    assert "Confirmer la suppression" in page and "2 participations" in page
    assert Cluster.objects.filter(pk=cluster.pk).exists()  # the GET deleted nothing
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("clusters:cluster-list")
    assert not Cluster.objects.filter(pk=cluster.pk).exists()
    assert deletions_of(Cluster, cluster.pk).exists()
    assert deletions_of(Membership, member.pk).exists()


def test_the_cluster_page_offers_deletion_of_a_draft_only(client, ars, cluster):
    client.force_login(ars)
    detail = reverse("clusters:cluster-detail", args=[cluster.pk])
    delete = reverse("clusters:cluster-delete", args=[cluster.pk])
    assert delete in client.get(detail).content.decode()
    SessionFactory(cluster=cluster)
    assert delete not in client.get(detail).content.decode()


@pytest.mark.parametrize(
    "status, with_session, message",
    [
        (Status.BROUILLON, True, "Ce cluster a déjà des séances : il ne peut plus être supprimé."),
        (Status.CONSTITUE, False, "Seul un cluster au statut « Brouillon » peut être supprimé"),
        (Status.EN_COURS, False, "Seul un cluster au statut « Brouillon » peut être supprimé"),
    ],
)
def test_only_a_draft_without_sessions_can_be_deleted(
    client, ars, cluster, status, with_session, message
):
    cluster.status = status
    cluster.save()
    if with_session:
        SessionFactory(cluster=cluster)
    with pytest.raises(ValidationError, match=message):
        services.cluster_delete(cluster=cluster, by=ars)
    client.force_login(ars)
    response = client.post(reverse("clusters:cluster-delete", args=[cluster.pk]))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Cluster.objects.filter(pk=cluster.pk).exists()
    assert not deletions_of(Cluster, cluster.pk).exists()


@pytest.mark.parametrize(
    "persona, answer", [("aract", 403), ("national", 403), ("ars_other_region", 404)]
)
def test_only_the_regions_ars_deletes_a_cluster(client, request, cluster, persona, answer):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("clusters:cluster-delete", args=[cluster.pk])).status_code == answer
    assert Cluster.objects.filter(pk=cluster.pk).exists()


# --- A member's entry date -----------------------------------------------------------------------


def test_a_member_added_before_the_first_session_joins_at_the_launch_date(ars, cluster):
    establishment = EstablishmentFactory(region_code="11")
    membership = services.cluster_add_member(cluster=cluster, establishment=establishment)
    assert membership.joined_on == cluster.starts_on


def test_a_member_added_after_a_session_joins_today(ars, cluster):
    SessionFactory(cluster=cluster)
    establishment = EstablishmentFactory(region_code="11")
    membership = services.cluster_add_member(cluster=cluster, establishment=establishment)
    assert membership.joined_on == timezone.localdate()


def test_ars_edits_a_members_entry_date(client, ars, cluster):
    member = add_members(cluster, 1)[0]
    client.force_login(ars)
    url = reverse("clusters:member-joined-on", args=[cluster.pk, member.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"joined_on": "2026-01-10"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.joined_on == datetime.date(2026, 1, 10)
    entry = LogEntry.objects.get_for_object(member).get(action=LogEntry.Action.UPDATE)
    assert entry.changes_dict["joined_on"] == ["2026-02-01", "2026-01-10"]


@pytest.mark.parametrize(
    "joined_on, message",
    [
        ("2099-01-01", "La date d&#x27;entrée ne peut pas être dans le futur."),
        ("2026-03-20", "L&#x27;établissement a assisté à la séance du 10/03/2026"),
    ],
)
def test_an_impossible_entry_date_is_refused(client, ars, cluster, joined_on, message):
    member = add_members(cluster, 1)[0]
    session = SessionFactory(cluster=cluster)  # 10/03/2026
    session.attendances.create(membership=member, role="direction", count=1)
    client.force_login(ars)
    url = reverse("clusters:member-joined-on", args=[cluster.pk, member.pk])
    response = client.post(url, {"joined_on": joined_on})
    assert response.status_code == 200
    assert message in response.content.decode()
    member.refresh_from_db()
    assert member.joined_on == datetime.date(2026, 2, 1)
    assert not LogEntry.objects.get_for_object(member).filter(action=LogEntry.Action.UPDATE)


def test_an_entry_date_after_the_withdrawal_is_refused(ars, cluster):
    member = add_members(cluster, 1)[0]
    services.cluster_withdraw_member(
        membership=member, by=ars, withdrawn_on=datetime.date(2026, 4, 1), reason="Fusion"
    )
    with pytest.raises(ValidationError, match="ne peut pas suivre la date de retrait"):
        services.membership_set_joined_on(
            membership=member, joined_on=datetime.date(2026, 5, 1), by=ars
        )


@pytest.mark.parametrize("persona, answer", [("aract", 403), ("ars_other_region", 404)])
def test_only_the_regions_ars_edits_an_entry_date(client, request, cluster, persona, answer):
    member = add_members(cluster, 1)[0]
    client.force_login(request.getfixturevalue(persona))
    url = reverse("clusters:member-joined-on", args=[cluster.pk, member.pk])
    assert client.post(url, {"joined_on": "2026-01-10"}).status_code == answer
    member.refresh_from_db()
    assert member.joined_on == datetime.date(2026, 2, 1)
