from django import forms

from clusters.models import Wave
from establishments.models import Region


class RegionReportForm(forms.Form):
    """The regional summary of one wave, for a region the user sees."""

    region = forms.ModelChoiceField(label="Région", queryset=Region.objects.none())
    wave = forms.ModelChoiceField(label="Vague", queryset=Wave.objects.order_by("code"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.order_by("name")
        if not user.roles.sees_everything:
            regions = regions.filter(pk__in=user.roles.region_ids)
        self.fields["region"].queryset = regions
        self.fields["region"].error_messages["invalid_choice"] = "Choisissez une de vos régions."
        self.fields["wave"].error_messages["invalid_choice"] = "Choisissez une vague existante."


class NationalReportForm(forms.Form):
    wave = forms.ModelChoiceField(
        label="Vague",
        queryset=Wave.objects.order_by("code"),
        required=False,
        empty_label="Toutes les vagues",
    )

    def __init__(self, *args, **kwargs):
        # Shown on the same page as the regional form: its ids must differ ("id_wave" twice).
        kwargs.setdefault("auto_id", "id_national_%s")
        super().__init__(*args, **kwargs)
