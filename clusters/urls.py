from django.urls import include, path

from . import session_urls, views

app_name = "clusters"

urlpatterns = [
    path("<int:pk>/", views.cluster_detail, name="cluster-detail"),
    path("<int:pk>/statut/", views.cluster_transition, name="cluster-transition"),
    path("<int:cluster_pk>/seances/", include(session_urls)),
]
