from django.apps import AppConfig


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = "Clusters"

    def ready(self):
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(
            models.Cluster,
            m2m_fields={"themes", "facilitators"},
            exclude_fields=["content_version"],  # the database's counter, not an edit
        )
        auditlog.register(models.Membership)
        auditlog.register(models.DelegationContact)
        auditlog.register(models.Session, m2m_fields={"tools"})
        auditlog.register(models.Attendance)
        auditlog.register(models.SessionAttachment)
        auditlog.register(models.Wave)
        auditlog.register(models.Theme)
        auditlog.register(models.SessionTool)
        auditlog.register(models.SessionConvocation)
