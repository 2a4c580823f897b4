import pytest
from django.urls import reverse

from accounts.context_processors import MENU

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
    cluster.status = cluster.Status.CONSTITUE  # drafts never count
    cluster.save()
    client.force_login(national)
    page = client.get(reverse("home")).content.decode()
    assert "Le programme par vague" in page
    assert cluster.wave.name in page


@pytest.mark.parametrize("persona", ["ars", "aract", "national", "programme_team", "admin"])
def test_the_menu_shows_exactly_the_pages_the_role_may_open(client, request, persona):
    """Every entry of the full menu is tried: shown entries open (200, titled as the entry),
    hidden ones are refused; the menu and the pages read the same rules."""
    client.force_login(request.getfixturevalue(persona))
    shown = {
        item["url"]: item["label"] for item in client.get(reverse("home")).context["nav_items"]
    }
    for label, name, _rule in MENU:
        url = reverse(name)
        response = client.get(url)
        if url in shown:
            assert response.status_code == 200, (persona, label)
            if name != "admin:index":  # the Django admin has its own title
                assert response.context["title"] == shown[url], (persona, label)
        else:
            assert response.status_code in (302, 403), (persona, label, response.status_code)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("national", {"Import de clusters", "Vagues", "Mes clusters"}),
        ("programme_team", {"Mes clusters", "Importer le registre FINESS", "Administration"}),
    ],
)
def test_national_roles_do_not_see_what_they_cannot_use(client, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    labels = {item["label"] for item in client.get(reverse("home")).context["nav_items"]}
    assert not labels & expected


def test_regional_staff_see_the_programme_of_their_region(client, ars):
    client.force_login(ars)
    labels = [item["label"] for item in client.get(reverse("home")).context["nav_items"]]
    assert "Programme dans ma région" in labels and "Programme national" not in labels
