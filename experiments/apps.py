from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "experiments"
    verbose_name = "Expérimentations et monographies"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Experiment, m2m_fields={"themes"})
        auditlog.register(models.Indicator)
        auditlog.register(models.Measurement)
        auditlog.register(models.Monograph)
