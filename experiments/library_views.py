"""The good-practice library: published monographs, public (no login), no personal data.

Authors are personal data: the pages name the establishment and the Aract that facilitated the
cluster, never a person. Contact details typed into a section are masked as well."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import render

from clusters.models import Cluster

from .forms import LibraryFilterForm
from .models import (
    MONOGRAPH_SECTIONS,
    Experiment,
    Monograph,
    MonographTransition,
    monograph_search_vector,
)


def _published():
    return Monograph.objects.filter(status=Monograph.Status.PUBLIEE).select_related(
        "membership__establishment",
        "membership__cluster__region",
        "membership__cluster__wave",
        "membership__cluster__aract",
    )


def _filter(monographs, data):
    if data.get("theme"):
        theme = data["theme"]
        in_cluster = Cluster.themes.through.objects.filter(
            cluster_id=OuterRef("membership__cluster_id"), theme=theme
        )
        in_experiment = Experiment.themes.through.objects.filter(
            experiment__membership_id=OuterRef("membership_id"), theme=theme
        )
        monographs = monographs.filter(Q(Exists(in_cluster)) | Q(Exists(in_experiment)))
    if data.get("sector"):
        monographs = monographs.filter(membership__establishment__sector=data["sector"])
    if data.get("region"):
        monographs = monographs.filter(membership__cluster__region=data["region"])
    if data.get("wave"):
        monographs = monographs.filter(membership__cluster__wave=data["wave"])
    if data.get("q"):
        query = SearchQuery(data["q"], config="french", search_type="websearch")
        vector = monograph_search_vector()
        monographs = (
            monographs.annotate(search=vector, rank=SearchRank(vector, query))
            .filter(search=query)
            .order_by("-rank", "-published_at")
        )
    return monographs


@login_not_required
def library_list(request):
    form = LibraryFilterForm(request.GET or None)
    # The cards show no section text: leave the nine sections in the database.
    sections = [name for name, _label in MONOGRAPH_SECTIONS]
    monographs = (
        _published()
        .defer(*sections, "redacted_sections")
        .prefetch_related("membership__cluster__themes")
    )
    if form.is_bound and form.is_valid():
        monographs = _filter(monographs, form.cleaned_data)
    page = Paginator(monographs, 10)
    context = {
        "title": "Bibliothèque des bonnes pratiques",
        "form": form,
        "page": page.get_page(request.GET.get("page")),
        "filtered": bool(request.GET.keys() - {"page"}),
    }
    return render(request, "library/monograph_list.html", context)


@login_not_required
def library_detail(request, pk):
    monograph = _published().prefetch_related("membership__cluster__themes").filter(pk=pk).first()
    if monograph is None:
        if MonographTransition.objects.filter(
            monograph_id=pk, from_status=Monograph.Status.PUBLIEE
        ).exists():
            # Unpublished: say it is gone for good (410), not that it never existed.
            context = {"title": "Monographie retirée de la bibliothèque"}
            return render(request, "library/monograph_gone.html", context, status=410)
        raise Http404("Aucune monographie publiée à cette adresse.")
    # The text was redacted once, at publication (services.monograph_transition).
    sections = [
        {"name": name, "label": label, "text": text}
        for name, label, text in monograph.public_sections()
        if text.strip()
    ]
    context = {
        "title": monograph.title,
        "monograph": monograph,
        "establishment": monograph.membership.establishment,
        "cluster": monograph.membership.cluster,
        "sections": sections,
    }
    return render(request, "library/monograph_detail.html", context)
