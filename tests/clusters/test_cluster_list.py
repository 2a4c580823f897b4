"""The cluster list: tenancy, filters, sort, pagination, counts and a constant query count."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clusters.models import Cluster, Membership, Theme
from establishments.models import Department, Region
from tests.factories import (
    ClusterFactory,
    EstablishmentFactory,
    SessionFactory,
    WaveFactory,
    add_members,
)

pytestmark = pytest.mark.django_db

LIST = reverse("clusters:cluster-list")


def names(response) -> list[str]:
    return [cluster.name for cluster in response.context["page_obj"]]


def test_ars_staff_see_only_their_regions_clusters(client, ars):
    ClusterFactory(name="Francilien")
    ClusterFactory(name="Breton", region_code="53")
    client.force_login(ars)
    response = client.get(LIST)
    assert names(response) == ["Francilien"]
    assert "region" not in response.context["filter"].form.fields


def test_national_readers_see_every_region_and_filter_by_region(client, national):
    ClusterFactory(name="Francilien")
    ClusterFactory(name="Breton", region_code="53")
    client.force_login(national)
    assert sorted(names(client.get(LIST))) == ["Breton", "Francilien"]
    bretagne = Region.objects.get(code="53")
    assert names(client.get(LIST, {"region": bretagne.pk})) == ["Breton"]


def test_filters_by_wave_status_theme_and_name(client, ars):
    old_wave = WaveFactory(code="2016")
    first, second = Theme.objects.order_by("name")[:2]
    ClusterFactory(name="Cluster EHPAD Essonne", wave=old_wave, themes=[first])
    constituted = ClusterFactory(name="Cluster psychiatrie", themes=[second])
    Cluster.objects.filter(pk=constituted.pk).update(status=Cluster.Status.CONSTITUE)
    client.force_login(ars)
    assert names(client.get(LIST, {"wave": old_wave.pk})) == ["Cluster EHPAD Essonne"]
    assert names(client.get(LIST, {"status": "constitue"})) == ["Cluster psychiatrie"]
    assert names(client.get(LIST, {"theme": second.pk})) == ["Cluster psychiatrie"]
    assert names(client.get(LIST, {"q": "ehpad"})) == ["Cluster EHPAD Essonne"]


def test_filters_by_department_and_sector_of_active_members(client, ars):
    essonne = Department.objects.get(code="91")
    paris = Department.objects.get(code="75")
    in_essonne = ClusterFactory(name="Essonne")
    Membership.objects.create(
        cluster=in_essonne,
        establishment=EstablishmentFactory(department=essonne),
        wave=in_essonne.wave,
        joined_on=datetime.date(2026, 2, 1),
    )
    withdrawn = ClusterFactory(name="Ancien membre essonnien")
    Membership.objects.create(
        cluster=withdrawn,
        establishment=EstablishmentFactory(department=essonne),
        wave=withdrawn.wave,
        joined_on=datetime.date(2026, 2, 1),
        withdrawn_on=datetime.date(2026, 3, 1),
    )
    ClusterFactory(name="Paris")
    client.force_login(ars)
    assert names(client.get(LIST, {"department": essonne.pk})) == ["Essonne"]
    assert names(client.get(LIST, {"department": paris.pk})) == []
    # A cluster with several members of the filtered sector is listed once, with its real count.
    add_members(in_essonne, 2)
    response = client.get(LIST, {"sector": "medico_social"})
    assert names(response) == ["Essonne"]
    assert response.context["page_obj"][0].active_member_count == 3
    assert names(client.get(LIST, {"sector": "sanitaire"})) == []


def test_sort_and_counts(client, ars):
    small = ClusterFactory(name="A petit")
    big = ClusterFactory(name="B grand")
    add_members(small, 1)
    add_members(big, 3)
    Cluster.objects.filter(pk=big.pk).update(status=Cluster.Status.CONSTITUE)
    client.force_login(ars)
    assert names(client.get(LIST, {"sort": "-members"})) == ["B grand", "A petit"]
    assert names(client.get(LIST, {"sort": "name"})) == ["A petit", "B grand"]
    response = client.get(LIST)
    page = response.content.decode()
    assert "2 clusters trouvés" in page
    assert "Brouillon : 1" in page and "Constitué : 1" in page


def test_each_row_shows_members_facilitator_and_next_or_last_session(client, ars, cluster, aract):
    add_members(cluster, 2)
    today = timezone.localdate()
    SessionFactory(cluster=cluster, number=1, held_on=today - datetime.timedelta(days=30))
    SessionFactory(cluster=cluster, number=2, held_on=today + datetime.timedelta(days=10))
    SessionFactory(cluster=cluster, number=3, held_on=today + datetime.timedelta(days=40))
    quiet = ClusterFactory(name="Sans prochaine séance")
    SessionFactory(cluster=quiet, number=1, held_on=today - datetime.timedelta(days=3))
    client.force_login(ars)
    page = client.get(LIST).content.decode()
    expected_next = (today + datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    expected_last = (today - datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    assert f"Prochaine : {expected_next}" in page
    assert f"Dernière : {expected_last}" in page
    assert str(aract) in page
    row = next(c for c in client.get(LIST).context["page_obj"] if c.pk == cluster.pk)
    assert row.active_member_count == 2


def test_pagination_keeps_the_filters(client, ars):
    wave = WaveFactory(code="2030")
    for index in range(25):
        ClusterFactory(name=f"Cluster {index:02d}", wave=wave)
    client.force_login(ars)
    response = client.get(LIST, {"wave": wave.pk, "sort": "name", "page": 2})
    assert names(response) == [f"Cluster {index:02d}" for index in range(20, 25)]
    assert f"?wave={wave.pk}&amp;sort=name&amp;page=1" in response.content.decode()


@pytest.mark.parametrize("persona", ["ars", "national"])
def test_the_list_query_count_is_the_same_for_5_and_50_clusters(
    client, request, persona, aract, django_assert_num_queries
):
    client.force_login(request.getfixturevalue(persona))

    def grow_to(total):
        while Cluster.objects.count() < total:
            cluster = ClusterFactory()
            cluster.facilitators.add(aract)
            add_members(cluster, 2)
            SessionFactory(cluster=cluster, number=1)

    for total in (5, 50):
        grow_to(total)
        # session, user, roles, filter choices (waves, themes, departments; and regions for
        # national readers), status counts (their sum is the page count), page of clusters,
        # their facilitators
        with django_assert_num_queries(10 if persona == "national" else 9):
            response = client.get(LIST, {"sort": "-members"})
        assert response.status_code == 200


def test_the_cached_filter_form_follows_its_choices_and_values(client, ars):
    WaveFactory(code="2040", name="Vague 2040")
    client.force_login(ars)
    first = client.get(LIST).content.decode()
    assert "Vague 2040" in first and "Vague 2041" not in first
    # Served from the cache: the same rendering key, the same form.
    assert client.get(LIST).content.decode().count("Vague 2040") == first.count("Vague 2040")
    # A new choice or another submitted value is a new key: never a stale form.
    WaveFactory(code="2041", name="Vague 2041")
    assert "Vague 2041" in client.get(LIST).content.decode()
    searched = client.get(LIST, {"q": "Essonne"}).content.decode()
    assert 'value="Essonne"' in searched


def row_of(page: str, name: str) -> str:
    """The HTML of the list's row of the cluster named `name`."""
    start = page.index(f">{name}</a></th>")
    return page[start : page.index("</tr>", start)]


