from django.urls import reverse


def navigation(request):
    """Main navigation entries for the signed-in user's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        # The good-practice library is public.
        library = reverse("library:monograph-list")
        current = request.path == library
        return {"nav_items": [{"label": "Bibliothèque", "url": library, "current": current}]}
    items = [("Tableau de bord", reverse("home"))]
    if user.roles.sees_everything or user.roles.region_ids:
        items.append(("Clusters", reverse("clusters:cluster-list")))
    if user.roles.sees_everything or user.roles.region_ids:
        items.append(("Mes clusters", reverse("experiments:my-clusters")))
        items.append(("Monographies", reverse("experiments:monograph-list")))
    if user.roles.sees_everything or user.roles.region_ids:
        items.append(("Établissements", reverse("establishments:establishment-search")))
    if user.roles.sees_everything or user.roles.ars_region_ids:
        items.append(("Programme national", reverse("programme:dashboard")))
        items.append(("Import de clusters", reverse("programme:import-upload")))
    if user.roles.sees_everything or user.roles.region_ids:
        items.append(("Rapports", reverse("reports:report-list")))
    if user.roles.is_admin:
        items.append(("Import FINESS", reverse("establishments:finess-import")))
        items.append(("Administration", reverse("admin:index")))
    items.append(("Bibliothèque", reverse("library:monograph-list")))
    current = request.path
    return {
        "nav_items": [
            {"label": label, "url": url, "current": current == url} for label, url in items
        ]
    }
