import pytest

from tests.security.clients import fresh_client


@pytest.fixture
def client():
    """pytest-django's client, shared instead of rebuilt (see tests/security/clients.py)."""
    return fresh_client()
