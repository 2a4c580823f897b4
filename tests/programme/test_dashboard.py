"""The national dashboard page: who sees it, what it shows, how many queries it costs."""

import re
import uuid

import pytest
import redis
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qvt.charts import bar_chart_svg, cartogram_svg, shade_classes
from tests.factories import ClusterFactory, add_members

pytestmark = pytest.mark.django_db


def get_page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("programme:dashboard"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("programme:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_aract_staff_may_not_open_the_dashboard(client, aract):
    client.force_login(aract)
    assert client.get(reverse("programme:dashboard")).status_code == 403


def test_national_reader_sees_every_region_and_the_published_figures(client, programme, national):
    page = get_page(client, national)
    assert "Programme national" in page
    assert "Chiffres publiés et chiffres calculés" in page
    assert '<th scope="row">Bretagne</th>' in page
    assert '<th scope="row">Total</th><td>3</td><td>2</td><td>16</td><td>15</td>' in page


def test_ars_staff_get_the_same_page_for_their_region_only(client, programme, ars):
    page = get_page(client, ars)
    assert "Programme dans ma région" in page
    assert "Bretagne" not in page
    assert "Chiffres publiés" not in page  # national figures compare with national counts only
    assert '<th scope="row">Total</th><td>2</td><td>1</td><td>10</td><td>9</td>' in page


def test_the_page_opens_with_a_summary_and_the_key_figures(client, programme, national):
    page = get_page(client, national)
    summary = re.search(r'<nav class="fr-summary".*?</nav>', page, flags=re.S).group(0)
    targets = re.findall(r'href="#([^"]+)"', summary)
    # The summary comes first, each of its links reaches a heading of the page.
    assert page.index('class="fr-summary"') < page.index('id="key-figures-title"')
    assert targets[:2] == ["key-figures-title", "waves-title"] and "exports-title" in targets
    for target in targets:
        assert re.search(rf'<h2 id="{target}">', page), target
    # Key figures (the totals of the conftest's programme) come before any table, as tiles.
    key_figures = page[page.index('id="key-figures-title"') : page.index('id="waves-title"')]
    tiles = re.findall(
        r'fr-tile__title">([^<]+)</p>\s*<p class="fr-tile__desc">([^<]+)</p>', key_figures
    )
    assert tiles[:4] == [
        ("3", "clusters"),
        ("2", "régions"),
        ("16", "participations d&#x27;établissements"),
        ("15", "établissements distincts"),
    ]
    assert "<table" not in key_figures


def test_key_figures_agree_with_their_number():
    from programme.statistics import key_figures

    figures = key_figures({"clusters": 1, "regions": 0, "participations": 12345})
    assert figures[:3] == [
        {"value": "1", "label": "cluster"},
        {"value": "0", "label": "région"},
        {"value": "12\u202f345", "label": "participations d'établissements"},
    ]


def test_wave_filter(client, programme, national):
    page = get_page(client, national, vague="2031")
    assert '<th scope="row">Total</th><td>1</td><td>1</td><td>5</td><td>5</td>' in page
    assert 'href="/programme/export.xlsx?vague=2031"' in page
    client.force_login(national)
    assert client.get(reverse("programme:dashboard"), {"vague": "nope"}).status_code == 404


def test_every_chart_is_accessible_and_has_a_data_table(client, programme, national):
    page = get_page(client, national)
    charts = re.findall(r"<svg[^>]*>.*?</svg>", page, flags=re.S)
    assert len(charts) == 8  # the map and seven bar charts
    for svg in charts:
        assert 'role="img"' in svg
        ids = re.search(r'aria-labelledby="([^"]+)"', svg).group(1).split()
        assert f'<title id="{ids[0]}">' in svg and f'<desc id="{ids[1]}">' in svg
    # Each chart is followed by its data table, folded in an accordion.
    folded = r'<figure.*?</figure>\s*<section class="fr-accordion[^"]*">.*?aria-controls="([^"]+)"'
    controls = re.findall(folded, page, flags=re.S)
    assert len(controls) == 8
    for target in controls:
        assert re.search(rf'<div class="fr-collapse" id="{target}">\s*<div class="fr-table">', page)
    assert "<script" not in "".join(charts)


def test_cartogram_shades_regions_by_their_number_of_clusters():
    regions = [
        {"region_code": "11", "region": "Île-de-France", "clusters": 8},
        {"region_code": "53", "region": "Bretagne", "clusters": 1},
        {"region_code": "94", "region": "Corse", "clusters": 0},
    ]
    svg = str(cartogram_svg(chart_id="c", title="Carte", regions=regions))
    assert shade_classes(8) == [(1, 2), (3, 4), (5, 6), (7, 8)]
    assert 'fill="#000091"' in svg  # the darkest shade for the maximum
    assert 'fill="#e3e3fd"' in svg  # the lightest for one cluster
    assert 'fill="#f6f6f6"' in svg  # no cluster
    assert "Île-de-France : 8 cluster(s)" in svg
    for label in ["aucun", "1 à 2", "7 à 8"]:
        assert f">{label}</text>" in svg


def test_chart_text_is_escaped(client, programme, national):
    programme.themes[0].name = "<script>alert(1)</script>"
    programme.themes[0].save()
    page = get_page(client, national)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_dashboard_query_count_does_not_grow_with_the_data(client, programme, national):
    client.force_login(national)
    url = reverse("programme:dashboard")
    # Session, user and roles (3), the summary (12), the breakdowns (4), the published figures
    # (1), the wave choices (2: filter validation and display), plus the middleware's own:
    # the same number at both sizes.
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for code in ("84", "93", "76", "28"):
        add_members(ClusterFactory(region_code=code, wave=programme.wave_b), 7)
    cache.clear()  # recompute the figures, as when they expire
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small.captured_queries) == len(large.captured_queries) <= 30


def test_figures_are_kept_for_a_while_and_shared_by_the_same_view(
    client, programme, national, settings
):
    settings.PROGRAMME_FIGURES_CACHE_SECONDS = 60
    client.force_login(national)
    url = reverse("programme:dashboard")
    with CaptureQueriesContext(connection) as first:
        first_page = client.get(url).content.decode()
    add_members(ClusterFactory(region_code="84", wave=programme.wave_b, status="en_cours"), 5)
    with CaptureQueriesContext(connection) as second:
        second_page = client.get(url).content.decode()
    total = '<th scope="row">Total</th><td>3</td><td>2</td><td>16</td><td>15</td>'
    assert total in first_page and total in second_page  # not recomputed yet
    assert "Chiffres calculés le" in second_page
    assert len(first.captured_queries) - len(second.captured_queries) == 3  # the figures
    # The exports read the same figures.
    exported = client.get(reverse("programme:export-summary", args=["json"])).json()
    assert exported["total"]["clusters"] == 3

    cache.clear()  # as when they expire
    assert '<th scope="row">Total</th><td>4</td><td>3</td><td>21</td><td>20</td>' in get_page(
        client, national
    )


def test_cached_figures_never_cross_regions(client, programme, ars, ars_other_region, settings):
    settings.PROGRAMME_FIGURES_CACHE_SECONDS = 60
    assert '<th scope="row">Total</th><td>2</td><td>1</td><td>10</td><td>9</td>' in get_page(
        client, ars
    )
    page = get_page(client, ars_other_region)
    assert "Île-de-France" not in page
    assert '<th scope="row">Total</th><td>1</td><td>1</td><td>6</td><td>6</td>' in page


def test_figures_are_recomputed_on_every_request_when_the_cache_is_off(
    client, programme, national, settings
):
    settings.PROGRAMME_FIGURES_CACHE_SECONDS = 0
    get_page(client, national)
    add_members(ClusterFactory(region_code="84", wave=programme.wave_b, status="en_cours"), 5)
    page = get_page(client, national)
    assert '<th scope="row">Total</th><td>4</td><td>3</td><td>21</td><td>20</td>' in page
    assert "recalculés au plus" not in page


def test_web_processes_share_the_figures_through_redis(client, programme, national, settings):
    """docker-compose.yml sets CACHE_URL to Redis: the figures must survive the round trip."""
    prefix = f"test-{uuid.uuid4().hex}"  # nothing else sees these keys; they expire
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.PROGRAMME_FIGURES_CACHE_SECONDS = 60
    total = '<th scope="row">Total</th><td>3</td><td>2</td><td>16</td><td>15</td>'
    assert total in get_page(client, national)
    assert redis.Redis.from_url(settings.REDIS_URL).keys(f"{prefix}:*")  # stored in Redis
    add_members(ClusterFactory(region_code="84", wave=programme.wave_b, status="en_cours"), 5)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("programme:dashboard")).content.decode()
    assert total in page  # read back from Redis: the new cluster is not counted yet
    assert len(queries.captured_queries) == 5  # session, user, roles, waves, published figures


def test_bar_chart_value_axis_starts_at_zero_and_names_its_unit():
    svg = str(bar_chart_svg(chart_id="b", title="Barres", rows=[("Vague 1", 7)], unit="clusters"))
    assert 'width="100%"' in svg and "viewBox=" in svg
    assert ">0</text>" in svg and ">Nombre de clusters</text>" in svg
    assert ">Vague 1</text>" in svg and ">7</text>" in svg
