"""Establishment search: page and JSON endpoint, by number, name or town, accent- and
case-insensitive, scoped to the user's region, paginated, in constant query count."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from establishments.models import Department, Establishment
from establishments.search import search_establishments
from tests.factories import EstablishmentFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("establishments:establishment-search")
JSON = reverse("establishments:establishment-search-json")


@pytest.fixture
def registry():
    """Establishments in Île-de-France (11), Bretagne (53) and Wallis-et-Futuna (no region)."""
    return {
        "reunion": EstablishmentFactory(
            region_code="11", short_name="EHPAD DE LA RÉUNION", town="Vincennes", postcode="94300"
        ),
        "paris": EstablishmentFactory(
            region_code="11", short_name="CLINIQUE DU PARC", town="Saint-Étienne-du-Bois"
        ),
        "breton": EstablishmentFactory(
            region_code="53", short_name="EHPAD DE LA RÉUNION BRETONNE", town="Rennes"
        ),
        "wallis": EstablishmentFactory(
            department=Department.objects.get(finess_code="9J"),
            short_name="CH DE LA RÉUNION DU PACIFIQUE",
            town="Mata-Utu",
        ),
        "closed": EstablishmentFactory(
            region_code="11", short_name="EHPAD DE LA RÉUNION FERMÉ", is_active=False
        ),
    }


def finess_numbers(response):
    return {result["finess"] for result in response.json()["results"]}


def test_reunion_finds_reunion_with_any_accent_or_case(client, ars, registry):
    client.force_login(ars)
    for query in ("reunion", "RÉUNION", "Réunion ehpad"):
        assert finess_numbers(client.get(JSON, {"q": query})) == {registry["reunion"].finess}


def test_a_finess_number_is_found_with_or_without_spaces(client, ars, registry):
    client.force_login(ars)
    number = registry["paris"].finess
    for query in (number, f"{number[:2]} {number[2:5]} {number[5:]}", f" {number} "):
        assert finess_numbers(client.get(JSON, {"q": query})) == {number}
    assert finess_numbers(client.get(JSON, {"q": number[:6]})) >= {number}  # a prefix


def test_an_establishment_is_found_by_its_town(client, ars, registry):
    client.force_login(ars)
    assert finess_numbers(client.get(JSON, {"q": "saint etienne"})) == {registry["paris"].finess}
    assert finess_numbers(client.get(JSON, {"q": "94300"})) == {registry["reunion"].finess}


def test_another_regions_establishments_never_appear_for_regional_users(
    client, ars, aract, registry
):
    for user in (ars, aract):
        client.force_login(user)
        for query in ("reunion", registry["breton"].finess, registry["wallis"].finess, "rennes"):
            found = finess_numbers(client.get(JSON, {"q": query, "inactifs": "on"}))
            assert registry["breton"].finess not in found
            assert registry["wallis"].finess not in found
            page = client.get(PAGE, {"q": query, "inactifs": "on"}).content.decode()
            assert "BRETONNE" not in page and "PACIFIQUE" not in page


def test_national_readers_see_every_region_and_territories_outside_them(client, national, registry):
    client.force_login(national)
    found = finess_numbers(client.get(JSON, {"q": "reunion"}))
    assert found == {registry[key].finess for key in ("reunion", "breton", "wallis")}
    page = client.get(PAGE, {"q": "pacifique"}).content.decode()
    assert "CH DE LA RÉUNION DU PACIFIQUE" in page and "Hors région ARS" in page


def test_inactive_establishments_are_shown_only_on_request(client, ars, registry):
    client.force_login(ars)
    assert registry["closed"].finess not in finess_numbers(client.get(JSON, {"q": "reunion"}))
    found = finess_numbers(client.get(JSON, {"q": "reunion", "inactifs": "on"}))
    assert registry["closed"].finess in found
    page = client.get(PAGE, {"q": "ferme", "inactifs": "on"}).content.decode()
    assert "EHPAD DE LA RÉUNION FERMÉ" in page and "Inactif" in page


def test_the_search_page_shows_the_registry_columns(client, ars, registry):
    client.force_login(ars)
    page = client.get(PAGE, {"q": "reunion"}).content.decode()
    reunion = registry["reunion"]
    for text in (
        reunion.finess, "EHPAD DE LA RÉUNION", escape(reunion.category_label), "Médico-social",
        "À qualifier", "94300 Vincennes", "Île-de-France", "Actif",
    ):  # fmt: skip
        assert text in page, text
    assert "1 établissement pour « reunion »" in page


def test_the_json_answer_has_the_documented_shape(client, ars, registry):
    client.force_login(ars)
    answer = client.get(JSON, {"q": "reunion"}).json()
    assert answer["query"] == "reunion" and answer["has_more"] is False
    (result,) = answer["results"]
    reunion = registry["reunion"]
    assert result == {
        "id": reunion.pk,
        "finess": reunion.finess,
        "name": "EHPAD DE LA RÉUNION",
        "long_name": "",
        "label": f"EHPAD DE LA RÉUNION ({reunion.finess}) — Vincennes",
        "category": "500",
        "category_label": reunion.category_label,
        "sector": "medico_social",
        "sector_label": "Médico-social",
        "legal_status": "a_qualifier",
        "legal_status_label": "À qualifier",
        "town": "Vincennes",
        "postcode": "94300",
        "department": str(reunion.department),
        "region_id": reunion.region_id,
        "region": "Île-de-France",
        "is_active": True,
        "can_join_cluster": True,
    }


def test_results_are_paginated(client, ars):
    EstablishmentFactory.create_batch(25, region_code="11", short_name="FOYER DES PINS")
    client.force_login(ars)
    first = client.get(PAGE, {"q": "pins"}).content.decode()
    assert "25 établissements pour « pins »" in first
    assert first.count("FOYER DES PINS</th>") == 20
    assert "q=pins&amp;page=2" in first
    second = client.get(PAGE, {"q": "pins", "page": 2}).content.decode()
    assert second.count("FOYER DES PINS</th>") == 5
    answer = client.get(JSON, {"q": "pins"}).json()
    assert len(answer["results"]) == 20 and answer["has_more"] is True


def test_an_empty_query_invites_to_search(client, ars, registry):
    client.force_login(ars)
    page = client.get(PAGE).content.decode()
    assert "Saisissez un numéro FINESS" in page
    assert client.get(JSON, {"q": "  "}).json()["results"] == []


def test_users_without_a_role_cannot_search(client, registry):
    client.force_login(UserFactory())
    assert client.get(PAGE, {"q": "reunion"}).status_code == 403
    assert client.get(JSON, {"q": "reunion"}).status_code == 403


@pytest.mark.parametrize("persona", ["ars", "national"])
def test_the_search_runs_in_constant_query_count(
    client, request, persona, django_assert_num_queries
):
    client.force_login(request.getfixturevalue(persona))
    for size in (3, 40):
        EstablishmentFactory.create_batch(
            size - Establishment.objects.count(), region_code="11", short_name="MAS LES CHÊNES"
        )
        # session, user, role assignments, count of the matches, the page of establishments
        # (with department and region joined)
        with django_assert_num_queries(5):
            assert client.get(PAGE, {"q": "chenes"}).status_code == 200
        # session, user, role assignments, the first 21 establishments
        with django_assert_num_queries(4):
            assert len(client.get(JSON, {"q": "chenes"}).json()["results"]) == min(size, 20)


def test_the_trigram_index_serves_the_search(national, registry):
    # (Without the active filter: on a tiny table the planner would pick the region index.)
    queryset = search_establishments(national, "reunion", active_only=False)
    with connection.cursor() as cursor:
        # The test registry is tiny: forbid the scans that read the whole table or a whole
        # index, so that the plan shows whether the trigram index can answer the query.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "establishment_search_trgm" in plan, plan
