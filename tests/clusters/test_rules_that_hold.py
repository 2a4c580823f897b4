"""Rules that always hold, whatever the page: 5-8 active members and a facilitator at every
start; a withdrawal leaving a running cluster under 5 asks first and the cluster page warns;
phase changes refuse future dates and ask before a jump; attendance ratios count the members
on the session's date."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clusters import services
from clusters.models import Cluster, Membership, Phase, PhaseChange
from reports.builders import cluster_context
from tests.factories import ClusterFactory, SessionFactory, add_members

pytestmark = pytest.mark.django_db
Status = Cluster.Status


def running(cluster, members=5):
    """`cluster` with `members` active members, constituted and started."""
    memberships = add_members(cluster, members)
    Cluster.objects.filter(pk=cluster.pk).update(status=Status.EN_COURS)
    cluster.refresh_from_db()
    return memberships


# --- Start and constitution re-check the members and the facilitator ---------------------------


def test_starting_rechecks_the_number_of_members(client, ars, cluster):
    members = add_members(cluster, 5)
    services.cluster_transition(cluster=cluster, target=Status.CONSTITUE, by=ars)
    services.cluster_withdraw_member(
        membership=members[0], by=ars, withdrawn_on=datetime.date(2026, 3, 1), reason="Fusion"
    )
    with pytest.raises(ValidationError, match="ne peut pas démarrer : Il faut au moins 5"):
        services.cluster_transition(cluster=cluster, target=Status.EN_COURS, by=ars)
    client.force_login(ars)
    page = client.get(reverse("clusters:cluster-transition-confirm", args=[cluster.pk, "en_cours"]))
    assert "Le cluster ne peut pas démarrer" in page.content.decode()
    response = client.post(
        reverse("clusters:cluster-transition", args=[cluster.pk]), {"target": "en_cours"}
    )
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert cluster.status == Status.CONSTITUE and cluster.starts_on == datetime.date(2026, 2, 1)


def test_starting_rechecks_the_facilitator(ars):
    cluster = ClusterFactory(status=Status.CONSTITUE)
    add_members(cluster, 6)
    with pytest.raises(ValidationError, match="chargé\\(e\\) de mission Aract"):
        services.cluster_transition(cluster=cluster, target=Status.EN_COURS, by=ars)
    cluster.refresh_from_db()
    assert cluster.status == Status.CONSTITUE


def test_a_constituted_cluster_with_its_members_starts(ars, cluster):
    add_members(cluster, 5)
    services.cluster_transition(cluster=cluster, target=Status.CONSTITUE, by=ars)
    services.cluster_transition(cluster=cluster, target=Status.EN_COURS, by=ars)
    cluster.refresh_from_db()
    assert cluster.status == Status.EN_COURS


# --- A withdrawal that leaves a running cluster under 5 -----------------------------------------


def test_withdrawing_under_five_needs_a_confirmation(ars, cluster):
    member = running(cluster)[0]
    with pytest.raises(ValidationError, match="ne comptera plus que 4 établissements") as error:
        services.cluster_withdraw_member(
            membership=member, by=ars, withdrawn_on=datetime.date(2026, 5, 1), reason="Fusion"
        )
    assert error.value.code == "under_minimum"
    member.refresh_from_db()
    assert member.is_active
    services.cluster_withdraw_member(
        membership=member,
        by=ars,
        withdrawn_on=datetime.date(2026, 5, 1),
        reason="Fusion",
        confirm_under_minimum=True,
    )
    member.refresh_from_db()
    assert member.withdrawn_on == datetime.date(2026, 5, 1)


def test_withdrawing_from_a_draft_or_above_five_needs_no_confirmation(ars, cluster):
    members = running(cluster, members=6)
    services.cluster_withdraw_member(
        membership=members[0], by=ars, withdrawn_on=datetime.date(2026, 5, 1), reason="Fusion"
    )
    draft = ClusterFactory(wave=cluster.wave)
    draft_member = add_members(draft, 2)[0]
    services.cluster_withdraw_member(
        membership=draft_member, by=ars, withdrawn_on=datetime.date(2026, 5, 1), reason="Fusion"
    )
    assert Membership.objects.filter(withdrawn_on__isnull=False).count() == 2


def test_the_withdrawal_page_asks_and_the_cluster_page_warns(client, ars, cluster):
    member = running(cluster)[0]
    client.force_login(ars)
    url = reverse("clusters:member-withdraw", args=[cluster.pk, member.pk])
    page = client.get(url).content.decode()
    assert "Le cluster passera sous le minimum de membres" in page
    data = {"withdrawn_on": "2026-05-01", "reason": "Fusion"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Cochez la case pour confirmer le retrait." in response.content.decode()
    member.refresh_from_db()
    assert member.is_active
    assert not LogEntry.objects.get_for_object(member).filter(action=LogEntry.Action.UPDATE)

    response = client.post(url, {**data, "confirm": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.withdrawn_on == datetime.date(2026, 5, 1)
    assert LogEntry.objects.get_for_object(member).filter(action=LogEntry.Action.UPDATE).exists()
    page = client.get(reverse("clusters:cluster-detail", args=[cluster.pk])).content.decode()
    assert "Moins de 5 membres actifs" in page
    assert "ne compte plus que 4 établissements membres actifs" in page


def test_a_running_cluster_with_five_members_shows_no_warning(client, ars, cluster):
    running(cluster)
    client.force_login(ars)
    page = client.get(reverse("clusters:cluster-detail", args=[cluster.pk])).content.decode()
    assert "Moins de 5 membres actifs" not in page


# --- Phase changes --------------------------------------------------------------------------------


def test_a_phase_change_at_a_future_date_is_refused(client, aract, cluster):
    member = add_members(cluster, 1)[0]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="ne peut pas être dans le futur"):
        services.membership_set_phase(
            membership=member, phase=Phase.DIAGNOSTIC, by=aract, changed_on=tomorrow
        )
    client.force_login(aract)
    url = reverse("clusters:phase-change", args=[cluster.pk, member.pk])
    response = client.post(url, {"phase": "diagnostic", "changed_on": tomorrow.isoformat()})
    assert response.status_code == 200
    assert "La date du changement de phase ne peut pas être dans le futur." in (
        response.content.decode()
    )
    member.refresh_from_db()
    assert member.phase == Phase.CADRAGE and not PhaseChange.objects.exists()


def test_a_jump_of_several_phases_asks_first(client, aract, cluster):
    member = add_members(cluster, 1)[0]
    client.force_login(aract)
    url = reverse("clusters:phase-change", args=[cluster.pk, member.pk])
    data = {"phase": "perennisation", "changed_on": "2026-06-15"}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "passerait de la phase « Cadrage » à la phase « Pérennisation »" in page
    assert "Je confirme ce changement de plusieurs phases" in page
    member.refresh_from_db()
    assert member.phase == Phase.CADRAGE and not PhaseChange.objects.exists()

    response = client.post(url, {**data, "confirm": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.phase == Phase.PERENNISATION
    assert PhaseChange.objects.get().phase == Phase.PERENNISATION
    assert LogEntry.objects.get_for_object(member).filter(action=LogEntry.Action.UPDATE).exists()


def test_one_step_needs_no_confirmation(aract, cluster):
    member = add_members(cluster, 1)[0]
    services.membership_set_phase(
        membership=member, phase=Phase.DIAGNOSTIC, by=aract, changed_on=datetime.date(2026, 6, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.membership_set_phase(
            membership=member,
            phase=Phase.EVALUATION,
            by=aract,
            changed_on=datetime.date(2026, 6, 2),
        )
    assert error.value.code == "phase_jump"
    assert PhaseChange.objects.count() == 1


# --- Attendance ratios count the members on the session's date --------------------------------


def test_attendance_counts_the_members_on_the_sessions_date(client, ars, aract, cluster):
    early = add_members(cluster, 2)  # joined 01/02/2026
    kickoff = SessionFactory(cluster=cluster, held_on=datetime.date(2026, 2, 5))
    late = add_members(cluster, 1)[0]
    Membership.objects.filter(pk=late.pk).update(joined_on=datetime.date(2026, 4, 1))
    for member in early:
        kickoff.attendances.create(membership=member, role="direction", count=1)

    client.force_login(aract)
    url = reverse("clusters:session-detail", args=[cluster.pk, kickoff.pk])
    summary = client.get(url).context["summary"]
    assert (summary["represented"], summary["member_count"], summary["rate"]) == (2, 2, 100)
    assert cluster_context(cluster.pk)["attendance_basis"] == 2  # the restitution PDF's basis

    # The late member in fact attended the kickoff: its entry date is corrected, it counts.
    services.membership_set_joined_on(membership=late, joined_on=datetime.date(2026, 2, 1), by=ars)
    summary = client.get(url).context["summary"]
    assert (summary["represented"], summary["member_count"]) == (2, 3)
    assert cluster_context(cluster.pk)["attendance_basis"] == 3
