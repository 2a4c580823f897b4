"""Adding and withdrawing members through the views, with every membership rule."""

import datetime
from html import unescape

import pytest
from django.urls import reverse

from clusters.models import Membership
from establishments.models import Department
from tests.factories import ClusterFactory, EstablishmentFactory, WaveFactory, add_members

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return unescape(response.content.decode())


def search_url(cluster):
    return reverse("clusters:member-search", args=[cluster.pk])


def add(client, cluster, establishment_id):
    return client.post(
        reverse("clusters:member-add", args=[cluster.pk]),
        {"establishment": establishment_id},
        follow=True,
    )


def test_search_finds_by_finess_number_name_or_town_without_accents(client, ars, cluster):
    hospital = EstablishmentFactory(short_name="CENTRE HOSPITALIER D'ÉTAMPES", town="Étampes")
    EstablishmentFactory(short_name="EHPAD LES LILAS")
    client.force_login(ars)
    for query in [hospital.finess, f"{hospital.finess[:3]} {hospital.finess[3:]}", "etampes"]:
        response = client.get(search_url(cluster), {"q": query})
        assert list(response.context["results"]) == [hospital], query
    page = text(client.get(search_url(cluster), {"q": "etampes"}))
    assert 'Ajouter<span class="fr-sr-only"> CENTRE HOSPITALIER D\'ÉTAMPES' in page
    assert hospital.category_label in page  # category, sector and status are shown
    assert "Médico-social" in page


def test_search_shows_only_the_clusters_region(client, ars, cluster):
    EstablishmentFactory(short_name="EHPAD BRETON", region_code="53")
    EstablishmentFactory(short_name="EHPAD FRANCILIEN")
    client.force_login(ars)
    response = client.get(search_url(cluster), {"q": "ehpad"})
    assert [e.short_name for e in response.context["results"]] == ["EHPAD FRANCILIEN"]


def test_search_marks_members_and_establishments_of_a_cluster_of_the_same_wave(
    client, ars, cluster
):
    member = add_members(cluster, 1)[0].establishment
    other = ClusterFactory(wave=cluster.wave)
    busy = add_members(other, 1)[0].establishment
    client.force_login(ars)
    page = client.get(search_url(cluster), {"q": "tilleuls"}).content.decode()
    assert "Déjà membre" in page
    assert "Déjà dans un cluster de cette vague" in page
    assert f'value="{member.pk}"' not in page and f'value="{busy.pk}"' not in page


def test_ars_adds_a_member_and_the_page_counts_it(client, ars, cluster):
    establishment = EstablishmentFactory()
    client.force_login(ars)
    response = add(client, cluster, establishment.pk)
    assert cluster.memberships.get().establishment == establishment
    page = response.content.decode()
    assert f"{establishment.short_name} a rejoint le cluster." in page
    assert "Membres actifs : 1" in page
    assert "Il faut au moins 5 établissements membres actifs (1 actuellement)." in page


def test_a_ninth_member_is_refused(client, ars, cluster):
    add_members(cluster, 8)
    client.force_login(ars)
    response = add(client, cluster, EstablishmentFactory().pk)
    assert "Ce cluster a déjà 8 membres actifs, le maximum." in response.content.decode()
    assert cluster.memberships.active().count() == 8


def test_an_establishment_of_another_region_is_refused_even_posted_by_hand(client, ars, cluster):
    breton = EstablishmentFactory(region_code="53")
    client.force_login(ars)
    response = add(client, cluster, breton.pk)
    assert "Cet établissement n'est pas dans la région du cluster." in text(response)
    assert not cluster.memberships.exists()


def test_an_establishment_already_in_a_cluster_of_the_same_wave_is_refused(client, ars, cluster):
    other = ClusterFactory(wave=cluster.wave, name="Cluster voisin")
    establishment = add_members(other, 1)[0].establishment
    client.force_login(ars)
    response = add(client, cluster, establishment.pk)
    assert "participe déjà au cluster « Cluster voisin » de la même vague" in (
        response.content.decode()
    )
    assert not cluster.memberships.exists()


def test_an_establishment_of_another_wave_may_join(client, ars, cluster):
    other = ClusterFactory(wave=WaveFactory(code="2029"))
    establishment = add_members(other, 1)[0].establishment
    client.force_login(ars)
    add(client, cluster, establishment.pk)
    assert cluster.memberships.get().establishment == establishment


