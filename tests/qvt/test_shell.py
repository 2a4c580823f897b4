import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_with_json_when_services_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "broker": True, "cache": True}


def test_healthz_says_the_broker_is_down_without_failing(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    response = client.get("/healthz")
    assert response.status_code == 200  # reports wait; every page still works
    assert response.json() == {
        "status": "degraded",
        "database": True,
        "broker": False,
        "cache": True,
    }


@pytest.mark.parametrize("name", ["accessibility", "legal-notice", "personal-data"])
def test_footer_pages_are_public(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "Pied de page" in response.content.decode()


def test_login_page_is_in_french(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "Connexion à Clusters QVT" in response.content.decode()


def test_the_ars_dashboard_lists_the_regions_clusters_by_status(client, ars, cluster):
    client.force_login(ars)
    page = client.get(reverse("home")).content.decode()
    assert cluster.name in page
    assert "Clusters de ma région par statut" in page


def test_the_national_dashboard_counts_per_wave(client, national, cluster):
    client.force_login(national)
    page = client.get(reverse("home")).content.decode()
    assert "Le programme par vague" in page
    assert cluster.wave.name in page


@pytest.mark.parametrize(
    ("persona", "menu"),
    [
        ("ars", ["Clusters", "Établissements", "Programme national", "Rapports"]),
        ("aract", ["Clusters", "Mes clusters", "Monographies", "Rapports"]),
        ("national", ["Clusters", "Programme national", "Import de clusters", "Rapports"]),
        ("admin", ["Programme national", "Import FINESS", "Administration"]),
    ],
)
def test_the_menu_offers_what_each_role_may_open(client, request, persona, menu):
    client.force_login(request.getfixturevalue(persona))
    items = client.get(reverse("home")).context["nav_items"]
    labels = [item["label"] for item in items]
    assert labels[0] == "Tableau de bord" and labels[-1] == "Bibliothèque"
    assert set(menu) <= set(labels)
    hidden = {
        "ars": {"Import FINESS", "Administration"},
        "aract": {"Programme national", "Import de clusters", "Import FINESS", "Administration"},
        "national": {"Import FINESS", "Administration"},
        "admin": set(),
    }[persona]
    assert not hidden & set(labels)
    for item in items:  # every entry opens
        assert client.get(item["url"]).status_code == 200, item
