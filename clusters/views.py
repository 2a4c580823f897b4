from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import services
from .models import Cluster
from .permissions import can_facilitate, can_manage_cluster, require


def _visible_cluster(request, pk):
    queryset = Cluster.objects.visible_to(request.user).select_related(
        "region", "wave", "aract", "ars_referent"
    )
    return get_object_or_404(queryset.prefetch_related("themes", "facilitators"), pk=pk)


def cluster_detail(request, pk):
    cluster = _visible_cluster(request, pk)
    memberships = cluster.memberships.select_related("establishment__department").order_by(
        "withdrawn_on", "establishment__short_name"
    )
    active_count = sum(1 for m in memberships if m.withdrawn_on is None)
    context = {
        "title": cluster.name,
        "cluster": cluster,
        "memberships": memberships,
        "active_count": active_count,
        "missing": services.constitution_missing(cluster, member_count=active_count)
        if cluster.status == Cluster.Status.BROUILLON
        else [],
        "can_manage": can_manage_cluster(request.user, cluster),
        "can_facilitate": can_facilitate(request.user, cluster),
        "transitions": [
            {"target": target, "label": label}
            for target, (source, label) in services.TRANSITIONS.items()
            if source == cluster.status
        ],
    }
    return render(request, "clusters/cluster_detail.html", context)


@require_POST
def cluster_transition(request, pk):
    cluster = _visible_cluster(request, pk)
    require(can_manage_cluster(request.user, cluster))
    try:
        services.cluster_transition(
            cluster=cluster, target=request.POST.get("target", ""), by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        cluster.refresh_from_db()
        messages.success(request, f"Le cluster est maintenant « {cluster.get_status_display()} ».")
    return redirect("clusters:cluster-detail", pk=cluster.pk)
