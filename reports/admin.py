from django.contrib import admin

from .models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are asked for in the pages and run by the worker."""

    list_display = ["__str__", "status", "progress", "attempts", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["cluster", "region", "wave"]
    readonly_fields = [f.name for f in ReportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
