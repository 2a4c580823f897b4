from django.apps import AppConfig


class WebConfig(AppConfig):
    """Pages that combine several domains (home, the cluster page), the demo data and the
    personal-data commands: the only app allowed to import every other one."""

    name = "web"
    verbose_name = "Pages transverses"
