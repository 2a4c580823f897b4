"""A PostgreSQL backend terminated (pg_terminate_backend: a restart, a failover, an operator)
while it serves a request: that request gets the error page (500), the next one works
(CONN_HEALTH_CHECKS makes Django drop the dead persistent connection)."""

import threading
from wsgiref.util import setup_testing_defaults

import psycopg2
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)  # requests run in a thread of their own


def _admin_connection():
    return psycopg2.connect(**connection.get_connection_params())


def _get(handler, url) -> tuple[str, str]:
    """A GET through Django's real WSGI handler: unlike the test client, it runs the signals
    that check and close database connections between requests."""
    environ = {"PATH_INFO": url, "SERVER_NAME": "localhost", "wsgi.url_scheme": "https"}
    setup_testing_defaults(environ)
    answer = {}
    response = handler(environ, lambda status, headers: answer.update(status=status))
    body = b"".join(response).decode()
    response.close()  # request_finished: Django drops a connection that failed
    return answer["status"], body


def test_a_request_whose_backend_is_killed_fails_and_the_next_one_works():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"]
    handler = WSGIHandler()
    url = reverse("library:monograph-list")
    statuses, first_done, go_on = [], threading.Event(), threading.Event()

    def visitor():  # one thread = one persistent Django connection, as in a web worker
        statuses.append(_get(handler, url))
        first_done.set()
        go_on.wait(timeout=60)
        statuses.append(_get(handler, url))
        connections.close_all()

    locker, watcher = _admin_connection(), _admin_connection()
    watcher.autocommit = True
    try:
        # Hold a lock the page needs, so that its query waits inside PostgreSQL...
        locker.cursor().execute("LOCK TABLE experiments_monograph IN ACCESS EXCLUSIVE MODE")
        thread = threading.Thread(target=visitor)
        thread.start()
        cursor, pid = watcher.cursor(), None
        for _attempt in range(6000):  # ...until PostgreSQL shows it waiting (a condition)
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE '%%experiments_monograph%%' AND pid <> pg_backend_pid()"
            )
            row = cursor.fetchone()
            if row:
                pid = row[0]
                break
            first_done.wait(timeout=0.01)
        assert pid, "the request never reached the database"
        # ...then kill the backend that serves it, in the middle of its query.
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0]
    finally:
        locker.rollback()
        locker.close()
        watcher.close()
    assert first_done.wait(timeout=60)
    go_on.set()
    thread.join(timeout=60)
    failed, next_one = statuses
    assert failed[0].startswith("500")  # the error page (templates/500.html)
    assert next_one[0].startswith("200")
    assert "Bibliothèque des bonnes pratiques" in next_one[1]
