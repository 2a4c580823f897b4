"""The cluster page: identity, members and contacts, homogeneity, shared timeline, experiments
and monographs, history of changes; personal data hidden from national readers."""

import datetime
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters import services
from clusters.history import HISTORY_LIMIT
from clusters.models import Cluster, DelegationContact, Membership, Phase
from establishments.models import LegalStatus, Organisation
from experiments.models import Experiment, Monograph
from experiments.services import monograph_transition
from tests.factories import EstablishmentFactory, SessionFactory, add_members

pytestmark = pytest.mark.django_db


def page_of(client, cluster, name="clusters:cluster-detail") -> str:
    response = client.get(reverse(name, args=[cluster.pk]))
    assert response.status_code == 200
    return unescape(response.content.decode())


def history_of(client, cluster) -> str:
    """The history page's table (the cluster page links to it)."""
    assert reverse("clusters:cluster-history", args=[cluster.pk]) in page_of(client, cluster)
    page = page_of(client, cluster, "clusters:cluster-history")
    return page[page.index("Qui a modifié quoi") :]


@pytest.fixture
def busy_cluster(cluster, aract):
    members = add_members(cluster, 5)
    DelegationContact.objects.create(
        membership=members[0], role="direction", name="Dominique Secret", email="d@example.invalid"
    )
    services.membership_set_phase(
        membership=members[1],
        phase=Phase.DIAGNOSTIC,
        by=aract,
        changed_on=datetime.date(2026, 4, 2),
    )
    SessionFactory(cluster=cluster, number=1, held_on=datetime.date(2026, 3, 10))
    SessionFactory(
        cluster=cluster,
        number=2,
        held_on=datetime.date(2026, 5, 12),
        is_confidential=True,
        key_points="Tensions dans l'équipe de nuit",
    )
    Experiment.objects.create(membership=members[2], title="Horaires en 12 heures")
    monograph = Monograph.objects.create(membership=members[3], title="Monographie du CH")
    monograph_transition(monograph=monograph, target="soumise", by=aract)
    return cluster


def test_regional_staff_see_members_with_phase_and_delegation_contacts(client, ars, busy_cluster):
    client.force_login(ars)
    page = page_of(client, busy_cluster)
    assert "Membres actifs : 5" in page
    assert "Diagnostic" in page
    assert "Dominique Secret" in page and "d@example.invalid" in page
    assert "Ajouter un contact" in page
    history = history_of(client, busy_cluster)
    assert "Contact de la délégation : Dominique Secret (Direction) (création)" in history


def test_national_readers_never_see_delegation_contacts(client, national, busy_cluster):
    client.force_login(national)
    page = page_of(client, busy_cluster)
    assert "Membres actifs : 5" in page
    assert "Dominique Secret" not in page + history_of(client, busy_cluster)  # table, history
    assert "d@example.invalid" not in page
    assert "Modifier le cluster" not in page and "Ajouter un contact" not in page


def test_the_page_shows_the_homogeneity_of_the_cluster(client, ars, cluster):
    add_members(cluster, 2)
    Membership.objects.create(
        cluster=cluster,
        establishment=EstablishmentFactory(legal_status=LegalStatus.PUBLIC),
        wave=cluster.wave,
        joined_on=datetime.date(2026, 2, 1),
    )
    client.force_login(ars)
    page = page_of(client, cluster)
    section = page[page.index("Homogénéité du cluster") : page.index("Chronologie partagée")]
    assert "Médico-social : 3 établissements" in section
    assert "Public : 1 établissement" in section and "À qualifier : 2 établissements" in section
    assert "Homogène" in section and "Hétérogène" in section


def test_the_shared_timeline_is_in_date_order(client, ars, busy_cluster):
    client.force_login(ars)
    page = page_of(client, busy_cluster)
    timeline = page[
        page.index("Chronologie partagée") : page.index("Expérimentations et monographies par")
    ]
    events = [
        "rejoint le cluster",
        "Séance 1 — Séance collective",
        "passe en phase « Diagnostic »",
        "Séance 2 — Séance collective",
        "Monographie de",
    ]
    positions = [timeline.index(event) for event in events]
    assert positions == sorted(positions)


def test_national_readers_see_only_date_and_kind_of_a_confidential_session(
    client, national, busy_cluster
):
    client.force_login(national)
    page = page_of(client, busy_cluster)
    timeline = page[
        page.index("Chronologie partagée") : page.index("Expérimentations et monographies par")
    ]
    assert "Séance 1 — Séance collective" in timeline
    assert "Séance 2" not in timeline
    assert "12/05/2026" in timeline
    assert "Tensions" not in page


def test_experiments_and_monographs_by_establishment(client, aract, busy_cluster):
    client.force_login(aract)
    page = page_of(client, busy_cluster)
    assert "Horaires en 12 heures" in page
    assert "Monographie du CH</a> (Soumise)" in page


