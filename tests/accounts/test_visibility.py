"""`visible_to(user)` for every role, and the 404 / 403 answers of the views built on it."""

import pytest
from django.urls import reverse

from clusters.models import Cluster, Membership, Session
from establishments.models import Establishment
from experiments.models import Experiment, Monograph
from tests.factories import (
    ClusterFactory,
    EstablishmentFactory,
    SessionFactory,
    UserFactory,
    add_members,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_regions():
    """One cluster in Île-de-France (11) and one in Bretagne (53), each with members and data."""
    clusters = {}
    for code in ("11", "53"):
        cluster = ClusterFactory(region_code=code)
        members = add_members(cluster, 2)
        SessionFactory(cluster=cluster)
        experiment = Experiment.objects.create(membership=members[0], title=f"Essai {code}")
        Monograph.objects.create(membership=members[0], title=f"Monographie {code}")
        clusters[code] = (cluster, experiment)
    return clusters


def visible_regions(model, user, path):
    return set(model.objects.visible_to(user).values_list(path, flat=True).distinct())


@pytest.mark.parametrize(
    "model, path",
    [
        (Cluster, "region__code"),
        (Membership, "cluster__region__code"),
        (Session, "cluster__region__code"),
        (Experiment, "membership__cluster__region__code"),
        (Monograph, "membership__cluster__region__code"),
        (Establishment, "region__code"),
    ],
)
def test_visible_to_for_every_role(two_regions, ars, aract, national, admin, model, path):
    assert visible_regions(model, ars, path) == {"11"}
    assert visible_regions(model, aract, path) == {"11"}
    assert visible_regions(model, national, path) >= {"11", "53"}
    assert visible_regions(model, admin, path) >= {"11", "53"}
    assert not model.objects.visible_to(UserFactory()).exists()  # no role, nothing


def test_an_outside_territory_establishment_is_visible_only_nationally(ars, national):
    from establishments.models import Department

    EstablishmentFactory(department=Department.objects.get(finess_code="9J"))
    assert Establishment.objects.visible_to(national).filter(region=None).exists()
    assert not Establishment.objects.visible_to(ars).filter(region=None).exists()


def test_another_regions_cluster_answers_404(client, two_regions, ars):
    breton_cluster = two_regions["53"][0]
    client.force_login(ars)
    assert (
        client.get(reverse("clusters:cluster-detail", args=[breton_cluster.pk])).status_code == 404
    )
    response = client.post(
        reverse("clusters:cluster-transition", args=[breton_cluster.pk]), {"target": "constitue"}
    )
    assert response.status_code == 404


def test_own_regions_cluster_answers_200(client, two_regions, ars):
    client.force_login(ars)
    cluster = two_regions["11"][0]
    response = client.get(reverse("clusters:cluster-detail", args=[cluster.pk]))
    assert response.status_code == 200
    assert cluster.name in response.content.decode()


@pytest.mark.parametrize("persona", ["aract", "national"])
def test_a_role_too_low_to_change_a_cluster_answers_403(client, two_regions, request, persona):
    client.force_login(request.getfixturevalue(persona))
    cluster = two_regions["11"][0]
    response = client.post(
        reverse("clusters:cluster-transition", args=[cluster.pk]), {"target": "constitue"}
    )
    assert response.status_code == 403
    cluster.refresh_from_db()
    assert cluster.status == Cluster.Status.BROUILLON


def test_anonymous_visitors_are_sent_to_the_login_page(client, two_regions):
    response = client.get(reverse("clusters:cluster-detail", args=[two_regions["11"][0].pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
