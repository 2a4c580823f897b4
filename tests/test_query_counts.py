"""Pages whose cost must not grow with the data (found by bench/run.py at national scale)."""

import datetime

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _region_with_clusters(count: int, *, sessions: int = 3) -> list:
    clusters = []
    for _ in range(count):
        cluster = factories.ClusterFactory(region_code="11", status="en_cours")
        factories.add_members(cluster, 5)
        for number in range(1, sessions + 1):
            factories.SessionFactory(
                cluster=cluster,
                number=number,
                held_on=datetime.date.today() + datetime.timedelta(days=number),
            )
        clusters.append(cluster)
    return clusters


@pytest.mark.parametrize("cluster_count", [2, 25])
def test_ars_dashboard_query_count_does_not_grow_with_clusters(
    client, ars, django_assert_num_queries, cluster_count
):
    _region_with_clusters(cluster_count, sessions=2)
    client.force_login(ars)
    # session, user, role assignments, status counts (GROUP BY), the 20 newest open clusters
    # with their active member count and next session (subqueries), the members of running
    # clusters closed in FINESS
    with django_assert_num_queries(6):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def test_ars_dashboard_counts_active_members_not_members_times_sessions(client, ars):
    # Joining memberships and sessions in one query once showed 5 members x 3 sessions = 15.
    (cluster,) = _region_with_clusters(1, sessions=3)
    client.force_login(ars)
    response = client.get(reverse("home"))
    (row,) = [c for c in response.context["my_clusters"] if c.pk == cluster.pk]
    assert row.active_member_count == 5
    assert row.next_session == datetime.date.today() + datetime.timedelta(days=1)
    statuses = {item["status"]: item["value"] for item in response.context["status_counts"]}
    assert statuses["en_cours"] == 1


def test_ars_dashboard_lists_at_most_twenty_open_clusters(client, ars):
    _region_with_clusters(22, sessions=0)
    closed = factories.ClusterFactory(region_code="11", status="cloture", name="Cluster fini")
    client.force_login(ars)
    response = client.get(reverse("home"))
    assert len(response.context["my_clusters"]) == 20
    assert response.context["open_count"] == 22
    assert closed.name not in response.content.decode()
