"""What the demo programme says: experiments that fit each kind of establishment, sessions that
follow the phases, delegation contacts, monographs worth reading (web/demo_content.py)."""

import datetime
import re
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from clusters.models import (
    Cluster,
    DelegationContact,
    Membership,
    ParticipantRole,
    Phase,
    PhaseChange,
    Session,
    Theme,
)
from establishments.models import Sector
from experiments.models import (
    Experiment,
    Indicator,
    Measurement,
    Monograph,
    MonographTransition,
    status_fits_phase,
)
from web import demo
from web.demo_content import EXPERIMENTS

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
CATALOGUE = {
    code: {entry["title"]: entry for entry in entries} for code, entries in EXPERIMENTS.items()
}


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module inside a transaction rolled back at its end (each
    test nests in it and rolls back to it)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo.seed(password=None)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_the_catalogue_covers_every_kind_with_existing_themes():
    assert {code for code, _prefix, _status in demo.KINDS} <= set(EXPERIMENTS)
    themes = set(Theme.objects.values_list("name", flat=True))
    for entries in EXPERIMENTS.values():
        assert len(entries) >= 2
        for entry in entries:
            assert entry["theme"] in themes
            assert len(entry["indicators"]) == 2


def test_each_experiment_comes_from_its_kinds_catalogue_in_a_unit_that_fits():
    experiments = Experiment.objects.select_related("membership__establishment")
    assert (
        experiments.count()
        == Membership.objects.counted().exclude(cluster__status=Cluster.Status.CONSTITUE).count()
    )  # one per member of a running or closed cluster
    for experiment in experiments:
        establishment = experiment.membership.establishment
        entry = CATALOGUE[establishment.category_code].get(experiment.title)
        assert entry is not None, (establishment.short_name, experiment.title)
        assert experiment.unit == entry["unit"]
        assert [t.name for t in experiment.themes.all()] == [entry["theme"]]
        if establishment.sector != Sector.SANITAIRE:  # no hospital ward in an ESAT or a MECS
            for word in ("médecine", "chirurgie", "bloc", "patient"):
                assert word not in experiment.unit.lower(), (establishment.short_name, word)
    assert experiments.values("title").distinct().count() >= 25  # not one text for all


def test_indicators_have_units_and_measurements_that_tell_the_status_story():
    assert not Indicator.objects.filter(unit="").exists()

    def reached(indicator, value):
        return (
            value >= indicator.target if indicator.higher_is_better else value <= indicator.target
        )

    stories = Counter()
    for indicator in Indicator.objects.select_related("experiment").prefetch_related(
        "measurements"
    ):
        values = [m.value for m in indicator.measurements.all()]
        status = indicator.experiment.status
        if status == Experiment.Status.ENVISAGEE:
            assert values == []  # chosen, not started
            continue
        assert values, indicator
        if status == Experiment.Status.ABANDONNEE:
            assert not reached(indicator, values[-1])
        else:  # it moved towards its target
            gain = values[-1] - indicator.baseline
            assert gain > 0 if indicator.higher_is_better else gain < 0, indicator
        stories[status, reached(indicator, values[-1])] += 1
    # Experiments made to last reached at least one target; evaluated ones are still on the way.
    assert stories[Experiment.Status.PERENNISEE, True] > 0
    assert stories[Experiment.Status.EVALUEE, True] == 0


def test_no_experiment_status_is_ahead_of_its_establishments_phase():
    assert not status_fits_phase(Experiment.Status.PERENNISEE, Phase.CHOIX)
    rows = Experiment.objects.values_list("status", "membership__phase")
    assert {status for status, _phase in rows} == set(Experiment.Status.values)
    for status, phase in rows:
        assert status_fits_phase(status, phase), (status, phase)


def test_phases_were_reached_one_step_at_a_time_on_past_dates():
    for membership in Membership.objects.exclude(phase=Phase.CADRAGE).prefetch_related(
        "phase_changes"
    ):
        changes = sorted(membership.phase_changes.all(), key=lambda c: c.changed_on)
        indexes = [Phase.values.index(change.phase) for change in changes]
        assert indexes == list(range(1, len(indexes) + 1))
        assert changes[-1].phase == membership.phase
        assert changes[-1].changed_on < datetime.date.today()


