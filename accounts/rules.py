"""Who may do what: the one permissions table of the project.

Every rule has a name (`<app>.<verb>_<noun>`) and is read by the views (`rule_required`,
`check_rule`), the templates (`{% load rules %}` then `{% has_perm "name" user obj as ok %}`),
the menu (accounts/context_processors.py), the services where a rule must hold whatever the
caller, and the tests (the access matrix reads its expected answers from `ROLE_ACTIONS`).

Predicates read only the user's role assignments and, for object rules, attributes of the
object passed in (`obj.region_id`, `obj.facilitators`, `obj.pk` of a region): this module sits at
the bottom of the import graph and imports no domain app. Object rules take the cluster (or the
region) the action is about; reading whether the object exists at all is the querysets'
business (`visible_to`: 404 outside the user's regions), these rules answer 403 inside.

We call `rules.test_rule` directly, not `user.has_perm`: Django's ModelBackend answers True to
every permission of a superuser, which would let an administrator write where the table says no.
"""

from functools import wraps

import rules
from django.core.exceptions import PermissionDenied

# --- Predicates: roles ------------------------------------------------------------------------


@rules.predicate
def is_admin(user):
    return user.is_authenticated and user.roles.is_admin


@rules.predicate
def is_programme_team(user):
    return user.is_authenticated and user.roles.is_programme_team


@rules.predicate
def is_national_reader(user):
    """National readers, the programme team and administrators: read every region."""
    return user.is_authenticated and user.roles.sees_everything


@rules.predicate
def is_ars_staff(user):
    return user.is_authenticated and bool(user.roles.ars_region_ids)


@rules.predicate
def is_aract_staff(user):
    return user.is_authenticated and bool(user.roles.aract_region_ids)


@rules.predicate
def has_a_region(user):
    return user.is_authenticated and bool(user.roles.region_ids)


# --- Predicates: a cluster (or anything with `region_id`), a region ---------------------------


@rules.predicate
def is_staff_of_its_region(user, obj):
    """ARS or Aract staff of the object's region (not national readers)."""
    return obj is not None and user.is_authenticated and obj.region_id in user.roles.region_ids


@rules.predicate
def is_ars_of_its_region(user, obj):
    return obj is not None and user.is_authenticated and user.roles.is_ars_of(obj.region_id)


@rules.predicate
def is_its_facilitator(user, cluster):
    """An Aract facilitator assigned to this cluster (its `facilitators`, prefetched or not)."""
    return (
        cluster is not None
        and user.is_authenticated
        and user.roles.is_aract_of(cluster.region_id)
        and any(facilitator.pk == user.pk for facilitator in cluster.facilitators.all())
    )


@rules.predicate
def sees_the_region(user, region):
    return region is not None and (
        is_national_reader(user) or (user.is_authenticated and region.pk in user.roles.region_ids)
    )


has_a_role = is_national_reader | has_a_region
reads_the_cluster = is_national_reader | is_staff_of_its_region
follows_the_programme = is_national_reader | is_ars_staff

# --- The table ----------------------------------------------------------------------------------

RULES = {
    # Clusters: reading, registering, steering (ARS), facilitating (its Aract facilitators).
    "clusters.list_clusters": has_a_role,
    "clusters.view_cluster": reads_the_cluster,
    "clusters.add_cluster": is_ars_staff,
    "clusters.change_cluster": is_ars_of_its_region,
    # Only a draft without sessions (clusters/services.py: cluster_delete_refusal).
    "clusters.delete_cluster": is_ars_of_its_region,
    "clusters.facilitate_cluster": is_its_facilitator,
    # Convening the delegation contacts to a session (and cancelling it): its facilitators.
    "clusters.convene_session": is_its_facilitator,
    # Personal data and confidential session content: the region's own staff, never national.
    "clusters.view_contacts": is_staff_of_its_region,
    "clusters.view_confidential_content": is_staff_of_its_region,
    "clusters.change_contacts": is_ars_of_its_region | is_its_facilitator,
    # Experiments and monographs (the object is the cluster).
    "experiments.view_my_clusters": is_aract_staff,
    "experiments.view_monographs": has_a_role,
    "experiments.change_experiment": is_its_facilitator,
    "experiments.change_monograph": is_its_facilitator,
    "experiments.submit_monograph": is_its_facilitator,
    "experiments.validate_monograph": is_ars_of_its_region,
    "experiments.publish_monograph": is_ars_of_its_region | is_programme_team,
    "experiments.unpublish_monograph": is_programme_team,
    # Establishments.
    "establishments.search_establishments": has_a_role,
    "establishments.import_finess": is_admin,
    # The programme: figures and exports (read), its administration (the programme team).
    "programme.view_dashboard": follows_the_programme,
    "programme.export_figures": follows_the_programme,
    "programme.import_clusters": is_programme_team | is_ars_staff,
    "programme.import_clusters_anywhere": is_programme_team,
    "programme.manage_waves": is_programme_team,
    "programme.manage_themes": is_programme_team,
    "programme.manage_session_tools": is_programme_team,
    "programme.change_published_figures": is_programme_team,
    # Reports: the same people as the target's pages.
    "reports.view_reports": has_a_role,
    "reports.request_region_report": sees_the_region,
    "reports.request_national_report": is_national_reader,
    # Users and roles (the Django admin); invitations (ARS: their region's staff, the programme
    # team: national users; notifications/invitations.py checks whom).
    "accounts.manage_users": is_admin,
    "accounts.invite_users": is_admin | is_ars_staff | is_programme_team,
}

