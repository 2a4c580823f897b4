"""With the demo data, the dashboard and the JSON export show the published figures."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from programme.models import PublishedFigure
from programme.statistics import national_summary, published_comparison
from web import demo

pytestmark = pytest.mark.django_db


def test_published_figures_are_stored_with_their_source_and_date():
    figures = {(f.label, f.wave_code): f for f in PublishedFigure.objects.all()}
    assert figures[("Clusters (« projets »)", "2016")].value == 12
    assert figures[("Établissements", "")].text == "près de 200"
    assert figures[("Établissements distincts", "")].value == 189
    assert figures[("Établissements (évaluation)", "2017")].value == 85
    assert all(f.source and f.published_when for f in figures.values())


def test_demo_data_match_the_published_figures_on_the_dashboard_and_in_the_json(client):
    demo.seed(password=None)
    dgos = User.objects.get(username="dgos")

    output = io.StringIO()
    call_command("export_national", "--format", "json", stdout=output)
    exported = json.loads(output.getvalue())
    summary = json.loads(json.dumps(national_summary(user=dgos)))
    assert {key: exported[key] for key in summary} == summary
    waves = {w["wave"]: w for w in exported["waves"]}
    assert (waves["2016"]["clusters"], waves["2017"]["clusters"]) == (12, 17)
    assert (waves["2016"]["regions"], waves["2017"]["regions"]) == (11, 13)
    assert (waves["2016"]["participations"], waves["2017"]["participations"]) == (80, 110)
    assert exported["total"]["clusters"] == 29
    assert exported["total"]["participations"] == 190
    assert exported["total"]["establishments"] == 189

    # Row for row: every exact figure of the HAS and DGOS sources is matched; the evaluation's
    # own counts (79 and 85 establishments) are kept and shown with their gap.
    comparison = published_comparison(national_summary(user=dgos))
    exact = [row for row in comparison if row["difference"] is not None]
    evaluation = [row for row in exact if "évaluation" in row["label"]]
    assert [(r["wave"], r["published"], r["computed"]) for r in exact if r not in evaluation] == [
        ("2016", 12, 12),
        ("2017", 17, 17),
        ("", 29, 29),
        ("2016", 11, 11),
        ("2017", 13, 13),
        ("2016", 80, 80),
        ("2017", 110, 110),
        ("", 189, 189),
    ]
    assert [(r["published"], r["difference"]) for r in evaluation] == [(79, 1), (85, 25)]

    client.force_login(dgos)
    page = client.get(reverse("programme:dashboard")).content.decode()
    for text in ["près de 200", "quasiment toutes les régions", "2019"]:
        assert text in page
    assert page.count("identique") == 8
    key_figures = page[page.index('id="key-figures-title"') : page.index('id="published-title"')]
    for row in [
        '<th scope="row">2016</th><td>12</td><td>11</td><td>80</td><td>80</td>',
        '<th scope="row">2017</th><td>17</td><td>13</td><td>110</td><td>110</td>',
        '<th scope="row">Total</th><td>29</td><td>13</td><td>190</td><td>189</td>',
    ]:
        assert row in key_figures
