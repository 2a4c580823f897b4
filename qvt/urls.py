from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal_notice, name="legal-notice"),
    path("donnees-personnelles/", views.personal_data, name="personal-data"),
    path("compte/", include("accounts.urls")),
    path("compte/", include("notifications.urls")),
    path("clusters/", include("clusters.urls")),
    path("etablissements/", include("establishments.urls")),
    path("experimentations/", include("experiments.urls")),
    path("bibliotheque/", include("experiments.library_urls")),
    path("rapports/", include("reports.urls")),
    path("programme/", include("programme.urls")),
    path("admin/", admin.site.urls),
]
