"""An anonymous visitor searches the library without accents, finds a monograph through its
experiment, reads the highlighted excerpt, opens the monograph, sees related ones and downloads
the PDF. Every page passes axe-core and the Nu HTML Checker."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clusters.models import Theme
from experiments.models import Experiment, Monograph
from tests.e2e.conftest import assert_accessible
from tests.factories import ClusterFactory, add_members


def published(cluster, title, **text):
    monograph = Monograph(
        membership=add_members(cluster, 1)[0],
        title=title,
        status=Monograph.Status.PUBLIEE,
        published_at=timezone.now(),
        **text,
    )
    monograph.redact()  # as the publication does
    monograph.save()
    return monograph


@pytest.fixture
def library(db):
    cluster = ClusterFactory(region_code="11", themes=[Theme.objects.get(name="Management")])
    other = ClusterFactory(region_code="84", themes=[Theme.objects.get(name="Sens du travail")])
    night = published(
        cluster,
        "Les équipes de nuit",
        summary="Des relèves mieux préparées entre équipes de jour et de nuit.",
        context="L'absentéisme des équipes de nuit dépassait 12 %.",
    )
    Experiment.objects.create(membership=night.membership, title="Réorganiser les transmissions")
    # the same sector (the factory's EHPAD): a related monograph
    published(other, "Le tutorat des nouveaux", summary="Un tuteur pour chaque arrivant.")
    return night


def test_a_visitor_searches_without_accents_and_downloads_the_pdf(page, library):
    page.goto("/bibliotheque/")
    assert_accessible(page)
    page.get_by_label("Rechercher dans les monographies").fill("absenteisme")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", name="1 monographie publiée")).to_be_visible()
    expect(page.locator("mark", has_text="absentéisme")).to_be_visible()
    expect(page.get_by_text("Des relèves mieux préparées")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Rechercher dans les monographies").fill("transmissions")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("link", name="Les équipes de nuit")).to_be_visible()
    expect(page.get_by_text("Réorganiser les transmissions")).to_be_visible()

    page.get_by_role("link", name="Les équipes de nuit").click()
    expect(page.get_by_role("heading", name="Monographies proches")).to_be_visible()
    expect(page.get_by_role("link", name="Le tutorat des nouveaux")).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Télécharger la monographie")).click()
    download = download_info.value
    assert download.suggested_filename == f"monographie-{library.pk}.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
