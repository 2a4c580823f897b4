"""The list endpoints' filters: wave, region, status, theme, sector, updated since. Codes are
the ones of the pages and exports (wave code, INSEE region code, our sector codes)."""

import django_filters
from django.db.models import Exists, OuterRef

from clusters.models import Cluster, Membership, Session
from establishments.models import Sector
from experiments.models import Experiment, Monograph

WAVE = "Code de la vague (par exemple « 2024 »)."
REGION = "Code INSEE de la région (par exemple « 11 »)."
THEME = "Identifiant de la thématique."
SECTOR = "Secteur de l'établissement membre."
UPDATED_SINCE = "Objets modifiés à partir de cette date et heure (ISO 8601)."


def _wave(path):
    return django_filters.CharFilter(field_name=f"{path}wave__code", help_text=WAVE)


def _region(path):
    return django_filters.CharFilter(field_name=f"{path}region__code", help_text=REGION)


def _updated_since():
    return django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text=UPDATED_SINCE
    )


def _sector():
    return django_filters.ChoiceFilter(choices=Sector.choices, method="by_sector", help_text=SECTOR)


def _theme():
    return django_filters.NumberFilter(method="by_theme", help_text=THEME)


def _cluster_has_theme(cluster_path, theme_id):
    # Exists, not a join: a cluster with two matching rows must stay one row.
    return Exists(
        Cluster.themes.through.objects.filter(cluster_id=OuterRef(cluster_path), theme_id=theme_id)
    )


def _cluster_has_member_of_sector(cluster_path, sector):
    return Exists(
        Membership.objects.filter(
            cluster_id=OuterRef(cluster_path),
            withdrawn_on__isnull=True,
            establishment__sector=sector,
        )
    )


class ClusterFilter(django_filters.FilterSet):
    wave = _wave("")
    region = _region("")
    status = django_filters.ChoiceFilter(
        choices=Cluster.Status.choices, help_text="Statut du cluster."
    )
    theme = _theme()
    sector = _sector()
    updated_since = _updated_since()

    class Meta:
        model = Cluster
        fields = []

    def by_theme(self, queryset, name, value):
        return queryset.filter(_cluster_has_theme("pk", value))

    def by_sector(self, queryset, name, value):
        return queryset.filter(_cluster_has_member_of_sector("pk", value))


class MembershipFilter(django_filters.FilterSet):
    cluster = django_filters.NumberFilter(
        field_name="cluster_id", help_text="Identifiant du cluster."
    )
    wave = _wave("")
    region = _region("cluster__")
    status = django_filters.ChoiceFilter(
        field_name="cluster__status",
        choices=Cluster.Status.choices,
        help_text="Statut du cluster de la participation.",
    )
    theme = _theme()
    sector = django_filters.ChoiceFilter(
        field_name="establishment__sector", choices=Sector.choices, help_text=SECTOR
    )

    class Meta:
        model = Membership
        fields = []

    def by_theme(self, queryset, name, value):
        return queryset.filter(_cluster_has_theme("cluster_id", value))


class SessionFilter(django_filters.FilterSet):
    cluster = django_filters.NumberFilter(
        field_name="cluster_id", help_text="Identifiant du cluster."
    )
    wave = _wave("cluster__")
    region = _region("cluster__")
    status = django_filters.ChoiceFilter(
        field_name="cluster__status",
        choices=Cluster.Status.choices,
        help_text="Statut du cluster de la séance.",
    )
    theme = _theme()
    sector = _sector()
    updated_since = _updated_since()

    class Meta:
        model = Session
        fields = []

    def by_theme(self, queryset, name, value):
        return queryset.filter(_cluster_has_theme("cluster_id", value))

    def by_sector(self, queryset, name, value):
        return queryset.filter(_cluster_has_member_of_sector("cluster_id", value))


class ExperimentFilter(django_filters.FilterSet):
    wave = _wave("membership__")
    region = _region("membership__cluster__")
    status = django_filters.ChoiceFilter(
        choices=Experiment.Status.choices, help_text="Statut de l'expérimentation."
    )
    theme = _theme()
    sector = django_filters.ChoiceFilter(
        field_name="membership__establishment__sector", choices=Sector.choices, help_text=SECTOR
    )
    updated_since = _updated_since()

    class Meta:
        model = Experiment
        fields = []

    def by_theme(self, queryset, name, value):
        in_experiment = Experiment.themes.through.objects.filter(
            experiment_id=OuterRef("pk"), theme_id=value
        )
        return queryset.filter(Exists(in_experiment))


class MonographFilter(django_filters.FilterSet):
    """Themes as in the library: the cluster's or one of the establishment's experiments'."""

    wave = _wave("membership__")
    region = _region("membership__cluster__")
    theme = _theme()
    sector = django_filters.ChoiceFilter(
        field_name="membership__establishment__sector", choices=Sector.choices, help_text=SECTOR
    )
    updated_since = _updated_since()

    class Meta:
        model = Monograph
        fields = []

    def by_theme(self, queryset, name, value):
        in_experiment = Experiment.themes.through.objects.filter(
            experiment__membership_id=OuterRef("membership_id"), theme_id=value
        )
        return queryset.filter(
            _cluster_has_theme("membership__cluster_id", value) | Exists(in_experiment)
        )
