"""Filters of the cluster list (django-filter). Member-based filters use EXISTS subqueries so
that the per-cluster counts of the list are never multiplied by joins."""

import django_filters
from django import forms
from django.db.models import BooleanField, Exists, OuterRef

from core.expressions import compiled_once
from core.forms import CachedRenderingMixin, LoadedChoiceValidation, load_choices
from establishments.models import Department, Region, Sector

from .models import Cluster, Membership, Theme, Wave


def _has_active_member(field, value):
    members = Membership.objects.filter(cluster=OuterRef("pk"), withdrawn_on__isnull=True)
    return Exists(members.filter(**{f"establishment__{field}": value}))


def _with_active_member(queryset, field, value):
    # Compiled once per process and value: the list compiles it twice (counts and page).
    return queryset.filter(
        compiled_once(Cluster, _has_active_member, field, value, output_field=BooleanField())
    )


class FilterForm(CachedRenderingMixin, forms.Form):
    mark_optional_fields = False  # every filter is optional: no "(Optionnel)" on each

    def full_clean(self):
        load_choices(self)  # the selects are checked against the choices loaded for the key
        super().full_clean()


class LoadedModelChoiceField(LoadedChoiceValidation, django_filters.fields.ModelChoiceField):
    pass


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = LoadedModelChoiceField


class ClusterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Nom du cluster",
        method="filter_name",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    region = ModelChoiceFilter(
        label="Région", queryset=Region.objects.all(), empty_label="Toutes les régions"
    )
    wave = ModelChoiceFilter(
        label="Vague", queryset=Wave.objects.all(), empty_label="Toutes les vagues"
    )
    status = django_filters.ChoiceFilter(
        label="Statut", choices=Cluster.Status.choices, empty_label="Tous les statuts"
    )
    theme = ModelChoiceFilter(
        label="Thématique",
        queryset=Theme.objects.all(),
        method="filter_theme",
        empty_label="Toutes les thématiques",
    )
    department = ModelChoiceFilter(
        label="Département d'un membre",
        queryset=Department.objects.all(),
        method="filter_department",
        empty_label="Tous les départements",
    )
    sector = django_filters.ChoiceFilter(
        label="Secteur d'un membre",
        choices=Sector.choices,
        method="filter_sector",
        empty_label="Tous les secteurs",
    )
    sort = django_filters.OrderingFilter(
        label="Trier par",
        empty_label="Vague la plus récente",
        fields=(
            ("name", "name"),
            ("wave__code", "wave"),
            ("status", "status"),
            ("active_member_count", "members"),
            ("region__name", "region"),
        ),
        field_labels={
            "name": "Nom",
            "wave__code": "Vague",
            "status": "Statut",
            "active_member_count": "Membres actifs",
            "region__name": "Région",
        },
    )

    class Meta:
        model = Cluster
        fields = []
        form = FilterForm

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        roles = user.roles
        if roles.sees_everything:
            return
        # Regional staff see their own regions only: a region choice only if they have several.
        if len(roles.region_ids) > 1:
            self.filters["region"].queryset = Region.objects.filter(pk__in=roles.region_ids)
        else:
            del self.filters["region"]
        self.filters["department"].queryset = Department.objects.filter(
            region_id__in=roles.region_ids
        )

    def filter_name(self, queryset, name, value):
        return queryset.filter(name__icontains=value) if value.strip() else queryset

    def filter_theme(self, queryset, name, value):
        themes = Cluster.themes.through.objects.filter(cluster=OuterRef("pk"), theme=value)
        return queryset.filter(Exists(themes))

    def filter_department(self, queryset, name, value):
        return _with_active_member(queryset, "department_id", value.pk)

    def filter_sector(self, queryset, name, value):
        return _with_active_member(queryset, "sector", value)
