"""Forms of the programme team's administration pages (waves, themes, session tools)."""

from django import forms

from clusters.models import WAVE_SECTORS, SessionTool, Theme, Wave


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class WaveForm(forms.ModelForm):
    sectors = forms.MultipleChoiceField(
        label="Secteurs concernés",
        choices=[(sector.value, sector.label) for sector in WAVE_SECTORS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un secteur."},
    )

    class Meta:
        model = Wave
        fields = ["code", "name", "starts_on", "ends_on", "sectors", "registration_open"]
        labels = {"name": "Libellé", "starts_on": "Date de début", "ends_on": "Date de fin"}
        help_texts = {
            "code": "Court et stable, par exemple l'année : 2027.",
            "registration_open": "Les ARS peuvent y enregistrer de nouveaux clusters.",
        }
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
        error_messages = {
            "code": {
                "required": "Donnez un code à la vague.",
                "unique": "Une vague porte déjà ce code.",
            },
            "name": {"required": "Donnez un libellé à la vague."},
        }

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "La date de fin doit suivre la date de début.")
        return data


class NameForm(forms.ModelForm):
    """Add or rename a theme or a session tool; `retired` takes it out of the choices offered."""

    class Meta:
        fields = ["name", "retired"]
        labels = {"name": "Nom"}
        error_messages = {
            "name": {"required": "Donnez un nom.", "unique": "Ce nom existe déjà."},
        }


class ThemeForm(NameForm):
    class Meta(NameForm.Meta):
        model = Theme
        labels = {"name": "Nom", "retired": "Retirée (n'est plus proposée)"}


class SessionToolForm(NameForm):
    class Meta(NameForm.Meta):
        model = SessionTool
        labels = {"name": "Nom", "retired": "Retiré (n'est plus proposé)"}
