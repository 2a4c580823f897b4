"""The access matrix: every URL of the resolver, for every persona, for GET and POST.

The matrix is data: `MATRIX` maps a URL name (or, for the few unnamed patterns, its route) to a
`Route` giving its URL arguments (taken from the fixture world of tests/security/world.py) and
the answer each persona must get for each method. Adding a page means adding one entry; a URL
in neither the matrix nor the exemptions fails `test_every_url_is_in_the_matrix`.

Answers: an HTTP status, LOGIN (302 to the login page, or to the admin's login page for admin
URLs), or a tuple of acceptable answers. Another region's object is always 404 (or 405 for a
method the view never accepts: that answer says nothing about the object).

The application's pages read their expected answers from the rules table (accounts/rules.py)
through `ruled()`: 404 where `clusters.view_cluster` refuses the object, 403 where the page's
rule refuses the persona, the page's answer where it allows. Every POST is also checked against
the database: a refused one writes nothing; an allowed one on a route marked `writes` writes.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.rules import has_rule
from clusters.models import every_wave_sector
from tests.security.world import LEAK_MARKER, PERSONAS, World

pytestmark = pytest.mark.django_db

LOGIN = "login"
DONE = (200, 302)  # a POST the persona may make: form re-rendered, or redirect after success
NO_CHANGE = (200, 405)  # a POST to a read-only page: rendered again, or refused
HIDDEN = (404, 405)  # a POST to a read-only page of another region


def expect(
    anonymous,
    ars_region,
    ars_other_region,
    aract_assigned,
    aract_unassigned,
    national,
    admin,
    programme=None,
):
    """Fixed answers (pages outside the rules table); the programme team answers as the national
    reader unless told."""
    return {
        "anonymous": anonymous,
        "ars_region": ars_region,
        "ars_other_region": ars_other_region,
        "aract_assigned": aract_assigned,
        "aract_unassigned": aract_unassigned,
        "national": national,
        "programme": national if programme is None else programme,
        "admin": admin,
    }


CLUSTER = lambda w: w.cluster  # noqa: E731


def ruled(rule, *, obj=None, yes=200, outside=404, refused=403):
    """The answers the rules table gives: LOGIN for anonymous visitors; `outside` when the
    persona may not read the object (`clusters.view_cluster`); `yes` when `rule` allows it,
    `refused` otherwise."""

    def build(world):
        target = obj(world) if obj else None
        answers = {"anonymous": LOGIN}
        for persona in PERSONAS[1:]:
            user = world.users[persona]
            if target is not None and not has_rule(user, "clusters.view_cluster", target):
                answers[persona] = outside
            else:
                answers[persona] = yes if has_rule(user, rule, target) else refused
        return answers

    build.rule = rule
    return build


# Profiles, per persona:   anonymous  ARS 11  ARS 53  Aract assigned  Aract not  national  admin
PUBLIC = expect(200, 200, 200, 200, 200, 200, 200)
PUBLIC_POST = expect(NO_CHANGE, NO_CHANGE, NO_CHANGE, NO_CHANGE, NO_CHANGE, NO_CHANGE, NO_CHANGE)
SIGNED_IN = expect(LOGIN, 200, 200, 200, 200, 200, 200)
SIGNED_IN_POST = expect(LOGIN, NO_CHANGE, NO_CHANGE, NO_CHANGE, NO_CHANGE, NO_CHANGE, NO_CHANGE)
GET_ONLY = expect(LOGIN, 405, 405, 405, 405, 405, 405)  # POST to a @require_GET view
POST_ONLY = expect(LOGIN, 405, 405, 405, 405, 405, 405)  # GET of a @require_POST view
# Reading a region's object: every role of the region and national readers.
REGION_READ = ruled("clusters.view_cluster", obj=CLUSTER)
REGION_READ_POST = ruled("clusters.view_cluster", obj=CLUSTER, yes=NO_CHANGE, outside=HIDDEN)
# Registering and steering a cluster: ARS staff of its region only.
ARS_FORM = ruled("clusters.change_cluster", obj=CLUSTER)
ARS_WRITE = ruled("clusters.change_cluster", obj=CLUSTER, yes=DONE)
# Sessions, phases, experiments, monographs: the cluster's own facilitator only.
FACILITATOR_FORM = ruled("clusters.facilitate_cluster", obj=CLUSTER)
FACILITATOR_WRITE = ruled("clusters.facilitate_cluster", obj=CLUSTER, yes=DONE)
EXPERIMENT_FORM = ruled("experiments.change_experiment", obj=CLUSTER)
EXPERIMENT_WRITE = ruled("experiments.change_experiment", obj=CLUSTER, yes=DONE)
MONOGRAPH_FORM = ruled("experiments.change_monograph", obj=CLUSTER)
MONOGRAPH_WRITE = ruled("experiments.change_monograph", obj=CLUSTER, yes=DONE)
# Delegation contacts: ARS staff of the region and the cluster's facilitator.
CONTACT_FORM = ruled("clusters.change_contacts", obj=CLUSTER)
CONTACT_WRITE = ruled("clusters.change_contacts", obj=CLUSTER, yes=DONE)
# The national programme pages: national readers, the programme team, administrators, ARS staff.
PROGRAMME = ruled("programme.view_dashboard")
PROGRAMME_POST = ruled("programme.view_dashboard", yes=NO_CHANGE, refused=(403, 405))
# Application pages reserved to administrators (FINESS import).
ADMIN_PAGE = ruled("establishments.import_finess")
ADMIN_WRITE = ruled("establishments.import_finess", yes=DONE)
ADMIN_ONLY_GET_DENIED = expect(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, None, LOGIN)


@dataclass
class Route:
    get: dict | Callable[[World], dict]
    post: dict | Callable[[World], dict]
    kwargs: Callable[[World], dict] = lambda w: {}
    data: Callable[[World], dict] = lambda w: {}
    # For unnamed patterns (the key is then the route): builds the path itself.
    path: Callable[[World], str] | None = None
    query: dict = field(default_factory=dict)
    # True when `data` is a valid write: an allowed POST must then change the database.
    writes: bool = False


# --- API (/api/v1/): 401 without credentials (never a login redirect), read-only (405).
API_LIST = expect(401, 200, 200, 200, 200, 200, 200)
API_READ = expect(401, 200, 404, 200, 200, 200, 200)
API_POST = expect(401, 405, 405, 405, 405, 405, 405)


def _api_detail(name, obj):
    return {
        f"api:{name}-detail": Route(kwargs=lambda w: {"pk": obj(w).pk}, get=API_READ, post=API_POST)
    }


def _own_token(world):
    from api.services import token_create

    return token_create(user=world.users["ars_region"], name="Matrice", valid_days=30)[0]


API_ROUTES = {
    **{
        f"api:{name}-list": Route(get=API_LIST, post=API_POST)
        for name in ("cluster", "membership", "session", "experiment", "monograph")
    },
    **_api_detail("cluster", lambda w: w.cluster),
    **_api_detail("membership", lambda w: w.membership),
    **_api_detail("session", lambda w: w.session),
    **_api_detail("experiment", lambda w: w.experiment),
    "api:monograph-detail": Route(
        kwargs=lambda w: {"pk": w.published_monograph.pk}, get=API_READ, post=API_POST
    ),
    "api:figures": Route(get=expect(401, 200, 200, 403, 403, 200, 200), post=API_POST),
    "api:open-monograph-list": Route(get=PUBLIC, post=PUBLIC_POST),
    "api:open-figures": Route(get=PUBLIC, post=PUBLIC_POST),
    "api:schema": Route(get=PUBLIC, post=PUBLIC_POST),
    "api:docs": Route(get=PUBLIC, post=PUBLIC_POST),
    "api-pages:open-data": Route(get=PUBLIC, post=PUBLIC_POST),
    "api-pages:token-list": Route(get=SIGNED_IN, post=SIGNED_IN_POST),
    "api-pages:token-revoke": Route(
        kwargs=lambda w: {"pk": _own_token(w).pk},
        get=POST_ONLY,
        post=expect(LOGIN, 302, 404, 404, 404, 404, 404),
    ),
}


def _planned_session(world):
    """A session still to come of the world's cluster (convocations, cancellation)."""
    import datetime

    from django.utils import timezone

    from clusters.services import next_session_number
    from tests.factories import SessionFactory

    return SessionFactory(
        cluster=world.cluster,
        number=next_session_number(world.cluster),
        held_on=timezone.localdate() + datetime.timedelta(days=30),
        is_draft=True,
    )


