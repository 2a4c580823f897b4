"""Forms of the programme team's administration pages (waves, themes, session tools, published
figures)."""

from django import forms

from clusters.models import WAVE_SECTORS, SessionTool, Theme, Wave

from .models import PublishedFigure


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


class PublishedFigureForm(forms.ModelForm):
    """A figure as its source publishes it: a number, or words when the source gives none."""

    wave_code = forms.ChoiceField(label="Vague", required=False)

    class Meta:
        model = PublishedFigure
        fields = [
            "label",
            "metric",
            "wave_code",
            "value",
            "text",
            "source",
            "source_url",
            "published_on",
            "date_precision",
            "note",
            "position",
        ]
        labels = {"metric": "Ce que compte le chiffre"}
        help_texts = {
            "label": "L'intitulé tel que la source l'écrit, par exemple « Établissements ».",
            "metric": "Les clusters, régions, participations et établissements distincts sont "
            "comparés aux chiffres calculés par l'application ; les autres sont affichés seuls.",
            "value": "Le nombre publié ; laissez vide si la source n'en donne pas d'exact.",
            "source": "Qui publie, et le titre de la publication.",
            "source_url": "L'adresse où lire la source (https://…).",
            "position": "Rang dans les tableaux (du plus petit au plus grand).",
        }
        widgets = {
            "published_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
            "date_precision": forms.RadioSelect,
        }
        error_messages = {
            "label": {"required": "Donnez l'intitulé publié."},
            "metric": {"required": "Choisissez ce que compte le chiffre."},
            "source": {"required": "Indiquez la source."},
            "source_url": {"invalid": "Saisissez une adresse web complète (https://…)."},
            "published_on": {
                "required": "Indiquez la date de publication.",
                "invalid": "Date invalide.",
            },
            "value": {"invalid": "Saisissez un nombre entier."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = list(Wave.objects.order_by("code").values_list("code", "name"))
        if self.instance.wave_code and self.instance.wave_code not in dict(codes):
            codes.append((self.instance.wave_code, self.instance.wave_code))
        self.fields["wave_code"].choices = [("", "Toutes les vagues (total)"), *codes]
        self.fields["wave_code"].error_messages["invalid_choice"] = "Choisissez une vague."

    def clean(self):
        data = super().clean()
        if data.get("value") is None and not data.get("text", "").strip():
            self.add_error("value", "Indiquez le nombre publié, ou la valeur en toutes lettres.")
        return data
