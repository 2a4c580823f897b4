import logging

import pytest
from django.db import transaction
from django.test import override_settings

from tests.security.clients import fresh_client
from tests.security.world import build_world


@pytest.fixture(scope="module")
def world(request, django_db_setup, django_db_blocker):
    """A module-scoped world: built once inside a transaction that each test nests in (every
    test rolls back to it) and that is rolled back when the module ends. A test module may set
    WORLD_TEXT: it is written into every free-text field."""
    text = getattr(request.module, "WORLD_TEXT", "")
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast_hashing:
        atomic = transaction.atomic()
        atomic.__enter__()
        built = None
        try:
            built = build_world(text)
            yield built
        finally:
            if built is not None:  # the stored files outlive the rolled-back rows
                for name in ("attachment", "report_job"):
                    getattr(built, name).file.delete(save=False)
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def client():
    """pytest-django's client, shared instead of rebuilt (see tests/security/clients.py)."""
    return fresh_client()


@pytest.fixture
def security_events(caplog):
    """The structured security events logged during the test (qvt.security does not propagate
    to the root logger in production; the test lets it reach caplog)."""
    logger = logging.getLogger("qvt.security")
    logger.propagate = True
    caplog.set_level(logging.INFO, logger="qvt.security")
    yield lambda: [r for r in caplog.records if r.name == "qvt.security"]
    logger.propagate = False
