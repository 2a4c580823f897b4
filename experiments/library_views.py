"""The good-practice library: published monographs, public (no login), no personal data.

Authors are personal data: the pages name the establishment and the Aract that facilitated the
cluster, never a person. Contact details typed into a section are masked as well."""

import re

from django.contrib.auth.decorators import login_not_required
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorExact,
    SearchVectorField,
)
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    OuterRef,
    Q,
    TextField,
    Value,
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Concat
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape
from django.utils.safestring import mark_safe

from clusters.models import Cluster, Theme
from core.expressions import compiled_once
from core.rendering import rows_key

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
# The columns a card of the list shows (and the relations leading to them).
CARD_FIELDS = [
    "title",
    "published_at",
    "membership__establishment__short_name",
    "membership__establishment__sector",
    "membership__cluster__region__name",
    "membership__cluster__wave__name",
]
RELATED_MAX = 3
MAX_SEARCH_PAGE = 10_000  # a larger page number goes through Paginator's checks (see below)
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
    # Compiled once per process (the text is a parameter): the ORM took longer to build and
    # compile this condition, vectors and subqueries, than PostgreSQL to run it.
    matches = compiled_once(
        Monograph, _matches, output_field=BooleanField(), texts=[text], allow_joins=True
    )
    vector = compiled_once(Monograph, monograph_search_vector, output_field=SearchVectorField())
    return (
        monographs.filter(matches)
        .annotate(rank=SearchRank(vector, _search_query(text)))
        .order_by("-rank", "-published_at", "pk")
    )


def _matches(text):
    """search()'s condition: the monograph's vector (the GIN index's expression), or one of
    its experiments, or one of its themes (_theme_filter). The theme filter names the joined
    membership ("clusters_membership"."cluster_id"), which the library's queries always join
    (select_related): PostgreSQL then tests the condition on the rows left after the join (a
    region's), not on every published monograph."""
    query = _search_query(text)
    experiments = Experiment.objects.annotate(search=experiment_search_vector()).filter(
        membership_id=OuterRef("membership_id"), search=query
    )
    themes = Theme.objects.annotate(search=_theme_vector()).filter(search=query)
    return (
        Q(SearchVectorExact(monograph_search_vector(), query))
        | Q(Exists(experiments))
        | _theme_filter(themes)
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


def _public_text():
    """The public text of a monograph: the summary and the nine sections, one after the other."""
    return Concat(
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


def _excerpts(monographs: list[Monograph], text: str) -> dict[int, str]:
    """One query: the highlighted passages of the public text of the page's monographs."""
    if not monographs:
        return {}
    headline = SearchHeadline(
        compiled_once(Monograph, _public_text, output_field=TextField()),
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


def _experiment_titles():
    """The titles of the monograph's experiments, in their order (Experiment.Meta.ordering)."""
    experiments = Experiment.objects.filter(membership_id=OuterRef("membership_id"))
    return ArraySubquery(experiments.order_by("starts_on", "title").values("title"))


def _cluster_theme_names():
    """The names of the themes of the monograph's cluster, in their order (by name)."""
    themes = Theme.objects.filter(clusters__memberships=OuterRef("membership_id"))
    return ArraySubquery(themes.order_by("name").values("name"))


class SearchPaginator(Paginator):
    """Counts the matches with the page's own query (COUNT(*) OVER ()), not with a COUNT query
    of their own: a search's condition costs more to compile than to run, and the sort by rank
    reads every match anyway. Nor does it ever run a COUNT query: the condition names the joined
    membership (see _matches), which a COUNT query would not join. A page past the last one
    (or beyond any search) takes the count from the first match, then Paginator's last page."""

    def get_page(self, number):
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = 1  # what Paginator does with a page that is not a number
        bottom = (wanted - 1) * self.per_page
        in_range = 1 <= wanted <= MAX_SEARCH_PAGE
        rows = self._counted(bottom, bottom + self.per_page) if in_range else []
        if rows or wanted == 1:
            self.count = rows[0].match_count if rows else 0
            return self._get_page(rows, wanted, self)
        first = self._counted(0, 1)
        self.count = first[0].match_count if first else 0
        return super().get_page(number)

    def _counted(self, bottom, top):
        return list(self.object_list.annotate(match_count=Window(Count("*")))[bottom:top])


@login_not_required
def library_list(request):
    form = LibraryFilterForm(request.GET or None)
    # What the cards show: not the sections, nor the Aract (_published() is for the full page).
    monographs = (
        _published()
        .select_related(None)
        .select_related(
            "membership__establishment", "membership__cluster__region", "membership__cluster__wave"
        )
        .only(*CARD_FIELDS)
        .annotate(
            card_summary=Coalesce(
                KT("redacted_sections__summary"), "summary", output_field=TextField()
            )
        )
        # In the page's query (compiled once) rather than two prefetch queries.
        .annotate(
            experiment_titles=compiled_once(
                Monograph, _experiment_titles, output_field=ArrayField(TextField())
            ),
            theme_names=compiled_once(
                Monograph, _cluster_theme_names, output_field=ArrayField(TextField())
            ),
        )
    )
    query = ""
    if form.is_bound and form.is_valid():
        monographs = _filter(monographs, form.cleaned_data)
        query = form.cleaned_data.get("q", "")
    paginator = (SearchPaginator if query else Paginator)(monographs, 10)
    page = paginator.get_page(request.GET.get("page"))
    excerpts = _excerpts(page.object_list, query) if query else {}
    for monograph in page.object_list:
        monograph.card_summary = redact_contacts(monograph.card_summary)
        monograph.excerpt = excerpts.get(monograph.pk, "")
    context = {
        "title": "Bibliothèque des bonnes pratiques",
        "form": form,
        "page": page,
        "query": query,
        "filtered": bool(request.GET.keys() - {"page"}),
        # Everything a card shows (the cards are cached under it).
        "cards_key": rows_key(
            page.object_list,
            "pk",
            "title",
            "membership.establishment.short_name",
            "membership.establishment.sector",
            "membership.cluster.region.name",
            "membership.cluster.wave.name",
            "card_summary",
            "excerpt",
            "experiment_titles",
            "theme_names",
            "published_at",
        ),
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