def test_every_member_has_two_or_three_contacts_with_example_org_addresses():
    contacts = Counter(DelegationContact.objects.values_list("membership_id", flat=True))
    memberships = Membership.objects.values_list("id", flat=True)
    assert sorted(contacts) == sorted(memberships)
    assert set(contacts.values()) == {2, 3}
    for contact in DelegationContact.objects.all():
        assert re.fullmatch(r"[a-z-]+\.[a-z-]+@[a-z0-9-]+\.example\.org", contact.email)
        assert contact.role in ParticipantRole.values
    for membership in Membership.objects.prefetch_related("contacts"):
        roles = {contact.role for contact in membership.contacts.all()}
        assert {ParticipantRole.DIRECTION, ParticipantRole.IRP} <= roles
    names = DelegationContact.objects.values_list("name", flat=True)
    assert len(set(names)) == len(names)  # fictional people, each once


def test_wave_2016_monographs_were_published_at_the_national_seminar_with_real_sections():
    published = Monograph.objects.filter(status=Monograph.Status.PUBLIEE)
    first_wave = published.filter(membership__cluster__wave__code="2016")
    assert first_wave.count() == 12 * 2
    for monograph in first_wave:
        assert monograph.published_at.astimezone(PARIS).date() == datetime.date(2017, 9, 11)
        assert monograph.validated_at < monograph.published_at
        assert monograph.transitions.get(to_status="publiee").at == monograph.published_at
    for monograph in published:
        assert monograph.published_at.date() < datetime.date(2020, 1, 1)  # never "today"
        assert len(monograph.summary) > 150
        assert monograph.membership.establishment.short_name in monograph.title
        for _name, _label, text in monograph.sections():
            assert len(text) > 80 and "texte de la monographie" not in text
        assert monograph.public_summary() == monograph.summary  # stored at publication
    # Each establishment's story: its own experiment and results.
    assert published.values("results").distinct().count() > published.count() * 3 / 4
    assert published.values("experiments").distinct().count() > 20


def test_sessions_follow_the_phases_and_only_discussion_spaces_are_confidential():
    for cluster in Cluster.objects.filter(status__in=["en_cours", "cloture"]):
        held = list(cluster.sessions.filter(is_draft=False).order_by("number"))
        kinds = [session.kind for session in held]
        assert kinds[0] == Session.Kind.LANCEMENT
        if cluster.status == "cloture":
            assert kinds[-1] == Session.Kind.RESTITUTION and len(held) == 6
        else:
            assert Session.Kind.RESTITUTION not in kinds
        assert [s.held_on for s in held] == sorted(s.held_on for s in held)
    assert Session.objects.values("agenda").distinct().count() >= 6
    assert Session.objects.values("key_points").distinct().count() > 20  # names the experiments

    confidential = Session.objects.filter(is_confidential=True).prefetch_related("tools")
    assert confidential.exists()
    for session in confidential:
        assert session.kind == Session.Kind.COLLECTIVE
        assert "Espaces de discussion sur le travail (EDT)" in {t.name for t in session.tools.all()}
    assert not Session.objects.filter(
        is_confidential=True, kind__in=[Session.Kind.RESTITUTION, Session.Kind.LANCEMENT]
    ).exists()


def test_seeding_again_creates_and_changes_nothing():
    models = [
        Cluster,
        Membership,
        DelegationContact,
        PhaseChange,
        Session,
        Experiment,
        Indicator,
        Measurement,
        Monograph,
        MonographTransition,
    ]
    before = {model: model.objects.count() for model in models}
    published = sorted(Monograph.objects.values_list("pk", "published_at"))
    demo.seed(password=None)
    assert {model: model.objects.count() for model in models} == before
    assert sorted(Monograph.objects.values_list("pk", "published_at")) == published
