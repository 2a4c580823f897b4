"""The private calendar feed: the sessions of the clusters a user follows, as iCalendar.

No login (a calendar program cannot sign in): the address's secret (`?jeton=`) identifies the
user. It travels in the query string, which Django's request log lines leave out (they log the
path only), so a refused or revoked address never writes its secret to the logs."""

from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import HttpResponse, HttpResponseNotFound
from django.views.decorators.http import require_GET

from accounts.rules import has_rule
from clusters.calendar import feed_ics
from clusters.models import Cluster, Session
from notifications.calendar_feed import feed_owner


def followed_clusters(user):
    """The clusters `user` follows: facilitates or is the ARS referent of, among those their
    role lets them read (a lost role empties the feed)."""
    return (
        Cluster.objects.visible_to(user)
        .filter(Q(facilitators=user) | Q(ars_referent=user))
        .distinct()
    )


@login_not_required
@require_GET
def session_feed(request):
    user = feed_owner(request.GET.get("jeton", ""))
    if user is None:
        return HttpResponseNotFound(
            "Adresse d'agenda inconnue ou révoquée.", content_type="text/plain; charset=utf-8"
        )
    clusters = {
        cluster.pk: cluster
        for cluster in followed_clusters(user)
        .select_related("region")
        .prefetch_related("facilitators")
    }
    sessions = (
        Session.objects.filter(cluster_id__in=clusters)
        .select_related("cluster")
        .order_by("held_on", "number")
    )
    confidential_ok = {
        pk for pk, cluster in clusters.items()
        if has_rule(user, "clusters.view_confidential_content", cluster)
    }  # fmt: skip
    body = feed_ics(
        sessions,
        content_visible=lambda s: not s.is_confidential or s.cluster_id in confidential_ok,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="seances-clusters-qvt.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
