from django import forms
from django.conf import settings

from qvt.french import file_size

# Real extracts weigh about 30 MB (60 MB with geolocation lines): above the site-wide limit.


class EstablishmentSearchForm(forms.Form):
    mark_optional_fields = False
    q = forms.CharField(
        label="Numéro FINESS, nom ou commune",
        help_text="Sans tenir compte des accents ni des majuscules, par exemple « 75 091 4176 » "
        "ou « ehpad reunion ».",
        max_length=200,
        required=False,
    )
    inactifs = forms.BooleanField(label="Inclure les établissements inactifs", required=False)


class FinessImportForm(forms.Form):
    file = forms.FileField(
        label="Extrait FINESS",
        help_text="Fichier CSV « etalab » (cs1100502 ou cs1100507), en UTF-8 ou Windows-1252.",
    )
    dry_run = forms.BooleanField(label="Simulation : ne rien enregistrer", required=False)
    strict = forms.BooleanField(
        label="Mode strict : annuler tout l'import si une ligne est rejetée", required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.FINESS_MAX_UPLOAD_SIZE:
            limit = file_size(settings.FINESS_MAX_UPLOAD_SIZE)
            raise forms.ValidationError(f"Le fichier dépasse la taille maximale ({limit}).")
        upload.seek(0)
        start = upload.read(64).removeprefix(b"\xef\xbb\xbf")
        upload.seek(0)
        if not start.lower().startswith(b"finess;etalab;"):
            raise forms.ValidationError(
                "Ce fichier n'est pas un extrait FINESS : sa première ligne doit commencer par "
                "« finess;etalab; »."
            )
        return upload


class FinessImportConfirmForm(forms.Form):
    """The explicit confirmation of an import stopped by the deactivation threshold."""

    confirm = forms.BooleanField(
        label="Je confirme que ce fichier est l'extrait national complet et que les "
        "établissements absents doivent être désactivés",
        error_messages={"required": "Cochez la case pour confirmer l'import."},
    )
