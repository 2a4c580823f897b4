"""Each list endpoint runs the same number of queries for 5 and for 50 objects."""

import datetime

import pytest
from django.urls import reverse

from clusters.models import Attendance
from experiments.models import Experiment, Indicator, Measurement, Monograph
from tests import factories

from .conftest import token_client

pytestmark = pytest.mark.django_db


def build(count: int) -> None:
    """`count` clusters of region 11, each with one member, a session with attendance, an
    experiment with two indicators of two measurements, and a published monograph."""
    for _ in range(count):
        cluster = factories.ClusterFactory(region_code="11", status="en_cours")
        (membership,) = factories.add_members(cluster, 1)
        session = factories.SessionFactory(cluster=cluster, number=1)
        Attendance.objects.create(session=session, membership=membership, role="cadre", count=4)
        experiment = Experiment.objects.create(membership=membership, title="Essai")
        experiment.themes.add(*cluster.themes.all())
        for name in ("A", "B"):
            indicator = Indicator.objects.create(
                experiment=experiment, name=name, baseline=1, target=2
            )
            for day in (1, 2):
                Measurement.objects.create(
                    indicator=indicator, measured_on=datetime.date(2026, 5, day), value=day
                )
        Monograph.objects.create(membership=membership, title="M", status="publiee")


# Token calls: the token with its user, the use counter's UPDATE, the user's role
# assignments; then the page's rows and one query per prefetched relation.
TOKEN = 3
LISTS = [
    ("api:cluster-list", TOKEN + 3),  # clusters (region, wave, aract), themes, members
    ("api:membership-list", TOKEN + 1),  # memberships with cluster, region, establishment
    ("api:session-list", TOKEN + 1),  # sessions with attendance sums (GROUP BY)
    ("api:experiment-list", TOKEN + 4),  # experiments, themes, indicators, measurements
    ("api:monograph-list", TOKEN + 2),  # monographs (membership, cluster...), cluster themes
    ("api:open-monograph-list", 2),  # no authentication: monographs, cluster themes
]


@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize("name, queries", LISTS)
def test_list_query_count_does_not_grow(django_assert_num_queries, size, name, queries):
    build(size)
    client = token_client(factories.ars_user("11", username="ars-11"))
    with django_assert_num_queries(queries):
        response = client.get(reverse(name))
    assert response.status_code == 200
    assert len(response.json()["results"]) == size
