from auditlog import apps as auditlog_apps
from axes import apps as axes_apps
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default = True  # this module also holds the French configs of axes and auditlog
    name = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, rules, signals  # noqa: F401  (security-event logging, the rules)

        auditlog.register(models.User, exclude_fields=["password", "last_login"])
        auditlog.register(models.RoleAssignment)


# French section names in the admin for the two third-party apps the administrators use
# (installed under these configs in settings.INSTALLED_APPS).
class AuditlogConfig(auditlog_apps.AuditlogConfig):
    verbose_name = "Journal des modifications"


class AxesConfig(axes_apps.AppConfig):
    verbose_name = "Verrouillage des connexions"
