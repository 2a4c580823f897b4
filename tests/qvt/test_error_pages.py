"""Error pages: French, in the DSFR layout, with a way home; the 500 page needs no database."""

import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error


def assert_french_error_page(response, status, heading):
    page = response.content.decode()
    assert response.status_code == status
    assert '<html lang="fr"' in page
    assert f"<h1>{heading}</h1>" in page
    assert 'class="fr-header"' in page
    assert "Retour à l'accueil" in page


@pytest.mark.django_db
def test_another_regions_cluster_is_a_french_404(client, ars_other_region, cluster):
    client.force_login(ars_other_region)
    response = client.get(f"/clusters/{cluster.pk}/")
    assert_french_error_page(response, 404, "Page non trouvée")


@pytest.mark.django_db
def test_an_aract_editing_a_cluster_gets_a_french_403(client, aract, cluster):
    client.force_login(aract)
    response = client.get(f"/clusters/{cluster.pk}/modifier/")
    assert_french_error_page(response, 403, "Accès refusé")


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_french_csrf_page(ars, cluster):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ars)
    response = client.post(f"/clusters/{cluster.pk}/modifier/", {"name": "Sans jeton"})
    assert_french_error_page(response, 403, "Le formulaire a expiré")


@pytest.mark.django_db
def test_a_bad_host_gets_the_french_400(client):
    response = client.get("/", headers={"host": "intrus.example"})
    assert_french_error_page(response, 400, "Requête incorrecte")


def test_the_500_page_is_static():
    # No django_db mark: a query while rendering it would raise.
    response = server_error(RequestFactory().get("/"))
    assert_french_error_page(response, 500, "Erreur inattendue")
    assert "Se connecter" in response.content.decode()  # no user: the anonymous header
