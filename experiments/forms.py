from django import forms

from clusters.models import LONG_TEXT_MAX, Theme, Wave
from clusters.session_forms import DateInput
from core.forms import CachedRenderingMixin
from establishments.models import Region, Sector

from .models import MONOGRAPH_SECTIONS, Experiment, Indicator, Measurement, Monograph


class ExperimentForm(forms.ModelForm):
    themes = forms.ModelMultipleChoiceField(
        label="Thématiques",
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Experiment
        fields = [
            "title",
            "themes",
            "problem",
            "objectives",
            "unit",
            "starts_on",
            "ends_on",
            "status",
            "actions",
        ]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "problem": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "actions": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {"title": {"required": "Donnez un titre à l'expérimentation."}}

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "La fin ne peut pas précéder le début.")
        # The date order is checked here, with a French message on its field: Django then
        # leaves "ends_on" out of the model validation, so the constraint does not repeat it.
        # Every other model constraint is validated as usual.
        return data


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "baseline", "target", "higher_is_better"]
        help_texts = {
            "unit": "Par exemple : %, jours, nombre d'arrêts.",
            "higher_is_better": "Décochez quand l'objectif est de faire baisser la valeur "
            "(absentéisme, accidents du travail...).",
        }
        error_messages = {
            "name": {"required": "Donnez un nom à l'indicateur."},
            "baseline": {"required": "Indiquez la valeur de départ.", "invalid": "Un nombre."},
            "target": {"required": "Indiquez la valeur cible.", "invalid": "Un nombre."},
        }


class MeasurementForm(forms.ModelForm):
    class Meta:
        model = Measurement
        fields = ["measured_on", "value"]
        widgets = {"measured_on": DateInput()}
        error_messages = {
            "measured_on": {"required": "Indiquez la date de la mesure."},
            "value": {"required": "Indiquez la valeur mesurée.", "invalid": "Un nombre."},
        }

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.indicator = indicator

    def _get_validation_exclusions(self):
        # The indicator is set by the view, not a field: keep it in the model validation so that
        # the one-measurement-per-date constraint is checked with the form. Replacing a value
        # binds the form to the existing measurement (the page asks first).
        exclude = super()._get_validation_exclusions()
        exclude.discard("indicator")
        return exclude


class MonographForm(forms.ModelForm):
    class Meta:
        model = Monograph
        fields = ["title", "summary", *(name for name, _label in MONOGRAPH_SECTIONS)]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            **{name: forms.Textarea(attrs={"rows": 6}) for name, _label in MONOGRAPH_SECTIONS},
        }
        error_messages = {"title": {"required": "Donnez un titre à la monographie."}}


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label="Commentaire",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=LONG_TEXT_MAX,
    )


class LibraryFilterForm(CachedRenderingMixin, forms.Form):
    mark_optional_fields = False
    q = forms.CharField(label="Rechercher dans les monographies", required=False, max_length=200)
    theme = forms.ModelChoiceField(
        label="Thématique", queryset=Theme.objects.all(), required=False, empty_label="Toutes"
    )
    sector = forms.ChoiceField(
        label="Secteur",
        choices=[("", "Tous"), *Sector.choices],
        required=False,
    )
    region = forms.ModelChoiceField(
        label="Région", queryset=Region.objects.all(), required=False, empty_label="Toutes"
    )
    wave = forms.ModelChoiceField(
        label="Vague",
        queryset=Wave.objects.all(),
        required=False,
        empty_label="Toutes",
    )
