from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = "Suivi national du programme"

    def ready(self):
        from auditlog.registry import auditlog

        auditlog.register(self.get_model("PublishedFigure"))
