"""Who sees what through the API: the one place the API asks, so that it can follow the
project's permission rules when they move (for now: the models' `visible_to` querysets and
the programme dashboard's predicate). A token carries exactly its user's visibility."""

from clusters.models import Cluster, Membership, Session
from experiments.models import Experiment, Monograph
from programme.views import can_follow_programme


def clusters(user):
    return Cluster.objects.visible_to(user)


def memberships(user):
    return Membership.objects.visible_to(user)


def sessions(user):
    return Session.objects.visible_to(user)


def experiments(user):
    return Experiment.objects.visible_to(user)


def monographs(user):
    return Monograph.objects.visible_to(user)


def can_see_figures(user) -> bool:
    """The programme's figures: as on the dashboard (national readers, ARS staff)."""
    return can_follow_programme(user)


class _NationalRoles:
    sees_everything = True
    is_national = True
    region_ids = frozenset()
    ars_region_ids = frozenset()


class OpenDataReader:
    """The reader of open data: the whole country, like `export_national` (no account);
    `visible_to` and the figures only look at `roles`."""

    is_authenticated = True
    pk = None
    roles = _NationalRoles()


OPEN_DATA_READER = OpenDataReader()
