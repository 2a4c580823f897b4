"""Who sees what through the API: the one place the API asks, so that it can follow the
project's permission rules (the models' `visible_to` querysets and the rules table). A token
carries exactly its user's visibility."""

from accounts.rules import has_rule
from clusters.models import Cluster, Membership, Session
from experiments.models import Experiment, Monograph


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
    return has_rule(user, "programme.view_dashboard")


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
