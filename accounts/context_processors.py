from django.conf import settings
from django.urls import reverse

from .rules import has_rule

# The main menu: (label, URL name, rule the user must pass; None: every signed-in user).
# Each label is the title of the page it opens; the page's view checks the same rule, so the
# menu shows exactly the pages the user may open (tests/qvt/test_shell.py checks it per role).
MENU = [
    ("Tableau de bord", "home", None),
    ("Clusters", "clusters:cluster-list", "clusters.list_clusters"),
    ("Mes clusters", "experiments:my-clusters", "experiments.view_my_clusters"),
    ("Monographies", "experiments:monograph-list", "experiments.view_monographs"),
    (
        "Rechercher un établissement",
        "establishments:establishment-search",
        "establishments.search_establishments",
    ),
    ("Programme national", "programme:dashboard", "programme.view_dashboard"),
    ("Vagues", "programme:wave-list", "programme.manage_waves"),
    ("Import de clusters", "programme:import-upload", "programme.import_clusters"),
    ("Rapports", "reports:report-list", "reports.view_reports"),
    ("Importer le registre FINESS", "establishments:finess-import", "establishments.import_finess"),
    ("Inviter une personne", "notifications:invitation-list", "accounts.invite_users"),
    ("Administration", "admin:index", "accounts.manage_users"),
    ("Bibliothèque des bonnes pratiques", "library:monograph-list", None),
]
PUBLIC_MENU = ["library:monograph-list"]


def menu_for(user) -> list[tuple[str, str]]:
    """(label, url) of the menu entries `user` may open."""
    items = []
    for label, name, rule in MENU:
        if not user.is_authenticated and name not in PUBLIC_MENU:
            continue
        if rule is not None and not has_rule(user, rule):
            continue
        if name == "programme:dashboard" and not user.roles.sees_everything:
            label = "Programme dans ma région"  # the page's title for regional staff
        items.append((label, reverse(name)))
    return items


def navigation(request):
    """Main navigation entries for the signed-in user's roles."""
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    return {
        "nav_items": [
            {"label": label, "url": url, "current": request.path == url}
            for label, url in menu_for(user)
        ]
    }


def session_timeout(request):
    """How long before the idle timeout the page warns (static/qvt/session-timeout.js)."""
    return {"session_warning_seconds": settings.SESSION_WARNING_SECONDS}
