"""The cluster's content version, raised by the database on every write the cluster page shows,
and the cluster page's cached parts, which must follow it."""

import datetime
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clusters.models import Cluster, DelegationContact, Phase, Session
from experiments.models import Experiment, Monograph, MonographTransition
from tests.factories import SessionFactory, add_members

pytestmark = pytest.mark.django_db


def version(cluster) -> int:
    return Cluster.objects.values_list("content_version", flat=True).get(pk=cluster.pk)


@pytest.fixture
def members(cluster):
    return add_members(cluster, 5)


def _contact(members):
    return DelegationContact.objects.create(
        membership=members[0], role="direction", name="Camille Durand"
    )


def _experiment(members):
    return Experiment.objects.create(membership=members[1], title="Horaires en 12 heures")


def _monograph(members):
    return Monograph.objects.create(membership=members[2], title="La démarche du CH")


WRITES = {
    "cluster row (bulk update)": lambda c, m: Cluster.objects.filter(pk=c.pk).update(name="Autre"),
    "member joins": lambda c, m: add_members(c, 1),
    "member withdraws": lambda c, m: (
        type(m[0]).objects.filter(pk=m[0].pk).update(withdrawn_on=datetime.date(2026, 5, 1))
    ),
    "member deleted": lambda c, m: m[4].delete(),
    "contact added": lambda c, m: _contact(m),
    "contact edited": lambda c, m: DelegationContact.objects.filter(pk=_contact(m).pk).update(
        name="Camille Martin"
    ),
    "session added": lambda c, m: SessionFactory(cluster=c, number=1),
    "session edited": lambda c, m: Session.objects.filter(
        pk=SessionFactory(cluster=c, number=2).pk
    ).update(is_confidential=True),
    "phase changed": lambda c, m: m[0].phase_changes.create(
        phase=Phase.DIAGNOSTIC, changed_on=datetime.date(2026, 4, 2)
    ),
    "experiment added": lambda c, m: _experiment(m),
    "experiment status": lambda c, m: Experiment.objects.filter(pk=_experiment(m).pk).update(
        status=Experiment.Status.EN_COURS
    ),
    "monograph added": lambda c, m: _monograph(m),
    "monograph step": lambda c, m: MonographTransition.objects.create(
        monograph=_monograph(m), from_status="brouillon", to_status="soumise"
    ),
    "member renamed in FINESS": lambda c, m: (
        type(m[0].establishment)
        .objects.filter(pk=m[0].establishment_id)
        .update(short_name="EHPAD RENOMMÉ")
    ),
    "member closed in FINESS": lambda c, m: (
        type(m[0].establishment)
        .objects.filter(pk=m[0].establishment_id)
        .update(finess_closed_on=datetime.date(2026, 5, 12))
    ),
}


@pytest.mark.parametrize("write", WRITES)
def test_every_write_the_page_shows_raises_the_version(cluster, members, write):
    before = version(cluster)
    WRITES[write](cluster, members)
    assert version(cluster) > before


def test_registry_columns_the_page_does_not_show_leave_the_version(cluster, members):
    before = version(cluster)
    establishment = members[0].establishment
    type(establishment).objects.filter(pk=establishment.pk).update(phone="0102030405")
    type(establishment).objects.filter(pk=establishment.pk).update(
        short_name=establishment.short_name
    )
    assert version(cluster) == before


def test_a_stale_instance_saved_later_never_lowers_the_version(cluster, members):
    stale = Cluster.objects.get(pk=cluster.pk)
    _contact(members)
    _contact(members)
    raised = version(cluster)
    stale.problem_statement = "Un texte"
    stale.save()  # writes its old content_version: the database ignores it
    assert version(cluster) > raised


def page_of(client, cluster) -> str:
    response = client.get(reverse("clusters:cluster-detail", args=[cluster.pk]))
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_the_cached_page_follows_every_change(client, ars, cluster, members):
    client.force_login(ars)
    with CaptureQueriesContext(connection) as computed:
        assert "Camille Durand" not in page_of(client, cluster)
    with CaptureQueriesContext(connection) as cached:
        page_of(client, cluster)
    assert len(cached) < len(computed)  # the members' parts came from the cache
    _contact(members)
    assert "Camille Durand" in page_of(client, cluster)
    establishment = members[1].establishment
    type(establishment).objects.filter(pk=establishment.pk).update(short_name="EHPAD RENOMMÉ")
    _experiment(members)
    page = page_of(client, cluster)
    assert "EHPAD RENOMMÉ" in page and "Horaires en 12 heures" in page


def test_what_a_user_may_see_is_part_of_the_cached_parts_key(client, ars, national, members):
    cluster = members[0].cluster
    _contact(members)
    client.force_login(ars)
    assert "Camille Durand" in page_of(client, cluster)  # cached with the contacts
    client.force_login(national)
    assert "Camille Durand" not in page_of(client, cluster)  # never the regional rendering