def test_the_cached_rows_follow_every_value_they_show(client, ars, cluster, aract):
    """The rows are cached under the values they show: whoever changes one of them (even
    around the services: a renamed person or wave, a bulk update), the row follows at once."""
    client.force_login(ars)
    row = row_of(client.get(LIST).content.decode(), cluster.name)
    assert str(aract) in row and "<td>0</td>" in row and "Aucune" in row
    in_3_days = timezone.localdate() + datetime.timedelta(days=3)

    def rename_facilitator():
        aract.last_name = "Renommée"
        aract.save()

    def rename_wave():
        cluster.wave.name = "Vague renommée"
        cluster.wave.save()

    changes = [
        (rename_facilitator, "Camille Renommée"),
        (rename_wave, "Vague renommée"),
        (lambda: add_members(cluster, 1), "<td>1</td>"),
        (lambda: SessionFactory(cluster=cluster, number=1, held_on=in_3_days), "Prochaine :"),
        (
            lambda: Cluster.objects.filter(pk=cluster.pk).update(status=Cluster.Status.CONSTITUE),
            "Constitué",
        ),
    ]
    for change, shown in changes:
        change()
        assert shown in row_of(client.get(LIST).content.decode(), cluster.name), shown


def test_the_member_filters_give_the_same_clusters_for_each_value(client, ars):
    """The department and sector filters are compiled once per value: each value keeps its own."""
    departments = list(Department.objects.filter(region__code="11").order_by("code")[:2])
    for department in departments:
        cluster = ClusterFactory(name=f"Dans le {department.code}")
        Membership.objects.create(
            cluster=cluster,
            establishment=EstablishmentFactory(department=department, sector="social"),
            wave=cluster.wave,
            joined_on=datetime.date(2026, 1, 1),
        )
    client.force_login(ars)
    for _ in range(2):  # the second time from the compiled filters
        for department in departments:
            response = client.get(LIST, {"department": department.pk})
            assert names(response) == [f"Dans le {department.code}"]
        assert len(names(client.get(LIST, {"sector": "social"}))) == 2
        assert names(client.get(LIST, {"sector": "sanitaire"})) == []
