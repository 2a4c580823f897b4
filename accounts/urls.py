from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import proconnect, views
from .forms import LoginForm, PasswordChangeForm

app_name = "accounts"

urlpatterns = [
    path(
        "connexion/",
        login_not_required(
            auth_views.LoginView.as_view(
                template_name="accounts/login.html",
                authentication_form=LoginForm,
                redirect_authenticated_user=True,
                extra_context={"title": "Connexion", "proconnect": proconnect.proconnect_enabled},
            )
        ),
        name="login",
    ),
    path("deconnexion/", proconnect.logout, name="logout"),
    path("session/", views.session_keep_alive, name="session-keep-alive"),
    path("proconnect/", proconnect.login_start, name="proconnect-login"),
    path("proconnect/retour/", proconnect.login_callback, name="proconnect-callback"),
    path(
        "mot-de-passe/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            form_class=PasswordChangeForm,
            success_url="/compte/mot-de-passe/ok/",
            extra_context={"title": "Changer de mot de passe"},
        ),
        name="password-change",
    ),
    path(
        "mot-de-passe/ok/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html",
            extra_context={"title": "Mot de passe changé"},
        ),
        name="password-change-done",
    ),
]
