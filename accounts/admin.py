from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import RoleAssignment, User


class RoleAssignmentInline(admin.StackedInline):
    # Stacked, not tabular: each field gets its own label (a table's selects have no name).
    model = RoleAssignment
    extra = 0


@admin.register(User)
class ProjectUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "email", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["is_active", "role_assignments__role", "role_assignments__region"]
    # Roles are data (the role assignments below): Django's groups and permissions are not used,
    # and their two-list widget is not accessible. Dates are read-only (no unlabelled date/time).
    fieldsets = (
        (None, {"fields": ["username", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "email", "organisation"]}),
        ("Accès", {"fields": ["is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    )
    readonly_fields = ["last_login", "date_joined"]


admin.site.site_header = "Administration — Clusters QVT"
admin.site.site_title = "Administration — Clusters QVT"
admin.site.index_title = "Tableau de bord de l'administration"
