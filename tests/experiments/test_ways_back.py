"""Ways back on experiments and monographs: correct or delete a measurement (replacing one asks
first), unpublish a monograph with a reason (the library then answers 410, the authors are told).
Each is audited; a refused write writes nothing."""

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from experiments import services
from experiments.forms import ExperimentForm, MeasurementForm
from experiments.models import Experiment, Indicator, Measurement, Monograph
from notifications.models import OutgoingEmail
from tests.factories import programme_user

pytestmark = pytest.mark.django_db
Status = Monograph.Status
JUNE = datetime.date(2026, 6, 1)


@pytest.fixture
def indicator(experiment):
    return Indicator.objects.create(
        experiment=experiment, name="Absentéisme", unit="%", baseline=10, target=7
    )


@pytest.fixture
def measurement(indicator):
    return Measurement.objects.create(indicator=indicator, measured_on=JUNE, value=9)


def audit_entries(obj, action):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_pk=str(obj.pk),
        action=action,
    )


# --- Measurements: services ---------------------------------------------------------------------


def test_recording_a_date_again_is_refused_without_replace(indicator, measurement, aract):
    with pytest.raises(ValidationError, match="Une mesure existe déjà au 01/06/2026") as error:
        services.measurement_record(indicator=indicator, measured_on=JUNE, value=5, by=aract)
    assert error.value.code == "measurement_exists"
    measurement.refresh_from_db()
    assert measurement.value == 9


def test_replacing_a_measurement_keeps_the_old_value_in_the_audit_log(
    indicator, measurement, aract
):
    replaced = services.measurement_record(
        indicator=indicator, measured_on=JUNE, value=5, by=aract, replace=True
    )
    assert replaced.pk == measurement.pk and replaced.value == 5
    assert Measurement.objects.count() == 1
    update = audit_entries(measurement, LogEntry.Action.UPDATE).get()
    old, new = update.changes_dict["value"]
    assert (Decimal(old), Decimal(new)) == (9, 5)


def test_correcting_a_measurement_onto_another_date_is_refused(indicator, measurement, aract):
    other = Measurement.objects.create(
        indicator=indicator, measured_on=JUNE.replace(month=7), value=8
    )
    with pytest.raises(ValidationError, match="Une autre mesure existe déjà au 01/06/2026"):
        services.measurement_update(measurement=other, measured_on=JUNE, value=4, by=aract)
    other.refresh_from_db()
    assert (other.measured_on, other.value) == (JUNE.replace(month=7), 8)


# --- Measurements: pages ------------------------------------------------------------------------


