"""What each endpoint shows, its filters, its pages and its ETag."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from clusters.models import Cluster
from tests import factories

from .conftest import SECRET_TEXT, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def ars_client(api_data):
    return token_client(factories.ars_user("11", username="ars-11"))


def test_a_cluster_shows_members_themes_status_and_dates(ars_client, api_data):
    data = ars_client.get(reverse("api:cluster-detail", args=[api_data.cluster_11.pk])).json()
    assert data["status"] == "en_cours"
    assert data["starts_on"] == "2026-02-01"
    assert [theme["id"] for theme in data["themes"]] == [api_data.cluster_11.themes.get().pk]
    assert len(data["members"]) == 2
    assert isinstance(data["members"][0]["finess"], str)
    assert data["wave"]["code"] == "2030"


def test_a_membership_gives_codes_as_strings(ars_client, api_data):
    (first, *_rest) = ars_client.get(reverse("api:membership-list")).json()["results"]
    establishment = first["establishment"]
    assert establishment["region_code"] == "11"
    assert isinstance(establishment["department_code"], str)
    assert len(establishment["finess"]) == 9


def test_sessions_give_attendance_by_role_and_never_content(ars_client, api_data):
    response = ars_client.get(reverse("api:session-list"))
    (session,) = response.json()["results"]  # the draft is not listed
    assert session["attendance"]["direction"] == 3
    assert session["attendance"]["irp"] == 3
    assert session["attendance"]["cadre"] == 0
    assert session["attendance_total"] == 6
    assert SECRET_TEXT not in response.content.decode()
    assert not {"key_points", "agenda", "decisions", "place"} & set(session)


def test_experiments_come_with_indicators_and_measurements_by_date(ars_client, api_data):
    (experiment,) = ars_client.get(reverse("api:experiment-list")).json()["results"]
    (indicator,) = experiment["indicators"]
    assert indicator["baseline"] == "10.00"
    assert [m["measured_on"] for m in indicator["measurements"]] == ["2026-03-01", "2026-06-01"]


def test_authenticated_monographs_are_the_published_ones_of_the_users_regions(ars_client, api_data):
    ids = [m["id"] for m in ars_client.get(reverse("api:monograph-list")).json()["results"]]
    assert ids == [api_data.published.pk]


def test_cluster_filters(api_data):
    client = token_client(factories.national_user(username="dgos"))
    url = reverse("api:cluster-list")

    def ids(**params):
        return {c["id"] for c in client.get(url, params).json()["results"]}

    c11, c53 = api_data.cluster_11.pk, api_data.cluster_53.pk
    assert ids(region="53") == {c53}
    assert ids(status="en_cours") == {c11}
    assert ids(wave="2030") == {c11, c53}
    assert ids(wave="1999") == set()
    assert ids(theme=api_data.cluster_53.themes.get().pk) == {c53}
    sector = api_data.cluster_11.memberships.first().establishment.sector
    assert c11 in ids(sector=sector)
    Cluster.objects.filter(pk=c11).update(updated_at=timezone.now() - datetime.timedelta(days=9))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert ids(updated_since=since) == {c53}
    assert client.get(url, {"status": "inconnu"}).status_code == 400


def test_cursor_pages_in_a_stable_order(api_data):
    client = token_client(factories.national_user(username="dgos"))
    first = client.get(reverse("api:cluster-list"), {"page_size": 1}).json()
    second = client.get(first["next"]).json()
    assert [first["results"][0]["id"], second["results"][0]["id"]] == sorted(
        [api_data.cluster_11.pk, api_data.cluster_53.pk]
    )
    assert second["next"] is None


def test_an_unchanged_list_answers_304_to_its_etag(ars_client, api_data):
    url = reverse("api:cluster-list")
    etag = ars_client.get(url)["ETag"]
    assert ars_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    Cluster.objects.filter(pk=api_data.cluster_11.pk).update(name="Renommé")
    assert ars_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_api_is_read_only(ars_client, api_data):
    assert ars_client.post(reverse("api:cluster-list"), {}).status_code == 405
    detail = reverse("api:cluster-detail", args=[api_data.cluster_11.pk])
    assert ars_client.delete(detail).status_code == 405


def test_figures_equal_the_export_national_json(api_data, capsys):
    """Same function as the dashboard and the export: the same numbers, key for key."""
    client = token_client(factories.national_user(username="dgos"))
    from_api = client.get(reverse("api:figures")).json()
    call_command("export_national", "--format", "json")
    from_export = json.loads(capsys.readouterr().out)
    # generated_at: when each was computed (the API reads the cached figures); all else equal
    for document in (from_api, from_export):
        assert document["metadata"].pop("generated_at")
    assert from_api == from_export
    assert from_api["total"]["clusters"] == 2
    wave = client.get(reverse("api:figures"), {"wave": "2030"}).json()
    call_command("export_national", "--format", "json", "--wave", "2030")
    from_export = json.loads(capsys.readouterr().out)
    for document in (wave, from_export):
        assert document["metadata"].pop("generated_at")
    assert wave == from_export
    assert wave["metadata"]["wave"] == "2030"


def test_figures_follow_the_dashboard_rules(api_data):
    ars = token_client(factories.ars_user("11", username="ars-11"))
    assert [r["region_code"] for r in ars.get(reverse("api:figures")).json()["by_region"]] == ["11"]
    aract = token_client(factories.aract_user("11", username="aract-11"))
    assert aract.get(reverse("api:figures")).status_code == 403
    assert ars.get(reverse("api:figures"), {"wave": "1999"}).status_code == 404
