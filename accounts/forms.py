from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Identifiant",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
    }


class PlainPasswordHelpMixin:
    """Django's help text for a new password is an HTML list, not allowed inside the label's hint
    (a <span>): the same rules as one sentence."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = (
            "Au moins 12 caractères, pas uniquement des chiffres, ni un mot de passe courant, "
            "ni proche de votre identifiant ou de votre nom."
        )


class PasswordChangeForm(PlainPasswordHelpMixin, DjangoPasswordChangeForm):
    pass


class SetPasswordForm(PlainPasswordHelpMixin, DjangoSetPasswordForm):
    pass
