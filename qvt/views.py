"""Site-wide pages: the dashboard of each role, the health check and the footer pages."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from clusters.models import Cluster, Membership, Session, Wave

HOME_CLUSTERS = 20  # unclosed clusters listed on an ARS or Aract dashboard


def home(request):
    roles = request.user.roles
    clusters = Cluster.objects.visible_to(request.user)
    context = {"title": "Tableau de bord"}
    if roles.sees_everything:
        context["waves"] = Wave.objects.annotate(
            cluster_count=Count("clusters", distinct=True),
            region_count=Count("clusters__region", distinct=True),
        ).filter(cluster_count__gt=0)
        context["participation_count"] = Membership.objects.count()
        context["establishment_count"] = (
            Membership.objects.values("establishment").distinct().count()
        )
    if roles.ars_region_ids or roles.aract_region_ids:
        today = timezone.localdate()
        # One GROUP BY, not a loop over every cluster of the region.
        counts = dict(clusters.order_by().values_list("status").annotate(n=Count("id")))
        context["status_counts"] = [
            {"label": label, "count": counts.get(status, 0), "status": status}
            for status, label in Cluster.Status.choices
        ]
        # Subqueries: joining memberships and sessions in one query multiplied the member count
        # by the number of sessions. The dashboard shows the newest unclosed clusters only; the
        # cluster list pages through all of them.
        active_members = (
            Membership.objects.filter(cluster=OuterRef("pk"), withdrawn_on__isnull=True)
            .order_by()
            .values("cluster")
            .annotate(n=Count("id"))
            .values("n")
        )
        next_session = (
            Session.objects.filter(cluster=OuterRef("pk"), held_on__gte=today)
            .order_by("held_on")
            .values("held_on")[:1]
        )
        context["open_count"] = sum(
            counts.get(status, 0) for status in Cluster.Status.values if status != "cloture"
        )
        context["my_clusters"] = (
            clusters.exclude(status=Cluster.Status.CLOTURE)
            .select_related("wave")
            .annotate(
                active_member_count=Coalesce(Subquery(active_members), 0),
                next_session=Subquery(next_session),
            )
            .order_by("-wave__code", "name")[:HOME_CLUSTERS]
        )
        if roles.aract_region_ids:
            context["next_sessions"] = (
                Session.objects.visible_to(request.user)
                .filter(cluster__facilitators=request.user, held_on__gte=today)
                .select_related("cluster")
                .order_by("held_on")[:10]
            )
    return render(request, "home.html", context)


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
