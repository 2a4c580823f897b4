"""The good-practice library: published monographs, public (no login), no personal data.

Authors are personal data: the pages name the establishment and the Aract that facilitated the
cluster, never a person. Contact details typed into a section are masked as well."""

import re

from django.contrib.auth.decorators import login_not_required
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.core.paginator import Paginator
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    TextField,
    Value,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Concat
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape
from django.utils.safestring import mark_safe

from clusters.models import Cluster, Theme

from .forms import LibraryFilterForm
from .models import (
    MONOGRAPH_SECTIONS,
    SEARCH_CONFIG,
    Experiment,
    Monograph,
    MonographTransition,
    experiment_search_vector,
    monograph_search_vector,
)
from .redaction import redact_contacts

SECTION_NAMES = [name for name, _label in MONOGRAPH_SECTIONS]
RELATED_MAX = 3
# ts_headline marks the matches with two private-use characters; the excerpt is escaped, then
# only those marks become <mark> tags (a section can never inject markup).
MARK_START, MARK_STOP = "\ue000", "\ue001"
MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_STOP}]*){MARK_STOP}")


def _published():
    return Monograph.objects.filter(status=Monograph.Status.PUBLIEE).select_related(
        "membership__establishment",
        "membership__cluster__region",
        "membership__cluster__wave",
        "membership__cluster__aract",
    )


def _search_query(text: str) -> SearchQuery:
    return SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")


def _theme_filter(theme_ids_or_query):
    """Monographs whose cluster or one of whose experiments has one of these themes."""
    in_cluster = Cluster.themes.through.objects.filter(
        cluster_id=OuterRef("membership__cluster_id"), theme__in=theme_ids_or_query
    )
    in_experiment = Experiment.themes.through.objects.filter(
        experiment__membership_id=OuterRef("membership_id"), theme__in=theme_ids_or_query
    )
    return Q(Exists(in_cluster)) | Q(Exists(in_experiment))


def search(monographs, text: str):
    """Monographs matching `text` (French, accents ignored) by their own text, the title or unit
    of one of their experiments, or the name of one of their themes; best ranked first."""
    query = _search_query(text)
    vector = monograph_search_vector()
    experiments = Experiment.objects.annotate(search=experiment_search_vector()).filter(
        membership_id=OuterRef("membership_id"), search=query
    )
    themes = Theme.objects.annotate(search=_theme_vector()).filter(search=query)
    return (
        monographs.annotate(search=vector, rank=SearchRank(vector, query))
        .filter(Q(search=query) | Q(Exists(experiments)) | _theme_filter(themes))
        .order_by("-rank", "-published_at", "pk")
    )


def _theme_vector():
    return SearchVector("name", config=SEARCH_CONFIG)


def _filter(monographs, data):
    if data.get("theme"):
        monographs = monographs.filter(_theme_filter([data["theme"]]))
    if data.get("sector"):
        monographs = monographs.filter(membership__establishment__sector=data["sector"])
    if data.get("region"):
        monographs = monographs.filter(membership__cluster__region=data["region"])
    if data.get("wave"):
        monographs = monographs.filter(membership__cluster__wave=data["wave"])
    if data.get("q"):
        monographs = search(monographs, data["q"])
    return monographs


def highlight(excerpt: str) -> str:
    """The excerpt escaped, contacts masked, its matches in <mark>: safe to show."""
    text = escape(redact_contacts(excerpt))
    text = MARKED.sub(r"<mark>\1</mark>", text)
    return mark_safe(text.replace(MARK_START, "").replace(MARK_STOP, ""))  # noqa: S308


