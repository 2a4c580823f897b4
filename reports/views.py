from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from accounts.rules import check_rule, has_rule, rule_required
from clusters.models import Cluster
from core.models import BROKER_DOWN_TEXT
from core.views import job_status_view
from experiments.library_views import library_monograph

from . import pdf, services
from .forms import NationalReportForm, RegionReportForm
from .models import ReportJob

QUEUED = "Le rapport est demandé : il sera prêt dans quelques instants."
ALREADY_RUNNING = "Ce rapport est déjà en cours de génération."


def _visible_job(request, pk) -> ReportJob:
    queryset = ReportJob.objects.visible_to(request.user).select_related(
        "cluster", "region", "wave", "requested_by"
    )
    return get_object_or_404(queryset, pk=pk)


def _visible_cluster(request, pk) -> Cluster:
    return get_object_or_404(
        Cluster.objects.visible_to(request.user).select_related("region", "wave"), pk=pk
    )


def _asked(request, job: ReportJob):
    job.refresh_from_db()  # the message was sent (or not) when the service's transaction committed
    if job.status == ReportJob.Status.RUNNING:
        messages.info(request, ALREADY_RUNNING)
    elif job.is_waiting_for_broker:
        messages.warning(request, BROKER_DOWN_TEXT)
    else:
        messages.info(request, QUEUED)
    return redirect("reports:job-detail", pk=job.pk)


@require_GET
@rule_required("reports.view_reports")
def report_list(request):
    jobs = ReportJob.objects.visible_to(request.user).select_related(
        "cluster", "region", "wave", "requested_by"
    )
    page = Paginator(jobs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/report_list.html",
        {
            "title": "Rapports",
            "page_obj": page,
            "region_form": RegionReportForm(user=request.user),
            "national_form": NationalReportForm()
            if has_rule(request.user, "reports.request_national_report")
            else None,
        },
    )


@require_GET
def cluster_report(request, cluster_pk):
    cluster = _visible_cluster(request, cluster_pk)
    job = (
        ReportJob.objects.visible_to(request.user)
        .filter(kind=ReportJob.Kind.CLUSTER, cluster=cluster)
        .select_related("requested_by")
        .first()
    )
    context = {
        "title": f"Rapport de restitution — {cluster.name}",
        "cluster": cluster,
        "job": job,
        "refusal": services.report_refusal(kind=ReportJob.Kind.CLUSTER, cluster=cluster),
    }
    return render(request, "reports/cluster_report.html", context)


@require_POST
def cluster_report_request(request, cluster_pk):
    cluster = _visible_cluster(request, cluster_pk)
    try:
        job = services.request_report(kind=ReportJob.Kind.CLUSTER, cluster=cluster, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect("reports:cluster-report", cluster_pk=cluster.pk)
    return _asked(request, job)


@require_POST
def region_report_request(request):
    form = RegionReportForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("reports:report-list")
    job = services.request_report(
        kind=ReportJob.Kind.REGION,
        region=form.cleaned_data["region"],
        wave=form.cleaned_data["wave"],
        by=request.user,
    )
    return _asked(request, job)


@require_POST
def national_report_request(request):
    check_rule(request.user, "reports.request_national_report")
    form = NationalReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez une vague existante.")
        return redirect("reports:report-list")
    job = services.request_report(
        kind=ReportJob.Kind.NATIONAL, wave=form.cleaned_data["wave"], by=request.user
    )
    return _asked(request, job)


@require_GET
def job_detail(request, pk):
    job = _visible_job(request, pk)
    return render(request, "reports/job_detail.html", {"title": str(job), "job": job})


# What the progress page polls (static/qvt/job-progress.js).
job_status = job_status_view(
    _visible_job,
    extra=lambda job: {
        "download_url": (
            reverse("reports:job-download", args=[job.pk])
            if job.status == ReportJob.Status.DONE
            else None
        )
    },
)


@require_POST
def job_retry(request, pk):
    job = _visible_job(request, pk)
    return _asked(request, services.retry_job(job=job, by=request.user))


@require_GET
def job_download(request, pk):
    job = _visible_job(request, pk)
    done = job.status == ReportJob.Status.DONE and job.file
    if not done or not default_storage.exists(job.file.name):
        raise Http404("Ce rapport n'est pas prêt.")
    response = FileResponse(
        default_storage.open(job.file.name, "rb"),
        as_attachment=True,
        filename=job.download_name,
        content_type="application/pdf",
    )
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


@login_not_required
@require_GET
def monograph_pdf(request, pk):
    """A published monograph as a tagged PDF (PDF/UA), public like the library page. Rendered
    once per publication and kept in the cache: a visitor cannot make the server lay it out
    again and again."""
    monograph = library_monograph(pk)
    key = f"monograph-pdf:{monograph.pk}:{monograph.published_at.timestamp()}"
    content = cache.get(key)
    if content is None:
        context = {
            "kind": "monograph",
            "title": monograph.title,
            "monograph": monograph,
            "summary": monograph.public_summary(),
            "establishment": monograph.membership.establishment,
            "cluster": monograph.membership.cluster,
            "sections": [
                {"label": label, "text": text}
                for _name, label, text in monograph.public_sections()
                if text.strip()
            ],
        }
        content = pdf.html_to_pdf(pdf.render_html(context)).content
        cache.set(key, content, timeout=None)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="monographie-{monograph.pk}.pdf"'
    return response
