import datetime
import io
from decimal import Decimal

import pypdf
import pytest

from clusters.models import Attendance, DelegationContact
from experiments.models import Experiment, Indicator, Measurement, Monograph
from tests.factories import ClusterFactory, SessionFactory, add_members

CONFIDENTIAL_TEXT = "Contenu confidentiel de l'espace de discussion XJ-42"
CONTACT_NAME = "Dominique Contactnominatif"


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def report_cluster(db, aract):
    """An Île-de-France cluster with 5 members, two sessions held (the second confidential),
    an experiment with an indicator, a validated monograph and a delegation contact."""
    cluster = ClusterFactory(region_code="11", name="Cluster Restitution Test", status="en_cours")
    cluster.facilitators.add(aract)
    members = add_members(cluster, 5)
    first = SessionFactory(
        cluster=cluster,
        number=1,
        held_on=datetime.date(2026, 3, 10),
        kind="lancement",
        key_points="Les établissements partagent leurs constats.",
    )
    SessionFactory(
        cluster=cluster,
        number=2,
        held_on=datetime.date(2026, 5, 19),
        kind="collective",
        is_confidential=True,
        key_points=CONFIDENTIAL_TEXT,
        agenda=CONFIDENTIAL_TEXT,
    )
    for membership in members:
        Attendance.objects.create(session=first, membership=membership, role="direction", count=1)
    DelegationContact.objects.create(
        membership=members[0], role="direction", name=CONTACT_NAME, email="d.c@example.invalid"
    )
    experiment = Experiment.objects.create(
        membership=members[0],
        title="Transmissions ciblées",
        starts_on=datetime.date(2026, 4, 1),
        status="en_cours",
    )
    indicator = Indicator.objects.create(
        experiment=experiment,
        name="Taux d'absentéisme",
        unit="%",
        baseline=Decimal("9.5"),
        target=Decimal("7"),
        higher_is_better=False,
    )
    Measurement.objects.create(
        indicator=indicator, measured_on=datetime.date(2026, 6, 1), value=Decimal("8.4")
    )
    Monograph.objects.create(
        membership=members[1],
        title="Monographie test",
        lessons="Le trinôme a porté la démarche.",
        outlook="Étendre aux équipes de nuit.",
        status=Monograph.Status.VALIDEE,
    )
    return cluster
