from django.contrib import admin

from .models import Category, Department, Establishment, FinessImport, Organisation, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "finess_code", "name", "region"]
    list_select_related = ["region"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "region"]
    list_filter = ["kind", "region"]
    list_select_related = ["region"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The sector of each FINESS category is our own classification: editable here; the next
    import applies it to the category's establishments."""

    list_display = ["code", "label", "sector"]
    list_editable = ["sector"]
    list_filter = ["sector"]
    search_fields = ["code", "label"]


@admin.register(Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    """The registry comes from the FINESS import; the legal status can be qualified by hand
    (an import keeps it unless the extract gives one: public or ESPIC)."""

    list_display = ["finess", "short_name", "town", "department", "sector", "legal_status"]
    list_filter = ["is_active", "sector", "legal_status", "region"]
    list_select_related = ["department"]
    search_fields = ["finess", "short_name", "town"]
    readonly_fields = ["finess", "search_text"]
    raw_id_fields = ["category"]
    show_full_result_count = False  # no count(*) over the national registry on every page


@admin.register(FinessImport)
class FinessImportAdmin(admin.ModelAdmin):
    """Read-only history: imports are launched from the upload page or the command."""

    list_display = ["pk", "created_at", "original_name", "source", "status", "extraction_date"]
    list_filter = ["status", "source", "applied"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