def _planned_session_kwargs(world):
    return {"cluster_pk": world.cluster.pk, "pk": _planned_session(world).pk}


WAVE_DATA = {
    "code": "2099",
    "name": "Vague de la matrice",
    "starts_on": "2099-01-01",
    "ends_on": "2100-12-31",
    "sectors": ["sanitaire", "social"],
    "registration_open": "on",
}

FIGURE_DATA = {
    "label": "Chiffre de la matrice",
    "metric": "clusters",
    "wave_code": "",
    "value": "7",
    "text": "",
    "source": "Source de la matrice",
    "source_url": "https://example.org/matrice",
    "published_on": "2018-01-01",
    "date_precision": "year",
    "note": "",
    "position": "99",
}


def _published_figure(world):
    """A published figure of the data migrations (programme/migrations/0002, 0004)."""
    from programme.models import PublishedFigure

    return PublishedFigure.objects.order_by("pk").first()


MATRIX: dict[str, Route] = {
    # --- Site pages
    "home": Route(get=SIGNED_IN, post=SIGNED_IN_POST),
    "healthz": Route(get=PUBLIC, post=PUBLIC_POST),
    "accessibility": Route(get=PUBLIC, post=PUBLIC_POST),
    "legal-notice": Route(get=PUBLIC, post=PUBLIC_POST),
    "personal-data": Route(get=PUBLIC, post=PUBLIC_POST),
    # --- Accounts
    "accounts:login": Route(
        get=expect(200, 302, 302, 302, 302, 302, 302),
        post=expect(200, 302, 302, 302, 302, 302, 302),
    ),
    "accounts:logout": Route(
        get=expect(LOGIN, 405, 405, 405, 405, 405, 405),
        post=expect(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    ),
    # The idle-timeout warning: how long is left (GET), stay signed in (POST, writes only the
    # session: tests/accounts/test_session_keep_alive.py proves it).
    "accounts:session-keep-alive": Route(
        get=SIGNED_IN, post=expect(LOGIN, 200, 200, 200, 200, 200, 200)
    ),
    "accounts:password-change": Route(get=SIGNED_IN, post=SIGNED_IN_POST),
    # ProConnect: off in the tests' settings, so 404 for everyone (tests/accounts/
    # test_proconnect.py runs them against a real OpenID Connect provider).
    "accounts:proconnect-login": Route(
        get=expect(404, 404, 404, 404, 404, 404, 404),
        post=expect(404, 404, 404, 404, 404, 404, 404),
    ),
    "accounts:proconnect-callback": Route(
        get=expect(404, 404, 404, 404, 404, 404, 404),
        post=expect(404, 404, 404, 404, 404, 404, 404),
    ),
    "accounts:password-change-done": Route(get=SIGNED_IN, post=SIGNED_IN_POST),
    # --- Password reset, invitations, notification preferences
    "notifications:password-reset": Route(get=PUBLIC, post=PUBLIC_POST),
    "notifications:password-reset-done": Route(get=PUBLIC, post=PUBLIC_POST),
    "notifications:password-reset-confirm": Route(
        kwargs=lambda w: {"uidb64": "MQ", "token": "faux-jeton"}, get=PUBLIC, post=PUBLIC_POST
    ),
    "notifications:password-reset-complete": Route(get=PUBLIC, post=PUBLIC_POST),
    # Administrators invite anyone, ARS staff their region (the programme team: national users).
    "notifications:invitation-list": Route(
        get=ruled("accounts.invite_users"), post=ruled("accounts.invite_users", yes=DONE)
    ),
    # Only the invitation's sender (or an administrator) resends or revokes it.
    "notifications:invitation-action": Route(
        kwargs=lambda w: {"pk": w.invitation.pk, "action": "renvoyer"},
        get=POST_ONLY,
        post=expect(LOGIN, 404, 404, 404, 404, 404, DONE),
    ),
    # The e-mail's link: anyone may open it; the token then lives in the session only.
    "notifications:invitation-open": Route(
        kwargs=lambda w: {"token": "faux-jeton"},
        get=expect(302, 302, 302, 302, 302, 302, 302),
        post=expect(302, 302, 302, 302, 302, 302, 302),
    ),
    "notifications:invitation-accept": Route(
        get=expect(404, 404, 404, 404, 404, 404, 404),
        post=expect(404, 404, 404, 404, 404, 404, 404),
    ),
    "notifications:preferences": Route(
        get=SIGNED_IN, post=expect(LOGIN, DONE, DONE, DONE, DONE, DONE, DONE)
    ),
    # Everyone's own calendar feed address: creating it answers the page showing it (200).
    "notifications:calendar": Route(
        get=SIGNED_IN,
        data=lambda w: {"action": "creer"},
        post=expect(LOGIN, DONE, DONE, DONE, DONE, DONE, DONE),
        writes=True,  # the address's creation is in the audit log
    ),
    # The feed: no login, the secret in the query string is the only key (an unknown one: 404
    # for everyone, whoever is signed in).
    "calendar-feed": Route(
        query={"jeton": "faux-jeton"},
        get=expect(404, 404, 404, 404, 404, 404, 404),
        post=expect(405, 405, 405, 405, 405, 405, 405),
    ),
    # --- Clusters (ARS staff)
    "clusters:cluster-list": Route(
        get=ruled("clusters.list_clusters"), post=ruled("clusters.list_clusters", yes=NO_CHANGE)
    ),
    "clusters:cluster-create": Route(
        get=ruled("clusters.add_cluster"), post=ruled("clusters.add_cluster", yes=DONE)
    ),
    "clusters:cluster-detail": Route(
        kwargs=lambda w: {"pk": w.cluster.pk}, get=REGION_READ, post=REGION_READ_POST
    ),
    "clusters:cluster-history": Route(
        kwargs=lambda w: {"pk": w.cluster.pk}, get=REGION_READ, post=REGION_READ_POST
    ),
    "clusters:cluster-edit": Route(
        kwargs=lambda w: {"pk": w.cluster.pk}, get=ARS_FORM, post=ARS_WRITE
    ),
    # Only a draft without sessions; the persona's answer comes from the rule.
    "clusters:cluster-delete": Route(
        kwargs=lambda w: {"pk": w.draft_cluster.pk},
        get=ruled("clusters.delete_cluster", obj=lambda w: w.draft_cluster),
        post=ruled("clusters.delete_cluster", obj=lambda w: w.draft_cluster, yes=DONE),
        writes=True,
    ),
    "clusters:cluster-transition": Route(
        kwargs=lambda w: {"pk": w.cluster.pk},
        data=lambda w: {"target": "constitue"},
        get=POST_ONLY,
        post=ARS_WRITE,
    ),
    "clusters:cluster-transition-confirm": Route(
        kwargs=lambda w: {"pk": w.cluster.pk, "target": "constitue"},
        get=ARS_FORM,
        post=ruled("clusters.change_cluster", obj=CLUSTER, yes=NO_CHANGE, outside=HIDDEN),
    ),
    "clusters:member-search": Route(
        kwargs=lambda w: {"pk": w.cluster.pk},
        query={"q": "EHPAD"},
        get=ARS_FORM,
        post=ruled("clusters.change_cluster", obj=CLUSTER, yes=NO_CHANGE, outside=HIDDEN),
    ),
    "clusters:member-add": Route(
        kwargs=lambda w: {"pk": w.cluster.pk},
        data=lambda w: {"establishment": w.other_membership.establishment_id},
        get=POST_ONLY,
        post=ARS_WRITE,
    ),
    "clusters:member-withdraw": Route(
        kwargs=lambda w: {"pk": w.cluster.pk, "membership_pk": w.membership.pk},
        get=ARS_FORM,
        post=ARS_WRITE,
    ),
    "clusters:member-joined-on": Route(
        kwargs=lambda w: {"pk": w.cluster.pk, "membership_pk": w.membership.pk},
        data=lambda w: {"joined_on": "2026-01-15"},
        get=ARS_FORM,
        post=ARS_WRITE,
        writes=True,
    ),
    "clusters:contact-create": Route(
        kwargs=lambda w: {"pk": w.cluster.pk, "membership_pk": w.membership.pk},
        get=CONTACT_FORM,
        post=CONTACT_WRITE,
    ),
    "clusters:contact-edit": Route(
        kwargs=lambda w: {"pk": w.cluster.pk, "contact_pk": w.contact.pk},
        get=CONTACT_FORM,
        post=CONTACT_WRITE,
    ),
    "clusters:contact-delete": Route(
        kwargs=lambda w: {"pk": w.cluster.pk, "contact_pk": w.contact.pk},
        get=CONTACT_FORM,
        post=CONTACT_WRITE,
        writes=True,  # the confirmation's POST deletes the contact
    ),
    # --- Sessions, attachments, phases (Aract facilitators)
    "clusters:session-list": Route(
        kwargs=lambda w: {"cluster_pk": w.cluster.pk}, get=REGION_READ, post=REGION_READ_POST
    ),
    "clusters:session-create": Route(
        kwargs=lambda w: {"cluster_pk": w.cluster.pk},
        get=FACILITATOR_FORM,
        post=FACILITATOR_WRITE,
    ),
    "clusters:session-detail": Route(
        kwargs=lambda w: {"cluster_pk": w.cluster.pk, "pk": w.session.pk},
        get=REGION_READ,
        post=REGION_READ_POST,
    ),
    "clusters:session-edit": Route(
        kwargs=lambda w: {"cluster_pk": w.cluster.pk, "pk": w.session.pk},
        get=FACILITATOR_FORM,
        post=FACILITATOR_WRITE,
    ),
    # Convening the delegation contacts to a session still to come, cancelling it.
    "clusters:session-convene": Route(
        kwargs=_planned_session_kwargs,
        get=ruled("clusters.convene_session", obj=CLUSTER),
        post=ruled("clusters.convene_session", obj=CLUSTER, yes=302),
        writes=True,  # a convocation recorded for the contact with an address
    ),
    "clusters:session-cancel": Route(
        kwargs=_planned_session_kwargs,
        get=ruled("clusters.convene_session", obj=CLUSTER),
        post=ruled("clusters.convene_session", obj=CLUSTER, yes=302),
        writes=True,  # the session is marked cancelled
    ),
    "clusters:session-attachment-create": Route(
        kwargs=lambda w: {"cluster_pk": w.cluster.pk, "pk": w.session.pk},
        get=FACILITATOR_FORM,
        post=FACILITATOR_WRITE,
    ),
    "clusters:session-attachment-download": Route(
        kwargs=lambda w: {
            "cluster_pk": w.cluster.pk,
            "pk": w.session.pk,
            "attachment_pk": w.attachment.pk,
        },
        get=REGION_READ,
        post=REGION_READ_POST,
    ),
    "clusters:session-attachment-delete": Route(
        kwargs=lambda w: {
            "cluster_pk": w.cluster.pk,
            "pk": w.session.pk,
            "attachment_pk": w.attachment.pk,
        },
        get=FACILITATOR_FORM,
        post=FACILITATOR_WRITE,
        writes=True,  # the confirmation's POST deletes the attachment
    ),
    "clusters:phase-list": Route(
        kwargs=lambda w: {"cluster_pk": w.cluster.pk}, get=REGION_READ, post=REGION_READ_POST
    ),
    "clusters:phase-change": Route(
        kwargs=lambda w: {"cluster_pk": w.cluster.pk, "membership_pk": w.membership.pk},
        get=FACILITATOR_FORM,
        post=FACILITATOR_WRITE,
    ),
    # --- Establishments (search: each user's regions; FINESS import: administrators)
    "establishments:establishment-search": Route(
        query={"q": "EHPAD"}, get=SIGNED_IN, post=GET_ONLY
    ),
    "establishments:establishment-search-json": Route(
        query={"q": "EHPAD"}, get=SIGNED_IN, post=GET_ONLY
    ),
    "establishments:finess-import": Route(get=ADMIN_PAGE, post=ADMIN_WRITE),
    "establishments:finess-import-detail": Route(
        kwargs=lambda w: {"pk": w.finess_import.pk},
        get=ADMIN_PAGE,
        post=ruled("establishments.import_finess", yes=NO_CHANGE),
    ),
    "establishments:finess-import-status": Route(
        kwargs=lambda w: {"pk": w.finess_import.pk}, get=ADMIN_PAGE, post=GET_ONLY
    ),
    "establishments:finess-import-confirm": Route(
        kwargs=lambda w: {"pk": w.stopped_finess_import.pk},
        get=POST_ONLY,
        post=ADMIN_WRITE,
        data=lambda w: {"confirm": "on"},
        writes=True,  # a new import, allowed to deactivate
    ),
    "establishments:finess-import-relaunch": Route(
        kwargs=lambda w: {"pk": w.finess_import.pk}, get=POST_ONLY, post=ADMIN_WRITE
    ),
    # --- Experiments and monographs (Aract facilitators write, the region reads)
    "experiments:my-clusters": Route(
        get=ruled("experiments.view_my_clusters"),
        post=ruled("experiments.view_my_clusters", yes=NO_CHANGE),
    ),
    "experiments:cluster-work": Route(
        kwargs=lambda w: {"cluster_pk": w.cluster.pk}, get=REGION_READ, post=REGION_READ_POST
    ),
    "experiments:experiment-create": Route(
        kwargs=lambda w: {"membership_pk": w.membership.pk},
        get=EXPERIMENT_FORM,
        post=EXPERIMENT_WRITE,
    ),
    "experiments:experiment-detail": Route(
        kwargs=lambda w: {"pk": w.experiment.pk}, get=REGION_READ, post=REGION_READ_POST
    ),
    "experiments:experiment-edit": Route(
        kwargs=lambda w: {"pk": w.experiment.pk}, get=EXPERIMENT_FORM, post=EXPERIMENT_WRITE
    ),
    "experiments:indicator-create": Route(
        kwargs=lambda w: {"pk": w.experiment.pk}, get=EXPERIMENT_FORM, post=EXPERIMENT_WRITE
    ),
    "experiments:indicator-edit": Route(
        kwargs=lambda w: {"pk": w.indicator.pk}, get=EXPERIMENT_FORM, post=EXPERIMENT_WRITE
    ),
    "experiments:measurement-create": Route(
        kwargs=lambda w: {"pk": w.indicator.pk}, get=EXPERIMENT_FORM, post=EXPERIMENT_WRITE
    ),
    "experiments:measurement-edit": Route(
        kwargs=lambda w: {"pk": w.measurement.pk},
        data=lambda w: {"measured_on": "2026-07-01", "value": "9"},
        get=EXPERIMENT_FORM,
        post=EXPERIMENT_WRITE,
        writes=True,
    ),
    "experiments:measurement-delete": Route(
        kwargs=lambda w: {"pk": w.measurement.pk},
        get=EXPERIMENT_FORM,
        post=EXPERIMENT_WRITE,
        writes=True,
    ),
    "experiments:monograph-create": Route(
        # A member without a monograph yet (one per membership).
        kwargs=lambda w: {"membership_pk": w.members[1].pk},
        get=MONOGRAPH_FORM,
        post=MONOGRAPH_WRITE,
    ),
    "experiments:monograph-detail": Route(
        kwargs=lambda w: {"pk": w.monograph.pk}, get=REGION_READ, post=REGION_READ_POST
    ),
    "experiments:monograph-edit": Route(
        kwargs=lambda w: {"pk": w.monograph.pk}, get=MONOGRAPH_FORM, post=MONOGRAPH_WRITE
    ),
    "experiments:monograph-transition": Route(
        kwargs=lambda w: {"pk": w.monograph.pk, "target": "soumise"},
        get=ruled("experiments.submit_monograph", obj=CLUSTER),
        post=ruled("experiments.submit_monograph", obj=CLUSTER, yes=DONE),
        data=lambda w: {"comment": ""},  # an empty POST only shows the form again
        writes=True,
    ),
    "experiments:monograph-list": Route(
        get=ruled("experiments.view_monographs"),
        post=ruled("experiments.view_monographs", yes=NO_CHANGE),
    ),
    # --- The public library of published monographs
    "library:monograph-list": Route(get=PUBLIC, post=PUBLIC_POST),
    "library:monograph-detail": Route(
        kwargs=lambda w: {"pk": w.published_monograph.pk}, get=PUBLIC, post=PUBLIC_POST
    ),
    "library:monograph-pdf": Route(
        kwargs=lambda w: {"pk": w.published_monograph.pk},
        get=PUBLIC,
        post=expect(405, 405, 405, 405, 405, 405, 405),  # @require_GET
    ),
    # --- National programme: dashboard, exports, import of past clusters
    "programme:dashboard": Route(get=PROGRAMME, post=PROGRAMME_POST),
    "programme:export-summary": Route(
        kwargs=lambda w: {"fmt": "csv"}, get=PROGRAMME, post=PROGRAMME_POST
    ),
    "programme:export-detail": Route(get=PROGRAMME, post=PROGRAMME_POST),
    "programme:export-detail-xlsx": Route(get=PROGRAMME, post=PROGRAMME_POST),
    "programme:import-upload": Route(
        get=ruled("programme.import_clusters"), post=ruled("programme.import_clusters", yes=DONE)
    ),
    "programme:import-confirm": Route(
        get=POST_ONLY, post=ruled("programme.import_clusters", yes=DONE)
    ),
    # The rejections of the user's last check: none in the matrix's sessions, hence 404.
    "programme:import-rejects": Route(
        get=ruled("programme.import_clusters", yes=404), post=GET_ONLY
    ),
    # --- Programme administration (the programme team): waves, themes, session tools
    **{
        f"programme:{kind}-list": Route(get=ruled(rule), post=ruled(rule, yes=NO_CHANGE))
        for kind, rule in (
            ("wave", "programme.manage_waves"),
            ("theme", "programme.manage_themes"),
            ("tool", "programme.manage_session_tools"),
        )
    },
    "programme:wave-create": Route(
        get=ruled("programme.manage_waves"),
        post=ruled("programme.manage_waves", yes=302),
        data=lambda w: WAVE_DATA,
        writes=True,
    ),
    "programme:wave-edit": Route(
        kwargs=lambda w: {"pk": w.wave.pk},
        get=ruled("programme.manage_waves"),
        post=ruled("programme.manage_waves", yes=302),
        # Its members' sectors kept: a wave cannot be restricted under its current members.
        data=lambda w: {**WAVE_DATA, "code": w.wave.code, "sectors": every_wave_sector()},
        writes=True,
    ),
    "programme:theme-create": Route(
        get=ruled("programme.manage_themes"),
        post=ruled("programme.manage_themes", yes=302),
        data=lambda w: {"name": "Thématique de la matrice"},
        writes=True,
    ),
    "programme:theme-edit": Route(
        kwargs=lambda w: {"pk": w.theme.pk},
        get=ruled("programme.manage_themes"),
        post=ruled("programme.manage_themes", yes=302),
        data=lambda w: {"name": w.theme.name, "retired": "on"},
        writes=True,
    ),
    "programme:tool-create": Route(
        get=ruled("programme.manage_session_tools"),
        post=ruled("programme.manage_session_tools", yes=302),
        data=lambda w: {"name": "Outil de la matrice"},
        writes=True,
    ),
    "programme:tool-edit": Route(
        kwargs=lambda w: {"pk": w.session_tool.pk},
        get=ruled("programme.manage_session_tools"),
        post=ruled("programme.manage_session_tools", yes=302),
        data=lambda w: {"name": f"{w.session_tool.name} (renommé)"},
        writes=True,
    ),
    # --- Published figures (the programme team): list, add, edit (audited)
    "programme:figure-list": Route(
        get=ruled("programme.change_published_figures"),
        post=ruled("programme.change_published_figures", yes=NO_CHANGE),
    ),
    "programme:figure-create": Route(
        get=ruled("programme.change_published_figures"),
        post=ruled("programme.change_published_figures", yes=302),
        data=lambda w: FIGURE_DATA,
        writes=True,
    ),
    "programme:figure-edit": Route(
        kwargs=lambda w: {"pk": _published_figure(w).pk},
        get=ruled("programme.change_published_figures"),
        post=ruled("programme.change_published_figures", yes=302),
        data=lambda w: {**FIGURE_DATA, "label": f"{_published_figure(w).label} (corrigé)"},
        writes=True,
    ),
    # --- Reports (jobs run by Celery; the job is visible where its target is)
    "reports:report-list": Route(get=ruled("reports.view_reports"), post=GET_ONLY),
    "reports:cluster-report": Route(
        kwargs=lambda w: {"cluster_pk": w.cluster.pk}, get=REGION_READ, post=GET_ONLY
    ),
    "reports:cluster-report-request": Route(
        kwargs=lambda w: {"cluster_pk": w.cluster.pk},
        get=POST_ONLY,
        post=expect(LOGIN, DONE, 404, DONE, DONE, DONE, DONE),
    ),
    "reports:region-report-request": Route(
        data=lambda w: {"region": w.cluster.region_id, "wave": w.wave.pk},
        get=POST_ONLY,
        post=expect(LOGIN, DONE, DONE, DONE, DONE, DONE, DONE),
    ),
    "reports:national-report-request": Route(
        data=lambda w: {"wave": w.wave.pk},
        get=POST_ONLY,
        post=ruled("reports.request_national_report", yes=DONE),
        writes=True,
    ),
    "reports:job-detail": Route(
        kwargs=lambda w: {"pk": w.report_job.pk}, get=REGION_READ, post=GET_ONLY
    ),
    "reports:job-status": Route(
        kwargs=lambda w: {"pk": w.report_job.pk}, get=REGION_READ, post=GET_ONLY
    ),
    "reports:job-retry": Route(
        kwargs=lambda w: {"pk": w.report_job.pk},
        get=POST_ONLY,
        post=expect(LOGIN, DONE, 404, DONE, DONE, DONE, DONE),
    ),
    "reports:job-download": Route(
        kwargs=lambda w: {"pk": w.report_job.pk}, get=REGION_READ, post=GET_ONLY
    ),
    **API_ROUTES,
}

# Pages any visitor may open without signing in (each must also be in the matrix as such).
PUBLIC_URLS = {
    "healthz",
    "accessibility",
    "legal-notice",
    "personal-data",
    "accounts:login",
    "notifications:password-reset",
    "notifications:password-reset-done",
    "notifications:password-reset-confirm",
    "notifications:password-reset-complete",
    "admin:login",
    "library:monograph-list",
    "library:monograph-detail",
    "library:monograph-pdf",
    *("api:open-monograph-list", "api:open-figures", "api:schema", "api:docs"),
    "api-pages:open-data",
}


# --- The admin site: one entry per registered model, generated from the admin registry. ---------
# Everyone but the administrator is sent to the admin's login page; the administrator gets what
# the model's admin allows (some models are read-only in the admin: 403 on add or change).


def _admin_request(world):
    request = RequestFactory().get("/admin/")
    request.user = world.users["admin"]
    return request


def _first(model):
    return model._default_manager.order_by("pk").first()


def _admin_expect(allowed: Callable[[World], bool], yes=200, no=403):
    def build(world):
        return {**ADMIN_ONLY_GET_DENIED, "admin": yes if allowed(world) else no}

    return build


def _model_admin_routes(model, model_admin) -> dict[str, Route]:
    info = f"{model._meta.app_label}_{model._meta.model_name}"

    def obj(world):
        instance = _first(model)
        assert instance is not None, f"the fixture world has no {model.__name__}: add one"
        return instance

    def can(permission, with_object=False):
        def allowed(world):
            method = getattr(model_admin, f"has_{permission}_permission")
            args = (obj(world),) if with_object else ()
            return method(_admin_request(world), *args)

        return allowed

    object_kwargs = lambda w: {"object_id": obj(w).pk}  # noqa: E731
    view = can("view_or_change", with_object=True)
    routes = {
        f"admin:{info}_changelist": Route(
            get=_admin_expect(can("view_or_change")),
            post=_admin_expect(can("view_or_change"), yes=DONE),
        ),
        f"admin:{info}_add": Route(
            get=_admin_expect(can("add")), post=_admin_expect(can("add"), yes=DONE)
        ),
        f"admin:{info}_change": Route(
            kwargs=object_kwargs,
            get=_admin_expect(view),
            post=_admin_expect(can("change", with_object=True), yes=DONE),
        ),
        f"admin:{info}_history": Route(
            kwargs=object_kwargs, get=_admin_expect(view), post=_admin_expect(view)
        ),
        f"admin:{info}_delete": Route(
            kwargs=object_kwargs,
            # An empty POST deletes nothing: the confirmation page is shown again.
            get=_admin_expect(can("delete", with_object=True)),
            post=_admin_expect(can("delete", with_object=True)),
        ),
        # The bare object URL redirects to its change page.
        f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/": Route(
            path=lambda w: f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj(w).pk}/",
            get=_admin_expect(lambda w: True, yes=302),
            post=_admin_expect(lambda w: True, yes=302),
        ),
    }
    if info == settings.AUTH_USER_MODEL.lower().replace(".", "_"):
        routes["admin:auth_user_password_change"] = Route(
            kwargs=lambda w: {"id": w.users["ars_region"].pk},
            get=_admin_expect(lambda w: True),
            post=_admin_expect(lambda w: True),
        )
    return routes


