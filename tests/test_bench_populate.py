"""bench.populate at a tiny scale: the rows it writes keep the domain's rules."""

import pytest
from django.db import connection
from django.db.models import Count, F

from bench.populate import Loader, _reset
from clusters.models import Cluster, Membership
from establishments.finess import finess_error
from establishments.models import Establishment, search_text_of
from experiments.models import Monograph
from programme.models import FigureCount, FigurePresence
from programme.statistics import recount_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    Loader(connection, scale=0.01, password="Bench-QVT-2026!").run()


def test_generated_establishments_have_valid_finess_numbers_and_search_text(loaded):
    establishments = list(Establishment.objects.all())
    assert len(establishments) == 1000
    assert all(finess_error(e.finess) is None for e in establishments)
    assert all(e.search_text == search_text_of(e) for e in establishments[:50])
    assert {e.department.code for e in establishments} >= {"2A", "2B", "971", "976"}


def test_generated_memberships_keep_the_cluster_rules(loaded):
    active = Membership.objects.active()
    assert not active.exclude(establishment__region=F("cluster__region")).exists()
    per_cluster = active.values("cluster").annotate(n=Count("id"))
    assert max(row["n"] for row in per_cluster) <= 8
    per_wave = active.values("establishment", "wave").annotate(n=Count("id"))
    assert max(row["n"] for row in per_wave) == 1
    started = Cluster.objects.exclude(status=Cluster.Status.BROUILLON)
    assert all(5 <= c.memberships.active().count() <= 8 for c in started)


def test_the_figures_counts_follow_the_copy_and_the_reset(loaded):
    """COPY fires the row triggers: the counts are kept as the rows are loaded. TRUNCATE fires
    none: --reset empties the counts with the tables they count."""
    totals = FigureCount.objects.filter(dimension="total", wave=None)
    counted = Membership.objects.counted().count()
    assert counted and sum(totals.values_list("participations", flat=True)) == counted
    assert recount_figures() == 0
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending checks
    _reset(connection)
    assert not FigureCount.objects.exists() and not FigurePresence.objects.exists()


def test_a_third_of_the_generated_monographs_are_published_and_redacted(loaded):
    total = Monograph.objects.count()
    published = Monograph.objects.filter(status=Monograph.Status.PUBLIEE).count()
    assert total == 30 and published == 10
    # As publication leaves them: the masked texts stored, which the public pages read.
    for monograph in Monograph.objects.filter(status=Monograph.Status.PUBLIEE):
        stored = dict(monograph.redacted_sections)
        monograph.redact()
        assert stored == monograph.redacted_sections
        assert set(stored) == {name for name, _label, _text in monograph.sections()} | {"summary"}


def test_the_loader_analyzes_every_table_it_loaded():
    from tests.statistics import analyze_counts

    loaded = (Establishment, Cluster, Cluster.themes.through, Membership, Monograph)
    before = analyze_counts(*loaded)
    loader = Loader(connection, scale=0.01, password="Bench-QVT-2026!")
    loader.run()
    assert set(loaded) <= loader.copied
    assert analyze_counts(*loaded) == {table: count + 1 for table, count in before.items()}


def test_every_benchmarked_page_answers_on_the_generated_data():
    """The benchmark finds every page it lists and each one answers (not "absent", not 500), on
    the dataset of its query-count column (scale 0.1: every kind of cluster in each region)."""
    from bench import measure
    from bench import pages as bench_pages

    Loader(connection, scale=0.1, password="Bench-QVT-2026!").run()

    clients = {}
    for page, url in bench_pages.page_urls():
        assert url, f"{page.key}: no such URL"
        if page.user not in clients:
            clients[page.user] = measure.client_for(page.user)
        row = measure.measure(clients[page.user], url, False, 0, 0, None)
        assert row["status"] == 200, (page.key, url, row)
        assert row["queries"] > 0 or page.user is None, page.key
