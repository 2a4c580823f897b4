"""National summaries against the hand-computed `programme` fixture (see its docstring)."""

import pytest

from programme.statistics import dashboard_figures, national_breakdowns, national_summary
from tests.factories import ClusterFactory, add_members

pytestmark = pytest.mark.django_db


def zeros(**figures):
    row = dict.fromkeys(
        [
            "clusters",
            "regions",
            "participations",
            "establishments",
            "sessions",
            "experiments",
            "monographs_published",
        ],
        0,
    )
    row.update(figures)
    return row


def test_waves_and_total_count_participations_and_distinct_establishments(programme, national):
    summary = national_summary(user=national)
    assert summary["waves"] == [
        {
            "wave": "2030",
            **zeros(
                clusters=2,
                regions=2,
                participations=11,
                establishments=11,
                sessions=2,
                experiments=2,
                monographs_published=1,
            ),
        },
        {"wave": "2031", **zeros(clusters=1, regions=1, participations=5, establishments=5)},
    ]
    # e1 takes part in both waves: 16 participations (the withdrawn e15 included), 15 distinct
    # establishments; the draft c4 and its member never count.
    assert summary["total"] == zeros(
        clusters=3,
        regions=2,
        participations=16,
        establishments=15,
        sessions=2,
        experiments=2,
        monographs_published=1,
    )


def test_summary_keys_are_exactly_those_of_the_json_export(programme, national):
    summary = national_summary(user=national)
    assert list(summary) == ["waves", "total", "by_region", "by_sector", "by_status", "by_theme"]
    assert "wave" not in summary["total"]


def test_breakdown_by_region_lists_every_region_for_the_map(programme, national):
    by_region = {r["region_code"]: r for r in national_summary(user=national)["by_region"]}
    assert len(by_region) == 18
    assert by_region["11"] == {
        "region_code": "11",
        "region": "Île-de-France",
        "clusters": 2,
        "participations": 10,
        "establishments": 9,
    }
    assert (by_region["53"]["clusters"], by_region["53"]["participations"]) == (1, 6)
    assert by_region["53"]["establishments"] == 6
    assert by_region["24"]["clusters"] == by_region["24"]["participations"] == 0


def test_breakdown_by_sector(programme, national):
    rows = {r["sector"]: r for r in national_summary(user=national)["by_sector"]}
    assert list(rows) == ["sanitaire", "medico_social", "social", "hors_champ", "a_qualifier"]
    figures = {
        k: (r["clusters"], r["participations"], r["establishments"]) for k, r in rows.items()
    }
    assert figures == {
        "sanitaire": (3, 4, 3),
        "medico_social": (2, 7, 7),
        "social": (1, 5, 5),  # the withdrawn e15 counts: it took part
        "hors_champ": (0, 0, 0),
        "a_qualifier": (0, 0, 0),
    }


def test_breakdown_by_legal_status(programme, national):
    rows = national_breakdowns(user=national)["by_legal_status"]
    figures = {
        r["legal_status"]: (r["clusters"], r["participations"], r["establishments"]) for r in rows
    }
    assert figures == {
        "public": (3, 8, 7),
        "prive_non_lucratif": (2, 6, 6),
        "espic": (1, 1, 1),
        "prive_commercial": (1, 1, 1),  # e15, withdrawn
        "a_qualifier": (0, 0, 0),
    }


def test_breakdown_by_category(programme, national):
    rows = national_breakdowns(user=national)["by_category"]
    assert [
        (r["category_code"], r["clusters"], r["participations"], r["establishments"]) for r in rows
    ] == [("500", 2, 7, 7), ("177", 1, 5, 5), ("355", 3, 4, 3)]


def test_breakdown_by_cluster_status(programme, national):
    rows = national_summary(user=national)["by_status"]
    assert [(r["status"], r["clusters"], r["participations"]) for r in rows] == [
        ("brouillon", 0, 0),  # c4: a draft never counts
        ("constitue", 1, 5),
        ("en_cours", 1, 6),
        ("cloture", 1, 5),
    ]


