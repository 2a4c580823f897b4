"""Forms of the ARS staff's cluster pages. The region, the status and the members never come from
these forms: the views set them from the user's roles and the services."""

from django import forms
from django.utils import timezone

from core.forms import CachedRenderingMixin
from establishments.models import Establishment, Organisation, Region

from . import services
from .models import Cluster, DelegationContact, Theme, Wave


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ClusterForm(forms.ModelForm):
    """Register or edit a cluster. The Aract, facilitators and referent are limited to the
    cluster's region; a user with several ARS regions picks one of them (only when creating)."""

    region = forms.ModelChoiceField(
        label="Région", queryset=Region.objects.none(), empty_label="Choisir une région"
    )

    class Meta:
        model = Cluster
        fields = [
            "name",
            "wave",
            "themes",
            "problem_statement",
            "aract",
            "facilitators",
            "ars_referent",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "facilitators": forms.CheckboxSelectMultiple,
            "problem_statement": forms.Textarea(attrs={"rows": 4}),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }
        help_texts = {
            "problem_statement": "La problématique partagée par les établissements du cluster.",
            "facilitators": "Personnes ayant un rôle Aract dans la région du cluster.",
        }
        error_messages = {
            "name": {"required": "Donnez un nom au cluster."},
            "wave": {"required": "Choisissez la vague du cluster."},
            "themes": {"required": "Choisissez au moins une thématique."},
        }

    def __init__(self, *args, regions, **kwargs):
        """`regions`: the ARS regions of the user; editing keeps the cluster's own region."""
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            regions = Region.objects.filter(pk=self.instance.region_id)
        region_ids = [region.pk for region in regions]
        if self.instance.pk or len(region_ids) == 1:
            del self.fields["region"]
            self.instance.region_id = region_ids[0]
        else:
            self.fields["region"].queryset = Region.objects.filter(pk__in=region_ids)
            self.order_fields(["region"])
        self.fields["aract"].queryset = Organisation.objects.filter(
            kind=Organisation.Kind.ARACT, region_id__in=region_ids
        )
        self.fields["aract"].empty_label = "Aucune pour l'instant"
        if not self.instance.pk and len(region_ids) == 1:
            # Most regions have a single Aract: propose it.
            aracts = list(self.fields["aract"].queryset[:2])
            if len(aracts) == 1:
                self.initial.setdefault("aract", aracts[0].pk)
        self.fields["facilitators"].queryset = services.aract_staff_in(region_ids)
        self.fields["ars_referent"].queryset = services.ars_staff_in(region_ids)
        self.fields["ars_referent"].empty_label = "Aucun pour l'instant"
        self.fields["themes"].required = True
        # New clusters go into a wave open for registration; a cluster keeps its own wave, and
        # its themes even once retired.
        waves = Wave.objects.open_for_registration()
        themes = Theme.objects.filter(retired=False)
        if self.instance.pk:
            waves = waves | Wave.objects.filter(pk=self.instance.wave_id)
            themes = themes | Theme.objects.filter(clusters=self.instance)
        self.fields["wave"].queryset = waves.distinct().order_by("-code")
        self.fields["themes"].queryset = themes.distinct().order_by("name")
        self.fields["wave"].error_messages["invalid_choice"] = (
            "Choisissez une vague ouverte aux inscriptions."
        )
        if self.instance.pk and self.instance.memberships.exists():
            self.fields["wave"].disabled = True
            self.fields["wave"].help_text = "La vague ne change plus une fois des membres ajoutés."

    def clean(self):
        data = super().clean()
        region = data.get("region") if "region" in self.fields else self.instance.region
        if region is not None:
            self.instance.region = region
            aract = data.get("aract")
            if aract is not None and aract.region_id != region.pk:
                self.add_error("aract", "Choisissez l'Aract de la région du cluster.")
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "La date de fin prévue doit suivre la date de lancement.")
        name, wave = data.get("name"), data.get("wave")
        if name and wave:
            # Within the region only: the answer must say nothing of other regions' clusters.
            same_name = Cluster.objects.filter(
                wave=wave, region_id=self.instance.region_id, name__iexact=name
            )
            if self.instance.pk:
                same_name = same_name.exclude(pk=self.instance.pk)
            if same_name.exists():
                self.add_error(
                    "name", "Un cluster de votre région porte déjà ce nom dans cette vague."
                )
        return data


class MemberSearchForm(CachedRenderingMixin, forms.Form):
    mark_optional_fields = False
    q = forms.CharField(
        label="Rechercher un établissement",
        help_text="Numéro FINESS, nom ou commune (accents et majuscules indifférents).",
        max_length=100,
        required=False,
    )


class MemberAddForm(forms.Form):
    """The establishment to add; only those of the cluster's region are valid choices, so an id
    of another region posted by hand is refused."""

    establishment = forms.ModelChoiceField(
        queryset=Establishment.objects.none(),
        error_messages={
            "required": "Choisissez un établissement.",
            "invalid_choice": "Cet établissement n'est pas dans la région du cluster.",
        },
    )

    def __init__(self, *args, cluster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = Establishment.objects.filter(
            region_id=cluster.region_id
        )


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(
        label="Date du retrait",
        widget=DateInput(),
        error_messages={"required": "Indiquez la date du retrait.", "invalid": "Date invalide."},
    )
    reason = forms.CharField(
        label="Motif du retrait",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Indiquez le motif du retrait."},
    )

    def __init__(self, *args, under_minimum_warning: str | None = None, **kwargs):
        kwargs.setdefault("initial", {"withdrawn_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        if under_minimum_warning:
            self.fields["confirm"] = forms.BooleanField(
                label="Je confirme le retrait malgré le nombre de membres insuffisant",
                required=True,
                error_messages={"required": "Cochez la case pour confirmer le retrait."},
            )


class JoinedOnForm(forms.Form):
    joined_on = forms.DateField(
        label="Date d'entrée dans le cluster",
        widget=DateInput(),
        help_text="Par exemple la date de la séance de lancement à laquelle il a participé.",
        error_messages={"required": "Indiquez la date d'entrée.", "invalid": "Date invalide."},
    )


class ContactForm(forms.ModelForm):
    class Meta:
        model = DelegationContact
        fields = ["role", "name", "email", "phone"]
        error_messages = {
            "role": {"required": "Choisissez le rôle de la personne."},
            "name": {"required": "Indiquez le nom de la personne."},
            "email": {"invalid": "Saisissez une adresse électronique valide."},
        }