def _excerpts(monographs: list[Monograph], text: str) -> dict[int, str]:
    """One query: the highlighted passages of the public text of the page's monographs."""
    if not monographs:
        return {}
    public_text = Concat(
        *(
            part
            for name in ("summary", *SECTION_NAMES)
            # The text stored at publication (contacts masked); the raw text for a row published
            # by other means (highlight() masks what the excerpt shows of it).
            for part in (
                Coalesce(KT(f"redacted_sections__{name}"), name, output_field=TextField()),
                Value(" \n "),
            )
        ),
        output_field=TextField(),
    )
    headline = SearchHeadline(
        public_text,
        _search_query(text),
        config=SEARCH_CONFIG,
        start_sel=MARK_START,
        stop_sel=MARK_STOP,
        max_fragments=2,
        max_words=30,
        min_words=12,
        fragment_delimiter=" … ",
    )
    rows = Monograph.objects.filter(pk__in=[m.pk for m in monographs]).annotate(excerpt=headline)
    return {pk: highlight(excerpt) for pk, excerpt in rows.values_list("pk", "excerpt")}


@login_not_required
def library_list(request):
    form = LibraryFilterForm(request.GET or None)
    # The cards show the summary, not the sections: leave the nine sections in the database.
    monographs = (
        _published()
        .defer(*SECTION_NAMES, "summary", "redacted_sections")
        .annotate(
            card_summary=Coalesce(
                KT("redacted_sections__summary"), "summary", output_field=TextField()
            )
        )
        .prefetch_related(
            "membership__cluster__themes",
            Prefetch(
                "membership__experiments", queryset=Experiment.objects.only("membership", "title")
            ),
        )
    )
    query = ""
    if form.is_bound and form.is_valid():
        monographs = _filter(monographs, form.cleaned_data)
        query = form.cleaned_data.get("q", "")
    page = Paginator(monographs, 10).get_page(request.GET.get("page"))
    for monograph in page.object_list:
        monograph.card_summary = redact_contacts(monograph.card_summary)
    if query:
        excerpts = _excerpts(page.object_list, query)
        for monograph in page.object_list:
            monograph.excerpt = excerpts.get(monograph.pk, "")
    context = {
        "title": "Bibliothèque des bonnes pratiques",
        "form": form,
        "page": page,
        "query": query,
        "filtered": bool(request.GET.keys() - {"page"}),
    }
    return render(request, "library/monograph_list.html", context)


def related_monographs(monograph: Monograph) -> list[Monograph]:
    """Other published monographs sharing a theme (of the cluster or of an experiment) or the
    establishment's sector: those sharing a theme first, each group the most recent first.

    Two short queries, each read in publication order up to RELATED_MAX: one query with the
    sector in an OR made PostgreSQL join every membership of the country to the registry."""
    # Semi-joins: an OR across both relations' joins would multiply every cluster theme by
    # every experiment theme (3.9 million rows at national scale).
    of_cluster = Cluster.themes.through.objects.filter(cluster_id=monograph.membership.cluster_id)
    of_experiments = Experiment.themes.through.objects.filter(
        experiment__membership_id=monograph.membership_id
    )
    themes = Theme.objects.filter(
        Q(pk__in=of_cluster.values("theme_id")) | Q(pk__in=of_experiments.values("theme_id"))
    ).values("pk")
    others = (
        _published()
        .defer(*SECTION_NAMES, "redacted_sections")
        .exclude(pk=monograph.pk)
        .order_by("-published_at", "pk")
    )
    same_theme = list(others.filter(_theme_filter(themes))[:RELATED_MAX])
    sector = monograph.membership.establishment.sector
    same_sector = others.filter(membership__establishment__sector=sector)[:RELATED_MAX]
    related = [*same_theme, *(m for m in same_sector if m not in same_theme)][:RELATED_MAX]
    for other in related:
        other.shares_theme = other in same_theme  # the card says why it is shown
    return related


def library_monograph(pk) -> Monograph:
    """A published monograph with what its public page shows, or 404."""
    return get_object_or_404(_published().prefetch_related("membership__cluster__themes"), pk=pk)


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
        "summary": monograph.public_summary(),
        "establishment": monograph.membership.establishment,
        "cluster": monograph.membership.cluster,
        "sections": sections,
        "related": related_monographs(monograph),
    }
    return render(request, "library/monograph_detail.html", context)