for _name, _predicate in RULES.items():
    rules.add_rule(_name, _predicate)


def has_rule(user, name: str, obj=None) -> bool:
    if name not in RULES:  # a typo must not read as "refused"
        raise KeyError(f"Unknown rule {name!r}")
    return rules.test_rule(name, user, obj)


def check_rule(user, name: str, obj=None) -> None:
    """403 when `user` may not; for objects already fetched through `visible_to` (404 first)."""
    if not has_rule(user, name, obj):
        raise PermissionDenied("Votre rôle ne permet pas cette action.")


def rule_required(name: str):
    """View decorator for rules that need no object: 403 when the user's role may not."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            check_rule(request.user, name)
            return view(request, *args, **kwargs)

        wrapped.rule = name
        return wrapped

    return decorator


# --- What each role may do, for the documentation (README, SECURITY.md) -----------------------
# One line per action: (label, rule, object kind). Checked against RULES by
# tests/accounts/test_rules.py, which regenerates the table and compares it with the documents.

ROLE_ACTIONS = [
    ("Lire les clusters de sa région", "clusters.view_cluster", "own"),
    ("Lire les clusters des autres régions", "clusters.view_cluster", "other"),
    ("Enregistrer un cluster", "clusters.add_cluster", None),
    ("Modifier un cluster, ses membres, son statut", "clusters.change_cluster", "own"),
    ("Supprimer un cluster brouillon sans séance", "clusters.delete_cluster", "own"),
    ("Saisir séances, phases (cluster suivi)", "clusters.facilitate_cluster", "facilitated"),
    ("Convoquer les délégations à une séance", "clusters.convene_session", "facilitated"),
    ("Lire contacts et contenu confidentiel", "clusters.view_contacts", "own"),
    ("Modifier les contacts de délégation", "clusters.change_contacts", "facilitated"),
    ("Saisir expérimentations et monographies", "experiments.change_monograph", "facilitated"),
    ("Valider une monographie", "experiments.validate_monograph", "own"),
    ("Publier une monographie", "experiments.publish_monograph", "own"),
    ("Dépublier une monographie", "experiments.unpublish_monograph", "own"),
    ("Rechercher un établissement", "establishments.search_establishments", None),
    ("Tableau de bord du programme, exports", "programme.view_dashboard", None),
    ("Télécharger le rapport national", "reports.request_national_report", None),
    ("Importer des clusters passés (ARS : sa région)", "programme.import_clusters", None),
    ("Gérer vagues, thématiques, outils de séance", "programme.manage_waves", None),
    ("Modifier les chiffres publiés", "programme.change_published_figures", None),
    ("Importer le répertoire FINESS", "establishments.import_finess", None),
    ("Inviter des collègues", "accounts.invite_users", None),
    ("Gérer les utilisateurs et leurs rôles", "accounts.manage_users", None),
]

ROLE_COLUMNS = [
    ("ARS", "ars"),
    ("Aract", "aract"),
    ("Lecteur national", "national"),
    ("Équipe programme", "programme"),
    ("Administrateur", "admin"),
]


class _StandIn:
    """A user holding one role (region 1 for regional roles), to print the table."""

    is_authenticated = True

    def __init__(self, role):
        from types import SimpleNamespace

        regional = role in ("ars", "aract")
        self.pk = role
        self.roles = SimpleNamespace(
            is_admin=role == "admin",
            is_programme_team=role == "programme",
            sees_everything=role in ("national", "programme", "admin"),
            ars_region_ids=frozenset({1}) if role == "ars" else frozenset(),
            aract_region_ids=frozenset({1}) if role == "aract" else frozenset(),
            region_ids=frozenset({1}) if regional else frozenset(),
            is_ars_of=lambda region_id: role == "ars" and region_id == 1,
            is_aract_of=lambda region_id: role == "aract" and region_id == 1,
        )


def _object_for(kind, user):
    from types import SimpleNamespace

    if kind is None:
        return None
    region_id = 2 if kind == "other" else 1
    facilitators = [user] if kind == "facilitated" else []
    return SimpleNamespace(
        pk=region_id, region_id=region_id, facilitators=SimpleNamespace(all=lambda: facilitators)
    )


def role_table() -> str:
    """The role × action table in Markdown, computed from the rules (README, SECURITY.md)."""
    header = "| Action | " + " | ".join(label for label, _role in ROLE_COLUMNS) + " |"
    lines = [header, "|" + " --- |" * (len(ROLE_COLUMNS) + 1)]
    for label, name, kind in ROLE_ACTIONS:
        cells = []
        for _column, role in ROLE_COLUMNS:
            user = _StandIn(role)
            cells.append("oui" if has_rule(user, name, _object_for(kind, user)) else "non")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
