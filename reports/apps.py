from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Rapports et exports"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        # Progress moves through queryset updates (no signal); who asked for what is audited.
        auditlog.register(models.ReportJob, exclude_fields=["progress"])
