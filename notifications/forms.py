import hashlib
import logging

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Role
from establishments.models import Region

from .models import Event, NotificationPreferences
from .services import queue_email

security_log = logging.getLogger("qvt.security")


def _within_limit(key: str, limit: int) -> bool:
    """Counts one request under `key` for an hour; False once past `limit`."""
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        return True


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Celle de votre compte. Format attendu : nom@domaine.fr",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def save(self, request=None, **kwargs):
        """Queue the reset e-mail, unless this address or this client asked too often. The page
        that follows is the same in every case: it never tells whether an account exists."""
        email = self.cleaned_data["email"]
        ip = request.META.get("REMOTE_ADDR", "") if request else ""
        digest = hashlib.sha256(email.lower().encode()).hexdigest()
        if not (
            _within_limit(f"password-reset:email:{digest}", settings.PASSWORD_RESET_LIMIT_PER_EMAIL)
            and _within_limit(f"password-reset:ip:{ip}", settings.PASSWORD_RESET_LIMIT_PER_IP)
        ):
            security_log.warning(
                "password_reset_throttled", extra={"event": "password_reset_throttled", "ip": ip}
            )
            return
        for user in self.get_users(email):
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            queue_email(
                kind="password_reset",
                to=user.email,
                subject="Changer votre mot de passe — Clusters QVT",
                template="password_reset",
                context={"recipient": user},
                link=reverse("notifications:password-reset-confirm", args=[uid, token]),
            )
            security_log.info(
                "password_reset_requested",
                extra={"event": "password_reset_requested", "username": user.username, "ip": ip},
            )


class InvitationForm(forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    email = forms.EmailField(
        label="Adresse électronique",
        help_text="Format attendu : nom@domaine.fr",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label="Rôle", choices=Role.choices)
    region = forms.ModelChoiceField(
        label="Région",
        queryset=Region.objects.order_by("name"),
        required=False,
        help_text="Pour un agent d'ARS ou un(e) chargé(e) de mission Aract.",
    )


class PreferencesForm(forms.Form):
    events = forms.MultipleChoiceField(
        label="Je souhaite être prévenu(e) par e-mail quand :",
        choices=Event.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    weekly_digest = forms.BooleanField(
        label="Recevoir un seul récapitulatif par semaine (le lundi) plutôt qu'un e-mail par "
        "événement",
        required=False,
    )

    @classmethod
    def for_preferences(cls, preferences: NotificationPreferences, data=None):
        initial = {
            "events": [e for e in Event.values if preferences.wants(e)],
            "weekly_digest": preferences.weekly_digest,
        }
        return cls(data=data, initial=initial)