def test_withdrawing_a_member_asks_for_a_date_and_a_reason_first(client, ars, cluster):
    membership = add_members(cluster, 1)[0]
    url = reverse("clusters:member-withdraw", args=[cluster.pk, membership.pk])
    client.force_login(ars)
    page = client.get(url).content.decode()
    assert "Confirmer le retrait" in page
    membership.refresh_from_db()
    assert membership.is_active  # the GET changed nothing

    response = client.post(url, {"withdrawn_on": "2026-05-04", "reason": ""})
    assert response.context["form"].errors["reason"] == ["Indiquez le motif du retrait."]
    response = client.post(url, {"withdrawn_on": "2026-01-01", "reason": "Fusion"})
    assert "La date de retrait ne peut pas précéder la date d'entrée." in text(response)
    assert "Fusion" in text(response)  # what was typed stays

    response = client.post(url, {"withdrawn_on": "2026-05-04", "reason": "Fusion"}, follow=True)
    membership.refresh_from_db()
    assert membership.withdrawn_on == datetime.date(2026, 5, 4)
    assert membership.withdrawal_reason == "Fusion"
    assert "Le retrait de" in response.content.decode()
    assert "Membres actifs : 0" in text(response)


@pytest.mark.parametrize("persona", ["aract", "national"])
def test_aract_and_national_users_cannot_change_members(client, request, persona, cluster):
    membership = add_members(cluster, 1)[0]
    client.force_login(request.getfixturevalue(persona))
    assert client.get(search_url(cluster)).status_code == 403
    assert add(client, cluster, EstablishmentFactory().pk).status_code == 403
    withdraw = reverse("clusters:member-withdraw", args=[cluster.pk, membership.pk])
    assert client.post(withdraw, {"withdrawn_on": "2026-05-04", "reason": "x"}).status_code == 403
    assert Membership.objects.filter(cluster=cluster, withdrawn_on=None).count() == 1


def test_another_regions_cluster_members_answer_404(client, ars_other_region, cluster):
    membership = add_members(cluster, 1)[0]
    client.force_login(ars_other_region)
    assert client.get(search_url(cluster)).status_code == 404
    assert add(client, cluster, EstablishmentFactory(region_code="53").pk).status_code == 404
    withdraw = reverse("clusters:member-withdraw", args=[cluster.pk, membership.pk])
    assert client.get(withdraw).status_code == 404


def test_member_search_query_count_is_the_same_for_5_and_50_results(
    client, ars, cluster, django_assert_num_queries
):
    department = Department.objects.filter(region__code="11").order_by("code").first()
    client.force_login(ars)
    client.get(search_url(cluster), {"q": "tilleuls"})  # warm the content-type caches

    def count_queries(total):
        while cluster.memberships.count() < 5:
            add_members(cluster, 1)
        for _ in range(total):
            EstablishmentFactory(department=department)
        # session, user, roles, cluster, results, memberships, whether it has a facilitator
        with django_assert_num_queries(7):
            response = client.get(search_url(cluster), {"q": "tilleuls"})
        return response

    assert len(count_queries(5).context["results"]) >= 5
    assert len(count_queries(50).context["results"]) == 20  # capped


def test_the_cached_member_rows_follow_every_value_they_show(client, ars, cluster):
    """The members' rows are cached under the values they show: a change made around the
    services (the registry, a bulk update) is shown at once."""
    membership = add_members(cluster, 1)[0]
    establishment = membership.establishment
    client.force_login(ars)
    page = text(client.get(search_url(cluster)))
    assert establishment.short_name in page and establishment.department.name in page
    assert "Actif" in page
    other = Department.objects.filter(region__code="11").exclude(pk=establishment.department_id)
    other = other.order_by("code").first()

    def move():
        establishment.department = other
        establishment.save()

    def rename():
        establishment.short_name = "EHPAD RENOMMÉ"
        establishment.save()

    def withdraw():
        Membership.objects.filter(pk=membership.pk).update(
            withdrawn_on=datetime.date(2026, 3, 2), withdrawal_reason="Fusion"
        )

    for change, shown in [
        (move, other.name),
        (rename, "EHPAD RENOMMÉ"),
        (withdraw, "Retiré le 02/03/2026 (Fusion)"),
    ]:
        change()
        assert shown in text(client.get(search_url(cluster))), shown
