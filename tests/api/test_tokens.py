"""Personal tokens: a token sees what its user sees; revoked or expired is 401; counted,
rate limited, created and revoked on the account page, audited."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, hash_token
from api.services import token_create, token_revoke
from tests import factories

from .conftest import token_client

pytestmark = pytest.mark.django_db


def test_an_ars_11_token_lists_only_region_11_clusters(api_data):
    client = token_client(factories.ars_user("11", username="ars-11"))
    response = client.get(reverse("api:cluster-list"))
    assert response.status_code == 200
    ids = [cluster["id"] for cluster in response.json()["results"]]
    assert ids == [api_data.cluster_11.pk]
    assert response.json()["results"][0]["region"] == {"code": "11", "name": "Île-de-France"}


def test_an_ars_11_token_gets_404_on_another_regions_objects(api_data, membership_of):
    client = token_client(factories.ars_user("11", username="ars-11"))
    assert (
        client.get(reverse("api:cluster-detail", args=[api_data.cluster_11.pk])).status_code == 200
    )
    other = api_data.cluster_53
    for name, pk in [
        ("api:cluster-detail", other.pk),
        ("api:membership-detail", membership_of(other).pk),
        ("api:monograph-detail", api_data.published_53.pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name


def test_a_national_token_sees_every_region(api_data):
    client = token_client(factories.national_user(username="dgos"))
    ids = {c["id"] for c in client.get(reverse("api:cluster-list")).json()["results"]}
    assert ids == {api_data.cluster_11.pk, api_data.cluster_53.pk}


def _bearer(raw):
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_revoked_token_gets_401(api_data, ars):
    token, raw = token_create(user=ars, name="Grist", valid_days=30)
    assert _bearer(raw).get(reverse("api:cluster-list")).status_code == 200
    token_revoke(token=token)
    response = _bearer(raw).get(reverse("api:cluster-list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_expired_token_gets_401(api_data, ars):
    token, raw = token_create(user=ars, name="Grist", valid_days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    assert _bearer(raw).get(reverse("api:cluster-list")).status_code == 401


def test_an_unknown_token_or_no_credentials_get_401_not_a_login_redirect(api_data):
    assert _bearer("qvt_inconnu").get(reverse("api:cluster-list")).status_code == 401
    assert Client().get(reverse("api:cluster-list")).status_code == 401
    assert Client().get(reverse("api:figures")).status_code == 401


def test_a_token_is_stored_hashed_and_each_call_is_counted(api_data, ars):
    token, raw = token_create(user=ars, name="Grist", valid_days=30)
    assert raw.startswith("qvt_") and token.token_hash == hash_token(raw)
    assert not ApiToken.objects.filter(token_hash=raw).exists()
    for _ in range(3):
        _bearer(raw).get(reverse("api:cluster-list"))
    token.refresh_from_db()
    assert token.call_count == 3
    assert token.last_used_at is not None


def test_over_the_rate_limit_a_token_gets_429_with_retry_after(api_data, ars, settings):
    settings.API_RATE_LIMIT = "2/minute"
    client = token_client(ars)
    other_token_client = token_client(ars)
    assert [client.get(reverse("api:cluster-list")).status_code for _ in range(2)] == [200, 200]
    refused = client.get(reverse("api:cluster-list"))
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    # The limit is per token: the user's other token still answers.
    assert other_token_client.get(reverse("api:cluster-list")).status_code == 200


def test_the_account_page_shows_a_new_token_once_and_audits_creation_and_revocation(client, ars):
    client.force_login(ars)
    url = reverse("api-pages:token-list")
    response = client.post(url, {"name": "Grist de l'ARS", "validity": "90"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=ars)
    raw = response.context["created"]["value"]
    assert raw in response.content.decode()
    assert token.token_hash == hash_token(raw)
    assert token.expires_at.date() == (timezone.now() + datetime.timedelta(days=90)).date()
    assert raw not in client.get(url).content.decode()  # shown once

    response = client.post(reverse("api-pages:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None

    entries = LogEntry.objects.get_for_object(token).order_by("timestamp")
    assert [entry.action for entry in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert all(entry.actor == ars for entry in entries)
    assert "revoked_at" in entries[1].changes_dict
    assert all("token_hash" not in entry.changes_dict for entry in entries)


def test_a_user_cannot_revoke_another_users_token(client, ars, ars_other_region):
    token, _raw = token_create(user=ars_other_region, name="Autre", valid_days=30)
    client.force_login(ars)
    response = client.post(reverse("api-pages:token-revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_token_form_requires_a_name(client, ars):
    client.force_login(ars)
    response = client.post(reverse("api-pages:token-list"), {"name": "", "validity": "90"})
    assert "Donnez un nom au jeton." in response.content.decode()
    assert not ApiToken.objects.exists()
