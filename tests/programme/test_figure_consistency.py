"""One definition per figure: the home page, the dashboard, the JSON export, the API and the
national PDF give the same numbers (drafts never count; a withdrawn member is a participation)."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports import services
from reports.models import ReportJob
from tests.api.conftest import token_client
from tests.reports.conftest import pdf_text

pytestmark = pytest.mark.django_db


def test_home_dashboard_json_export_api_and_national_pdf_agree(client, programme, national):
    # The fixture holds a draft cluster (c4, one member) and a withdrawn member (e15 in c2).
    client.force_login(national)
    home = client.get(reverse("home")).context
    dashboard = client.get(reverse("programme:dashboard")).context
    output = io.StringIO()
    call_command("export_national", "--format", "json", stdout=output)
    exported = json.loads(output.getvalue())
    api = token_client(national).get(reverse("api:figures")).json()
    text = pdf_text(services.build_report_pdf(kind=ReportJob.Kind.NATIONAL).content)

    total = dashboard["summary"]["total"]
    assert (total["clusters"], total["participations"], total["establishments"]) == (3, 16, 15)
    assert exported["total"] == total == api["total"]
    assert [figure["value"] for figure in home["key_figures"]] == ["3", "16", "15"]
    assert [(w["wave"], w["clusters"], w["regions"]) for w in home["waves"]] == [
        (w["wave"], w["clusters"], w["regions"]) for w in exported["waves"]
    ]
    assert exported["waves"] == dashboard["summary"]["waves"]
    for key in ("by_region", "by_sector", "by_legal_status", "by_phase"):
        assert exported[key] == {**dashboard["summary"], **dashboard["breakdowns"]}[key], key
    # The national PDF's table per wave ends with the same total row.
    assert re.search(r"Total\s+3\s+2\s+16\s+15", text), text[:2000]
    page = client.get(reverse("programme:dashboard")).content.decode()
    assert "un brouillon ne compte jamais" in page
    assert "un brouillon ne compte jamais" in client.get(reverse("home")).content.decode()
