"""The rules of cluster membership, on PostgreSQL: in the services and in the database."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from clusters import services
from clusters.models import Membership
from tests.factories import ClusterFactory, EstablishmentFactory, WaveFactory, add_members
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db


def test_a_cluster_accepts_up_to_eight_active_members(cluster):
    add_members(cluster, 7)
    services.cluster_add_member(
        cluster=cluster, establishment=EstablishmentFactory(region_code="11")
    )
    with pytest.raises(ValidationError, match="déjà 8 membres actifs"):
        services.cluster_add_member(
            cluster=cluster, establishment=EstablishmentFactory(region_code="11")
        )
    assert cluster.memberships.active().count() == 8


def test_the_database_refuses_a_ninth_active_member_even_bypassing_the_services(cluster):
    add_members(cluster, 8)
    with pytest.raises(IntegrityError, match="membership_max"), transaction.atomic():
        add_members(cluster, 1)


def test_a_withdrawn_member_frees_its_place(cluster, ars):
    members = add_members(cluster, 8)
    services.cluster_withdraw_member(
        membership=members[0], by=ars, withdrawn_on=datetime.date(2026, 5, 1), reason="Fusion"
    )
    services.cluster_add_member(
        cluster=cluster, establishment=EstablishmentFactory(region_code="11")
    )
    assert cluster.memberships.active().count() == 8
    assert cluster.memberships.count() == 9  # the withdrawn member stays visible


def test_an_establishment_joins_at_most_one_cluster_per_wave():
    wave = WaveFactory(code="2031")
    first, second = ClusterFactory(wave=wave), ClusterFactory(wave=wave)
    establishment = EstablishmentFactory(region_code="11")
    services.cluster_add_member(cluster=first, establishment=establishment)
    with pytest.raises(ValidationError, match="participe déjà au cluster"):
        services.cluster_add_member(cluster=second, establishment=establishment)
    with pytest.raises(IntegrityError, match="one_active_cluster_per_wave"), transaction.atomic():
        Membership.objects.create(
            cluster=second, establishment=establishment, wave=wave, joined_on=datetime.date.today()
        )


def test_an_establishment_may_join_clusters_of_two_waves():
    establishment = EstablishmentFactory(region_code="11")
    for code in ("2032", "2033"):
        cluster = ClusterFactory(wave=WaveFactory(code=code))
        services.cluster_add_member(cluster=cluster, establishment=establishment)
    assert establishment.memberships.count() == 2


def test_an_establishment_of_another_region_is_refused(cluster):
    breton = EstablishmentFactory(region_code="53")
    with pytest.raises(ValidationError, match="pas dans la région du cluster"):
        services.cluster_add_member(cluster=cluster, establishment=breton)
    with pytest.raises(IntegrityError, match="membership_region"), transaction.atomic():
        Membership.objects.create(
            cluster=cluster,
            establishment=breton,
            wave=cluster.wave,
            joined_on=datetime.date.today(),
        )


def test_an_establishment_outside_every_ars_region_cannot_join(cluster):
    from establishments.models import Department

    saint_pierre = EstablishmentFactory(department=Department.objects.get(finess_code="9E"))
    assert saint_pierre.region is None
    with pytest.raises(ValidationError, match="rattaché à aucune ARS"):
        services.cluster_add_member(cluster=cluster, establishment=saint_pierre)


def test_the_membership_takes_the_wave_of_its_cluster(cluster):
    other_wave = WaveFactory(code="2039")
    membership = Membership.objects.create(
        cluster=cluster,
        establishment=EstablishmentFactory(region_code="11"),
        wave=other_wave,  # a wrong wave is corrected by the trigger
        joined_on=datetime.date.today(),
    )
    membership.refresh_from_db()
    assert membership.wave_id == cluster.wave_id


def blocking_pids(pid: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_blocking_pids(%s)", [pid])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_ninth_member_is_refused_under_two_concurrent_transactions():
    """The first transaction adds the eighth member and stays open until the test has seen the
    second one blocked by it (pg_blocking_pids): the two provably overlap."""
    cluster = ClusterFactory(region_code="11")
    add_members(cluster, 7)
    candidates = [EstablishmentFactory(region_code="11") for _ in range(2)]
    first_inserted, release_first = threading.Event(), threading.Event()
    pids, outcomes = {}, {}

    def add(index):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids[index] = cursor.fetchone()[0]
            with transaction.atomic():
                Membership.objects.create(
                    cluster=cluster,
                    establishment=candidates[index],
                    wave=cluster.wave,
                    joined_on=datetime.date.today(),
                )
                if index == 0:
                    first_inserted.set()
                    assert release_first.wait(10)  # held open until the test releases it
            outcomes[index] = "ok"
        except IntegrityError as error:
            outcomes[index] = str(error)
        finally:
            connection.close()

    first = threading.Thread(target=add, args=(0,))
    first.start()
    assert first_inserted.wait(10)
    second = threading.Thread(target=add, args=(1,))
    second.start()
    try:
        wait_until(lambda: 1 in pids and pids[0] in blocking_pids(pids[1]))
    finally:
        release_first.set()
        first.join()
        second.join()

    assert outcomes[0] == "ok"
    assert "membership_max" in outcomes[1]
    assert cluster.memberships.active().count() == 8
