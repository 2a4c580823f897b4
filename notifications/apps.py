from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "E-mails, invitations et notifications"

    def ready(self):
        from auditlog.registry import auditlog
        from django.contrib.auth.signals import user_logged_in

        from . import invitations, models

        user_logged_in.connect(invitations.accept_on_sign_in, dispatch_uid="invitation_sign_in")

        # Every invitation (sent, resent, revoked, accepted) is in the audit trail; never its token.
        auditlog.register(models.Invitation, exclude_fields=["token_hash"])
        # Creating, regenerating and revoking a calendar feed address; never its secret, nor
        # each reading of the feed.
        auditlog.register(models.CalendarFeedToken, exclude_fields=["token_hash", "last_used_at"])
