"""The counts the database keeps for the figures (programme migration 0007): whatever is written,
the triggers leave what a recount from the rows gives, and the figures read from them are
those a plain count of the rows gives."""

from collections import defaultdict

import pytest
from django.core.management import call_command
from django.utils import timezone

from clusters.models import Cluster, Membership, Phase, Session
from establishments.models import Category, LegalStatus, Sector
from experiments.models import Experiment, Monograph
from programme.models import FigureCount
from programme.statistics import dashboard_figures, recount_figures
from tests.factories import ClusterFactory, SessionFactory, add_members

pytestmark = pytest.mark.django_db


def assert_counts_match_a_recount():
    assert recount_figures() == 0


def mutations(programme):
    """Every kind of write the triggers follow, each one checked against a recount."""
    c1, c2, c3 = programme.c1, programme.c2, programme.c3
    c4 = Cluster.objects.get(status=Cluster.Status.BROUILLON)
    e1 = c1.memberships.get(phase=Phase.PERENNISATION).establishment
    yield "a draft constituted", lambda: Cluster.objects.filter(pk=c4.pk).update(status="constitue")
    yield (
        "a cluster back to draft",
        lambda: Cluster.objects.filter(pk=c2.pk).update(status="brouillon"),
    )
    yield "and counted again", lambda: Cluster.objects.filter(pk=c2.pk).update(status="en_cours")
    other = Category.objects.exclude(code=e1.category_code).first()
    # e1 is in two waves: its distinct counts move once, under the new keys.
    yield "a registry row changing keys", lambda: type(e1).objects.filter(pk=e1.pk).update(
        sector="social", legal_status="prive_commercial", category_code=other.code,
        category_label=other.label,
    )  # fmt: skip
    yield "a theme taken", lambda: c1.themes.remove(programme.themes[0])
    yield "a theme given", lambda: c3.themes.add(programme.themes[0], programme.themes[1])
    yield (
        "a phase reached",
        lambda: Membership.objects.filter(cluster=c3).update(phase=Phase.EXPERIMENTATION),
    )
    yield "an experiment evaluated", lambda: Experiment.objects.update(status="evaluee")
    yield (
        "an experiment added",
        lambda: Experiment.objects.create(
            membership=c3.memberships.first(), title="Essai", status="en_cours"
        ),
    )
    yield "a session published", lambda: Session.objects.update(is_draft=False)
    yield "a session deleted", lambda: Session.objects.filter(cluster=c1).first().delete()
    yield (
        "a member and its experiment deleted",
        lambda: (
            Monograph.objects.filter(membership__cluster=c2).delete(),
            Membership.objects.filter(cluster=c2, experiments__isnull=False).get().delete(),
        ),
    )
    yield (
        "a cluster with members added",
        lambda: add_members(
            ClusterFactory(region_code="53", wave=programme.wave_b, status="constitue"), 3
        ),
    )
    yield (
        "a cluster's wave changed",
        lambda: Cluster.objects.filter(pk=c4.pk).update(wave=programme.wave_a),
    )
    yield "a session added", lambda: SessionFactory(cluster=c3, number=9)
    yield (
        "a cluster deleted",
        lambda: (
            Monograph.objects.filter(membership__cluster=c1).delete(),
            Cluster.objects.get(pk=c1.pk).delete(),
        ),
    )


def test_every_write_leaves_the_counts_a_recount_gives(programme):
    assert_counts_match_a_recount()
    for what, write in mutations(programme):
        write()
        try:
            assert_counts_match_a_recount()
        except AssertionError as error:
            raise AssertionError(f"after {what}") from error


@pytest.mark.parametrize("wave", [None, "2030", "2031"])
def test_the_figures_are_those_of_a_plain_count_of_the_rows(programme, national, wave):
    for _what, write in mutations(programme):
        write()
    summary, breakdowns = dashboard_figures(user=national, wave_code=wave)
    expected = plain_count(wave)
    assert summary["total"] == expected["total"]
    assert {row["wave"]: row for row in summary["waves"]} == expected["waves"]
    for key in ("by_region", "by_sector", "by_status", "by_theme"):
        assert _nonzero(summary[key]) == expected[key], key
    for key in ("by_legal_status", "by_category", "by_phase", "experiments_by_status"):
        assert _nonzero(breakdowns[key]) == expected[key], key


def _nonzero(rows):
    """The rows' figures by their first value, the rows of zeros left out."""
    return {
        next(iter(row.values())): {k: v for k, v in row.items() if isinstance(v, int)}
        for row in rows
        if any(isinstance(v, int) and v for v in row.values())
    }