def test_posting_an_existing_date_asks_before_replacing(client, aract, indicator, measurement):
    client.force_login(aract)
    url = reverse("experiments:measurement-create", args=[indicator.pk])
    response = client.post(url, {"measured_on": "2026-06-01", "value": "6.5"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Une mesure existe déjà au 01/06/2026" in page
    assert "Remplacer la mesure" in page
    assert 'name="value" value="6.5"' in page  # not the French "6,5" the field would refuse
    measurement.refresh_from_db()
    assert measurement.value == 9  # nothing written before the confirmation
    assert not audit_entries(measurement, LogEntry.Action.UPDATE).exists()

    response = client.post(url, {"measured_on": "2026-06-01", "value": "6.5", "replace": "1"})
    assert response.status_code == 302
    measurement.refresh_from_db()
    assert measurement.value == Decimal("6.5")
    assert Measurement.objects.count() == 1
    assert audit_entries(measurement, LogEntry.Action.UPDATE).exists()


def test_a_new_date_is_recorded_without_confirmation(client, aract, indicator, measurement):
    client.force_login(aract)
    url = reverse("experiments:measurement-create", args=[indicator.pk])
    response = client.post(url, {"measured_on": "2026-09-01", "value": "7.5"})
    assert response.status_code == 302
    assert indicator.measurements.get(measured_on="2026-09-01").value == Decimal("7.5")


def test_facilitator_corrects_a_measurement(client, aract, measurement):
    client.force_login(aract)
    url = reverse("experiments:measurement-edit", args=[measurement.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"measured_on": "2026-06-02", "value": "8.5"})
    assert response.status_code == 302
    measurement.refresh_from_db()
    assert (measurement.measured_on, measurement.value) == (
        datetime.date(2026, 6, 2),
        Decimal("8.5"),
    )
    assert audit_entries(measurement, LogEntry.Action.UPDATE).exists()


def test_a_correction_onto_another_measurements_date_is_refused_in_french(
    client, aract, indicator, measurement
):
    other = Measurement.objects.create(
        indicator=indicator, measured_on=JUNE.replace(month=7), value=8
    )
    client.force_login(aract)
    response = client.post(
        reverse("experiments:measurement-edit", args=[other.pk]),
        {"measured_on": "2026-06-01", "value": "4"},
    )
    assert response.status_code == 200
    assert "Une mesure existe déjà à cette date pour cet indicateur." in response.content.decode()
    other.refresh_from_db()
    assert other.measured_on == JUNE.replace(month=7)


def test_facilitator_deletes_a_measurement_after_confirmation(client, aract, measurement):
    client.force_login(aract)
    url = reverse("experiments:measurement-delete", args=[measurement.pk])
    page = client.get(url).content.decode()
    assert "Confirmer la suppression" in page and "01/06/2026" in page
    assert Measurement.objects.filter(pk=measurement.pk).exists()  # GET deletes nothing
    response = client.post(url)
    assert response.status_code == 302
    assert not Measurement.objects.filter(pk=measurement.pk).exists()
    assert audit_entries(measurement, LogEntry.Action.DELETE).exists()


@pytest.mark.parametrize("persona", ["ars", "national"])
def test_only_facilitators_correct_or_delete_measurements(client, request, persona, measurement):
    client.force_login(request.getfixturevalue(persona))
    for name in ("measurement-edit", "measurement-delete"):
        url = reverse(f"experiments:{name}", args=[measurement.pk])
        assert client.post(url, {"measured_on": "2026-06-02", "value": "1"}).status_code == 403
    measurement.refresh_from_db()
    assert (measurement.measured_on, measurement.value) == (JUNE, 9)


def test_another_regions_staff_get_404_on_a_measurement(client, ars_other_region, measurement):
    client.force_login(ars_other_region)
    url = reverse("experiments:measurement-delete", args=[measurement.pk])
    assert client.post(url).status_code == 404
    assert Measurement.objects.filter(pk=measurement.pk).exists()


# --- Forms validate every model constraint -------------------------------------------------------


def test_the_measurement_form_enforces_the_one_per_date_constraint(indicator, measurement):
    form = MeasurementForm({"measured_on": "2026-06-01", "value": "3"}, indicator=indicator)
    assert not form.is_valid()
    assert form.non_field_errors() == ["Une mesure existe déjà à cette date pour cet indicateur."]
    # Bound to the measurement itself (a correction or a confirmed replacement): valid.
    form = MeasurementForm(
        {"measured_on": "2026-06-01", "value": "3"}, instance=measurement, indicator=indicator
    )
    assert form.is_valid(), form.errors


def test_the_experiment_form_no_longer_switches_constraints_off():
    assert "validate_constraints" not in ExperimentForm.__dict__


def test_the_experiment_form_reports_the_date_order_once_in_french(member):
    data = {
        "title": "Essai",
        "status": "envisagee",
        "starts_on": "2026-05-01",
        "ends_on": "2026-04-01",
    }
    form = ExperimentForm(data, instance=Experiment(membership=member))
    assert not form.is_valid()
    assert form.errors == {"ends_on": ["La fin ne peut pas précéder le début."]}


def test_the_experiment_form_enforces_the_date_constraint_past_clean(member, monkeypatch):
    """With the French check of clean() out of the way, the model constraint itself still stops
    the form: the form validates the model's constraints."""
    monkeypatch.setattr(ExperimentForm, "clean", lambda self: self.cleaned_data)
    data = {
        "title": "Essai",
        "status": "envisagee",
        "starts_on": "2026-05-01",
        "ends_on": "2026-04-01",
    }
    form = ExperimentForm(data, instance=Experiment(membership=member))
    assert not form.is_valid()
    assert len(form.non_field_errors()) == 1
    assert "experiment_dates_in_order" in form.non_field_errors()[0]


# --- Unpublishing a monograph ---------------------------------------------------------------------


@pytest.fixture
def published(monograph, aract):
    monograph.authors.add(aract)
    Monograph.objects.filter(pk=monograph.pk).update(status=Status.VALIDEE)
    monograph.refresh_from_db()
    publisher = programme_user(username="pilotage-publication")
    return services.monograph_transition(monograph=monograph, target=Status.PUBLIEE, by=publisher)


def test_unpublishing_needs_a_reason(client, programme_team, published):
    client.force_login(programme_team)
    url = reverse("experiments:monograph-transition", args=[published.pk, "validee"])
    page = client.get(url).content.decode()
    assert "Retirer de la bibliothèque" in page and "motif du retrait" in page
    response = client.post(url, {"comment": "  "})
    assert "Indiquez le motif du retrait de la bibliothèque." in response.content.decode()
    published.refresh_from_db()
    assert published.status == Status.PUBLIEE
    assert client.get(reverse("library:monograph-detail", args=[published.pk])).status_code == 200


def test_unpublished_monograph_answers_410_and_its_authors_are_told(
    client, programme_team, published, aract
):
    OutgoingEmail.objects.all().delete()
    client.force_login(programme_team)
    url = reverse("experiments:monograph-transition", args=[published.pk, "validee"])
    response = client.post(url, {"comment": "Données d'un patient identifiables"})
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == Status.VALIDEE and published.published_at is None
    transition = published.transitions.get(from_status="publiee")
    assert transition.comment == "Données d'un patient identifiables"
    assert (
        audit_entries(published, LogEntry.Action.UPDATE)
        .filter(changes__icontains="publiee")
        .exists()
    )

    client.logout()
    gone = client.get(reverse("library:monograph-detail", args=[published.pk]))
    assert gone.status_code == 410
    assert "retirée de la bibliothèque" in gone.content.decode()
    assert published.title not in client.get(reverse("library:monograph-list")).content.decode()

    email = OutgoingEmail.objects.get(to=aract.email)
    assert "retirée de la bibliothèque" in email.subject
    assert "Données d'un patient identifiables" in email.text_body


def test_a_never_published_monograph_is_404_in_the_library(client, monograph):
    assert client.get(reverse("library:monograph-detail", args=[monograph.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["ars", "aract", "national"])
def test_only_the_programme_team_unpublishes(client, request, persona, published):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("experiments:monograph-transition", args=[published.pk, "validee"])
    assert client.post(url, {"comment": "Motif"}).status_code == 403
    published.refresh_from_db()
    assert published.status == Status.PUBLIEE
