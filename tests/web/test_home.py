"""The home dashboards: a summary (sommaire) first, then the key figures, then the tables."""

import re

import pytest
from django.urls import reverse

from tests.factories import ClusterFactory, add_members

pytestmark = pytest.mark.django_db


def home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def summary_targets(page: str) -> list[str]:
    summary = re.search(r'<nav class="fr-summary.*?</nav>', page, flags=re.S).group(0)
    return re.findall(r'href="#([^"]+)"', summary)


def test_national_home_shows_the_key_figures_before_the_table(client, national):
    first = ClusterFactory(region_code="11", status="constitue")
    add_members(first, 5)
    add_members(ClusterFactory(region_code="53", wave=first.wave, status="constitue"), 6)
    page = home(client, national)
    assert summary_targets(page) == ["figures-title", "programme-title"]
    figures = page[page.index('id="figures-title"') : page.index('id="programme-title"')]
    tiles = re.findall(r'fr-tile__title">([^<]+)</p>\s*<p class="fr-tile__desc">([^<]+)', figures)
    assert tiles == [
        ("2", "clusters"),
        ("11", "participations d&#x27;établissements"),
        ("11", "établissements distincts"),
    ]
    assert page.index('class="fr-summary') < page.index('id="figures-title"')
    assert 'href="/programme/">Tous les chiffres du programme' in page


def test_ars_home_summary_links_to_its_own_sections(client, ars):
    add_members(ClusterFactory(region_code="11", status="constitue"), 5)
    page = home(client, ars)
    targets = summary_targets(page)
    assert targets == ["status-title", "clusters-title"]
    for target in targets:
        assert f'<h2 id="{target}">' in page
    assert 'id="figures-title"' not in page  # the national figures are not the region's
