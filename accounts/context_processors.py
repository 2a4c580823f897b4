from django.urls import reverse


def navigation(request):
    """Main navigation entries for the signed-in user's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("Tableau de bord", reverse("home"))]
    if user.roles.is_admin:
        items.append(("Administration", reverse("admin:index")))
    current = request.path
    return {
        "nav_items": [
            {"label": label, "url": url, "current": current == url} for label, url in items
        ]
    }
