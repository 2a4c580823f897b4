"""Password reset, invitations (sending and accepting), notification preferences."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts.forms import SetPasswordForm
from accounts.rules import check_rule

from . import calendar_feed, invitations
from .forms import InvitationForm, PreferencesForm, ResetRequestForm
from .models import CalendarFeedToken, Event, Invitation
from .services import preferences_of

INVITATION_SESSION_KEY = "invitation_token"

# --- Password reset (Django's views, our form and French templates) ---------------------------

password_reset = login_not_required(
    auth_views.PasswordResetView.as_view(
        form_class=ResetRequestForm,
        template_name="notifications/password_reset_form.html",
        success_url=reverse_lazy("notifications:password-reset-done"),
        extra_context={"title": "Mot de passe oublié"},
    )
)
password_reset_done = login_not_required(
    auth_views.PasswordResetDoneView.as_view(
        template_name="notifications/password_reset_done.html",
        extra_context={"title": "Demande enregistrée"},
    )
)
# The token leaves the URL at once: Django stores it in the session and redirects.
password_reset_confirm = login_not_required(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="notifications/password_reset_confirm.html",
        form_class=SetPasswordForm,
        success_url=reverse_lazy("notifications:password-reset-complete"),
        extra_context={"title": "Nouveau mot de passe"},
    )
)
password_reset_complete = login_not_required(
    auth_views.PasswordResetCompleteView.as_view(
        template_name="notifications/password_reset_complete.html",
        extra_context={"title": "Mot de passe changé"},
    )
)

# --- Invitations ------------------------------------------------------------------------------


def _visible_invitations(user):
    invitations_qs = Invitation.objects.select_related("user", "region", "invited_by")
    if not user.roles.is_admin:
        invitations_qs = invitations_qs.filter(invited_by=user)
    return invitations_qs.order_by("-created_at")


def invitation_list(request):
    """Invite someone, and follow (resend, revoke) the invitations one sent."""
    check_rule(request.user, "accounts.invite_users")
    if request.method == "POST":
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitations.invite(**form.cleaned_data, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "L'invitation est envoyée.")
                return redirect("notifications:invitation-list")
    else:
        form = InvitationForm()
    return render(
        request,
        "notifications/invitation_list.html",
        {"form": form, "invitations": _visible_invitations(request.user)[:200],
         "title": "Inviter une personne"},
    )  # fmt: skip


@require_POST
def invitation_action(request, pk, action):
    invitation = get_object_or_404(_visible_invitations(request.user), pk=pk)
    service = {"renvoyer": invitations.resend, "revoquer": invitations.revoke}.get(action)
    if service is None:
        raise PermissionDenied
    try:
        service(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            "L'invitation est renvoyée." if action == "renvoyer" else "L'invitation est révoquée.",
        )
    return redirect("notifications:invitation-list")


@login_not_required
def invitation_open(request, token):
    """The link of the e-mail: keep the token in the session, out of the URL, then ask for a
    password."""
    request.session[INVITATION_SESSION_KEY] = token
    return redirect("notifications:invitation-accept")


@login_not_required
def invitation_accept(request):
    token = request.session.get(INVITATION_SESSION_KEY, "")
    invitation = invitations.usable_invitation(token) if token else None
    if invitation is None:
        return render(
            request,
            "notifications/invitation_invalid.html",
            {"title": "Lien d'invitation non valable"},
            status=404,
        )
    form = SetPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password = form.cleaned_data["new_password1"]
        user = invitations.accept(invitation=invitation, password=password)
        del request.session[INVITATION_SESSION_KEY]
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Bienvenue ! Votre compte est activé.")
        return redirect("home")
    return render(
        request,
        "notifications/invitation_accept.html",
        {"form": form, "invitation": invitation, "title": "Activer votre compte"},
    )


# --- Preferences ("Mon compte") ---------------------------------------------------------------


def preferences(request):
    prefs = preferences_of(request.user)
    form = PreferencesForm.for_preferences(prefs, request.POST or None)
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["events"])
        prefs.disabled_events = [event for event in Event.values if event not in chosen]
        prefs.weekly_digest = form.cleaned_data["weekly_digest"]
        prefs.save()
        messages.success(request, "Vos préférences de notification sont enregistrées.")
        return redirect("notifications:preferences")
    return render(
        request, "notifications/preferences.html", {"form": form, "title": "Mes notifications"}
    )


def calendar(request):
    """ "Mon agenda": the private address of the user's calendar feed (shown once, when created),
    to regenerate or revoke."""
    created = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "creer":
            token = calendar_feed.feed_token_create(user=request.user)
            created = request.build_absolute_uri(
                reverse("calendar-feed") + "?" + urlencode({"jeton": token})
            )
        elif action == "revoquer":
            if calendar_feed.feed_token_revoke(user=request.user):
                messages.success(request, "L'adresse de votre agenda est révoquée.")
            return redirect("notifications:calendar")
        else:
            return redirect("notifications:calendar")
    context = {
        "title": "Mon agenda",
        "feed": CalendarFeedToken.objects.filter(user=request.user).first(),
        "created": created,
    }
    return render(request, "notifications/calendar.html", context)
