"""Two regions' worth of API data, and clients that call the API with a personal token."""

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client

from api.services import token_create
from clusters.models import Attendance, Membership, Theme
from experiments.models import Experiment, Indicator, Measurement, Monograph
from tests import factories

SECRET_TEXT = "CONTENU-CONFIDENTIEL-DE-SEANCE"
EMAIL = "jeanne.dupont@example.invalid"


@dataclass
class ApiData:
    cluster_11: object
    cluster_53: object
    session_11: object
    experiment_11: object
    published: object
    draft: object
    published_53: object


def token_client(user) -> Client:
    _token, raw = token_create(user=user, name="Outil de test", valid_days=30)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def publish(membership, title, **sections):
    return Monograph.objects.create(
        membership=membership,
        title=title,
        status=Monograph.Status.PUBLIEE,
        published_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC),
        **sections,
    )


@pytest.fixture
def api_data(db):
    """Region 11: a running cluster (two members, a session with attendance, an experiment
    with an indicator and two measurements, a published and a draft monograph). Region 53:
    a cluster with one published monograph."""
    t1, t2 = Theme.objects.order_by("name")[:2]
    c11 = factories.ClusterFactory(region_code="11", status="en_cours", themes=[t1])
    c53 = factories.ClusterFactory(region_code="53", status="constitue", themes=[t2])
    m1, m2 = factories.add_members(c11, 2)
    (m53,) = factories.add_members(c53, 1)
    session = factories.SessionFactory(cluster=c11, number=1, key_points=SECRET_TEXT)
    Attendance.objects.create(session=session, membership=m1, role="direction", count=2)
    Attendance.objects.create(session=session, membership=m2, role="direction", count=1)
    Attendance.objects.create(session=session, membership=m2, role="irp", count=3)
    factories.SessionFactory(cluster=c11, number=2, is_draft=True)
    experiment = Experiment.objects.create(membership=m1, title="Horaires", status="en_cours")
    experiment.themes.add(t1)
    indicator = Indicator.objects.create(
        experiment=experiment, name="Absentéisme", unit="%", baseline=10, target=7
    )
    Measurement.objects.create(indicator=indicator, measured_on=datetime.date(2026, 6, 1), value=9)
    Measurement.objects.create(indicator=indicator, measured_on=datetime.date(2026, 3, 1), value=8)
    published = publish(
        m1, "Monographie publiée", context=f"Écrire à {EMAIL} ou au 01 02 03 04 05."
    )
    draft = Monograph.objects.create(membership=m2, title="Monographie brouillon")
    published_53 = publish(m53, "Monographie bretonne", identity="Un EHPAD breton.")
    return ApiData(c11, c53, session, experiment, published, draft, published_53)


@pytest.fixture
def membership_of(api_data):
    return lambda cluster: Membership.objects.filter(cluster=cluster).order_by("id").first()
