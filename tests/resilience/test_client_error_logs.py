"""403 and 404 are logged as one line each, without a traceback."""

import logging

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _request_records(caplog):
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_403_is_one_line_without_traceback(client, aract, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    client.force_login(aract)
    assert client.get(reverse("programme:import-upload")).status_code == 403
    (record,) = _request_records(caplog)
    assert record.exc_info is None
    assert record.getMessage() == (
        f"client_error status=403 method=GET path='/programme/import/' user={aract.username}"
    )


def test_a_404_with_a_hostile_path_stays_on_one_line(client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    response = client.get("/bibliotheque/999999/%0Afaux-message")
    assert response.status_code == 404
    (record,) = _request_records(caplog)
    assert record.exc_info is None
    assert "\n" not in record.getMessage()
    assert record.getMessage().startswith("client_error status=404 method=GET path=")
