"""Open data without login: published monographs (no e-mail address) and the figures per wave,
under the Licence Ouverte 2.0, in JSON and CSV; the page that explains them."""

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import EMAIL

pytestmark = pytest.mark.django_db

EMAIL_PATTERN = re.compile(rb"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def test_anonymous_open_monographs_lists_only_published_ones_without_email(api_data):
    response = Client().get(reverse("api:open-monograph-list"))
    assert response.status_code == 200
    data = response.json()
    assert {m["id"] for m in data["results"]} == {api_data.published.pk, api_data.published_53.pk}
    assert data["licence"]["code"] == "etalab-2.0"
    assert 'rel="license"' in response["Link"]
    assert not EMAIL_PATTERN.search(response.content)
    assert EMAIL.encode() not in response.content
    published = next(m for m in data["results"] if m["id"] == api_data.published.pk)
    (context,) = [s for s in published["sections"] if s["key"] == "context"]
    assert context["text"] == "Écrire à [coordonnées masquées] ou au [coordonnées masquées]."
    assert published["region"] == {"code": "11", "name": "Île-de-France"}
    for monograph in data["results"]:  # each row its own id, from the one URL built per list
        path = reverse("library:monograph-detail", args=[monograph["id"]])
        assert monograph["url"] == f"http://testserver{path}"
    assert "pdf" not in published and "summary" not in published  # neither exists


@pytest.mark.parametrize("suffix", ["?format=csv", ".csv"])
def test_open_monographs_as_csv(api_data, suffix):
    base = reverse("api:open-monograph-list")  # ".../monographs/"
    url = base + suffix if suffix.startswith("?") else base.rstrip("/") + suffix
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert not EMAIL_PATTERN.search(response.content)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert {row["title"] for row in rows} == {"Monographie publiée", "Monographie bretonne"}
    assert rows[0]["region_code"] in {"11", "53"}
    assert "section_identity" in rows[0]


def test_open_monographs_filters(api_data):
    response = Client().get(reverse("api:open-monograph-list"), {"region": "53"})
    assert [m["id"] for m in response.json()["results"]] == [api_data.published_53.pk]
    response = Client().get(reverse("api:open-monograph-list"), {"sector": "nimportequoi"})
    assert response.status_code == 400


def test_open_figures_per_wave_with_total(api_data):
    response = Client().get(reverse("api:open-figures"))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["wave"] for row in rows] == ["2030", "total"]
    assert rows[-1]["clusters"] == 2 and rows[-1]["monographs_published"] == 2
    assert rows[-1]["regions"] == 2
    csv_response = Client().get(reverse("api:open-figures") + "?format=csv")
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:3] == ["wave", "clusters", "regions"]
    assert lines[-1].startswith("total;2;2;")


def test_the_open_data_page_is_public_and_linked_from_the_footer(api_data):
    response = Client().get(reverse("api-pages:open-data"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Licence Ouverte 2.0" in page
    assert reverse("api:open-monograph-list") in page and reverse("api:open-figures") in page
    library = Client().get(reverse("library:monograph-list")).content.decode()
    assert reverse("api-pages:open-data") in library
