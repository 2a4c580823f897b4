"""What the API shows: English field names, French descriptions (they become the OpenAPI
schema's), ISO dates, codes as strings. No contact, no person's name, no session content.

The endpoints' serializers read `values()` rows, not model instances: each declares its fields
(the contract, and the schema drf-spectacular draws from them), the `columns` its rows carry
(keys are ORM paths, "region__code"; a nested list, such as a cluster's "members", is added to
the row by the view), and writes its representation out in `to_representation`. DRF's generic
path (a model instance per row and related object, then get_attribute and to_representation
per field and row) cost ten times the empty page for a page of 100 clusters (bench/FINDINGS.md
§16). tests/api/test_representation.py checks that each writes exactly its declared fields.
A serializer's docstring is published in the schema: notes about rows go in comments."""

from django.urls import reverse
from django.utils.functional import cached_property
from rest_framework import serializers

from clusters.models import Cluster, ParticipantRole, Phase, Session
from establishments.models import LegalStatus, Sector
from experiments.models import MONOGRAPH_SECTIONS, Experiment, public_sections_of

LICENCE = {
    "code": "etalab-2.0",
    "name": "Licence Ouverte 2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}

# The representations of DRF's fields, on the rows' values: dates in ISO 8601 (DATE_FORMAT);
# datetimes in ISO 8601 in the current time zone, "Z" for UTC (DATETIME_FORMAT, DRF's own
# code: few per row); decimals as strings, of the two places that PostgreSQL gives for every
# value of a numeric(12, 2) column (DRF's quantize to two places, a context copy per value,
# would change nothing).
_datetime = serializers.DateTimeField().to_representation


def _date(value):
    return None if value is None else value.isoformat()


def _decimal(value):
    return f"{value:f}"


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Code (chaîne de caractères).")
    name = serializers.CharField(help_text="Libellé.")


class ThemeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant de la thématique.")
    name = serializers.CharField(help_text="Nom de la thématique.")

    columns = ("theme_id", "theme__name")  # of a row of a many-to-many table to the themes

    def to_representation(self, row):
        return {"id": row["theme_id"], "name": row["theme__name"]}


class EstablishmentSerializer(serializers.Serializer):
    finess = serializers.CharField(help_text="Numéro FINESS de l'établissement (ET).")
    finess_ej = serializers.CharField(help_text="Numéro FINESS de l'entité juridique (EJ).")
    name = serializers.CharField(source="short_name", help_text="Raison sociale.")
    category_code = serializers.CharField(help_text="Code de la catégorie FINESS.")
    category = serializers.CharField(
        source="category_label", help_text="Libellé de la catégorie FINESS."
    )
    sector = serializers.ChoiceField(choices=Sector.choices, help_text="Secteur.")
    legal_status = serializers.ChoiceField(
        choices=LegalStatus.choices, help_text="Statut juridique."
    )
    department_code = serializers.CharField(
        source="department.code", help_text="Code INSEE du département."
    )
    region_code = serializers.CharField(
        source="region.code", allow_null=True, help_text="Code INSEE de la région."
    )
    town = serializers.CharField(help_text="Commune.")
    postcode = serializers.CharField(help_text="Code postal.")

    # Read from a membership's row.
    columns = (
        "establishment__finess",
        "establishment__finess_ej",
        "establishment__short_name",
        "establishment__category_code",
        "establishment__category_label",
        "establishment__sector",
        "establishment__legal_status",
        "establishment__department__code",
        "establishment__region__code",
        "establishment__town",
        "establishment__postcode",
    )

    def to_representation(self, membership):
        return {
            "finess": membership["establishment__finess"],
            "finess_ej": membership["establishment__finess_ej"],
            "name": membership["establishment__short_name"],
            "category_code": membership["establishment__category_code"],
            "category": membership["establishment__category_label"],
            "sector": membership["establishment__sector"],
            "legal_status": membership["establishment__legal_status"],
            "department_code": membership["establishment__department__code"],
            "region_code": membership["establishment__region__code"],
            "town": membership["establishment__town"],
            "postcode": membership["establishment__postcode"],
        }


class ClusterMemberSerializer(serializers.Serializer):
    membership_id = serializers.IntegerField(
        source="id", help_text="Identifiant de la participation."
    )
    finess = serializers.CharField(source="establishment.finess", help_text="Numéro FINESS (ET).")
    name = serializers.CharField(source="establishment.short_name", help_text="Raison sociale.")
    sector = serializers.CharField(source="establishment.sector", help_text="Secteur.")
    joined_on = serializers.DateField(help_text="Date d'entrée dans le cluster.")
    withdrawn_on = serializers.DateField(
        allow_null=True, help_text="Date de retrait, s'il y a lieu."
    )
    phase = serializers.ChoiceField(choices=Phase.choices, help_text="Phase atteinte.")

    columns = (
        "id",
        "establishment__finess",
        "establishment__short_name",
        "establishment__sector",
        "joined_on",
        "withdrawn_on",
        "phase",
    )

    def to_representation(self, membership):
        return {
            "membership_id": membership["id"],
            "finess": membership["establishment__finess"],
            "name": membership["establishment__short_name"],
            "sector": membership["establishment__sector"],
            "joined_on": _date(membership["joined_on"]),
            "withdrawn_on": _date(membership["withdrawn_on"]),
            "phase": membership["phase"],
        }


class ClusterSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant du cluster.")
    name = serializers.CharField(help_text="Nom du cluster.")
    region = CodeNameSerializer(help_text="Région (code INSEE et nom).")
    wave = CodeNameSerializer(help_text="Vague (code et nom).")
    status = serializers.ChoiceField(choices=Cluster.Status.choices, help_text="Statut du cluster.")
    themes = ThemeSerializer(many=True, help_text="Thématiques du cluster.")
    aract = serializers.CharField(
        source="aract.name", allow_null=True, default=None, help_text="Aract qui l'anime."
    )
    starts_on = serializers.DateField(allow_null=True, help_text="Date de lancement.")
    ends_on = serializers.DateField(allow_null=True, help_text="Date de fin prévue.")
    constituted_on = serializers.DateField(allow_null=True, help_text="Date de constitution.")
    closed_on = serializers.DateField(allow_null=True, help_text="Date de clôture.")
    created_at = serializers.DateTimeField(help_text="Création de la fiche (ISO 8601).")
    updated_at = serializers.DateTimeField(help_text="Dernière modification (ISO 8601).")
    members = ClusterMemberSerializer(
        source="memberships", many=True, help_text="Établissements membres, retirés compris."
    )

    columns = (
        "id",
        "name",
        "region__code",
        "region__name",
        "wave__code",
        "wave__name",
        "status",
        "aract__name",
        "starts_on",
        "ends_on",
        "constituted_on",
        "closed_on",
        "created_at",
        "updated_at",
    )

    def to_representation(self, cluster):
        fields = self.fields
        return {
            "id": cluster["id"],
            "name": cluster["name"],
            "region": {"code": cluster["region__code"], "name": cluster["region__name"]},
            "wave": {"code": cluster["wave__code"], "name": cluster["wave__name"]},
            "status": cluster["status"],
            "themes": fields["themes"].to_representation(cluster["themes"]),
            "aract": cluster["aract__name"],
            "starts_on": _date(cluster["starts_on"]),
            "ends_on": _date(cluster["ends_on"]),
            "constituted_on": _date(cluster["constituted_on"]),
            "closed_on": _date(cluster["closed_on"]),
            "created_at": _datetime(cluster["created_at"]),
            "updated_at": _datetime(cluster["updated_at"]),
            "members": fields["members"].to_representation(cluster["members"]),
        }


class MembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant de la participation.")
    cluster = serializers.IntegerField(source="cluster_id", help_text="Identifiant du cluster.")
    wave = serializers.CharField(source="wave.code", help_text="Code de la vague.")
    region_code = serializers.CharField(
        source="cluster.region.code", help_text="Code INSEE de la région du cluster."
    )
    establishment = EstablishmentSerializer(help_text="Établissement membre.")
    joined_on = serializers.DateField(help_text="Date d'entrée.")
    withdrawn_on = serializers.DateField(allow_null=True, help_text="Date de retrait.")
    phase = serializers.ChoiceField(choices=Phase.choices, help_text="Phase atteinte.")

    columns = (
        "id",
        "cluster_id",
        "wave__code",
        "cluster__region__code",
        *EstablishmentSerializer.columns,
        "joined_on",
        "withdrawn_on",
        "phase",
    )

    def to_representation(self, membership):
        return {
            "id": membership["id"],
            "cluster": membership["cluster_id"],
            "wave": membership["wave__code"],
            "region_code": membership["cluster__region__code"],
            "establishment": self.fields["establishment"].to_representation(membership),
            "joined_on": _date(membership["joined_on"]),
            "withdrawn_on": _date(membership["withdrawn_on"]),
            "phase": membership["phase"],
        }


class AttendanceSerializer(serializers.Serializer):
    """Present people per role (ParticipantRole), zero included."""

    direction = serializers.IntegerField(
        source="attendance_direction", help_text="Présents : la direction."
    )
    irp = serializers.IntegerField(
        source="attendance_irp", help_text="Présents : les représentants du personnel."
    )
    medecin_metier = serializers.IntegerField(
        source="attendance_medecin_metier", help_text="Présents : les médecins ou métiers."
    )
    cadre = serializers.IntegerField(source="attendance_cadre", help_text="Présents : les cadres.")
    professionnel = serializers.IntegerField(
        source="attendance_professionnel", help_text="Présents : les professionnels."
    )
    autre = serializers.IntegerField(
        source="attendance_autre", help_text="Présents : les autres participants."
    )

    # Annotations of the session's row (SessionViewSet), one per role.
    columns = tuple(f"attendance_{role}" for role in ParticipantRole.values)

    def to_representation(self, session):
        return {
            "direction": session["attendance_direction"],
            "irp": session["attendance_irp"],
            "medecin_metier": session["attendance_medecin_metier"],
            "cadre": session["attendance_cadre"],
            "professionnel": session["attendance_professionnel"],
            "autre": session["attendance_autre"],
        }


class SessionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant de la séance.")
    cluster = serializers.IntegerField(source="cluster_id", help_text="Identifiant du cluster.")
    number = serializers.IntegerField(help_text="Numéro de la séance dans le cluster.")
    held_on = serializers.DateField(help_text="Date de la séance.")
    kind = serializers.ChoiceField(choices=Session.Kind.choices, help_text="Type de séance.")
    format = serializers.ChoiceField(choices=Session.Format.choices, help_text="Format.")
    attendance = AttendanceSerializer(
        source="*", help_text="Nombre de présents par rôle (tous établissements)."
    )
    attendance_total = serializers.IntegerField(help_text="Nombre total de présents.")
    updated_at = serializers.DateTimeField(help_text="Dernière modification (ISO 8601).")

    columns = (
        "id",
        "cluster_id",
        "number",
        "held_on",
        "kind",
        "format",
        *AttendanceSerializer.columns,
        "attendance_total",
        "updated_at",
    )

    def to_representation(self, session):
        return {
            "id": session["id"],
            "cluster": session["cluster_id"],
            "number": session["number"],
            "held_on": _date(session["held_on"]),
            "kind": session["kind"],
            "format": session["format"],
            "attendance": self.fields["attendance"].to_representation(session),
            "attendance_total": session["attendance_total"],
            "updated_at": _datetime(session["updated_at"]),
        }


class MeasurementSerializer(serializers.Serializer):
    measured_on = serializers.DateField(help_text="Date de mesure.")
    value = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Valeur mesurée.")

    columns = ("measured_on", "value")

    def to_representation(self, measurement):
        return {
            "measured_on": _date(measurement["measured_on"]),
            "value": _decimal(measurement["value"]),
        }


class IndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant de l'indicateur.")
    name = serializers.CharField(help_text="Nom de l'indicateur.")
    unit = serializers.CharField(help_text="Unité.")
    baseline = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="Valeur de départ."
    )
    target = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Cible.")
    higher_is_better = serializers.BooleanField(help_text="Vrai si une valeur haute est meilleure.")
    measurements = MeasurementSerializer(many=True, help_text="Mesures, par date.")

    columns = ("id", "name", "unit", "baseline", "target", "higher_is_better")

    def to_representation(self, indicator):
        return {
            "id": indicator["id"],
            "name": indicator["name"],
            "unit": indicator["unit"],
            "baseline": _decimal(indicator["baseline"]),
            "target": _decimal(indicator["target"]),
            "higher_is_better": indicator["higher_is_better"],
            "measurements": self.fields["measurements"].to_representation(
                indicator["measurements"]
            ),
        }


class ExperimentSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant de l'expérimentation.")
    cluster = serializers.IntegerField(
        source="membership.cluster_id", help_text="Identifiant du cluster."
    )
    membership = serializers.IntegerField(
        source="membership_id", help_text="Identifiant de la participation."
    )
    finess = serializers.CharField(
        source="membership.establishment.finess", help_text="Numéro FINESS de l'établissement."
    )
    title = serializers.CharField(help_text="Titre.")
    status = serializers.ChoiceField(choices=Experiment.Status.choices, help_text="Statut.")
    themes = ThemeSerializer(many=True, help_text="Thématiques.")
    starts_on = serializers.DateField(allow_null=True, help_text="Début.")
    ends_on = serializers.DateField(allow_null=True, help_text="Fin.")
    updated_at = serializers.DateTimeField(help_text="Dernière modification (ISO 8601).")
    indicators = IndicatorSerializer(many=True, help_text="Indicateurs et leurs mesures.")

    columns = (
        "id",
        "membership__cluster_id",
        "membership_id",
        "membership__establishment__finess",
        "title",
        "status",
        "starts_on",
        "ends_on",
        "updated_at",
    )

    def to_representation(self, experiment):
        fields = self.fields
        return {
            "id": experiment["id"],
            "cluster": experiment["membership__cluster_id"],
            "membership": experiment["membership_id"],
            "finess": experiment["membership__establishment__finess"],
            "title": experiment["title"],
            "status": experiment["status"],
            "themes": fields["themes"].to_representation(experiment["themes"]),
            "starts_on": _date(experiment["starts_on"]),
            "ends_on": _date(experiment["ends_on"]),
            "updated_at": _datetime(experiment["updated_at"]),
            "indicators": fields["indicators"].to_representation(experiment["indicators"]),
        }


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Clé de la section (identity, context…).")
    heading = serializers.CharField(help_text="Titre de la section.")
    text = serializers.CharField(help_text="Texte, coordonnées masquées.")


