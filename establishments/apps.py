from django.apps import AppConfig


class EstablishmentsConfig(AppConfig):
    name = "establishments"
    verbose_name = "Établissements et territoires"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        # Hand edits are logged; the FINESS import writes with set-based SQL (its FinessImport
        # record is its log).
        auditlog.register(models.Category)
        auditlog.register(models.Establishment, exclude_fields=["search_text"])
        auditlog.register(models.Organisation)
