"""The programme team runs the programme from the browser: waves, themes, session tools,
publication. The national reader changes nothing; ARS staff register clusters in open waves."""

import datetime
import html

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from clusters.models import Cluster, SessionTool, Theme, Wave
from experiments.models import Monograph
from tests import factories

pytestmark = pytest.mark.django_db

WAVE = {
    "code": "2027",
    "name": "Vague 2027",
    "starts_on": "2027-01-01",
    "ends_on": "2028-06-30",
    "sectors": ["medico_social", "social"],
    "registration_open": "on",
}


def test_the_programme_team_creates_an_open_wave_and_it_is_audited(client, programme_team):
    client.force_login(programme_team)
    response = client.post(reverse("programme:wave-create"), WAVE)
    assert response.status_code == 302
    wave = Wave.objects.get(code="2027")
    assert wave.registration_open and wave.sectors == ["medico_social", "social"]
    assert LogEntry.objects.get_for_object(wave).get().actor == programme_team
    page = client.get(reverse("programme:wave-list")).content.decode()
    assert "Vague 2027" in page and "Médico-social, Social" in page


def test_a_wave_needs_a_sector_and_dates_in_order(client, programme_team):
    client.force_login(programme_team)
    data = {**WAVE, "sectors": [], "ends_on": "2026-01-01"}
    response = client.post(reverse("programme:wave-create"), data)
    assert response.status_code == 200
    assert "Choisissez au moins un secteur." in response.content.decode()
    assert "La date de fin doit suivre la date de début." in response.content.decode()
    assert not Wave.objects.filter(code="2027").exists()


def test_a_wave_keeps_the_sectors_of_its_current_members(client, programme_team):
    """Restricting a wave's sectors is refused while members of another sector are in it, with
    their names and the form as typed; once they are withdrawn it goes through."""
    cluster = factories.ClusterFactory(region_code="11", wave__code="2031")
    wave = cluster.wave
    members = factories.add_members(cluster, 2)
    sector = members[0].establishment.sector  # the factory's category: médico-social
    other = next(s for s in ("sanitaire", "social") if s != sector)
    client.force_login(programme_team)
    url = reverse("programme:wave-edit", args=[wave.pk])
    data = {**WAVE, "code": "2031", "name": "Vague renommée", "sectors": [other]}
    response = client.post(url, data)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "2 établissements membres de la vague relèvent d'autres secteurs" in page
    assert members[0].establishment.short_name in page
    assert 'value="Vague renommée"' in page  # what was typed stays
    wave.refresh_from_db()
    assert wave.name != "Vague renommée" and sector in wave.sectors

    # Keeping their sector is fine; so is excluding it once they have withdrawn.
    assert client.post(url, {**data, "sectors": [other, sector]}).status_code == 302
    for membership in members:
        membership.withdrawn_on = datetime.date(2026, 6, 1)
        membership.save()
    assert client.post(url, data).status_code == 302
    wave.refresh_from_db()
    assert wave.sectors == [other]


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("programme:wave-create", WAVE),
        ("programme:theme-create", {"name": "Nouvelle thématique"}),
        ("programme:tool-create", {"name": "Nouvel outil"}),
    ],
)
def test_the_national_reader_changes_nothing(client, national, url, data):
    client.force_login(national)
    counts = (Wave.objects.count(), Theme.objects.count(), SessionTool.objects.count())
    assert client.post(reverse(url), data).status_code == 403
    assert (Wave.objects.count(), Theme.objects.count(), SessionTool.objects.count()) == counts


def _validated_monograph():
    cluster = factories.ClusterFactory(region_code="11")
    membership = factories.add_members(cluster, 1)[0]
    return Monograph.objects.create(
        membership=membership, title="Monographie validée", status=Monograph.Status.VALIDEE
    )


def test_the_national_reader_may_not_publish(client, national):
    monograph = _validated_monograph()
    client.force_login(national)
    url = reverse("experiments:monograph-transition", args=[monograph.pk, "publiee"])
    assert client.post(url, {"comment": ""}).status_code == 403
    monograph.refresh_from_db()
    assert monograph.status == Monograph.Status.VALIDEE


