from django.urls import path

from . import views

app_name = "experiments"

urlpatterns = [
    path("mes-clusters/", views.my_clusters, name="my-clusters"),
    path("cluster/<int:cluster_pk>/", views.cluster_work, name="cluster-work"),
    path(
        "participation/<int:membership_pk>/nouvelle/",
        views.experiment_create,
        name="experiment-create",
    ),
    path("<int:pk>/", views.experiment_detail, name="experiment-detail"),
    path("<int:pk>/modifier/", views.experiment_edit, name="experiment-edit"),
    path("<int:pk>/indicateurs/nouveau/", views.indicator_create, name="indicator-create"),
    path("indicateurs/<int:pk>/modifier/", views.indicator_edit, name="indicator-edit"),
    path("indicateurs/<int:pk>/mesures/", views.measurement_create, name="measurement-create"),
    path("mesures/<int:pk>/modifier/", views.measurement_edit, name="measurement-edit"),
    path("mesures/<int:pk>/supprimer/", views.measurement_delete, name="measurement-delete"),
    path("monographies/", views.monograph_list, name="monograph-list"),
    path(
        "monographies/participation/<int:membership_pk>/nouvelle/",
        views.monograph_create,
        name="monograph-create",
    ),
    path("monographies/<int:pk>/", views.monograph_detail, name="monograph-detail"),
    path("monographies/<int:pk>/modifier/", views.monograph_edit, name="monograph-edit"),
    path(
        "monographies/<int:pk>/statut/<str:target>/",
        views.monograph_transition,
        name="monograph-transition",
    ),
]
