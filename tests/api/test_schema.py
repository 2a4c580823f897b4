"""The OpenAPI schema validates, speaks French, and its documentation page runs under the CSP
with Redoc served from our own static files."""

import re

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_the_schema_is_a_valid_openapi_3_document():
    response = Client().get(reverse("api:schema"))
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate(schema)
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/clusters/",
        "/api/v1/memberships/",
        "/api/v1/sessions/",
        "/api/v1/experiments/",
        "/api/v1/monographs/",
        "/api/v1/figures/",
        "/api/v1/open/monographs/",
        "/api/v1/open/figures/",
    ]:
        assert path in paths, path
    cluster = schema["components"]["schemas"]["Cluster"]["properties"]
    assert cluster["status"]["description"].startswith("Statut du cluster.")
    member = schema["components"]["schemas"]["Membership"]["properties"]
    assert schema["components"]["schemas"]["Establishment"]["properties"]["finess"]["type"] == (
        "string"
    )
    assert member["joined_on"]["format"] == "date"
    assert schema["components"]["securitySchemes"]["jetonPersonnel"]["scheme"] == "bearer"


def test_the_documentation_page_loads_redoc_locally_with_the_csp_nonce():
    response = Client().get(reverse("api:docs"))
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    page = response.content.decode()
    (script,) = re.findall(r"<script[^>]*>", page)
    assert f'nonce="{nonce}"' in script
    assert 'src="/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"' in script
    assert "http" not in re.sub(r"<[^>]*xmlns[^>]*>", "", page.split("<body>")[1])