def test_the_programme_team_publishes_and_unpublishes(client, programme_team):
    monograph = _validated_monograph()
    client.force_login(programme_team)
    url = reverse("experiments:monograph-transition", args=[monograph.pk, "publiee"])
    assert client.post(url, {"comment": ""}).status_code == 302
    monograph.refresh_from_db()
    assert monograph.status == Monograph.Status.PUBLIEE and monograph.published_at
    detail = client.get(reverse("experiments:monograph-detail", args=[monograph.pk]))
    assert "Retirer de la bibliothèque" in detail.content.decode()
    url = reverse("experiments:monograph-transition", args=[monograph.pk, "validee"])
    assert client.post(url, {"comment": "Chiffres à vérifier"}).status_code == 302
    monograph.refresh_from_db()
    assert monograph.status == Monograph.Status.VALIDEE and monograph.published_at is None
    library = reverse("library:monograph-detail", args=[monograph.pk])
    assert client.get(library).status_code == 410  # gone, not "never existed"


def test_a_retired_theme_is_no_longer_offered_but_stays_on_its_clusters(
    client, programme_team, ars
):
    cluster = factories.ClusterFactory(region_code="11")
    theme = cluster.themes.first()
    client.force_login(programme_team)
    edit = reverse("programme:theme-edit", args=[theme.pk])
    assert client.post(edit, {"name": theme.name, "retired": "on"}).status_code == 302
    client.force_login(ars)
    factories.WaveFactory(code="2040", registration_open=True)
    new_form = client.get(reverse("clusters:cluster-create")).context["form"]
    assert theme not in new_form.fields["themes"].queryset
    edit_form = client.get(reverse("clusters:cluster-edit", args=[cluster.pk])).context["form"]
    assert theme in edit_form.fields["themes"].queryset
    assert theme in cluster.themes.all()


def test_the_cluster_form_offers_only_open_waves(client, ars):
    factories.WaveFactory(code="2016", registration_open=False)
    open_wave = factories.WaveFactory(code="2041", registration_open=True)
    client.force_login(ars)
    form = client.get(reverse("clusters:cluster-create")).context["form"]
    assert list(form.fields["wave"].queryset) == [open_wave]


def test_with_no_open_wave_the_form_says_what_to_do(client, ars):
    Wave.objects.update(registration_open=False)
    client.force_login(ars)
    page = client.get(reverse("clusters:cluster-create")).content.decode()
    assert "Aucune vague n'est ouverte aux inscriptions" in page


def test_dates_outside_the_wave_are_warned_not_refused(client, ars):
    wave = factories.WaveFactory(
        code="2042",
        registration_open=True,
        starts_on=datetime.date(2016, 1, 1),
        ends_on=datetime.date(2017, 12, 31),
    )
    theme = Theme.objects.filter(retired=False).first()
    client.force_login(ars)
    data = {
        "name": "Cluster hors dates",
        "wave": wave.pk,
        "themes": [theme.pk],
        "problem_statement": "Problème",
        "starts_on": "2026-09-01",
        "ends_on": "2027-06-30",
    }
    response = client.post(reverse("clusters:cluster-create"), data, follow=True)
    assert Cluster.objects.filter(name="Cluster hors dates").exists()
    assert "les dates du cluster sortent de celles de la vague" in response.content.decode()


def test_a_name_taken_in_another_region_is_free_and_not_revealed(client, ars):
    wave = factories.WaveFactory(code="2043", registration_open=True)
    factories.ClusterFactory(region_code="53", wave=wave, name="Cluster Breizh")
    theme = Theme.objects.filter(retired=False).first()
    client.force_login(ars)
    data = {
        "name": "Cluster Breizh",
        "wave": wave.pk,
        "themes": [theme.pk],
        "problem_statement": "P",
    }
    assert client.post(reverse("clusters:cluster-create"), data).status_code == 302
    response = client.post(reverse("clusters:cluster-create"), data)
    assert response.status_code == 200
    assert (
        "Un cluster de votre région porte déjà ce nom dans cette vague."
        in response.content.decode()
    )