def plain_count(wave):
    """Every figure counted in Python over the rows, from the definitions."""
    today = timezone.localdate()
    memberships = [
        m
        for m in Membership.objects.select_related("cluster__region", "establishment", "wave")
        if m.cluster.status != "brouillon" and (not wave or m.wave.code == wave)
    ]
    clusters = [
        c
        for c in Cluster.objects.select_related("wave", "region")
        if c.status != "brouillon" and (not wave or c.wave.code == wave)
    ]
    experiments = [
        x
        for x in Experiment.objects.select_related("membership__cluster", "membership__wave")
        if x.membership.cluster.status != "brouillon"
        and (not wave or x.membership.wave.code == wave)
    ]
    sessions = [
        s
        for s in Session.objects.select_related("cluster__wave")
        if not s.is_draft and s.held_on <= today and (not wave or s.cluster.wave.code == wave)
    ]
    published = [
        m
        for m in Monograph.objects.select_related("membership__wave")
        if m.status == "publiee" and (not wave or m.membership.wave.code == wave)
    ]

    def figures(of_clusters, of_memberships, of_experiments, of_sessions, of_published):
        return {
            "clusters": len(of_clusters),
            "regions": len({c.region_id for c in of_clusters}),
            "participations": len(of_memberships),
            "establishments": len({m.establishment_id for m in of_memberships}),
            "sessions": len(of_sessions),
            "experiments": len(of_experiments),
            "monographs_published": len(of_published),
        }

    def registry(attribute):
        groups = defaultdict(list)
        for m in memberships:
            groups[attribute(m.establishment)].append(m)
        return {
            key: {
                "clusters": len({m.cluster_id for m in rows}),
                "participations": len(rows),
                "establishments": len({m.establishment_id for m in rows}),
            }
            for key, rows in groups.items()
        }

    def counted(rows, key, **columns):
        groups = defaultdict(list)
        for row in rows:
            groups[key(row)].append(row)
        return {k: {name: f(v) for name, f in columns.items()} for k, v in groups.items()}

    waves = {
        code: figures(
            [c for c in clusters if c.wave.code == code],
            [m for m in memberships if m.wave.code == code],
            [x for x in experiments if x.membership.wave.code == code],
            [s for s in sessions if s.cluster.wave.code == code],
            [m for m in published if m.membership.wave.code == code],
        )
        for code in {c.wave.code for c in clusters} | {m.wave.code for m in memberships}
    }
    by_cluster_theme = [(theme.name, c) for c in clusters for theme in c.themes.all()]
    return {
        "total": figures(clusters, memberships, experiments, sessions, published),
        "waves": {code: {"wave": code, **row} for code, row in waves.items()},
        "by_region": {
            code: {
                "clusters": sum(c.region.code == code for c in clusters),
                "participations": len(members),
                "establishments": len({m.establishment_id for m in members}),
            }
            for code in {c.region.code for c in clusters}
            for members in [[m for m in memberships if m.cluster.region.code == code]]
        },
        "by_sector": registry(lambda e: e.sector),
        "by_legal_status": registry(lambda e: e.legal_status),
        "by_category": registry(lambda e: e.category_code),
        "by_status": {
            status: {
                "clusters": sum(c.status == status for c in clusters),
                "participations": sum(m.cluster.status == status for m in memberships),
            }
            for status in {c.status for c in clusters}
        },
        "by_theme": {
            name: {
                "clusters": sum(n == name for n, _c in by_cluster_theme),
                # A participation of the wave (the membership's) in a cluster with the theme.
                "participations": sum(
                    name in {theme.name for theme in m.cluster.themes.all()} for m in memberships
                ),
            }
            for name in {n for n, _c in by_cluster_theme}
        },
        "by_phase": counted(memberships, lambda m: m.phase, participations=len),
        "experiments_by_status": counted(experiments, lambda x: x.status, experiments=len),
    }


def test_the_choices_of_every_breakdown_fit_the_counts_keys():
    """Keys are stored in 20 characters (FigureCount.key): every choice must fit."""
    choices = [Sector, LegalStatus, Phase, Cluster.Status, Experiment.Status]
    longest = max(len(value) for kind in choices for value in kind.values)
    assert longest <= FigureCount._meta.get_field("key").max_length


def test_the_recount_command_repairs_counts_a_load_went_around(programme, capsys):
    call_command("recount_figures")
    assert "ils étaient à jour" in capsys.readouterr().out
    FigureCount.objects.filter(dimension="total", wave=None).update(participations=0)
    themes, _ = FigureCount.objects.filter(dimension="theme").delete()
    call_command("recount_figures")
    changed = 2 + themes  # the two regions' totals, and every theme row
    expected = f"Chiffres recomptés : {changed} ligne(s) corrigée(s)."
    assert capsys.readouterr().out.strip() == expected
