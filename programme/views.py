"""The national dashboard, its exports, and the upload of past clusters."""

import uuid
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.rules import check_rule, has_rule, rule_required
from clusters.models import SessionTool, Theme, Wave
from establishments.models import Region
from qvt import charts

from . import exports, services
from .forms import SessionToolForm, ThemeForm, WaveForm
from .statistics import DEFINITIONS, published_comparison, recent_figures, wave_choices

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}
PENDING_IMPORT = "programme_pending_import"


class WaveFilterForm(forms.Form):
    mark_optional_fields = False
    vague = forms.ChoiceField(label="Vague", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vague"].choices = [("", "Toutes les vagues"), *wave_choices()]


def _wave_filter(request) -> tuple[WaveFilterForm, str | None]:
    """The wave filter and the chosen wave code (None: every wave); an unknown wave is a 404."""
    form = WaveFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise Http404("Vague inconnue.")
    return form, (form.cleaned_data["vague"] or None) if form.is_bound else None


def _wave_code(request) -> str | None:
    return _wave_filter(request)[1]


@rule_required("programme.view_dashboard")
def dashboard(request):
    form, wave_code = _wave_filter(request)
    summary, breakdowns, computed_at = recent_figures(user=request.user, wave_code=wave_code)
    national = request.user.roles.sees_everything
    tables = exports.tables_from({**summary, **breakdowns})
    query = "?" + urlencode({"vague": wave_code}) if wave_code else ""
    context = {
        "title": "Programme national" if national else "Programme dans ma région",
        "national": national,
        "form": form,
        "wave_code": wave_code,
        "query": query,
        "summary": summary,
        "breakdowns": breakdowns,
        "computed_at": computed_at,
        "refresh_seconds": settings.PROGRAMME_FIGURES_CACHE_SECONDS,
        "definitions": DEFINITIONS,
        "comparison": published_comparison(summary, wave_code=wave_code) if national else [],
        "cartogram": charts.cartogram_svg(
            chart_id="carte",
            title="Nombre de clusters par région",
            regions=summary["by_region"],
        ),
        "legend": charts.legend_classes(summary["by_region"]),
        "sections": _sections(tables),
        "region_table": next(t for t in tables if t["key"] == "by_region"),
    }
    return render(request, "programme/programme_dashboard.html", context)


# Breakdown key -> (chart title, column of the label, column of the value, unit); the chart's
# data table is the export's table of the same key.
CHARTS = {
    "waves": ("Clusters par vague", 0, 1, "clusters"),
    "by_sector": ("Participations par secteur", 0, 2, "participations"),
    "by_legal_status": ("Participations par statut juridique", 0, 2, "participations"),
    "by_category": ("Participations par catégorie FINESS", 1, 3, "participations"),
    "by_theme": ("Clusters par thématique", 0, 1, "clusters"),
    "by_status": ("Clusters par statut", 0, 1, "clusters"),
    "by_phase": ("Participations par phase atteinte", 0, 1, "participations"),
    "experiments_by_status": ("Expérimentations par statut", 0, 1, "expérimentations"),
}


def _sections(tables) -> list[dict]:
    """Each breakdown as a chart and its data table (the region table goes with the map)."""
    sections = []
    for table in tables:
        if table["key"] not in CHARTS:
            continue
        title, label, value, unit = CHARTS[table["key"]]
        rows = table["rows"][:-1] if table["key"] == "waves" else table["rows"]  # not the total
        svg = charts.bar_chart_svg(
            chart_id=table["key"].replace("_", "-"),
            title=title,
            rows=[(str(row[label]), row[value]) for row in rows],
            unit=unit,
        )
        sections.append({"title": title, "svg": svg, "table": table})
    return sections


def user_region_codes(user) -> list[str]:
    regions = Region.objects.order_by("code")
    if not user.roles.sees_everything:
        regions = regions.filter(id__in=user.roles.region_ids)
    return list(regions.values_list("code", flat=True))


@rule_required("programme.export_figures")
def export_summary(request, fmt):
    if fmt not in CONTENT_TYPES:
        raise Http404("Format inconnu.")
    wave_code = _wave_code(request)
    summary, breakdowns, computed_at = recent_figures(user=request.user, wave_code=wave_code)
    scope = exports.scope_of(summary, national=request.user.roles.sees_everything)
    content = exports.export_summary(
        figures=(summary, breakdowns),
        fmt=fmt,
        scope=scope,
        wave_code=wave_code,
        by=request.user.username,
        generated_at=computed_at,
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    name = exports.export_filename("synthese", scope=scope, wave_code=wave_code, extension=fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _detail_scope(user) -> dict:
    """The regions the detail covers (the same scope as the summary's)."""
    return exports.scope_of(
        {"by_region": [{"region_code": code} for code in user_region_codes(user)]},
        national=user.roles.sees_everything,
    )


@rule_required("programme.export_figures")
def export_detail(request):
    wave_code = _wave_code(request)
    lines = exports.detail_csv_lines(
        user=request.user, wave_code=wave_code, by=request.user.username
    )
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines), content_type=CONTENT_TYPES["csv"]
    )
    scope = _detail_scope(request.user)
    name = exports.export_filename(
        "participations", scope=scope, wave_code=wave_code, extension="csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@rule_required("programme.export_figures")
def export_detail_xlsx(request):
    wave_code = _wave_code(request)
    scope = _detail_scope(request.user)
    output = exports.detail_xlsx_file(
        user=request.user, wave_code=wave_code, by=request.user.username, scope=scope
    )
    name = exports.export_filename(
        "participations", scope=scope, wave_code=wave_code, extension="xlsx"
    )
    return FileResponse(
        output, as_attachment=True, filename=name, content_type=CONTENT_TYPES["xlsx"]
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Fichier des clusters",
        help_text="CSV séparé par « ; » ou XLSX, colonnes vague;region;cluster;thematiques;finess.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Le fichier doit être un CSV ou un XLSX.")
        if upload.size > settings.MAX_UPLOAD_SIZE:
            raise forms.ValidationError("Ce fichier est trop volumineux.")
        return upload


def _import_region_ids(user):
    """None (every region) for the programme team; ARS staff: their regions."""
    if has_rule(user, "programme.import_clusters_anywhere"):
        return None
    return user.roles.ars_region_ids


@rule_required("programme.import_clusters")
def import_upload(request):
    """Step 1: upload and check (nothing written); the report offers to confirm."""
    region_ids = _import_region_ids(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            lines = services.read_lines(content, upload.name)
        except services.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            report = services.import_clusters(
                lines=lines, by=request.user, dry_run=True, region_ids=region_ids
            )
            if report.ok:
                _keep_pending(request, content, upload.name)
    context = {"title": "Import de clusters", "form": form, "report": report}
    return render(request, "programme/import_upload.html", context)


def _keep_pending(request, content: bytes, name: str) -> None:
    previous = request.session.get(PENDING_IMPORT)
    if previous:  # only the last checked file may be confirmed
        default_storage.delete(previous["path"])
    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    path = default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", ContentFile(content))
    request.session[PENDING_IMPORT] = {"path": path, "name": name}


@require_POST
@rule_required("programme.import_clusters")
def import_confirm(request):
    """Step 2: import the file checked at step 1, for real (all or nothing)."""
    region_ids = _import_region_ids(request.user)
    pending = request.session.pop(PENDING_IMPORT, None)
    if not pending or not default_storage.exists(pending["path"]):
        messages.error(request, "Aucun fichier vérifié à importer : déposez-le de nouveau.")
        return redirect("programme:import-upload")
    with default_storage.open(pending["path"], "rb") as stored:
        content = stored.read()
    default_storage.delete(pending["path"])
    report = services.import_clusters(
        lines=services.read_lines(content, pending["name"]), by=request.user, region_ids=region_ids
    )
    if not report.ok:  # the data changed since the check
        context = {"title": "Import de clusters", "form": ImportForm(), "report": report}
        return render(request, "programme/import_upload.html", context)
    messages.success(
        request,
        f"Import terminé : {len(report.created_clusters)} cluster(s) créé(s), "
        f"{report.created_memberships} participation(s), "
        f"{len(report.unchanged_clusters)} cluster(s) déjà présent(s) inchangé(s).",
    )
    return redirect(reverse("programme:dashboard"))


# --- Programme administration: waves, themes, session tools (the programme team) -------------
# One list page and one form page per kind; the rows are never deleted (themes and tools are
# retired), and every change is recorded by django-auditlog.

REFERENCES = {
    # kind (URL names prefix): (model, form, rule, list title, "new" title)
    "wave": (Wave, WaveForm, "programme.manage_waves", "Vagues", "Nouvelle vague"),
    "theme": (Theme, ThemeForm, "programme.manage_themes", "Thématiques", "Nouvelle thématique"),
    "tool": (
        SessionTool,
        SessionToolForm,
        "programme.manage_session_tools",
        "Outils de séance",
        "Nouvel outil de séance",
    ),
}


def _reference_list(request, kind):
    model, _form, rule, title, new_title = REFERENCES[kind]
    check_rule(request.user, rule)
    rows = model.objects.order_by("-code") if kind == "wave" else model.objects.order_by("name")
    context = {
        "title": title,
        "kind": kind,
        "rows": rows,
        "new_title": new_title,
        "new_url": reverse(f"programme:{kind}-create"),
    }
    template = "programme/wave_list.html" if kind == "wave" else "programme/reference_list.html"
    return render(request, template, context)


def _reference_form(request, kind, pk=None):
    model, form_class, rule, list_title, new_title = REFERENCES[kind]
    check_rule(request.user, rule)
    obj = get_object_or_404(model, pk=pk) if pk else model()
    form = form_class(request.POST or None, instance=obj)
    if request.method == "POST" and form.is_valid():
        try:
            services.reference_save(obj=form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"« {obj} » est enregistré(e).")
            return redirect(f"programme:{kind}-list")
    context = {
        "title": f"Modifier « {obj} »" if pk else new_title,
        "form": form,
        "list_title": list_title,
        "list_url": reverse(f"programme:{kind}-list"),
    }
    return render(request, "programme/reference_form.html", context)


def wave_list(request):
    return _reference_list(request, "wave")


def wave_create(request):
    return _reference_form(request, "wave")


def wave_edit(request, pk):
    return _reference_form(request, "wave", pk)


def theme_list(request):
    return _reference_list(request, "theme")


def theme_create(request):
    return _reference_form(request, "theme")


def theme_edit(request, pk):
    return _reference_form(request, "theme", pk)


def tool_list(request):
    return _reference_list(request, "tool")


def tool_create(request):
    return _reference_form(request, "tool")


def tool_edit(request, pk):
    return _reference_form(request, "tool", pk)
