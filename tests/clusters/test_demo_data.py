import io

import pytest
from django.core.management import call_command

from accounts.models import User
from clusters.models import Cluster, DelegationContact, Membership, Session
from experiments.models import Experiment, Indicator, Monograph
from web.management.commands.seed_demo import KINDS

pytestmark = pytest.mark.django_db


def counts():
    return {
        "clusters": Cluster.objects.count(),
        "memberships": Membership.objects.count(),
        "contacts": DelegationContact.objects.count(),
        "sessions": Session.objects.count(),
        "experiments": Experiment.objects.count(),
        "monographs": Monograph.objects.count(),
        "users": User.objects.count(),
    }


def test_seed_demo_builds_the_published_programme_and_is_idempotent(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("seed_demo", verbosity=0)
    first = counts()
    output = io.StringIO()
    call_command("seed_demo", verbosity=0, stdout=output)
    assert counts() == first
    # One summary line per kind of object (nothing created the second time), then the logins.
    lines = output.getvalue().splitlines()
    assert [line.split(" : ")[0] for line in lines[: len(KINDS)]] == [k for k, _m in KINDS]
    assert f"Clusters : 0 créé(s), {first['clusters']} au total" in lines
    assert lines[len(KINDS)].startswith("Comptes de démonstration : ars-11, aract-11")
    assert not any(line.startswith("{") for line in lines)  # no JSON log line in between

    # The published figures, counted as every page counts them (drafts never).
    for code, clusters, regions, participations in [("2016", 12, 11, 80), ("2017", 17, 13, 110)]:
        wave_clusters = Cluster.objects.counted().filter(wave__code=code)
        assert wave_clusters.count() == clusters
        assert wave_clusters.values("region").distinct().count() == regions
        wave_memberships = Membership.objects.counted().filter(cluster__wave__code=code)
        assert wave_memberships.count() == participations
    assert Membership.objects.counted().values("establishment").distinct().count() == 189
    assert Cluster.objects.filter(status="brouillon").exists()  # drafts exist, uncounted
    assert set(Monograph.objects.values_list("status", flat=True)) == {
        "brouillon",
        "soumise",
        "validee",
        "publiee",
    }
    assert Indicator.objects.exists()
    assert set(Cluster.objects.values_list("status", flat=True)) == {
        "brouillon",
        "constitue",
        "en_cours",
        "cloture",
    }
    ars = User.objects.get(username="ars-11")
    assert ars.check_password("demo-password-for-tests")
    assert ars.roles.ars_region_ids
    assert User.objects.filter(username__in=["dgos", "admin", "aract-94"]).count() == 3