def test_breakdown_by_theme_counts_a_cluster_under_each_of_its_themes(programme, national):
    t1, t2, t3 = (theme.name for theme in programme.themes)
    rows = national_summary(user=national)["by_theme"]
    assert [(r["theme"], r["clusters"], r["participations"]) for r in rows] == [
        (t1, 2, 11),
        (t2, 1, 5),
        (t3, 1, 5),
    ]


def test_breakdowns_by_phase_and_experiment_status(programme, national):
    breakdowns = national_breakdowns(user=national)
    phases = {r["phase"]: r["participations"] for r in breakdowns["by_phase"]}
    assert phases == {
        "cadrage": 15,
        "diagnostic": 0,
        "choix": 0,
        "experimentation": 0,
        "evaluation": 0,
        "perennisation": 1,
    }
    experiments = {r["status"]: r["experiments"] for r in breakdowns["experiments_by_status"]}
    assert experiments == {
        "envisagee": 0,
        "en_cours": 1,
        "evaluee": 1,
        "perennisee": 0,
        "abandonnee": 0,
    }


def test_wave_filter_restricts_every_figure(programme, national):
    summary = national_summary(user=national, wave_code="2031")
    assert [w["wave"] for w in summary["waves"]] == ["2031"]
    assert summary["total"] == zeros(clusters=1, regions=1, participations=5, establishments=5)
    by_region = {r["region_code"]: r["clusters"] for r in summary["by_region"]}
    assert by_region["11"] == 1 and by_region["53"] == 0
    assert [r["theme"] for r in summary["by_theme"]] == [programme.themes[2].name]
    by_sector = {r["sector"]: r["participations"] for r in summary["by_sector"]}
    assert by_sector["sanitaire"] == 1 and by_sector["medico_social"] == 4


def test_a_wave_without_clusters_gives_a_row_of_zeros(programme, national):
    summary = national_summary(user=national, wave_code="2099")
    assert summary["waves"] == [{"wave": "2099", **zeros()}]


def test_ars_staff_see_their_region_only(programme, ars):
    summary = national_summary(user=ars)
    assert summary["total"] == zeros(
        clusters=2,
        regions=1,
        participations=10,
        establishments=9,
        sessions=2,
        experiments=1,
        monographs_published=1,
    )
    assert [r["region_code"] for r in summary["by_region"]] == ["11"]
    by_sector = {r["sector"]: r["participations"] for r in summary["by_sector"]}
    assert by_sector == {
        "sanitaire": 3,
        "medico_social": 7,
        "social": 0,
        "hors_champ": 0,
        "a_qualifier": 0,
    }
    themes = {r["theme"]: r["clusters"] for r in summary["by_theme"]}
    assert themes == {t.name: 1 for t in programme.themes}  # c2 (Bretagne, T1) is not seen
    assert national_breakdowns(user=ars)["experiments_by_status"][2]["experiments"] == 0


def test_dashboard_figures_are_the_summary_and_the_breakdowns(programme, national):
    summary, breakdowns = dashboard_figures(user=national, wave_code="2030")
    assert summary == national_summary(user=national, wave_code="2030")
    assert breakdowns == national_breakdowns(user=national, wave_code="2030")


def test_a_user_without_role_sees_zeros(programme):
    from tests.factories import UserFactory

    assert national_summary(user=UserFactory())["total"] == zeros()


def test_the_summary_runs_a_constant_number_of_queries(
    programme, national, django_assert_num_queries
):
    national.roles  # noqa: B018 - load the role assignments before counting
    # Queries: the counts the database keeps, the sessions to come, the published monographs.
    for figures in (national_summary, national_breakdowns, dashboard_figures):
        with django_assert_num_queries(3):
            figures(user=national)
    for code in ("84", "93", "76"):  # much more data: same count
        add_members(ClusterFactory(region_code=code, wave=programme.wave_b), 6)
    for figures in (national_summary, national_breakdowns, dashboard_figures):
        with django_assert_num_queries(3):
            figures(user=national)
