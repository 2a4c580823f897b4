"""Status transitions through the views: a confirmation page, refusals explained in French."""

from html import unescape

import pytest
from django.urls import reverse

from clusters.models import Cluster
from tests.factories import add_members

pytestmark = pytest.mark.django_db


def confirm_url(cluster, target):
    return reverse("clusters:cluster-transition-confirm", args=[cluster.pk, target])


def transition(client, cluster, target):
    return client.post(
        reverse("clusters:cluster-transition", args=[cluster.pk]), {"target": target}, follow=True
    )


def test_the_confirmation_page_explains_why_four_members_are_not_enough(client, ars, cluster):
    add_members(cluster, 4)
    client.force_login(ars)
    page = unescape(client.get(confirm_url(cluster, "constitue")).content.decode())
    assert "Le cluster ne peut pas encore être constitué" in page
    assert "Il faut au moins 5 établissements membres actifs (4 actuellement)." in page
    assert "Confirmer" not in page
    response = transition(client, cluster, "constitue")
    assert "Il faut au moins 5 établissements membres actifs" in unescape(response.content.decode())
    cluster.refresh_from_db()
    assert cluster.status == Cluster.Status.BROUILLON


def test_a_cluster_without_facilitator_cannot_be_constituted(client, ars, cluster):
    cluster.facilitators.clear()
    add_members(cluster, 5)
    client.force_login(ars)
    page = unescape(client.get(confirm_url(cluster, "constitue")).content.decode())
    assert "Il faut désigner un(e) chargé(e) de mission Aract." in page


def test_ars_constitutes_starts_and_closes_a_cluster_after_confirming(client, ars, cluster):
    add_members(cluster, 5)
    client.force_login(ars)
    for target, status in [
        ("constitue", "Constitué"),
        ("en_cours", "En cours"),
        ("cloture", "Clôturé"),
    ]:
        page = unescape(client.get(confirm_url(cluster, target)).content.decode())
        assert "Confirmer" in page
        response = transition(client, cluster, target)
        assert f"Le cluster est maintenant « {status} »." in unescape(response.content.decode())
    cluster.refresh_from_db()
    assert cluster.status == Cluster.Status.CLOTURE
    assert cluster.constituted_on and cluster.closed_on


def test_a_transition_out_of_order_is_refused_in_french(client, ars, cluster):
    client.force_login(ars)
    page = unescape(client.get(confirm_url(cluster, "cloture")).content.decode())
    assert "Un cluster au statut « Brouillon » ne peut pas passer au statut « Clôturé »." in page
    assert client.get(confirm_url(cluster, "inconnu")).status_code == 404


@pytest.mark.parametrize("persona", ["aract", "national"])
def test_aract_and_national_users_cannot_change_the_status(client, request, persona, cluster):
    add_members(cluster, 5)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(confirm_url(cluster, "constitue")).status_code == 403
    assert transition(client, cluster, "constitue").status_code == 403
    cluster.refresh_from_db()
    assert cluster.status == Cluster.Status.BROUILLON


def test_another_regions_cluster_status_answers_404(client, ars_other_region, cluster):
    client.force_login(ars_other_region)
    assert client.get(confirm_url(cluster, "constitue")).status_code == 404
    assert transition(client, cluster, "constitue").status_code == 404


def test_the_confirmation_page_names_the_current_and_the_new_status(client, ars, cluster):
    add_members(cluster, 5)
    client.force_login(ars)
    page = unescape(client.get(confirm_url(cluster, "constitue")).content.decode())
    assert "passera du statut « Brouillon » au statut « Constitué »" in page
    assert "au statut suivant" not in page
