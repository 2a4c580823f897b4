import pytest
from django.core.exceptions import ValidationError

from clusters import services
from clusters.models import Cluster
from tests.factories import ClusterFactory, add_members

pytestmark = pytest.mark.django_db
Status = Cluster.Status


def test_constitution_needs_five_members(cluster, ars):
    add_members(cluster, 4)
    with pytest.raises(ValidationError, match="au moins 5 établissements"):
        services.cluster_transition(cluster=cluster, target=Status.CONSTITUE, by=ars)
    add_members(cluster, 1)
    services.cluster_transition(cluster=cluster, target=Status.CONSTITUE, by=ars)
    cluster.refresh_from_db()
    assert cluster.status == Status.CONSTITUE
    assert cluster.constituted_on is not None


def test_constitution_needs_a_facilitator(ars):
    cluster = ClusterFactory()
    add_members(cluster, 6)
    with pytest.raises(ValidationError, match="chargé\\(e\\) de mission Aract"):
        services.cluster_transition(cluster=cluster, target=Status.CONSTITUE, by=ars)


def test_the_lifecycle_goes_draft_constituted_running_closed(cluster, ars):
    add_members(cluster, 6)
    for target in (Status.CONSTITUE, Status.EN_COURS, Status.CLOTURE):
        services.cluster_transition(cluster=cluster, target=target, by=ars)
    cluster.refresh_from_db()
    assert cluster.status == Status.CLOTURE
    assert cluster.closed_on is not None


@pytest.mark.parametrize(
    "start, target",
    [
        (Status.BROUILLON, Status.EN_COURS),
        (Status.BROUILLON, Status.CLOTURE),
        (Status.CONSTITUE, Status.CLOTURE),
        (Status.CLOTURE, Status.EN_COURS),
        (Status.EN_COURS, Status.BROUILLON),
    ],
)
def test_skipping_or_reversing_a_step_is_refused(cluster, ars, start, target):
    add_members(cluster, 6)
    Cluster.objects.filter(pk=cluster.pk).update(status=start)
    with pytest.raises(ValidationError):
        services.cluster_transition(cluster=cluster, target=target, by=ars)
    cluster.refresh_from_db()
    assert cluster.status == start


def test_a_closed_cluster_takes_no_new_member(cluster):
    from tests.factories import EstablishmentFactory

    Cluster.objects.filter(pk=cluster.pk).update(status=Status.CLOTURE)
    cluster.refresh_from_db()
    with pytest.raises(ValidationError, match="clôturé"):
        services.cluster_add_member(
            cluster=cluster, establishment=EstablishmentFactory(region_code="11")
        )
