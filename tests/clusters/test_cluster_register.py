"""Registering and editing a cluster through the views: region from the roles, choices limited
to the region, French errors on their fields, read-only for Aract and national users."""

import pytest
from django.urls import reverse

from accounts.models import Role, RoleAssignment
from clusters.models import Cluster, Theme
from establishments.models import Organisation, Region
from tests.factories import ClusterFactory, WaveFactory, add_members, aract_user, ars_user

pytestmark = pytest.mark.django_db

CREATE = reverse("clusters:cluster-create")


@pytest.fixture
def wave():
    return WaveFactory(code="2030")


def payload(wave, /, **overrides):
    data = {
        "name": "Cluster des EHPAD de l'Essonne",
        "wave": wave.pk,
        "themes": [Theme.objects.order_by("name").first().pk],
        "problem_statement": "Attractivité des métiers du grand âge.",
        "aract": Organisation.objects.get(kind="aract", region__code="11").pk,
        "facilitators": [],
        "ars_referent": "",
        "starts_on": "2026-03-01",
        "ends_on": "2027-06-30",
    }
    data.update(overrides)
    return data


def test_ars_registers_a_cluster_of_their_region(client, ars, aract, wave):
    client.force_login(ars)
    response = client.post(
        CREATE, payload(wave, facilitators=[aract.pk], ars_referent=ars.pk), follow=True
    )
    cluster = Cluster.objects.get(name="Cluster des EHPAD de l'Essonne")
    assert cluster.region.code == "11"
    assert cluster.status == Cluster.Status.BROUILLON
    assert list(cluster.facilitators.all()) == [aract]
    assert cluster.ars_referent == ars
    assert response.redirect_chain[-1][0] == reverse("clusters:member-search", args=[cluster.pk])
    assert "est enregistré" in response.content.decode()


def test_a_region_posted_by_hand_is_ignored(client, ars, wave):
    client.force_login(ars)
    client.post(CREATE, payload(wave, region=Region.objects.get(code="53").pk))
    assert Cluster.objects.get().region.code == "11"


def test_a_user_with_two_ars_regions_picks_one_of_them_only(client, wave):
    user = ars_user("11", username="ars-double")
    RoleAssignment.objects.create(user=user, role=Role.ARS, region=Region.objects.get(code="53"))
    client.force_login(user)
    page = client.get(CREATE).content.decode()
    assert "Bretagne" in page and "Normandie" not in page
    response = client.post(CREATE, payload(wave, region=Region.objects.get(code="28").pk))
    assert "region" in response.context["form"].errors
    client.post(
        CREATE,
        payload(
            wave,
            region=Region.objects.get(code="53").pk,
            aract=Organisation.objects.get(kind="aract", region__code="53").pk,
        ),
    )
    assert Cluster.objects.get().region.code == "53"


def test_the_aract_must_be_of_the_chosen_region(client, wave):
    user = ars_user("11", username="ars-double-2")
    RoleAssignment.objects.create(user=user, role=Role.ARS, region=Region.objects.get(code="53"))
    client.force_login(user)
    response = client.post(CREATE, payload(wave, region=Region.objects.get(code="53").pk))
    assert response.context["form"].errors["aract"] == [
        "Choisissez l'Aract de la région du cluster."
    ]
    assert not Cluster.objects.exists()


def test_facilitators_and_referent_are_limited_to_the_region(client, ars, wave):
    breton_aract = aract_user("53", username="aract-breton")
    breton_ars = ars_user("53", username="ars-breton")
    client.force_login(ars)
    page = client.get(CREATE).content.decode()
    assert str(breton_aract) not in page
    response = client.post(
        CREATE, payload(wave, facilitators=[breton_aract.pk], ars_referent=breton_ars.pk)
    )
    errors = response.context["form"].errors
    assert "facilitators" in errors and "ars_referent" in errors
    assert not Cluster.objects.exists()


def test_an_invalid_form_keeps_what_was_typed_with_french_errors_on_fields(client, ars, wave):
    client.force_login(ars)
    response = client.post(
        CREATE, payload(wave, name="", themes=[], starts_on="2027-01-01", ends_on="2026-01-01")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["name"] == ["Donnez un nom au cluster."]
    assert errors["themes"] == ["Choisissez au moins une thématique."]
    assert errors["ends_on"] == ["La date de fin prévue doit suivre la date de lancement."]
    page = response.content.decode()
    assert "Attractivité des métiers du grand âge." in page  # what was typed stays
    assert not Cluster.objects.exists()


def test_two_clusters_of_one_wave_cannot_share_a_name(client, ars, wave):
    ClusterFactory(name="Cluster des EHPAD de l'Essonne", wave=wave)
    client.force_login(ars)
    response = client.post(CREATE, payload(wave))
    assert response.context["form"].errors["name"] == [
        "Un cluster de votre région porte déjà ce nom dans cette vague."
    ]


@pytest.mark.parametrize("persona", ["aract", "national"])
def test_aract_and_national_users_cannot_register_a_cluster(client, request, persona, wave):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, payload(wave)).status_code == 403
    assert not Cluster.objects.exists()


def test_ars_edits_their_regions_cluster(client, ars, cluster):
    client.force_login(ars)
    url = reverse("clusters:cluster-edit", args=[cluster.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, payload(cluster.wave, name="Nouveau nom", facilitators=[]))
    assert response.status_code == 302
    cluster.refresh_from_db()
    assert cluster.name == "Nouveau nom"
    assert cluster.region.code == "11"
    assert not cluster.facilitators.exists()


def test_the_wave_no_longer_changes_once_the_cluster_has_members(client, ars, cluster):
    add_members(cluster, 1)
    other_wave = WaveFactory(code="2031")
    client.force_login(ars)
    url = reverse("clusters:cluster-edit", args=[cluster.pk])
    client.post(url, payload(cluster.wave, name=cluster.name, wave=other_wave.pk))
    cluster.refresh_from_db()
    assert cluster.wave.code == "2030"


@pytest.mark.parametrize("persona", ["aract", "national"])
def test_aract_and_national_users_cannot_edit_a_cluster(client, request, persona, cluster):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("clusters:cluster-edit", args=[cluster.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, payload(cluster.wave, name="Piraté")).status_code == 403
    cluster.refresh_from_db()
    assert cluster.name != "Piraté"


def test_another_regions_cluster_cannot_be_edited(client, ars_other_region, cluster):
    client.force_login(ars_other_region)
    url = reverse("clusters:cluster-edit", args=[cluster.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, payload(cluster.wave, name="Piraté")).status_code == 404