class MonographSerializer(serializers.Serializer):
    """A published monograph, as the public library shows it: contact details masked, no
    author's name. There is no summary field and no PDF of a monograph (yet): both are
    left out rather than sent empty."""

    id = serializers.IntegerField(help_text="Identifiant de la monographie.")
    title = serializers.CharField(help_text="Titre.")
    published_at = serializers.DateTimeField(
        allow_null=True, help_text="Date de publication (ISO 8601)."
    )
    wave = serializers.CharField(source="membership.wave.code", help_text="Code de la vague.")
    region = CodeNameSerializer(source="membership.cluster.region", help_text="Région.")
    sector = serializers.ChoiceField(
        source="membership.establishment.sector", choices=Sector.choices, help_text="Secteur."
    )
    establishment = serializers.SerializerMethodField(help_text="Établissement (FINESS, nom).")
    themes = ThemeSerializer(
        source="membership.cluster.themes.all", many=True, help_text="Thématiques du cluster."
    )
    sections = serializers.SerializerMethodField(help_text="Sections non vides, dans l'ordre.")
    url = serializers.SerializerMethodField(
        help_text="Page de la monographie dans la bibliothèque."
    )

    columns = (
        "id",
        "title",
        "published_at",
        "membership__wave__code",
        "membership__cluster_id",
        "membership__cluster__region__code",
        "membership__cluster__region__name",
        "membership__establishment__sector",
        "membership__establishment__finess",
        "membership__establishment__short_name",
        "redacted_sections",
        *(name for name, _heading in MONOGRAPH_SECTIONS),
    )

    def to_representation(self, monograph):
        return {
            "id": monograph["id"],
            "title": monograph["title"],
            "published_at": _datetime(monograph["published_at"]),
            "wave": monograph["membership__wave__code"],
            "region": {
                "code": monograph["membership__cluster__region__code"],
                "name": monograph["membership__cluster__region__name"],
            },
            "sector": monograph["membership__establishment__sector"],
            "establishment": self.get_establishment(monograph),
            "themes": self.fields["themes"].to_representation(monograph["themes"]),
            "sections": self.get_sections(monograph),
            "url": self.get_url(monograph),
        }

    def get_establishment(self, monograph) -> dict[str, str]:
        return {
            "finess": monograph["membership__establishment__finess"],
            "name": monograph["membership__establishment__short_name"],
        }

    def get_sections(self, monograph) -> list[dict[str, str]]:
        # The model's rule (the text stored at publication, or masked now) on the row's texts.
        sections = public_sections_of(monograph["redacted_sections"], monograph)
        return [
            {"key": key, "heading": heading, "text": text}
            for key, heading, text in sections
            if text.strip()
        ]

    def get_url(self, monograph) -> str:
        before, after = self._url_around_id
        return f"{before}/{monograph['id']}/{after}"

    @cached_property
    def _url_around_id(self) -> list[str]:
        # reverse() and build_absolute_uri() cost ~40 µs a row: the URL is built once per list,
        # for the id 0, and each row's id put in its place.
        path = reverse("library:monograph-detail", args=[0])
        request = self.context.get("request")
        return (request.build_absolute_uri(path) if request else path).rsplit("/0/", 1)


