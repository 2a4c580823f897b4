"""A wave limited to some sectors takes only establishments of those sectors."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clusters import services
from tests.factories import ClusterFactory, EstablishmentFactory, WaveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def medico_social_cluster(aract):
    wave = WaveFactory(code="2050", name="Vague médico-sociale 2050", sectors=["medico_social"])
    cluster = ClusterFactory(region_code="11", wave=wave)
    cluster.facilitators.add(aract)
    return cluster


def test_a_cluster_of_a_limited_wave_refuses_other_sectors(medico_social_cluster):
    hospital = EstablishmentFactory(
        region_code="11", short_name="CH DE LA PLAINE", sector="sanitaire"
    )
    with pytest.raises(ValidationError) as refused:
        services.cluster_add_member(cluster=medico_social_cluster, establishment=hospital)
    assert refused.value.messages == [
        "CH DE LA PLAINE relève du secteur « sanitaire » : la vague « Vague médico-sociale "
        "2050 » est réservée au secteur médico-social."
    ]
    assert not medico_social_cluster.memberships.exists()


def test_an_establishment_to_be_qualified_is_refused_by_a_limited_wave(medico_social_cluster):
    unknown = EstablishmentFactory(region_code="11", sector="a_qualifier")
    with pytest.raises(ValidationError, match="« à qualifier »"):
        services.cluster_add_member(cluster=medico_social_cluster, establishment=unknown)


def test_a_cluster_of_a_limited_wave_takes_its_sectors(medico_social_cluster):
    ehpad = EstablishmentFactory(region_code="11", sector="medico_social")
    services.cluster_add_member(cluster=medico_social_cluster, establishment=ehpad)
    assert medico_social_cluster.memberships.get().establishment == ehpad


def test_a_wave_of_every_sector_takes_any_sector(cluster):
    assert not cluster.wave.is_limited_to_some_sectors
    for sector in ("sanitaire", "social", "a_qualifier"):
        establishment = EstablishmentFactory(region_code="11", sector=sector)
        services.cluster_add_member(cluster=cluster, establishment=establishment)
    assert cluster.memberships.count() == 3


def test_the_sector_phrase_names_every_sector_of_the_wave():
    wave = WaveFactory(code="2051", sectors=["medico_social", "social"])
    assert wave.sector_phrase == "aux secteurs médico-social et social"


def test_the_members_page_says_the_scope_and_refuses_in_french(client, ars, medico_social_cluster):
    hospital = EstablishmentFactory(region_code="11", short_name="CH DU VAL", sector="sanitaire")
    client.force_login(ars)
    url = reverse("clusters:member-search", args=[medico_social_cluster.pk])
    page = client.get(url, {"q": "CH DU VAL"}).content.decode()
    assert "est réservée au secteur médico-social" in page
    assert "Hors des secteurs de la vague" in page
    add = reverse("clusters:member-add", args=[medico_social_cluster.pk])
    response = client.post(add, {"establishment": hospital.pk}, follow=True)
    assert "relève du secteur « sanitaire »" in response.content.decode()
    assert not medico_social_cluster.memberships.exists()
