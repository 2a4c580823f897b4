from django.contrib import admin
from django.urls import include, path

import clusters.urls
import experiments.library_urls
import reports.urls
import web.calendar_views
import web.urls
import web.views

from . import views

urlpatterns = [
    path("", web.views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal_notice, name="legal-notice"),
    path("donnees-personnelles/", views.personal_data, name="personal-data"),
    path("compte/", include("accounts.urls")),
    path("compte/", include("notifications.urls")),
    # The private calendar feed (token in the query string, no login).
    path("agenda/seances.ics", web.calendar_views.session_feed, name="calendar-feed"),
    # The cluster page (web layer) joins the clusters namespace: its name stays
    # `clusters:cluster-detail` for templates and tests.
    path(
        "clusters/",
        include((clusters.urls.urlpatterns + web.urls.cluster_patterns, clusters.urls.app_name)),
    ),
    path("etablissements/", include("establishments.urls")),
    path("experimentations/", include("experiments.urls")),
    # The monograph's PDF is built by reports/ (WeasyPrint) but named `library:monograph-pdf`.
    path(
        "bibliotheque/",
        include(
            (
                experiments.library_urls.urlpatterns + reports.urls.library_patterns,
                experiments.library_urls.app_name,
            )
        ),
    ),
    path("rapports/", include("reports.urls")),
    path("programme/", include("programme.urls")),
    path("api/v1/", include("api.urls")),
    path("", include("api.page_urls")),
    path("admin/", admin.site.urls),
]
