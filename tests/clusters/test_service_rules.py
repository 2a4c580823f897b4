"""The services check the rule of the person acting (`by`), whatever the caller: a view that
forgot its check, a command or a shell still cannot write for a role that may not."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from clusters import services
from clusters.models import Cluster, DelegationContact
from experiments import services as experiment_services
from experiments.models import Experiment, Indicator
from tests.factories import add_members, aract_user

pytestmark = pytest.mark.django_db


def test_only_the_clusters_ars_changes_its_status(cluster, ars, national, ars_other_region):
    add_members(cluster, 5)
    for outsider in (national, ars_other_region):
        with pytest.raises(PermissionDenied):
            services.cluster_transition(cluster=cluster, target="constitue", by=outsider)
    cluster.refresh_from_db()
    assert cluster.status == Cluster.Status.BROUILLON
    services.cluster_transition(cluster=cluster, target="constitue", by=ars)
    cluster.refresh_from_db()
    assert cluster.status == Cluster.Status.CONSTITUE


def test_only_the_clusters_ars_withdraws_a_member(cluster, ars, aract):
    membership = add_members(cluster, 1)[0]
    with pytest.raises(PermissionDenied):
        services.cluster_withdraw_member(
            membership=membership, by=aract, withdrawn_on=datetime.date(2026, 5, 1), reason="X"
        )
    membership.refresh_from_db()
    assert membership.withdrawn_on is None
    services.cluster_withdraw_member(
        membership=membership, by=ars, withdrawn_on=datetime.date(2026, 5, 1), reason="Fusion"
    )
    membership.refresh_from_db()
    assert membership.withdrawn_on == datetime.date(2026, 5, 1)


def test_a_cluster_is_saved_only_by_ars_staff_of_its_region(cluster, ars_other_region, ars):
    cluster.name = "Renommé par une autre région"
    with pytest.raises(PermissionDenied):
        services.cluster_save(cluster=cluster, themes=[], facilitators=[], by=ars_other_region)
    assert Cluster.objects.get(pk=cluster.pk).name != "Renommé par une autre région"
    services.cluster_save(cluster=cluster, themes=cluster.themes.all(), facilitators=[], by=ars)
    assert Cluster.objects.get(pk=cluster.pk).name == "Renommé par une autre région"


def test_contacts_are_changed_only_by_the_region_or_the_facilitator(cluster, aract, national):
    membership = add_members(cluster, 1)[0]
    contact = DelegationContact(membership=membership, role="direction", name="Mme Exemple")
    for outsider in (national, aract_user("11", username="aract-non-assigne")):
        with pytest.raises(PermissionDenied):
            services.contact_save(contact=contact, by=outsider)
    assert not DelegationContact.objects.exists()
    services.contact_save(contact=contact, by=aract)
    with pytest.raises(PermissionDenied):
        services.contact_delete(contact=contact, by=national)
    assert DelegationContact.objects.filter(pk=contact.pk).exists()
    services.contact_delete(contact=contact, by=aract)
    assert not DelegationContact.objects.filter(pk=contact.pk).exists()


def test_experiments_are_written_only_by_the_clusters_facilitator(cluster, aract, ars):
    membership = add_members(cluster, 1)[0]
    values = {"title": "Transmissions de nuit"}
    with pytest.raises(PermissionDenied):
        experiment_services.experiment_save(membership=membership, values=values, themes=[], by=ars)
    assert not Experiment.objects.exists()
    experiment = experiment_services.experiment_save(
        membership=membership, values=values, themes=[], by=aract
    )
    indicator_values = {"name": "Absentéisme", "baseline": 8, "target": 6}
    with pytest.raises(PermissionDenied):
        experiment_services.indicator_save(experiment=experiment, values=indicator_values, by=ars)
    assert not Indicator.objects.exists()
    indicator = experiment_services.indicator_save(
        experiment=experiment, values=indicator_values, by=aract
    )
    with pytest.raises(PermissionDenied):
        experiment_services.measurement_record(
            indicator=indicator, measured_on=datetime.date(2026, 6, 1), value=7, by=ars
        )
    assert not indicator.measurements.exists()
    experiment_services.measurement_record(
        indicator=indicator, measured_on=datetime.date(2026, 6, 1), value=7, by=aract
    )
    assert indicator.measurements.get().value == 7
