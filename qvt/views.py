"""Site-wide pages: the health check and the footer pages (the dashboards live in web/views.py)."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render


@login_not_required
def healthz(request):
    """Each service separately, for operators and load balancers. 503 only when the database
    is down: without the broker, reports and imports wait (their jobs are requeued); without
    the cache, pages are computed without it. Both are "degraded", not down."""
    checks = {"database": _database_ok(), "broker": _broker_ok(), "cache": _cache_ok()}
    if not checks["database"]:
        status = "error"
    elif not all(checks.values()):
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse({"status": status, **checks}, status=503 if status == "error" else 200)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False


def _broker_ok() -> bool:
    import redis
    from django.conf import settings

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except redis.RedisError:
        return False


def _cache_ok() -> bool:
    """A round trip through Django's cache (whatever its backend; 1 s timeouts on Redis)."""
    from django.core.cache import cache

    try:
        cache.set("healthz", "ok", 10)
        return cache.get("healthz") == "ok"
    except Exception:  # noqa: BLE001 - any failure means "cache unavailable"
        return False


@login_not_required
def accessibility(request):
    return render(request, "pages/accessibility.html", {"title": "Déclaration d'accessibilité"})


@login_not_required
def legal_notice(request):
    return render(request, "pages/legal_notice.html", {"title": "Mentions légales"})


@login_not_required
def personal_data(request):
    from django.conf import settings

    return render(
        request,
        "pages/personal_data.html",
        {"title": "Données personnelles", "retention_years": settings.CONTACT_RETENTION_YEARS},
    )
