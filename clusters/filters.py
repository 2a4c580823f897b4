"""Filters of the cluster list (django-filter). Member-based filters use EXISTS subqueries so
that the per-cluster counts of the list are never multiplied by joins."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef

from core.forms import CachedRenderingMixin
from establishments.models import Department, Region, Sector

from .models import Cluster, Membership, Theme, Wave


def _with_active_member(queryset, **lookups):
    members = Membership.objects.filter(cluster=OuterRef("pk"), withdrawn_on__isnull=True)
    return queryset.filter(Exists(members.filter(**lookups)))


class FilterForm(CachedRenderingMixin, forms.Form):
    mark_optional_fields = False  # every filter is optional: no "(Optionnel)" on each


class ClusterFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Nom du cluster",
        method="filter_name",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    region = django_filters.ModelChoiceFilter(
        label="Région", queryset=Region.objects.all(), empty_label="Toutes les régions"
    )
    wave = django_filters.ModelChoiceFilter(
        label="Vague", queryset=Wave.objects.all(), empty_label="Toutes les vagues"
    )
    status = django_filters.ChoiceFilter(
        label="Statut", choices=Cluster.Status.choices, empty_label="Tous les statuts"
    )
    theme = django_filters.ModelChoiceFilter(
        label="Thématique",
        queryset=Theme.objects.all(),
        method="filter_theme",
        empty_label="Toutes les thématiques",
    )
    department = django_filters.ModelChoiceFilter(
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
        return _with_active_member(queryset, establishment__department=value)

    def filter_sector(self, queryset, name, value):
        return _with_active_member(queryset, establishment__sector=value)
