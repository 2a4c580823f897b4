"""The facilitator moves each member establishment along its phases, with a date and a comment."""

import pytest
from django.urls import reverse

from clusters.models import Phase, PhaseChange
from tests.factories import add_members

pytestmark = pytest.mark.django_db


def test_facilitator_moves_a_member_to_experimentation(client, aract, cluster):
    member = add_members(cluster, 1)[0]
    client.force_login(aract)
    url = reverse("clusters:phase-change", args=[cluster.pk, member.pk])
    assert 'value="diagnostic" selected' in client.get(url).content.decode()  # next phase
    response = client.post(
        url,
        # Three phases at once: confirmed (see test_rules_that_hold.py for the question).
        {
            "phase": "experimentation",
            "changed_on": "2026-06-15",
            "comment": "Choix validé",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.phase == Phase.EXPERIMENTATION
    change = PhaseChange.objects.get(membership=member)
    assert (str(change.changed_on), change.comment, change.changed_by) == (
        "2026-06-15",
        "Choix validé",
        aract,
    )
    page = client.get(reverse("clusters:phase-list", args=[cluster.pk])).content.decode()
    assert "Choix validé" in page and "15/06/2026" in page


def test_a_phase_change_needs_a_date(client, aract, cluster):
    member = add_members(cluster, 1)[0]
    client.force_login(aract)
    url = reverse("clusters:phase-change", args=[cluster.pk, member.pk])
    response = client.post(url, {"phase": "diagnostic", "changed_on": "", "comment": "gardé"})
    assert "Indiquez la date du changement." in response.content.decode()
    assert "gardé" in response.content.decode()
    assert not PhaseChange.objects.exists()


@pytest.mark.parametrize("persona", ["ars", "national"])
def test_only_facilitators_change_phases(client, request, cluster, persona):
    member = add_members(cluster, 1)[0]
    client.force_login(request.getfixturevalue(persona))
    url = reverse("clusters:phase-change", args=[cluster.pk, member.pk])
    response = client.post(url, {"phase": "diagnostic", "changed_on": "2026-06-15"})
    assert response.status_code == 403
    assert client.get(reverse("clusters:phase-list", args=[cluster.pk])).status_code == 200


def test_another_regions_phase_page_answers_404(client, ars_other_region, cluster):
    client.force_login(ars_other_region)
    assert client.get(reverse("clusters:phase-list", args=[cluster.pk])).status_code == 404
