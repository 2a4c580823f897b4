"""The cache is optional: with its Redis stopped or frozen, pages answer (computed without it),
and /healthz says which part is down."""

import threading

import pytest
import redis
from django.db import connections
from django.urls import reverse

from tests.factories import ClusterFactory, add_members

pytestmark = pytest.mark.django_db

EXPORTS = ["csv", "xlsx", "json"]


@pytest.fixture
def cache_on_own_redis(settings, own_redis):
    settings.CACHES = {
        **settings.CACHES,  # the rendered fragments' per-process cache among them
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis.url,
            # As qvt/settings.py sets them for a Redis cache.
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        },
    }
    settings.PROGRAMME_FIGURES_CACHE_SECONDS = 60
    add_members(ClusterFactory(region_code="11"), 5)
    return own_redis


def _pages(client):
    responses = [client.get(reverse("programme:dashboard"))]
    responses += [client.get(reverse("programme:export-summary", args=[fmt])) for fmt in EXPORTS]
    return [response.status_code for response in responses]


def _cached_keys(server) -> list:
    return redis.Redis.from_url(server.url).keys("*programme-figures*")


def test_dashboard_and_exports_answer_while_the_cache_redis_stops_and_restarts(
    client, national, cache_on_own_redis, caplog
):
    client.force_login(national)
    assert _pages(client) == [200] * 4
    assert _cached_keys(cache_on_own_redis)  # the figures really went through this Redis

    cache_on_own_redis.stop()
    assert _pages(client) == [200] * 4
    outage_lines = [r for r in caplog.records if "cache_down" in r.getMessage()]
    assert len(outage_lines) == 1  # logged once, not once per request
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["cache"] is False and health.json()["database"] is True
    assert health.json()["status"] == "degraded"

    cache_on_own_redis.start()
    assert _pages(client) == [200] * 4
    assert _cached_keys(cache_on_own_redis)  # back in use
    assert client.get("/healthz").json()["cache"] is True


@pytest.mark.django_db(transaction=True)  # the request runs in a thread: its own connection
def test_a_frozen_cache_redis_does_not_hang_the_dashboard(client, national, cache_on_own_redis):
    client.force_login(national)
    cache_on_own_redis.freeze()
    answer = {}

    # In a thread, so that a hang shows up as a failure instead of a test that never ends.
    def ask():
        answer["status"] = client.get(reverse("programme:dashboard")).status_code
        connections.close_all()  # the thread's own database connection

    request = threading.Thread(target=ask)
    request.start()
    request.join(timeout=60)
    cache_on_own_redis.thaw()
    assert answer == {"status": 200}


def test_healthz_says_the_broker_is_down_when_its_redis_stops(client, settings, own_redis):
    settings.REDIS_URL = own_redis.url
    assert client.get("/healthz").json()["broker"] is True
    own_redis.stop()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] is False and response.json()["database"] is True
