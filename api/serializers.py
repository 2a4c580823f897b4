"""What the API shows: English field names, French descriptions (they become the OpenAPI
schema's), ISO dates, codes as strings. No contact, no person's name, no session content."""

from django.urls import reverse
from rest_framework import serializers

from clusters.models import Cluster, Phase, Session
from establishments.models import LegalStatus, Sector
from experiments.models import MONOGRAPH_SECTIONS, Experiment

LICENCE = {
    "code": "etalab-2.0",
    "name": "Licence Ouverte 2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


class CodeNameSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Code (chaîne de caractères).")
    name = serializers.CharField(help_text="Libellé.")


class ThemeSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifiant de la thématique.")
    name = serializers.CharField(help_text="Nom de la thématique.")


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


class MeasurementSerializer(serializers.Serializer):
    measured_on = serializers.DateField(help_text="Date de mesure.")
    value = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Valeur mesurée.")


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

    def get_establishment(self, monograph) -> dict[str, str]:
        establishment = monograph.membership.establishment
        return {"finess": establishment.finess, "name": establishment.short_name}

    def get_sections(self, monograph) -> list[dict[str, str]]:
        return [
            {"key": key, "heading": heading, "text": text}
            for key, heading, text in monograph.public_sections()
            if text.strip()
        ]

    def get_url(self, monograph) -> str:
        path = reverse("library:monograph-detail", args=[monograph.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


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
