from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.<str:fmt>", views.export_summary, name="export-summary"),
    path("participations.csv", views.export_detail, name="export-detail"),
    path("participations.xlsx", views.export_detail_xlsx, name="export-detail-xlsx"),
    path("import/", views.import_upload, name="import-upload"),
    path("import/confirmer/", views.import_confirm, name="import-confirm"),
    path("import/rejets.csv", views.import_rejects, name="import-rejects"),
    path("vagues/", views.wave_list, name="wave-list"),
    path("vagues/nouvelle/", views.wave_create, name="wave-create"),
    path("vagues/<int:pk>/modifier/", views.wave_edit, name="wave-edit"),
    path("thematiques/", views.theme_list, name="theme-list"),
    path("thematiques/nouvelle/", views.theme_create, name="theme-create"),
    path("thematiques/<int:pk>/modifier/", views.theme_edit, name="theme-edit"),
    path("outils/", views.tool_list, name="tool-list"),
    path("outils/nouveau/", views.tool_create, name="tool-create"),
    path("outils/<int:pk>/modifier/", views.tool_edit, name="tool-edit"),
    path("chiffres-publies/", views.figure_list, name="figure-list"),
    path("chiffres-publies/nouveau/", views.figure_create, name="figure-create"),
    path("chiffres-publies/<int:pk>/modifier/", views.figure_edit, name="figure-edit"),
]