def monograph_csv_row(data: dict) -> dict:
    """One flat row of the CSV: themes joined, one column per section (empty when empty)."""
    texts = {section["key"]: section["text"] for section in data["sections"]}
    return {
        "id": data["id"],
        "title": data["title"],
        "published_at": data["published_at"],
        "wave": data["wave"],
        "region_code": data["region"]["code"],
        "region": data["region"]["name"],
        "sector": data["sector"],
        "finess": data["establishment"]["finess"],
        "establishment": data["establishment"]["name"],
        "themes": " | ".join(theme["name"] for theme in data["themes"]),
        **{f"section_{key}": texts.get(key, "") for key, _heading in MONOGRAPH_SECTIONS},
        "url": data["url"],
    }


# The documented shape of the figures (the programme's national summary, as the JSON export).
class WaveFiguresSerializer(serializers.Serializer):
    wave = serializers.CharField(help_text="Code de la vague.")
    clusters = serializers.IntegerField(help_text="Clusters.")
    regions = serializers.IntegerField(help_text="Régions ayant au moins un cluster.")
    participations = serializers.IntegerField(
        help_text="Participations (adhésions actives ou retirées de clusters comptés)."
    )
    establishments = serializers.IntegerField(help_text="Établissements distincts.")
    sessions = serializers.IntegerField(help_text="Séances tenues.")
    experiments = serializers.IntegerField(help_text="Expérimentations.")
    monographs_published = serializers.IntegerField(help_text="Monographies publiées.")


