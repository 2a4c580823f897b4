from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("mot-de-passe-oublie/", views.password_reset, name="password-reset"),
    path("mot-de-passe-oublie/envoye/", views.password_reset_done, name="password-reset-done"),
    path(
        "reinitialiser/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path(
        "reinitialiser/termine/",
        views.password_reset_complete,
        name="password-reset-complete",
    ),
    path("invitations/", views.invitation_list, name="invitation-list"),
    path(
        "invitations/<int:pk>/<str:action>/",
        views.invitation_action,
        name="invitation-action",
    ),
    path("invitation/<str:token>/", views.invitation_open, name="invitation-open"),
    path("invitation/", views.invitation_accept, name="invitation-accept"),
    path("notifications/", views.preferences, name="preferences"),
    path("agenda/", views.calendar, name="calendar"),
]