ADMIN_SITE_ROUTES = {
    "admin:index": Route(get=_admin_expect(lambda w: True), post=_admin_expect(lambda w: True)),
    "admin:login": Route(
        get=expect(200, 200, 200, 200, 200, 200, 302),
        post=expect(200, 200, 200, 200, 200, 200, 200),
    ),
    # Signed-in users who are not staff are sent to the admin's index, which asks them to log in.
    "admin:logout": Route(
        get=expect(LOGIN, 302, 302, 302, 302, 302, 405),
        post=expect(LOGIN, 302, 302, 302, 302, 302, LOGIN),
    ),
    "admin:password_change": Route(
        get=_admin_expect(lambda w: True), post=_admin_expect(lambda w: True)
    ),
    "admin:password_change_done": Route(
        get=_admin_expect(lambda w: True), post=_admin_expect(lambda w: True, yes=405)
    ),
    # Without its query parameters the autocomplete view refuses everyone.
    "admin:autocomplete": Route(
        get=_admin_expect(lambda w: True, yes=403), post=_admin_expect(lambda w: True, yes=405)
    ),
    "admin:jsi18n": Route(
        get=_admin_expect(lambda w: True), post=_admin_expect(lambda w: True, yes=405)
    ),
    "admin:view_on_site": Route(
        kwargs=lambda w: {
            "content_type_id": ContentType.objects.get_for_model(w.cluster).pk,
            "object_id": w.cluster.pk,
        },
        get=_admin_expect(lambda w: True, yes=(302, 404)),
        post=_admin_expect(lambda w: True, yes=(302, 404)),
    ),
    "admin:app_list": Route(
        kwargs=lambda w: {"app_label": "accounts"},
        get=_admin_expect(lambda w: True),
        post=_admin_expect(lambda w: True),
    ),
    # Unknown admin URLs: login first, then 404 (no list of what exists to anonymous visitors).
    "admin/(?P<url>.*)$": Route(
        path=lambda w: "/admin/nimportequoi/",
        get=_admin_expect(lambda w: True, yes=404),
        post=_admin_expect(lambda w: True, yes=404),
    ),
}

