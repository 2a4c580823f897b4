"""The list serializers write their representation out from `values()` rows (api.serializers):
at every level, the keys are the declared fields (the schema's) in their order, and the values
are what DRF's fields give."""

import datetime

import pytest
from django.urls import reverse
from rest_framework import serializers as drf

from api import serializers
from tests import factories

from .conftest import token_client

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("cluster", serializers.ClusterSerializer),
    ("membership", serializers.MembershipSerializer),
    ("session", serializers.SessionSerializer),
    ("experiment", serializers.ExperimentSerializer),
    ("monograph", serializers.MonographSerializer),
]


def assert_declared_fields(data: dict, serializer) -> None:
    assert list(data) == list(serializer.fields)
    for name, field in serializer.fields.items():
        if isinstance(field, drf.ListSerializer):
            assert data[name], f"{name}: an empty list checks nothing"
            for item in data[name]:
                assert_declared_fields(item, field.child)
        elif isinstance(field, drf.Serializer):
            assert_declared_fields(data[name], field)


@pytest.fixture
def ars_client(api_data):
    return token_client(factories.ars_user("11", username="ars-11"))


@pytest.mark.parametrize("name, serializer_class", ENDPOINTS)
def test_lists_and_details_write_the_declared_fields_in_order(
    ars_client, api_data, name, serializer_class
):
    (first, *_rest) = ars_client.get(reverse(f"api:{name}-list")).json()["results"]
    assert_declared_fields(first, serializer_class())
    detail = ars_client.get(reverse(f"api:{name}-detail", args=[first["id"]])).json()
    assert detail == first


def test_open_monographs_write_the_declared_fields_in_order(client, api_data):
    (first, *_rest) = client.get(reverse("api:open-monograph-list")).json()["results"]
    assert_declared_fields(first, serializers.MonographSerializer())


def test_values_are_drf_representations(ars_client, api_data, membership_of):
    cluster = api_data.cluster_11
    membership = membership_of(cluster)
    membership.withdrawn_on = datetime.date(2026, 4, 2)
    membership.save()
    cluster.refresh_from_db()
    data = ars_client.get(reverse("api:cluster-detail", args=[cluster.pk])).json()
    as_drf = drf.DateTimeField().to_representation  # current time zone, ISO 8601
    assert (data["created_at"], data["updated_at"]) == (
        as_drf(cluster.created_at),
        as_drf(cluster.updated_at),
    )
    assert (data["starts_on"], data["closed_on"]) == ("2026-02-01", None)
    assert data["aract"] == (cluster.aract.name if cluster.aract else None)
    member = next(m for m in data["members"] if m["membership_id"] == membership.pk)
    assert (member["joined_on"], member["withdrawn_on"]) == ("2026-02-01", "2026-04-02")

    experiment = ars_client.get(reverse("api:experiment-list")).json()["results"][0]
    (indicator,) = experiment["indicators"]
    assert (indicator["baseline"], indicator["target"]) == ("10.00", "7.00")
    assert [m["value"] for m in indicator["measurements"]] == ["8.00", "9.00"]
    assert indicator["higher_is_better"] is True

    monograph = ars_client.get(reverse("api:monograph-list")).json()["results"][0]
    assert monograph["published_at"] == as_drf(api_data.published.published_at)
    assert monograph["themes"] == [{"id": t.pk, "name": t.name} for t in cluster.themes.all()]
