from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class ProjectUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "email", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["is_active", "role_assignments__role", "role_assignments__region"]
    fieldsets = UserAdmin.fieldsets + (("Organisation", {"fields": ["organisation"]}),)


admin.site.site_header = "Administration — Clusters QVT"
admin.site.site_title = "Administration — Clusters QVT"
admin.site.index_title = "Tableau de bord de l'administration"
