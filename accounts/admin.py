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
