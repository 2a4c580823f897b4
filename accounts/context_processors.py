from django.urls import reverse


def navigation(request):
    """Main navigation entries for the signed-in user's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        # The good-practice library is public.
        library = reverse("library:monograph-list")
        current = request.path == library
        return {"nav_items": [{"label": "Bibliothèque", "url": library, "current": current}]}
    roles = user.roles
    sees_data = roles.sees_everything or bool(roles.region_ids)
    items = [("Tableau de bord", reverse("home"))]
    if sees_data:
        items.append(("Clusters", reverse("clusters:cluster-list")))
        items.append(("Mes clusters", reverse("experiments:my-clusters")))
        items.append(("Monographies", reverse("experiments:monograph-list")))
        items.append(("Établissements", reverse("establishments:establishment-search")))
    if roles.sees_everything or roles.ars_region_ids:
        items.append(("Programme national", reverse("programme:dashboard")))
        items.append(("Import de clusters", reverse("programme:import-upload")))
    if sees_data:
        items.append(("Rapports", reverse("reports:report-list")))
    if roles.is_admin:
        items.append(("Import FINESS", reverse("establishments:finess-import")))
        items.append(("Administration", reverse("admin:index")))
    items.append(("Bibliothèque", reverse("library:monograph-list")))
    current = request.path
    return {
        "nav_items": [
            {"label": label, "url": url, "current": current == url} for label, url in items
        ]
    }
