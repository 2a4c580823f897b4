"""The programme team corrects a published figure's source in the browser."""

import datetime

import pytest

from programme.models import PublishedFigure
from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import TEST_PASSWORD, programme_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_programme_team_gives_a_published_figure_its_address(page):
    programme_user(username="pilotage-e2e-figures")
    # A transactional test starts without the figures of the data migrations: one as 0004 has it.
    figure = PublishedFigure.objects.create(
        label="Établissements distincts",
        metric="establishments",
        value=189,
        source="Page du ministère (DGOS) « Prendre soin de ceux qui soignent »",
        published_on=datetime.date(2017, 1, 1),
        date_precision="year",
    )
    log_in(page, "pilotage-e2e-figures", TEST_PASSWORD)
    page.goto("/programme/vagues/")
    page.get_by_role("link", name="Chiffres publiés", exact=True).click()
    page.get_by_role("heading", name="Chiffres publiés", level=1).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Modifier Établissements distincts total").click()
    page.get_by_role("heading", name="Modifier « Établissements distincts »").wait_for()
    assert_accessible(page)
    page.get_by_label("Adresse de la source").fill("https://example.org/page-dgos")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Le chiffre « Établissements distincts » est enregistré.").wait_for()
    assert_accessible(page)
    figure.refresh_from_db()
    assert figure.source_url == "https://example.org/page-dgos"
    assert page.get_by_role("link", name=figure.source).first.is_visible()
