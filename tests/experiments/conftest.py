import datetime

import pytest

from experiments.models import Experiment, Monograph
from tests.factories import add_members


@pytest.fixture
def member(cluster):
    """An active member establishment of the `cluster` facilitated by `aract`."""
    return add_members(cluster, 1)[0]


@pytest.fixture
def experiment(member):
    return Experiment.objects.create(
        membership=member,
        title="Planning co-construit en gériatrie",
        unit="Unité de soins de longue durée",
        starts_on=datetime.date(2026, 3, 1),
    )


@pytest.fixture
def monograph(member):
    return Monograph.objects.create(
        membership=member, title="Monographie des Tilleuls", context="Un contexte"
    )
