"""Who may change what, inside the regions a user can see (outside them: 404 from visible_to)."""

from django.core.exceptions import PermissionDenied


def can_manage_cluster(user, cluster) -> bool:
    """ARS staff of the cluster's region register and steer it."""
    return user.roles.is_ars_of(cluster.region_id)


def can_facilitate(user, cluster) -> bool:
    """The cluster's own Aract facilitators log its sessions, phases, experiments, monographs."""
    return user.roles.is_aract_of(cluster.region_id) and any(
        facilitator.pk == user.pk for facilitator in cluster.facilitators.all()
    )


def require(allowed: bool) -> None:
    """403 for a visible object the user's role may not change."""
    if not allowed:
        raise PermissionDenied("Votre rôle ne permet pas cette action.")
