from django.urls import path

from . import session_views as views

# Session, attendance, attachment and phase pages of one cluster (the facilitators' work).
urlpatterns = [
    path("", views.session_list, name="session-list"),
    path("nouvelle/", views.session_create, name="session-create"),
    path("<int:pk>/", views.session_detail, name="session-detail"),
    path("<int:pk>/modifier/", views.session_edit, name="session-edit"),
    path("<int:pk>/convocation/", views.session_convene, name="session-convene"),
    path("<int:pk>/annuler/", views.session_cancel, name="session-cancel"),
    path(
        "<int:pk>/pieces-jointes/ajouter/",
        views.session_attachment_create,
        name="session-attachment-create",
    ),
    path(
        "<int:pk>/pieces-jointes/<int:attachment_pk>/",
        views.session_attachment_download,
        name="session-attachment-download",
    ),
    path(
        "<int:pk>/pieces-jointes/<int:attachment_pk>/supprimer/",
        views.session_attachment_delete,
        name="session-attachment-delete",
    ),
    path("phases/", views.phase_list, name="phase-list"),
    path("phases/<int:membership_pk>/", views.phase_change, name="phase-change"),
]
