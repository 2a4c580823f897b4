from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API et données ouvertes"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models, schema  # noqa: F401 - schema registers the token's description

        # Creation and revocation are audited; the hash and the use counters are not history.
        auditlog.register(
            models.ApiToken, exclude_fields=["token_hash", "last_used_at", "call_count"]
        )
