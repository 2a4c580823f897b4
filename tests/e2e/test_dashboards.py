"""The dashboards read from the top: a summary, the key figures, charts that fit a phone's
width, and long tables folded in accordions that open on demand."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, log_in
from tests.factories import (
    TEST_PASSWORD,
    ClusterFactory,
    WaveFactory,
    add_members,
    ars_user,
    national_user,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def programme(db):
    wave = WaveFactory(code="2032")
    for code, size in [("11", 5), ("53", 6)]:
        add_members(ClusterFactory(region_code=code, wave=wave, status="constitue"), size)


def page_overflows(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_the_national_dashboard_reads_from_its_summary(page, programme):
    national_user(username="dgos-e2e-dashboard")
    log_in(page, "dgos-e2e-dashboard", TEST_PASSWORD)
    page.goto("/programme/")
    summary = page.get_by_role("navigation", name="Sommaire")
    expect(summary).to_be_visible()
    tiles = page.locator("#key-figures-title ~ ul .fr-tile")
    expect(tiles.first).to_contain_text("2")
    expect(tiles.first).to_contain_text("clusters")

    summary.get_by_role("link", name="Participations par secteur").click()
    page.wait_for_url("**/programme/#section-by-sector")
    # The chart's data table is folded; its accordion opens it.
    table = page.get_by_role("table", name="Données du graphique « Participations par secteur »")
    expect(table).to_be_hidden()
    button = page.locator("#section-by-sector ~ .fr-accordion button")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(table).to_be_visible()
    assert_accessible(page)


def test_the_regional_dashboard_fits_a_phone(page, programme):
    ars_user("11", username="ars-e2e-dashboard")
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, "ars-e2e-dashboard", TEST_PASSWORD)
    page.goto("/programme/")
    expect(page.get_by_role("heading", name="Programme dans ma région", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Sommaire")).to_be_visible()
    chart = page.get_by_role("img", name="Participations par secteur")
    assert chart.bounding_box()["width"] <= 375
    assert not page_overflows(page)
    assert_accessible(page)
