"""A small programme whose every figure is computed by hand in the docstring of `programme`."""

import datetime
from dataclasses import dataclass

import pytest

from clusters.models import Cluster, DelegationContact, Membership, Theme
from establishments.models import Category
from experiments.models import Experiment, Monograph
from tests.factories import ClusterFactory, EstablishmentFactory, SessionFactory, WaveFactory

CATEGORY_OF_SECTOR = {"sanitaire": "355", "medico_social": "500", "social": "177"}
SECRET = "SECRET-EDT-NE-PAS-EXPORTER"
CONTACT = ("Jeanne Contact", "jeanne.contact@example.invalid", "0102030405")


@dataclass
class Programme:
    wave_a: object
    wave_b: object
    c1: Cluster
    c2: Cluster
    c3: Cluster
    themes: list


def establishment(region_code, sector, legal_status, **kwargs):
    category = Category.objects.get(code=CATEGORY_OF_SECTOR[sector])
    return EstablishmentFactory(
        region_code=region_code,
        category=category,
        category_code=category.code,
        sector=sector,
        legal_status=legal_status,
        **kwargs,
    )


# The detailed export's header row, as a reader sees it (CSV and XLSX alike).
DETAIL_HEADERS = [
    "Cluster",
    "Vague",
    "Code région",
    "Région",
    "FINESS",
    "Établissement",
    "Code catégorie",
    "Catégorie",
    "Secteur",
    "Statut juridique",
    "Phase",
    "Date de retrait",
]


def join(cluster, est, **kwargs):
    return Membership.objects.create(
        cluster=cluster,
        establishment=est,
        wave=cluster.wave,
        joined_on=datetime.date(2026, 2, 1),
        **kwargs,
    )


@pytest.fixture
def programme(db):
    """Waves A (2030) and B (2031); themes T1 < T2 < T3 (by name).

    c1: A, Île-de-France (11), clôturé, themes T1+T2: e1 san/public, e2 san/public,
        e3 ms/espic, e4 ms/privé non lucratif, e5 ms/privé non lucratif.
    c2: A, Bretagne (53), en cours, theme T1: e6 san/public, e7..e10 social/privé non lucratif,
        and e15 social/privé commercial, withdrawn since (still a participation).
    c3: B, Île-de-France, constitué, theme T3: e1 again (second wave), e11..e14 ms/public.
    c4: B, Île-de-France, brouillon, theme T3: e16 san/public (a draft: never counted).

    Sessions: c1 two held (one confidential) and one draft; c3 one in the future (not held).
    Experiments: e1@c1 en cours, e6@c2 évaluée. Monographs: e1@c1 published, e2@c1 draft.
    Phases: e1@c1 pérennisation, every other one cadrage.
    """
    wave_a = WaveFactory(code="2030", ends_on=datetime.date(2031, 12, 31))
    wave_b = WaveFactory(code="2031")
    t1, t2, t3 = Theme.objects.order_by("name")[:3]
    c1 = ClusterFactory(region_code="11", wave=wave_a, themes=[t1, t2], status="cloture")
    c2 = ClusterFactory(region_code="53", wave=wave_a, themes=[t1], status="en_cours")
    c3 = ClusterFactory(region_code="11", wave=wave_b, themes=[t3], status="constitue")
    c4 = ClusterFactory(region_code="11", wave=wave_b, themes=[t3], status="brouillon")

    e1 = establishment("11", "sanitaire", "public")
    m1 = join(c1, e1, phase="perennisation")
    m2 = join(c1, establishment("11", "sanitaire", "public"))
    join(c1, establishment("11", "medico_social", "espic"))
    for _ in range(2):
        join(c1, establishment("11", "medico_social", "prive_non_lucratif"))
    m6 = join(c2, establishment("53", "sanitaire", "public"))
    for _ in range(4):
        join(c2, establishment("53", "social", "prive_non_lucratif"))
    join(
        c2,
        establishment("53", "social", "prive_commercial"),
        withdrawn_on=datetime.date(2026, 3, 1),
        withdrawal_reason="Départ",
    )
    join(c3, e1)
    for _ in range(4):
        join(c3, establishment("11", "medico_social", "public"))
    join(c4, establishment("11", "sanitaire", "public"))

    SessionFactory(cluster=c1, number=1, held_on=datetime.date(2026, 3, 1))
    SessionFactory(
        cluster=c1,
        number=2,
        held_on=datetime.date(2026, 4, 1),
        is_confidential=True,
        key_points=SECRET,
    )
    SessionFactory(cluster=c1, number=3, held_on=datetime.date(2026, 5, 1), is_draft=True)
    SessionFactory(cluster=c3, number=1, held_on=datetime.date(2099, 1, 1))
    Experiment.objects.create(membership=m1, title="Essai 1", status="en_cours")
    Experiment.objects.create(membership=m6, title="Essai 6", status="evaluee")
    Monograph.objects.create(membership=m1, title="Publiée", status="publiee")
    Monograph.objects.create(membership=m2, title="Brouillon", status="brouillon")
    DelegationContact.objects.create(
        membership=m1, role="direction", name=CONTACT[0], email=CONTACT[1], phone=CONTACT[2]
    )
    return Programme(wave_a, wave_b, c1, c2, c3, [t1, t2, t3])
