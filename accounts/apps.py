from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, rules, signals  # noqa: F401  (security-event logging, the rules)

        auditlog.register(models.User, exclude_fields=["password", "last_login"])
        auditlog.register(models.RoleAssignment)
