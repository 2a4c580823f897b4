from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.rules import check_rule, rule_required
from core.views import job_status_view
from qvt.french import percent

from . import services
from .forms import EstablishmentSearchForm, FinessImportConfirmForm, FinessImportForm
from .models import FinessImport
from .search import search_establishments

SEARCH_PAGE_SIZE = 20
JSON_RESULTS = 20


def _search(request):
    form = EstablishmentSearchForm(request.GET)
    if not form.is_valid():
        return form, "", False
    return form, form.cleaned_data["q"], form.cleaned_data["inactifs"]


@require_GET
@rule_required("establishments.search_establishments")
def establishment_search(request):
    """Search the registry by FINESS number, name or town (the user's region for ARS/Aract)."""
    form, query, include_inactive = _search(request)
    results = search_establishments(request.user, query, active_only=not include_inactive)
    page = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "title": "Rechercher un établissement",
        "form": form,
        "query": query,
        "page": page,
    }
    return render(request, "establishments/establishment_search.html", context)


@require_GET
@rule_required("establishments.search_establishments")
def establishment_search_json(request):
    """The search as JSON, for autocompletion (e.g. adding a member to a cluster).

    GET ?q=<text>[&inactifs=on]. Answers, best matches first, at most 20 establishments:
    {"query": "ehpad", "has_more": true, "results": [{"id": 12, "finess": "750914176",
     "name": "EHPAD LES TILLEULS", "long_name": "...", "label": "EHPAD LES TILLEULS (750914176)
     — PARIS", "category": "500", "category_label": "...", "sector": "medico_social",
     "sector_label": "Médico-social", "legal_status": "public", "legal_status_label": "Public",
     "town": "PARIS", "postcode": "75012", "department": "Paris (75)", "region_id": 8,
     "region": "Île-de-France" or null (outside the ARS regions), "is_active": true,
     "can_join_cluster": true}]}
    Same visibility as the search page: ARS and Aract users only get their own region(s).
    """
    _form, query, include_inactive = _search(request)
    found = list(
        search_establishments(request.user, query, active_only=not include_inactive)[
            : JSON_RESULTS + 1
        ]
    )
    results = [
        {
            "id": e.pk,
            "finess": e.finess,
            "name": e.short_name,
            "long_name": e.long_name,
            "label": f"{e.short_name} ({e.finess}) — {e.town}",
            "category": e.category_code,
            "category_label": e.category_label,
            "sector": e.sector,
            "sector_label": e.get_sector_display(),
            "legal_status": e.legal_status,
            "legal_status_label": e.get_legal_status_display(),
            "town": e.town,
            "postcode": e.postcode,
            "department": str(e.department),
            "region_id": e.region_id,
            "region": e.region.name if e.region_id else None,
            "is_active": e.is_active,
            "can_join_cluster": e.can_join_cluster,
        }
        for e in found[:JSON_RESULTS]
    ]
    return JsonResponse({"query": query, "has_more": len(found) > JSON_RESULTS, "results": results})


@rule_required("establishments.import_finess")
def finess_import_upload(request):
    """Administrators upload an extract; the import runs as a background job."""
    form = FinessImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.create_finess_import(
            upload=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
            strict=form.cleaned_data["strict"],
            by=request.user,
        )
        messages.success(request, "Le fichier est reçu : l'import est lancé.")
        return redirect("establishments:finess-import-detail", pk=job.pk)
    imports = FinessImport.objects.select_related("requested_by")
    context = {
        "title": "Importer le registre FINESS",
        "form": form,
        "page": Paginator(imports, 10).get_page(request.GET.get("page")),
        "latest_extraction_date": FinessImport.objects.latest_extraction_date(),
    }
    return render(request, "establishments/finess_import_upload.html", context)


def _finess_import(request, pk) -> FinessImport:
    check_rule(request.user, "establishments.import_finess")
    return get_object_or_404(FinessImport.objects.select_related("requested_by"), pk=pk)


def finess_import_detail(request, pk, *, confirm_form=None):
    job = _finess_import(request, pk)
    context = {
        "title": f"Import FINESS n° {job.pk}",
        "job": job,
        "can_relaunch": services.can_relaunch(job),
        "rejections": Paginator(job.rejections, 100).get_page(request.GET.get("page")),
    }
    if job.stopped:
        context |= {
            "absent_share": percent(job.absent_share),
            "threshold": percent(settings.FINESS_MAX_DEACTIVATION_SHARE),
            "confirm_form": confirm_form or FinessImportConfirmForm(),
            "confirmation": job.confirmations.order_by("pk").first(),
        }
    return render(request, "establishments/finess_import_detail.html", context)


@require_POST
def finess_import_confirm(request, pk):
    """The explicit confirmation of an import stopped before writing by the deactivation
    threshold: a new import of the same file, allowed to deactivate (audited)."""
    job = _finess_import(request, pk)
    form = FinessImportConfirmForm(request.POST)
    if not form.is_valid():
        return finess_import_detail(request, pk, confirm_form=form)
    confirmation = services.confirm_finess_import(job=job, by=request.user)
    if confirmation is None:
        messages.error(request, "Cet import n'attend pas de confirmation.")
        return redirect("establishments:finess-import-detail", pk=job.pk)
    messages.success(request, "Import confirmé : il est lancé.")
    return redirect("establishments:finess-import-detail", pk=confirmation.pk)


# Polled by static/qvt/job-progress.js; adds the summary line once the import is over.
finess_import_status = job_status_view(
    _finess_import,
    extra=lambda job: {
        "summary": job.summary if job.is_finished else "",
        "message": job.message,
        "can_relaunch": services.can_relaunch(job),
    },
)


@require_POST
def finess_import_relaunch(request, pk):
    """Send again at once an import that failed, waits for the broker or lost its worker."""
    job = _finess_import(request, pk)
    if services.relaunch_finess_import(job=job, by=request.user):
        messages.success(request, "L'import est relancé.")
    else:
        messages.error(request, "Cet import est en cours ou terminé : il ne peut pas être relancé.")
    return redirect("establishments:finess-import-detail", pk=job.pk)
