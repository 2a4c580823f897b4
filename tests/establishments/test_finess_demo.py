"""The issue's scenario on the demo data: the 60-line synthetic sample (a partial extract for the
demo registry) stops before writing; allowed, it keeps every member of a running cluster."""

import pytest
from django.core.management import call_command

from clusters.models import Cluster, Membership
from establishments.models import Establishment
from tests.establishments.conftest import SYNTHETIC

pytestmark = pytest.mark.django_db


def test_a_partial_extract_on_the_demo_data_exits_3_then_flags_running_members(
    monkeypatch, import_finess
):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    call_command("seed_demo", verbosity=0)
    before = list(Establishment.objects.order_by("pk").values())
    active = Establishment.objects.filter(is_active=True).count()
    running = Membership.objects.active().exclude(cluster__status=Cluster.Status.CLOTURE)
    listed = {
        line.split(";")[1]
        for line in SYNTHETIC.read_text(encoding="utf-8").splitlines()
        if line.startswith("structureet;")
    }
    running_members = set(
        running.exclude(establishment__finess__in=listed).values_list("establishment_id", flat=True)
    )
    assert running_members  # the demo has running clusters, whose members the sample omits

    run = import_finess(SYNTHETIC)
    assert run.code == 3
    assert f"des {active} établissements actifs" in run.stderr
    assert list(Establishment.objects.order_by("pk").values()) == before  # nothing changed

    run = import_finess(SYNTHETIC, "--allow-deactivation")
    assert run.code == 0
    assert run.counts["deactivated"] > 0
    flagged = Establishment.objects.filter(is_active=True, finess_closed_on__isnull=False)
    assert set(flagged.values_list("pk", flat=True)) == running_members
    assert set(running.values_list("establishment_id", flat=True)) == running_members
    assert set(
        Membership.objects.closed_in_finess().values_list("establishment_id", flat=True)
    ) == (running_members)
    # The member search offers none of the demo's establishments any more.
    assert not Establishment.objects.filter(pk__in=running_members).open().exists()
