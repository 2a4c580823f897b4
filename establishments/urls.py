from django.urls import path

from . import views

app_name = "establishments"

urlpatterns = [
    path("", views.establishment_search, name="establishment-search"),
    path("recherche.json", views.establishment_search_json, name="establishment-search-json"),
    path("import-finess/", views.finess_import_upload, name="finess-import"),
    path("import-finess/<int:pk>/", views.finess_import_detail, name="finess-import-detail"),
    path(
        "import-finess/<int:pk>/etat.json", views.finess_import_status, name="finess-import-status"
    ),
    path(
        "import-finess/<int:pk>/confirmer/",
        views.finess_import_confirm,
        name="finess-import-confirm",
    ),
    path(
        "import-finess/<int:pk>/relancer/",
        views.finess_import_relaunch,
        name="finess-import-relaunch",
    ),
]
