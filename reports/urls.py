from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("clusters/<int:cluster_pk>/", views.cluster_report, name="cluster-report"),
    path(
        "clusters/<int:cluster_pk>/generer/",
        views.cluster_report_request,
        name="cluster-report-request",
    ),
    path("regions/generer/", views.region_report_request, name="region-report-request"),
    path("national/generer/", views.national_report_request, name="national-report-request"),
    path("<int:pk>/", views.job_detail, name="job-detail"),
    path("<int:pk>/statut/", views.job_status, name="job-status"),
    path("<int:pk>/relancer/", views.job_retry, name="job-retry"),
    path("<int:pk>/telecharger/", views.job_download, name="job-download"),
]

# Joined to the library namespace (qvt/urls.py): /bibliotheque/<pk>/pdf/ is `library:monograph-pdf`.
library_patterns = [
    path("<int:pk>/pdf/", views.monograph_pdf, name="monograph-pdf"),
]
