"""The national dashboard, its exports, and the upload of past clusters."""

import csv
import io
import uuid
from functools import partial
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.rules import check_rule, has_rule, rule_required
from clusters.models import SessionTool, Theme, Wave
from establishments.models import Region
from qvt import charts, french

from . import exports, services
from .forms import PublishedFigureForm, SessionToolForm, ThemeForm, WaveForm
from .models import PublishedFigure
from .statistics import (
    DEFINITIONS,
    figures_scope,
    key_figures,
    published_comparison,
    recent_figures,
    wave_choices,
)

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
        "can_edit_figures": has_rule(request.user, "programme.change_published_figures"),
        # Called by the template only when its cached fragment is missing (figures_key).
        "cartogram": partial(
            charts.cartogram_svg,
            chart_id="carte",
            title="Nombre de clusters par région",
            regions=summary["by_region"],
        ),
        "legend": charts.legend_classes(summary["by_region"]),
        "key_figures": key_figures(summary["total"]),
        "chart_sections": partial(exports.chart_sections, tables),
        "contents": exports.chart_contents(),
        "region_table": next(t for t in tables if t["key"] == "by_region"),
        "figures_key": f"{figures_scope(request.user)}|{wave_code}|{computed_at.isoformat()}",
    }
    return render(request, "programme/programme_dashboard.html", context)


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
    output = exports.detail_csv_file(
        user=request.user, wave_code=wave_code, by=request.user.username
    )
    scope = _detail_scope(request.user)
    name = exports.export_filename(
        "participations", scope=scope, wave_code=wave_code, extension="csv"
    )
    return FileResponse(
        output, as_attachment=True, filename=name, content_type=CONTENT_TYPES["csv"]
    )


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
            limit = french.file_size(settings.MAX_UPLOAD_SIZE)
            raise forms.ValidationError(f"Le fichier dépasse la taille maximale ({limit}).")
        return upload


CREATE_THEME = "__creer__"


class ThemeChoiceForm(forms.Form):
    """One choice per theme of the file that matches no existing theme: an existing theme, or
    (for those who manage themes) a new one of that name."""

    def __init__(self, *args, unknown: list[dict], may_create: bool, **kwargs):
        super().__init__(*args, **kwargs)
        existing = [(t.name, t.name) for t in Theme.objects.order_by("name")]
        for index, item in enumerate(unknown):
            choices = [("", "— Choisir une thématique —")]
            if may_create:
                choices.append((CREATE_THEME, f"Créer la thématique « {item['name']} »"))
            self.fields[f"theme_{index}"] = forms.ChoiceField(
                label=f"« {item['name']} »",
                help_text=f"{len(item['lines'])} ligne(s) du fichier.",
                choices=choices + existing,
                error_messages={"required": "Choisissez une thématique."},
            )
        self.unknown = unknown

    def choices(self) -> tuple[dict[str, str], list[str]]:
        """({written: existing theme name}, [written names to create])."""
        theme_map, create = {}, []
        for index, item in enumerate(self.unknown):
            value = self.cleaned_data[f"theme_{index}"]
            if value == CREATE_THEME:
                create.append(item["name"])
            else:
                theme_map[item["name"]] = value
        return theme_map, create


def _import_region_ids(user):
    """None (every region) for the programme team; ARS staff: their regions."""
    if has_rule(user, "programme.import_clusters_anywhere"):
        return None
    return user.roles.ars_region_ids


def _check(request, content: bytes, name: str, *, theme_map=None, create=()):
    """A dry run of the file with the theme choices made so far; keeps the file (and those
    choices) for the next step, and every rejection in a CSV file for the download link."""
    report = services.import_clusters(
        lines=services.read_lines(content, name),
        by=request.user,
        dry_run=True,
        region_ids=_import_region_ids(request.user),
        theme_map=theme_map or {},
        create_theme_names=frozenset(create),
    )
    _keep_pending(request, content, name, theme_map=theme_map or {}, create=list(create))
    pending = request.session[PENDING_IMPORT]
    pending["unknown"] = [{"name": u.name, "lines": u.lines} for u in report.unknown_themes]
    if report.errors:
        pending["rejects"] = _store_rejects(report.errors)
    request.session[PENDING_IMPORT] = pending
    return report


def _store_rejects(errors) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["ligne", "motif"])
    writer.writerows(errors)
    return default_storage.save(
        f"{services.PENDING_FOLDER}/rejets-{uuid.uuid4().hex}.csv",
        ContentFile(buffer.getvalue().encode("utf-8-sig")),
    )


def _import_context(request, form, report, theme_form=None):
    pending = request.session.get(PENDING_IMPORT) or {}
    may_create = has_rule(request.user, "programme.manage_themes")
    if report is not None and report.unknown_themes and theme_form is None:
        theme_form = ThemeChoiceForm(unknown=pending.get("unknown", []), may_create=may_create)
    return {
        "title": "Import de clusters",
        "form": form,
        "report": report,
        "theme_form": theme_form,
        "may_create_themes": may_create,
        "shown_rejections": services.SHOWN_REJECTIONS,
    }


