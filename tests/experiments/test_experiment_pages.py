"""Experiments per member establishment, indicators with dated measurements and their chart."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from experiments.models import Experiment, Indicator, Measurement

pytestmark = pytest.mark.django_db


def test_facilitator_creates_an_experiment_with_all_fields(client, aract, member):
    client.force_login(aract)
    from clusters.models import Theme

    theme = Theme.objects.order_by("name").first()
    response = client.post(
        reverse("experiments:experiment-create", args=[member.pk]),
        {
            "title": "Binômes de jour",
            "themes": [theme.pk],
            "problem": "Glissements de tâches",
            "objectives": "Réduire les rappels sur repos",
            "unit": "Médecine interne",
            "starts_on": "2026-03-01",
            "ends_on": "2026-12-31",
            "status": "en_cours",
            "actions": "Réunions d'équipe mensuelles",
        },
    )
    experiment = Experiment.objects.get()
    assert response.url == reverse("experiments:experiment-detail", args=[experiment.pk])
    assert experiment.membership == member and experiment.status == "en_cours"
    assert list(experiment.themes.all()) == [theme]


def test_dates_out_of_order_are_refused_in_french(client, aract, member):
    client.force_login(aract)
    response = client.post(
        reverse("experiments:experiment-create", args=[member.pk]),
        {
            "title": "Essai",
            "status": "envisagee",
            "starts_on": "2026-05-01",
            "ends_on": "2026-01-01",
        },
    )
    assert "La fin ne peut pas précéder le début." in response.content.decode()
    assert not Experiment.objects.exists()


def test_indicators_and_measurements_show_as_a_chart(client, aract, experiment):
    client.force_login(aract)
    client.post(
        reverse("experiments:indicator-create", args=[experiment.pk]),
        {"name": "Absentéisme", "unit": "%", "baseline": "9", "target": "6"},  # lower is better
    )
    indicator = Indicator.objects.get()
    assert indicator.higher_is_better is False
    url = reverse("experiments:measurement-create", args=[indicator.pk])
    client.post(url, {"measured_on": "2026-06-01", "value": "8"})
    client.post(url, {"measured_on": "2026-09-01", "value": "7,5"})  # French decimal comma
    client.post(url, {"measured_on": "2026-09-01", "value": "7"})  # same date: replaced
    assert [m.value for m in indicator.measurements.all()] == [Decimal("8"), Decimal("7")]
    page = client.get(reverse("experiments:experiment-detail", args=[experiment.pk]))
    html = page.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert "Vers la cible" in html
    assert "<caption>Mesures de Absentéisme</caption>" in html  # the data table beside


@pytest.mark.parametrize("persona", ["ars", "national"])
def test_only_facilitators_write_experiments(client, request, member, experiment, persona):
    client.force_login(request.getfixturevalue(persona))
    create = reverse("experiments:experiment-create", args=[member.pk])
    assert client.post(create, {"title": "x", "status": "envisagee"}).status_code == 403
    indicator = reverse("experiments:indicator-create", args=[experiment.pk])
    assert client.get(indicator).status_code == 403
    detail = reverse("experiments:experiment-detail", args=[experiment.pk])
    assert client.get(detail).status_code == 200


def test_another_regions_experiment_answers_404(client, ars_other_region, experiment):
    client.force_login(ars_other_region)
    url = reverse("experiments:experiment-detail", args=[experiment.pk])
    assert client.get(url).status_code == 404


def test_experiment_pages_query_count_is_constant(
    client, aract, experiment, django_assert_num_queries
):
    def add_indicator(name):
        indicator = Indicator.objects.create(
            experiment=experiment, name=name, baseline=10, target=5, higher_is_better=False
        )
        for month in (3, 6, 9):
            Measurement.objects.create(
                indicator=indicator, measured_on=datetime.date(2026, month, 1), value=month
            )

    client.force_login(aract)
    detail = reverse("experiments:experiment-detail", args=[experiment.pk])
    work = reverse("experiments:cluster-work", args=[experiment.membership.cluster_id])

    def check():
        # django session, user, role assignments, experiment (+ membership, establishment,
        # cluster, region), facilitators, indicators, measurements, themes
        with django_assert_num_queries(8):
            assert client.get(detail).status_code == 200
        # django session, user, role assignments, cluster (+ region, wave), facilitators,
        # memberships (+ establishments, monographs), experiments
        with django_assert_num_queries(7):
            assert client.get(work).status_code == 200

    add_indicator("Turnover")
    check()
    for name in ("Absentéisme", "Accidents du travail", "Satisfaction", "Heures sup"):
        add_indicator(name)
    Experiment.objects.create(membership=experiment.membership, title="Deuxième essai")
    check()