for _model, _model_admin in admin.site._registry.items():
    MATRIX.update(_model_admin_routes(_model, _model_admin))
MATRIX.update(ADMIN_SITE_ROUTES)


# --- Machinery ----------------------------------------------------------------------------------


def walk_url_patterns(patterns=None, prefix="", namespace=None):
    """(key, route) for every pattern of the resolver: key is the namespaced name, or the full
    route for unnamed patterns."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk_url_patterns(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            if pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route
            else:
                yield route, route


def outcome(response):
    """The answer as the matrix writes it: LOGIN for a redirect to a login page, else the status."""
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith((reverse(settings.LOGIN_URL), reverse("admin:login"))):
            return LOGIN
    return response.status_code


def matches(expected, actual) -> bool:
    return actual in expected if isinstance(expected, tuple) else actual == expected


def url_of(key: str, route: Route, world: World) -> str:
    path = route.path(world) if route.path else reverse(key, kwargs=route.kwargs(world))
    return path


def body_of(response) -> bytes:
    """The body; a streamed one (file download) is read to its end, which closes it the way the
    test client expects (an explicit close() would close the test's database connection)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


PROJECT_APPS = {
    "accounts",
    "establishments",
    "clusters",
    "experiments",
    "reports",
    "programme",
    "auditlog",
}
STATE_MODELS = [m for m in django_apps.get_models() if m._meta.app_label in PROJECT_APPS]


def database_state() -> list:
    """Every row of the project's tables (and its audit log): equal before and after a request
    means the request wrote nothing."""
    return [list(m._default_manager.order_by("pk").values_list()) for m in STATE_MODELS]


def allows(expected) -> bool:
    """Whether an expected answer is an allowed write (as opposed to a refusal or a re-render)."""
    answers = expected if isinstance(expected, tuple) else (expected,)
    return 302 in answers


def check_route(world, key: str, method: str) -> list[str]:
    route = MATRIX[key]
    expected = getattr(route, method)
    expected = expected(world) if callable(expected) else expected
    url = url_of(key, route, world)
    problems = []
    for persona in PERSONAS:
        client = world.client(persona)
        with transaction.atomic():  # each persona meets the world as built
            before = database_state() if method == "post" else None
            if method == "get":
                response = client.get(url, route.query)
            else:
                response = client.post(url, route.data(world))
            wrote = method == "post" and database_state() != before
            transaction.set_rollback(True)
        actual = outcome(response)
        body = body_of(response)  # read even when unused: a download releases its file
        if not matches(expected[persona], actual):
            problems.append(f"{persona}: expected {expected[persona]}, got {actual}")
        elif wrote and not allows(expected[persona]):
            problems.append(f"{persona}: refused ({actual}) but the database changed")
        elif route.writes and method == "post" and allows(expected[persona]) and not wrote:
            problems.append(f"{persona}: allowed ({actual}) but nothing was written")
        elif persona in ("anonymous", "ars_other_region") and response.status_code == 200:
            if LEAK_MARKER.encode() in body:
                problems.append(f"{persona}: 200 shows region 11's private data")
    return problems


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("key", sorted(MATRIX))
def test_access_matrix(world, key, method):
    problems = check_route(world, key, method)
    assert not problems, f"{method.upper()} {key}:\n  " + "\n  ".join(problems)


def test_every_url_is_in_the_matrix():
    unknown = sorted({key for key, _route in walk_url_patterns()} - set(MATRIX))
    assert not unknown, (
        "URLs missing from tests/security/test_access_matrix.py MATRIX (add one entry each): "
        + ", ".join(unknown)
    )


def test_the_matrix_lists_no_url_that_does_not_exist():
    known = {key for key, _route in walk_url_patterns()}
    assert not set(MATRIX) - known


def test_pages_open_to_anonymous_visitors_are_exactly_the_declared_public_ones():
    open_to_anonymous = {
        key
        for key, route in MATRIX.items()
        if isinstance(route.get, dict) and matches(route.get["anonymous"], 200)
    }
    assert open_to_anonymous == PUBLIC_URLS


@pytest.mark.parametrize(
    "key",
    [
        "clusters:cluster-list",
        "establishments:establishment-search",
        "establishments:establishment-search-json",
        "clusters:session-detail",
        "experiments:monograph-list",
    ],
)
def test_the_leak_marker_shows_where_it_may(world, key):
    """The control of the leak check above: region 11's staff do see the marked data on these
    pages, so its absence from region 53's answers means something."""
    route = MATRIX[key]
    response = world.client("ars_region").get(url_of(key, route, world), route.query)
    assert response.status_code == 200
    assert LEAK_MARKER.encode() in body_of(response)


def test_an_unpublished_monograph_is_not_in_the_public_library(world):
    for name in ("library:monograph-detail", "library:monograph-pdf"):
        url = reverse(name, kwargs={"pk": world.monograph.pk})
        for persona in PERSONAS:
            assert world.client(persona).get(url).status_code == 404, persona
