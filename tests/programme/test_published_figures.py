"""The published figures: stored with their source, a date and (when known) an address, edited by
the programme team through an audited form, shown on the dashboard beside the computed ones."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from programme import services
from programme.models import PublishedFigure
from programme.statistics import national_summary, published_comparison

pytestmark = pytest.mark.django_db


def _figure(label, wave_code=""):
    return PublishedFigure.objects.get(label=label, wave_code=wave_code)


def test_every_figure_has_a_source_and_a_date_and_the_attributions_follow_the_sources():
    figures = list(PublishedFigure.objects.all())
    assert all(figure.source and figure.published_on for figure in figures)
    near_200 = _figure("Établissements")
    assert near_200.text == "près de 200"
    assert near_200.source.startswith("RSE Magazine")
    assert near_200.published_when == "26/09/2017"
    almost_all = _figure("Régions")
    assert almost_all.text == "quasiment toutes les régions"
    assert "DGOS" in almost_all.source
    assert "DGOS" in _figure("Clusters (« projets »)").source  # 29: the DGOS page only
    assert "HAS" in _figure("Clusters (« projets »)", "2016").source
    evaluation = _figure("Établissements (évaluation)", "2017")
    assert evaluation.source_url == "https://hal.science/hal-02284901"
    assert evaluation.published_when == "2019"


def test_the_evaluations_own_figures_are_stored_with_the_interviews_split():
    by_metric = {figure.metric: figure.value for figure in PublishedFigure.objects.all()}
    assert by_metric["evaluated_establishments"] == 10
    assert by_metric["evaluated_regions"] == 5
    assert by_metric["interviews"] == 170
    assert (by_metric["interviews_establishments"], by_metric["interviews_regional"]) == (139, 31)


def test_figures_the_application_does_not_compute_have_no_computed_value_nor_gap(national):
    rows = published_comparison(national_summary(user=national))
    interviews = next(row for row in rows if row["published"] == 170)
    assert interviews["computed"] is None and interviews["difference"] is None
    clusters_2016 = next(r for r in rows if r["label"].startswith("Clusters") and r["wave"])
    assert clusters_2016["computed"] is not None


def test_the_dashboard_shows_the_evaluation_figures_and_the_source_links(client, national):
    client.force_login(national)
    page = client.get(reverse("programme:dashboard")).content.decode()
    table = page[page.index('id="published-title"') : page.index('id="exports-title"')]
    assert "dont auprès des acteurs régionaux" in table
    assert "non calculé" in table
    assert '<a href="https://hal.science/hal-02284901">' in table
    assert "Modifier les chiffres publiés" not in page  # the national reader edits nothing


def test_the_programme_team_lists_the_figures_with_their_sources(client, programme_team):
    client.force_login(programme_team)
    page = client.get(reverse("programme:figure-list")).content.decode()
    assert page.count("Modifier<span") == PublishedFigure.objects.count()
    assert "26/09/2017" in page and "quasiment toutes les régions" in page
    assert "adresse à compléter" in page
    dashboard = client.get(reverse("programme:dashboard")).content.decode()
    assert reverse("programme:figure-list") in dashboard


def _form_data(figure, **changes):
    data = {
        "label": figure.label,
        "metric": figure.metric,
        "wave_code": figure.wave_code,
        "value": "" if figure.value is None else figure.value,
        "text": figure.text,
        "source": figure.source,
        "source_url": figure.source_url,
        "published_on": figure.published_on.isoformat(),
        "date_precision": figure.date_precision,
        "note": figure.note,
        "position": figure.position,
    }
    return {**data, **changes}


def test_the_programme_team_edits_a_figure_and_the_change_is_audited(client, programme_team):
    figure = _figure("Établissements distincts")
    client.force_login(programme_team)
    url = reverse("programme:figure-edit", args=[figure.pk])
    data = _form_data(
        figure,
        source_url="https://example.org/dgos-qvt",
        published_on="2017-10-01",
        date_precision="month",
    )
    assert client.post(url, data).status_code == 302
    figure.refresh_from_db()
    assert figure.source_url == "https://example.org/dgos-qvt"
    assert figure.published_when == "octobre 2017"
    entry = LogEntry.objects.get_for_object(figure).latest("timestamp")
    assert entry.actor == programme_team and "source_url" in entry.changes_dict


def test_the_programme_team_adds_a_figure(client, programme_team):
    client.force_login(programme_team)
    data = {
        "label": "Clusters médico-sociaux",
        "metric": "clusters",
        "wave_code": "",
        "value": "3",
        "text": "",
        "source": "Source de test",
        "source_url": "",
        "published_on": "2018-03-01",
        "date_precision": "day",
        "note": "",
        "position": "40",
    }
    assert client.post(reverse("programme:figure-create"), data).status_code == 302
    added = PublishedFigure.objects.get(label="Clusters médico-sociaux")
    assert added.published_on == datetime.date(2018, 3, 1) and added.value == 3


def test_a_figure_needs_a_value_or_words_a_date_and_a_known_wave(client, programme_team):
    figure = _figure("Établissements distincts")
    client.force_login(programme_team)
    url = reverse("programme:figure-edit", args=[figure.pk])
    data = _form_data(figure, value="", text="", published_on="", wave_code="1999")
    response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Indiquez le nombre publié, ou la valeur en toutes lettres." in page
    assert "Indiquez la date de publication." in page
    assert "Choisissez une vague." in page
    figure.refresh_from_db()
    assert figure.value == 189


@pytest.mark.parametrize("persona", ["national", "ars", "admin"])
def test_only_the_programme_team_edits_published_figures(client, request, persona):
    user = request.getfixturevalue(persona)
    figure = _figure("Établissements distincts")
    client.force_login(user)
    assert client.get(reverse("programme:figure-list")).status_code == 403
    url = reverse("programme:figure-edit", args=[figure.pk])
    assert client.post(url, _form_data(figure, value="1")).status_code == 403
    figure.refresh_from_db()
    assert figure.value == 189
    figure.value = 1
    with pytest.raises(PermissionDenied):
        services.published_figure_save(figure=figure, by=user)
    figure.refresh_from_db()
    assert figure.value == 189
