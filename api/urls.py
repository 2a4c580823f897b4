from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter
from rest_framework.urlpatterns import format_suffix_patterns

from . import views

app_name = "api"

router = SimpleRouter()
router.register("clusters", views.ClusterViewSet, basename="cluster")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("sessions", views.SessionViewSet, basename="session")
router.register("experiments", views.ExperimentViewSet, basename="experiment")
router.register("monographs", views.MonographViewSet, basename="monograph")

# Open data (no login): JSON, or CSV with ?format=csv or a .csv suffix.
open_patterns = format_suffix_patterns(
    [
        path("open/monographs/", views.OpenMonographListView.as_view(), name="open-monograph-list"),
        path("open/figures/", views.OpenFiguresView.as_view(), name="open-figures"),
    ],
    allowed=["json", "csv"],
)

urlpatterns = [
    *router.urls,
    path("figures/", views.FiguresView.as_view(), name="figures"),
    *open_patterns,
    # The schema describes the API to anyone: it holds no data.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", views.api_docs, name="docs"),
]
