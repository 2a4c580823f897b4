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
        # Who asked for which import, and who confirmed one that the deactivation threshold
        # stopped (a new import with `confirmed_from`); the job's progress is not audited.
        auditlog.register(
            models.FinessImport,
            include_fields=[
                "source", "original_name", "dry_run", "strict", "allow_deactivation",
                "confirmed_from", "requested_by",
            ],
        )  # fmt: skip