class TotalFiguresSerializer(WaveFiguresSerializer):
    wave = None


class RegionFiguresSerializer(serializers.Serializer):
    region_code = serializers.CharField(help_text="Code INSEE de la région.")
    region = serializers.CharField(help_text="Nom de la région.")
    clusters = serializers.IntegerField(help_text="Clusters.")
    participations = serializers.IntegerField(
        help_text="Participations (adhésions actives ou retirées de clusters comptés)."
    )
    establishments = serializers.IntegerField(help_text="Établissements distincts.")


class SectorFiguresSerializer(serializers.Serializer):
    sector = serializers.CharField(help_text="Code du secteur.")
    label = serializers.CharField(help_text="Libellé du secteur.")
    clusters = serializers.IntegerField(help_text="Clusters.")
    participations = serializers.IntegerField(
        help_text="Participations (adhésions actives ou retirées de clusters comptés)."
    )
    establishments = serializers.IntegerField(help_text="Établissements distincts.")


class StatusFiguresSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="Code du statut de cluster.")
    label = serializers.CharField(help_text="Libellé du statut.")
    clusters = serializers.IntegerField(help_text="Clusters.")
    participations = serializers.IntegerField(
        help_text="Participations (adhésions actives ou retirées de clusters comptés)."
    )


class ThemeFiguresSerializer(serializers.Serializer):
    theme = serializers.CharField(help_text="Thématique.")
    clusters = serializers.IntegerField(help_text="Clusters.")
    participations = serializers.IntegerField(
        help_text="Participations (adhésions actives ou retirées de clusters comptés)."
    )


class FiguresSerializer(serializers.Serializer):
    waves = WaveFiguresSerializer(many=True, help_text="Chiffres par vague.")
    total = TotalFiguresSerializer(help_text="Total, toutes vagues (comptes distincts).")
    by_region = RegionFiguresSerializer(many=True, help_text="Par région.")
    by_sector = SectorFiguresSerializer(many=True, help_text="Par secteur.")
    by_status = StatusFiguresSerializer(many=True, help_text="Par statut de cluster.")
    by_theme = ThemeFiguresSerializer(many=True, help_text="Par thématique.")
    by_legal_status = serializers.ListField(
        child=serializers.DictField(), help_text="Par statut juridique (comme by_sector)."
    )
    by_category = serializers.ListField(
        child=serializers.DictField(), help_text="Par catégorie FINESS."
    )
    by_phase = serializers.ListField(
        child=serializers.DictField(), help_text="Participations par phase atteinte."
    )
    experiments_by_status = serializers.ListField(
        child=serializers.DictField(), help_text="Expérimentations par statut."
    )
    metadata = serializers.DictField(
        help_text="generated_at, scope (national, label, region_codes), wave, definitions, sources."
    )


class OpenFiguresSerializer(WaveFiguresSerializer):
    """One row per wave, then the total (wave "total")."""
