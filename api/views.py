"""The read-only API (/api/v1/), the open data (/api/v1/open/), the schema and its pages.

Tenancy: every queryset comes from api.permissions (the models' `visible_to`): another
region's object is 404, as in the pages. API views opt out of the login-required middleware
explicitly: DRF authenticates them (token or session) and answers 401, not a redirect to the
login page; the open-data views need no login at all.
"""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response, set_response_etag
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from clusters.models import Cluster, Membership, ParticipantRole, Session, Wave
from experiments.models import MONOGRAPH_SECTIONS, Experiment, Indicator, Measurement, Monograph
from programme.exports import scope_of, summary_document
from programme.statistics import recent_figures

from . import filters, serializers, services
from . import permissions as scope
from .forms import TokenForm
from .models import ApiToken
from .renderers import CsvRenderer
from .throttling import OpenDataRateThrottle, TokenRateThrottle

LICENCE_LINK = f'<{serializers.LICENCE["url"]}>; rel="license"'
WAVE_PARAMETER = OpenApiParameter(
    "wave", str, description="Code de la vague (toutes les vagues si absent)."
)


class ApiCursorPagination(CursorPagination):
    """Cursor pages ordered by id: stable while rows are added or changed, and no COUNT."""

    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class OpenCursorPagination(ApiCursorPagination):
    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["licence"] = serializers.LICENCE
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["licence"] = {"type": "object", "description": "Licence des données."}
        return schema


class ETagMixin:
    """An ETag on every successful read (a hash of the body: it differs between users who see
    different rows), and 304 to a client that already holds that version."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response.render()
            set_response_etag(response)
            return get_conditional_response(request, etag=response["ETag"], response=response)
        return response


def _grouped(key: str, rows) -> defaultdict:
    """`rows` grouped on their `key` value, each group in the rows' order."""
    groups = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


def _themes(through, key: str, ids) -> defaultdict:
    """Themes by owner (`key`: "cluster_id" of Cluster.themes.through...), each owner's by name
    (Theme's ordering, as prefetch_related gave them): one query."""
    rows = through.objects.filter(**{f"{key}__in": ids}).order_by("theme__name")
    return _grouped(key, rows.values(key, *serializers.ThemeSerializer.columns))


