from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.<str:fmt>", views.export_summary, name="export-summary"),
    path("participations.csv", views.export_detail, name="export-detail"),
    path("import/", views.import_upload, name="import-upload"),
    path("import/confirmer/", views.import_confirm, name="import-confirm"),
]
