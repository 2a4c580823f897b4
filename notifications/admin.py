from django.contrib import admin, messages

from . import services
from .models import Invitation, NotificationPreferences, OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """Failed e-mails are found with the status filter; "Renvoyer" sends them again."""

    list_display = ["created_at", "kind", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["subject"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Renvoyer les e-mails sélectionnés")
    def resend(self, request, queryset):
        ids = list(queryset.exclude(status=OutgoingEmail.Status.SENT).values_list("pk", flat=True))
        OutgoingEmail.objects.filter(pk__in=ids).update(
            status=OutgoingEmail.Status.PENDING, attempts=0
        )
        queued = [email_id for email_id in ids if services.enqueue(email_id)]
        self.message_user(request, f"{len(queued)} e-mail(s) remis en file d'envoi.", messages.INFO)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "region", "invited_by", "created_at", "state"]
    list_filter = ["role", "region"]
    readonly_fields = [f.name for f in Invitation._meta.fields if f.name != "token_hash"]
    exclude = ["token_hash"]

    def has_add_permission(self, request):
        return False  # through the invitation page, which checks who may invite whom


@admin.register(NotificationPreferences)
class NotificationPreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "weekly_digest"]