# Lists and details of `values()` rows, the columns of the serializer (api.serializers says
# why): `visible` gives the user's rows, `with_lists` adds to a page's rows their nested lists,
# one query per list as prefetch_related did. (No docstring: the schema's operations would
# take it for their description.)
@method_decorator(login_not_required, name="dispatch")
class ApiViewSet(ETagMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [TokenRateThrottle]
    pagination_class = ApiCursorPagination
    filter_backends = [DjangoFilterBackend]
    renderer_classes = [JSONRenderer]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return self.queryset
        return self.visible(self.request.user).values(*self.serializer_class.columns)

    def paginate_queryset(self, queryset):
        return self.with_lists(super().paginate_queryset(queryset))

    def get_object(self):
        (row,) = self.with_lists([super().get_object()])
        return row

    def visible(self, user):
        raise NotImplementedError

    def with_lists(self, rows: list[dict]) -> list[dict]:
        return rows


@extend_schema_view(
    list=extend_schema(summary="Clusters visibles", description="Les clusters de vos régions."),
    retrieve=extend_schema(summary="Un cluster"),
)
class ClusterViewSet(ApiViewSet):
    queryset = Cluster.objects.none()
    serializer_class = serializers.ClusterSerializer
    filterset_class = filters.ClusterFilter

    def visible(self, user):
        return scope.clusters(user)

    def with_lists(self, clusters):
        ids = [cluster["id"] for cluster in clusters]
        themes = _themes(Cluster.themes.through, "cluster_id", ids)
        members = Membership.objects.filter(cluster_id__in=ids).order_by("joined_on", "id")
        members = _grouped(
            "cluster_id",
            members.values("cluster_id", *serializers.ClusterMemberSerializer.columns),
        )
        for cluster in clusters:
            cluster["themes"] = themes[cluster["id"]]
            cluster["members"] = members[cluster["id"]]
        return clusters


@extend_schema_view(
    list=extend_schema(summary="Participations", description="Établissements membres."),
    retrieve=extend_schema(summary="Une participation"),
)
class MembershipViewSet(ApiViewSet):
    queryset = Membership.objects.none()
    serializer_class = serializers.MembershipSerializer
    filterset_class = filters.MembershipFilter

    def visible(self, user):
        return scope.memberships(user)


@extend_schema_view(
    list=extend_schema(
        summary="Séances",
        description="Séances tenues ou prévues (brouillons exclus) : date, type, présents par "
        "rôle. Jamais de contenu ni de nom.",
    ),
    retrieve=extend_schema(summary="Une séance"),
)
class SessionViewSet(ApiViewSet):
    queryset = Session.objects.none()
    serializer_class = serializers.SessionSerializer
    filterset_class = filters.SessionFilter

    def visible(self, user):
        per_role = {
            f"attendance_{role}": Coalesce(
                Sum("attendances__count", filter=Q(attendances__role=role)), 0
            )
            for role in ParticipantRole.values
        }
        return (
            scope.sessions(user)
            .filter(is_draft=False)
            .annotate(**per_role, attendance_total=Coalesce(Sum("attendances__count"), 0))
        )


@extend_schema_view(
    list=extend_schema(summary="Expérimentations", description="Avec indicateurs et mesures."),
    retrieve=extend_schema(summary="Une expérimentation"),
)
class ExperimentViewSet(ApiViewSet):
    queryset = Experiment.objects.none()
    serializer_class = serializers.ExperimentSerializer
    filterset_class = filters.ExperimentFilter

    def visible(self, user):
        return scope.experiments(user)

    def with_lists(self, experiments):
        ids = [experiment["id"] for experiment in experiments]
        themes = _themes(Experiment.themes.through, "experiment_id", ids)
        indicators = Indicator.objects.filter(experiment_id__in=ids).order_by("name", "id")
        indicators = list(
            indicators.values("experiment_id", *serializers.IndicatorSerializer.columns)
        )
        measurements = Measurement.objects.filter(
            indicator_id__in=[indicator["id"] for indicator in indicators]
        ).order_by("measured_on", "id")
        measurements = _grouped(
            "indicator_id",
            measurements.values("indicator_id", *serializers.MeasurementSerializer.columns),
        )
        for indicator in indicators:
            indicator["measurements"] = measurements[indicator["id"]]
        indicators = _grouped("experiment_id", indicators)
        for experiment in experiments:
            experiment["themes"] = themes[experiment["id"]]
            experiment["indicators"] = indicators[experiment["id"]]
        return experiments


def published_monographs(user):
    return scope.monographs(user).filter(status=Monograph.Status.PUBLIEE)


def with_cluster_themes(monographs: list[dict]) -> list[dict]:
    cluster_ids = {monograph["membership__cluster_id"] for monograph in monographs}
    themes = _themes(Cluster.themes.through, "cluster_id", cluster_ids)
    for monograph in monographs:
        monograph["themes"] = themes[monograph["membership__cluster_id"]]
    return monographs


@extend_schema_view(
    list=extend_schema(summary="Monographies publiées", description="De vos régions."),
    retrieve=extend_schema(summary="Une monographie publiée"),
)
class MonographViewSet(ApiViewSet):
    queryset = Monograph.objects.none()
    serializer_class = serializers.MonographSerializer
    filterset_class = filters.MonographFilter

    def visible(self, user):
        return published_monographs(user)

    def with_lists(self, monographs):
        return with_cluster_themes(monographs)


def _wave_code(request) -> str | None:
    code = request.query_params.get("wave") or None
    if code and not Wave.objects.filter(code=code).exists():
        raise exceptions.NotFound("Vague inconnue.")
    return code


@method_decorator(login_not_required, name="dispatch")
class FiguresView(ETagMixin, APIView):
    """The programme's figures, from the function of the dashboard and of the exports."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [TokenRateThrottle]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Chiffres du programme",
        description="Les chiffres du tableau de bord, identiques à l'export JSON "
        "(`export_national --format json`) : par vague, total, par région, secteur, statut, "
        "thématique. Lecteurs nationaux : tout le pays ; agents d'ARS : leur région.",
        parameters=[WAVE_PARAMETER],
        responses=serializers.FiguresSerializer,
    )
    def get(self, request):
        if not scope.can_see_figures(request.user):
            raise exceptions.PermissionDenied("Votre rôle ne donne pas accès aux chiffres.")
        wave_code = _wave_code(request)
        summary, breakdowns, computed_at = recent_figures(user=request.user, wave_code=wave_code)
        # The document of export_national --format json: the same function, the same keys.
        covered = scope_of(summary, national=request.user.roles.sees_everything)
        return Response(
            summary_document(
                figures=(summary, breakdowns),
                scope=covered,
                wave_code=wave_code,
                generated_at=computed_at,
            )
        )


# --- Open data ---------------------------------------------------------------------------------


class OpenDataMixin:
    authentication_classes = []  # public: a session or a token changes nothing
    permission_classes = [permissions.AllowAny]
    throttle_classes = [OpenDataRateThrottle]
    renderer_classes = [JSONRenderer, CsvRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Link"] = LICENCE_LINK
        return response

    def wants_csv(self) -> bool:
        return getattr(self.request, "accepted_renderer", None) is not None and (
            self.request.accepted_renderer.format == "csv"
        )


@method_decorator(login_not_required, name="dispatch")
class OpenMonographListView(OpenDataMixin, ETagMixin, APIView):
    pagination_class = OpenCursorPagination

    @extend_schema(
        summary="Monographies publiées (données ouvertes)",
        description="Sans connexion, sous Licence Ouverte 2.0. Coordonnées masquées. "
        "En CSV (`?format=csv` ou `.csv`) : toutes les monographies, une colonne par section.",
        parameters=[
            OpenApiParameter("wave", str, description=filters.WAVE),
            OpenApiParameter("region", str, description=filters.REGION),
            OpenApiParameter("theme", int, description=filters.THEME),
            OpenApiParameter("sector", str, description=filters.SECTOR),
            OpenApiParameter("updated_since", str, description=filters.UPDATED_SINCE),
        ],
        responses=serializers.MonographSerializer(many=True),
    )
    def get(self, request, format=None):
        queryset = published_monographs(scope.OPEN_DATA_READER).values(
            *serializers.MonographSerializer.columns
        )
        filterset = filters.MonographFilter(request.query_params, queryset=queryset)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        queryset = filterset.qs
        context = {"request": request}
        if self.wants_csv():
            rows = serializers.MonographSerializer(
                with_cluster_themes(list(queryset.order_by("id"))), many=True, context=context
            )
            return Response(
                [serializers.monograph_csv_row(data) for data in rows.data],
                headers={"Content-Disposition": 'attachment; filename="monographies.csv"'},
            )
        paginator = self.pagination_class()
        page = with_cluster_themes(paginator.paginate_queryset(queryset, request, view=self))
        data = serializers.MonographSerializer(page, many=True, context=context).data
        return paginator.get_paginated_response(data)


@method_decorator(login_not_required, name="dispatch")
class OpenFiguresView(OpenDataMixin, ETagMixin, APIView):
    @extend_schema(
        summary="Chiffres nationaux par vague (données ouvertes)",
        description="Les chiffres du programme par vague, puis le total (vague « total »), "
        "sous Licence Ouverte 2.0 ; en CSV avec `?format=csv` ou `.csv`.",
        responses=serializers.WaveFiguresSerializer(many=True),
    )
    def get(self, request, format=None):
        summary, _breakdowns, _computed_at = recent_figures(user=scope.OPEN_DATA_READER)
        rows = [*summary["waves"], {"wave": "total", **summary["total"]}]
        if self.wants_csv():
            return Response(
                rows, headers={"Content-Disposition": 'attachment; filename="chiffres.csv"'}
            )
        return Response({"licence": serializers.LICENCE, "results": rows})


# --- Pages (DSFR) -------------------------------------------------------------------------------


@login_not_required
def api_docs(request):
    """The OpenAPI documentation (Redoc from the drf-spectacular-sidecar package: no CDN; its
    script carries the CSP nonce)."""
    return render(request, "api/api_docs.html", {"title": "Documentation de l'API"})


@login_not_required
def open_data(request):
    context = {
        "title": "Données ouvertes",
        "licence": serializers.LICENCE,
        "sections": MONOGRAPH_SECTIONS,
    }
    return render(request, "api/open_data.html", context)


def token_list(request):
    """Mon compte › Jetons d'API: the user's tokens; a new token's value is shown once, in the
    answer to its creation (never stored, never put in a message or a redirect)."""
    created = None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, raw = services.token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            valid_days=int(form.cleaned_data["validity"]),
        )
        created = {"token": token, "value": raw}
        form = TokenForm()
    context = {
        "title": "Jetons d'API",
        "form": form,
        "created": created,
        "tokens": ApiToken.objects.of(request.user),
    }
    return render(request, "api/token_list.html", context)


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.of(request.user), pk=pk)  # another's: 404
    services.token_revoke(token=token)
    messages.success(request, f"Le jeton « {token.name} » est révoqué.")
    return redirect("api-pages:token-list")