@rule_required("programme.import_clusters")
def import_upload(request):
    """Step 1: upload and check (nothing written); the report offers to confirm, or first to
    choose what each unknown theme of the file is (step 1b, a POST of `themes`)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = theme_form = None
    if request.method == "POST" and "themes" in request.POST:
        form = ImportForm()
        pending = request.session.get(PENDING_IMPORT)
        if not pending or not default_storage.exists(pending["path"]):
            messages.error(request, "Aucun fichier vérifié : déposez-le de nouveau.")
            return redirect("programme:import-upload")
        theme_form = ThemeChoiceForm(
            request.POST,
            unknown=pending.get("unknown", []),
            may_create=has_rule(request.user, "programme.manage_themes"),
        )
        if theme_form.is_valid():
            theme_map, create = theme_form.choices()
            theme_map = {**pending.get("theme_map", {}), **theme_map}
            create = [*pending.get("create", []), *create]
            with default_storage.open(pending["path"], "rb") as stored:
                content = stored.read()
            report = _check(request, content, pending["name"], theme_map=theme_map, create=create)
            theme_form = None
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            report = _check(request, content, upload.name)
        except services.ImportFileError as error:
            form.add_error("file", str(error))
    return render(
        request, "programme/import_upload.html", _import_context(request, form, report, theme_form)
    )


def _keep_pending(request, content: bytes, name: str, *, theme_map, create) -> None:
    previous = request.session.get(PENDING_IMPORT)
    if previous:  # only the last checked file may be confirmed
        if previous.get("rejects"):
            default_storage.delete(previous["rejects"])
        if previous["path"] and default_storage.exists(previous["path"]):
            with default_storage.open(previous["path"], "rb") as stored:
                same = stored.read() == content
            if same:  # a new check of the same file (theme choices): keep it
                request.session[PENDING_IMPORT] = {
                    "path": previous["path"], "name": name, "theme_map": theme_map,
                    "create": create,
                }  # fmt: skip
                return
            default_storage.delete(previous["path"])
    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    path = default_storage.save(
        f"{services.PENDING_FOLDER}/{uuid.uuid4().hex}{suffix}", ContentFile(content)
    )
    request.session[PENDING_IMPORT] = {
        "path": path, "name": name, "theme_map": theme_map, "create": create,
    }  # fmt: skip


@require_GET
@rule_required("programme.import_clusters")
def import_rejects(request):
    """Every rejection of the last check, as a CSV file (the page shows the first ones)."""
    pending = request.session.get(PENDING_IMPORT) or {}
    path = pending.get("rejects")
    if not path or not default_storage.exists(path):
        raise Http404("Aucun rejet à télécharger.")
    with default_storage.open(path, "rb") as stored:
        content = stored.read()
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rejets-import-clusters.csv"'
    return response


@require_POST
@rule_required("programme.import_clusters")
def import_confirm(request):
    """Step 2: import the file checked at step 1, for real (all or nothing), with the theme
    choices made at step 1b."""
    region_ids = _import_region_ids(request.user)
    pending = request.session.pop(PENDING_IMPORT, None)
    if not pending or not default_storage.exists(pending["path"]):
        messages.error(request, "Aucun fichier vérifié à importer : déposez-le de nouveau.")
        return redirect("programme:import-upload")
    with default_storage.open(pending["path"], "rb") as stored:
        content = stored.read()
    default_storage.delete(pending["path"])
    if pending.get("rejects"):
        default_storage.delete(pending["rejects"])
    report = services.import_clusters(
        lines=services.read_lines(content, pending["name"]),
        by=request.user,
        region_ids=region_ids,
        theme_map=pending.get("theme_map", {}),
        create_theme_names=frozenset(pending.get("create", [])),
    )
    if not report.ok:  # the data changed since the check
        return render(
            request, "programme/import_upload.html", _import_context(request, ImportForm(), report)
        )
    messages.success(
        request,
        f"Import terminé : {len(report.created_clusters)} cluster(s) créé(s), "
        f"{report.created_memberships} participation(s), "
        f"{len(report.unchanged_clusters)} cluster(s) déjà présent(s) inchangé(s)"
        + (
            f", {len(report.created_themes)} thématique(s) créée(s)"
            if report.created_themes
            else ""
        )
        + ".",
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


# --- Published figures (the programme team) ------------------------------------------------------


@rule_required("programme.change_published_figures")
def figure_list(request):
    figures = list(PublishedFigure.objects.all())
    context = {
        "title": "Chiffres publiés",
        "figures": figures,
        "without_url": sum(1 for figure in figures if not figure.source_url),
    }
    return render(request, "programme/figure_list.html", context)


def _figure_form(request, pk=None):
    check_rule(request.user, "programme.change_published_figures")
    figure = get_object_or_404(PublishedFigure, pk=pk) if pk else PublishedFigure()
    form = PublishedFigureForm(request.POST or None, instance=figure)
    if request.method == "POST" and form.is_valid():
        try:
            services.published_figure_save(figure=form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Le chiffre « {figure.label} » est enregistré.")
            return redirect("programme:figure-list")
    context = {
        "title": f"Modifier « {figure.label} »" if pk else "Nouveau chiffre publié",
        "form": form,
        "list_title": "Chiffres publiés",
        "list_url": reverse("programme:figure-list"),
    }
    return render(request, "programme/reference_form.html", context)


def figure_create(request):
    return _figure_form(request)


def figure_edit(request, pk):
    return _figure_form(request, pk)
