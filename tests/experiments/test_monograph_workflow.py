"""Monographs: the facilitator writes and submits; the region's ARS validates or sends back
with a comment; the ARS or the national programme team publishes, the programme team alone
unpublishes; the national reader changes nothing. Every other transition is refused."""

import itertools

import pytest
from django.urls import reverse
from django.utils.html import escape

from experiments.models import Monograph, MonographTransition
from experiments.services import MONOGRAPH_WORKFLOW
from tests.factories import aract_user

pytestmark = pytest.mark.django_db
Status = Monograph.Status

ALLOWED = {
    # (from, to): personas allowed
    (Status.BROUILLON, Status.SOUMISE): {"aract"},
    (Status.SOUMISE, Status.VALIDEE): {"ars"},
    (Status.SOUMISE, Status.BROUILLON): {"ars"},
    (Status.VALIDEE, Status.BROUILLON): {"ars"},
    (Status.VALIDEE, Status.PUBLIEE): {"ars", "programme"},
    (Status.PUBLIEE, Status.VALIDEE): {"programme"},
}


def test_the_workflow_table_is_the_one_documented():
    derived = {
        (source, target)
        for target, rules_by_source in MONOGRAPH_WORKFLOW.items()
        for source in rules_by_source
    }
    assert derived == set(ALLOWED)


def test_the_whole_workflow_with_every_transition_recorded(
    client, aract, ars, programme_team, monograph
):
    def move(user, target, comment=""):
        client.force_login(user)
        url = reverse("experiments:monograph-transition", args=[monograph.pk, target])
        assert client.get(url).status_code == 200  # confirmation page
        return client.post(url, {"comment": comment})

    move(aract, "soumise")
    response = move(ars, "brouillon")
    assert "Expliquez ce qui doit être modifié." in response.content.decode()  # comment needed
    move(ars, "brouillon", "Ajoutez les résultats chiffrés")
    move(aract, "soumise")
    move(ars, "validee")
    move(programme_team, "publiee")
    monograph.refresh_from_db()
    assert monograph.status == Status.PUBLIEE
    assert monograph.submitted_at and monograph.validated_at and monograph.published_at
    history = list(monograph.transitions.values_list("from_status", "to_status", "by__username"))
    assert history == [
        ("brouillon", "soumise", aract.username),
        ("soumise", "brouillon", ars.username),
        ("brouillon", "soumise", aract.username),
        ("soumise", "validee", ars.username),
        ("validee", "publiee", programme_team.username),
    ]
    assert monograph.transitions.get(to_status="brouillon").comment == (
        "Ajoutez les résultats chiffrés"
    )


def test_each_forbidden_transition_is_refused(
    client, aract, ars, national, programme_team, ars_other_region, monograph
):
    personas = {
        "aract": aract,
        "ars": ars,
        "national": national,
        "programme": programme_team,
        "aract_not_facilitating": aract_user("11", username="aract-autre"),
        "ars_other_region": ars_other_region,
    }
    for source, target, persona in itertools.product(Status, Status, personas):
        Monograph.objects.filter(pk=monograph.pk).update(status=source)
        MonographTransition.objects.all().delete()
        client.force_login(personas[persona])
        url = reverse("experiments:monograph-transition", args=[monograph.pk, target])
        response = client.post(url, {"comment": "Motif du renvoi"})
        status = Monograph.objects.get(pk=monograph.pk).status
        case = f"{persona}: {source} → {target}"
        if persona in ALLOWED.get((source, target), set()):
            assert status == target, case
            assert MonographTransition.objects.count() == 1, case
        else:
            assert status == source, case
            assert not MonographTransition.objects.exists(), case
            expected = {404} if persona == "ars_other_region" else {302, 403, 404}
            assert response.status_code in expected, case


def test_a_submitted_monograph_is_no_longer_editable(client, aract, monograph):
    Monograph.objects.filter(pk=monograph.pk).update(status=Status.SOUMISE)
    client.force_login(aract)
    url = reverse("experiments:monograph-edit", args=[monograph.pk])
    response = client.post(url, {"title": "Changé"}, follow=True)
    assert "n&#x27;est plus modifiable" in response.content.decode()
    monograph.refresh_from_db()
    assert monograph.title == "Monographie des Tilleuls"


def test_facilitator_writes_the_nine_sections(client, aract, member):
    from experiments.models import MONOGRAPH_SECTIONS

    client.force_login(aract)
    data = {"title": "Notre démarche"}
    data.update({name: f"Texte {name}" for name, _label in MONOGRAPH_SECTIONS})
    response = client.post(reverse("experiments:monograph-create", args=[member.pk]), data)
    monograph = Monograph.objects.get()
    assert response.url == reverse("experiments:monograph-detail", args=[monograph.pk])
    assert monograph.lessons == "Texte lessons"
    assert list(monograph.authors.all()) == [aract]
    page = client.get(response.url).content.decode()
    assert all(escape(label) in page for _name, label in MONOGRAPH_SECTIONS)