def test_the_history_says_who_changed_what_and_when(client, ars, cluster):
    client.force_login(ars)
    client.post(
        reverse("clusters:cluster-edit", args=[cluster.pk]),
        {
            "name": "Nom corrigé",
            "wave": cluster.wave.pk,
            "themes": [t.pk for t in cluster.themes.all()],
            "aract": cluster.aract.pk,
            "starts_on": "2026-02-01",
        },
    )
    history = history_of(client, cluster)
    assert f"Nom : {cluster.name} → Nom corrigé" in history
    assert str(ars) in history


def test_history_lines_name_the_field_and_both_values(client, ars, cluster):
    """Labels with a capital (acronyms kept), choices by their label, foreign keys by name,
    dates in French order; empty-to-empty changes are left out."""
    other_aract = Organisation.objects.create(
        kind="aract", name="Aract Île-de-France bis", region=cluster.region
    )
    first_aract = cluster.aract
    cluster.ars_referent = ars
    cluster.aract = other_aract
    cluster.status = Cluster.Status.CONSTITUE
    cluster.constituted_on = datetime.date(2026, 3, 1)
    cluster.save()
    membership = add_members(cluster, 1)[0]
    membership.withdrawal_reason = ""  # "" -> "": saved again, not a change to show
    membership.phase = Phase.DIAGNOSTIC
    membership.save()
    client.force_login(ars)
    history = history_of(client, cluster)
    assert f"Référent ARS : — → {ars}" in history
    assert f"Aract : {first_aract} → Aract Île-de-France bis" in history
    assert "Statut : Brouillon → Constitué" in history
    assert "Date de constitution : — → 01/03/2026" in history
    assert "Phase : Cadrage → Diagnostic" in history
    assert "modifié(e)" not in history
    assert "— → —" not in history
    assert "Motif du retrait" not in history


def test_the_history_costs_one_query_per_kind_of_related_object(ars, cluster):
    from clusters.history import cluster_history

    for number in range(3):
        cluster.ars_referent = ars if number % 2 == 0 else None
        cluster.save()
    memberships = list(cluster.memberships.all())
    with CaptureQueriesContext(connection) as queries:
        history = cluster_history(cluster, memberships, with_contacts=True)
    # content types (cached after the first call), ids, entries with actors, the users named
    assert len(queries) <= 4
    assert any(f"Référent ARS : — → {ars}" in line for item in history for line in item["changes"])


def test_the_history_shows_the_newest_changes_first_up_to_its_limit(client, ars, cluster):
    for number in range(1, HISTORY_LIMIT + 2):  # after the creation, 51 renamings
        cluster.name = f"Nom {number:02d}"
        cluster.save()
    client.force_login(ars)
    history = history_of(client, cluster)
    assert history.count("Nom : ") == HISTORY_LIMIT
    assert history.index("Nom 50 → Nom 51") < history.index("Nom 01 → Nom 02")
    assert "→ Nom 01" not in history and "(création)" not in history  # the two oldest


@pytest.mark.parametrize("persona", ["ars", "national"])
def test_the_page_query_count_is_the_same_for_5_and_50_members(
    client, request, persona, cluster, aract, django_assert_num_queries
):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("clusters:cluster-detail", args=[cluster.pk])
    client.get(url)  # warm the content-type cache

    def grow_to(total):
        number = cluster.sessions.count()
        while cluster.memberships.count() < total:
            active = cluster.memberships.active().count() < 8
            membership = Membership.objects.create(
                cluster=cluster,
                establishment=EstablishmentFactory(),
                wave=cluster.wave,
                joined_on=datetime.date(2026, 2, 1),
                withdrawn_on=None if active else datetime.date(2026, 3, 1),
            )
            DelegationContact.objects.create(membership=membership, role="irp", name="Claude")
            Experiment.objects.create(membership=membership, title="Essai")
            Monograph.objects.create(membership=membership, title="Monographie")
            number += 1
            SessionFactory(cluster=cluster, number=number)
            if active:
                services.membership_set_phase(
                    membership=membership,
                    phase="diagnostic",
                    by=aract,
                    changed_on=datetime.date(2026, 4, 1),
                )

    for total in (5, 50):
        grow_to(total)
        # session, user, roles, cluster, themes, facilitators, active members, members closed
        # in FINESS, [sessions exist: the ARS may delete a draft], then the cached parts (just
        # changed: computed): memberships (with establishments, categories and monographs),
        # experiments, [contacts], sessions, phase changes, monograph transitions
        with django_assert_num_queries(15 if persona == "ars" else 13):
            client.get(url)
        with django_assert_num_queries(9 if persona == "ars" else 8):  # unchanged: cached
            client.get(url)
