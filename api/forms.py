from django import forms

from .services import VALIDITY_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="Pour reconnaître l'outil qui l'utilise, par exemple « Grist de l'ARS ».",
        error_messages={"required": "Donnez un nom au jeton."},
    )
    validity = forms.ChoiceField(
        label="Durée de validité",
        choices=[(str(days), f"{days} jours") for days in VALIDITY_DAYS],
        initial="90",
    )
