"""The pages the benchmark measures, and how to find their URL and objects in a database.

Pages are found by URL name (a few candidate names each, then a pattern inside the app's
namespace), so a page that does not exist yet is reported "absent" rather than failing.
"""

import re
from dataclasses import dataclass, field

# The region whose staff the benchmark logs in as (Île-de-France) and a second one for filters.
REGION = "11"


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    user: str | None  # username, or None for an anonymous visitor
    names: tuple[str, ...]  # candidate URL names, tried in order
    namespace: str = ""  # fallback: a URL name of this namespace matching `pattern`
    pattern: str = ""
    kwargs: tuple[str, ...] = ()  # path arguments, filled from the context (see context())
    query: str = ""  # query string, formatted with the context
    export: bool = False
    load: bool = False  # in the load test by default
    extra: dict = field(default_factory=dict)
    cold_cache: bool = False  # the cache is emptied before every request
    # A row shown for comparison, not held to the targets; the text says why.
    reference: str = ""


FLOOR_KEY = "static"  # the empty logged-in page: the CPU every page pays

PAGES = [
    Page("home-ars", "Accueil ARS", f"ars-{REGION}", ("home",), load=True),
    Page("home-aract", "Accueil Aract", f"aract-{REGION}", ("home",)),
    Page("home-national", "Accueil national", "dgos", ("home",)),
    Page(
        "static",
        "Page sans données (déclaration d'accessibilité)",
        f"ars-{REGION}",
        ("accessibility",),
        reference="the cost of any logged-in page: session, user and roles (3 queries), "
        "middleware and the base template; its CPU is the floor other pages are compared with",
    ),
    Page(
        "clusters-ars",
        "Liste des clusters (ARS)",
        f"ars-{REGION}",
        ("clusters:cluster-list", "clusters:list", "clusters:index"),
        "clusters",
        r"^cluster-?list$|^list$|^index$",
        load=True,
    ),
    Page(
        "clusters-ars-filters",
        "Liste des clusters, filtres",
        f"ars-{REGION}",
        ("clusters:cluster-list", "clusters:list", "clusters:index"),
        "clusters",
        r"^cluster-?list$|^list$|^index$",
        # Filters that match clusters at scale 0.1 too (an empty page runs fewer queries).
        query="status=en_cours&sector=sanitaire&department={department_id}&q=Cluster&sort=-wave",
        load=True,
    ),
    Page(
        "clusters-national",
        "Liste des clusters (national, région)",
        "dgos",
        ("clusters:cluster-list", "clusters:list", "clusters:index"),
        "clusters",
        r"^cluster-?list$|^list$|^index$",
        query="region={region_id}&status=cloture&page=2",
    ),
    Page(
        "cluster-detail",
        "Page d'un cluster",
        f"ars-{REGION}",
        ("clusters:cluster-detail",),
        kwargs=("pk=closed_cluster",),
        load=True,
    ),
    Page(
        "search-name",
        "Recherche d'établissements (nom)",
        f"ars-{REGION}",
        ("establishments:establishment-search", "establishments:search"),
        "establishments",
        r"search|recherche",
        query="q=saint",
        load=True,
    ),
    Page(
        "search-finess",
        "Recherche d'établissements (FINESS)",
        f"ars-{REGION}",
        ("establishments:establishment-search", "establishments:search"),
        "establishments",
        r"search|recherche",
        query="q={finess}",
    ),
    Page(
        "search-national",
        "Recherche d'établissements (national)",
        "dgos",
        ("establishments:establishment-search", "establishments:search"),
        "establishments",
        r"search|recherche",
        query="q=ehpad saint",
    ),
    Page(
        "member-search",
        "Ajout de membres, recherche",
        f"ars-{REGION}",
        ("clusters:member-search",),
        kwargs=("pk=draft_cluster",),
        query="q=saint",
    ),
    Page(
        "session-form",
        "Formulaire de séance",
        f"aract-{REGION}",
        ("clusters:session-create",),
        kwargs=("cluster_pk=running_cluster",),
    ),
    Page(
        "session-list",
        "Séances d'un cluster",
        f"aract-{REGION}",
        ("clusters:session-list",),
        kwargs=("cluster_pk=closed_cluster",),
    ),
    Page(
        "session-detail",
        "Page d'une séance",
        f"aract-{REGION}",
        ("clusters:session-detail",),
        kwargs=("cluster_pk=closed_cluster", "pk=session"),
    ),
    Page(
        "experiments-mine",
        "Mes clusters (Aract)",
        f"aract-{REGION}",
        ("experiments:my-clusters",),
    ),
    Page(
        "cluster-work",
        "Travaux d'un cluster (Aract)",
        f"aract-{REGION}",
        ("experiments:cluster-work",),
        kwargs=("cluster_pk=closed_cluster",),
    ),
    Page(
        "experiment-detail",
        "Expérimentation et indicateurs",
        f"aract-{REGION}",
        ("experiments:experiment-detail",),
        kwargs=("pk=experiment",),
    ),
    Page(
        "monographs",
        "Monographies (ARS)",
        f"ars-{REGION}",
        ("experiments:monograph-list",),
    ),
    Page(
        "library",
        "Bibliothèque (publique)",
        None,
        ("library:monograph-list", "library:library", "library:index", "library:list"),
        "library",
        r"list|index|home|library",
    ),
    Page(
        "library-search",
        "Bibliothèque, recherche",
        None,
        ("library:monograph-list", "library:library", "library:index", "library:list"),
        "library",
        r"list|index|home|library",
        query="q=absenteisme&region={region_id}",
    ),
    Page(
        "library-detail",
        "Bibliothèque, une monographie",
        None,
        ("library:monograph-detail",),
        kwargs=("pk=published_monograph",),
    ),
    Page(
        "reports",
        "Rapports (ARS)",
        f"ars-{REGION}",
        ("reports:report-list",),
    ),
    Page(
        "dashboard-national",
        "Tableau de bord national",
        "dgos",
        ("programme:dashboard", "programme:national-dashboard", "programme:index"),
        "programme",
        r"dashboard|tableau",
    ),
    Page(
        "dashboard-ars",
        "Tableau de bord (ARS)",
        f"ars-{REGION}",
        ("programme:dashboard", "programme:national-dashboard", "programme:index"),
        "programme",
        r"dashboard|tableau",
    ),
    Page(
        "dashboard-national-cold",
        "Tableau de bord national, chiffres recalculés",
        "dgos",
        ("programme:dashboard",),
        cold_cache=True,
        reference="the cost of computing the programme's figures, paid once per minute (by the "
        "first request after they expire) for each view of the country or of a region",
    ),
    Page(
        "dashboard-ars-cold",
        "Tableau de bord (ARS), chiffres recalculés",
        f"ars-{REGION}",
        ("programme:dashboard",),
        cold_cache=True,
        reference="as above, for a region",
    ),
    # The API's list endpoints, a page of 100 rows each (the national reader sees the country).
    *(
        Page(f"api-{name}", f"API : {label}", "dgos", (f"api:{name}-list",), query="page_size=100")
        for name, label in [
            ("cluster", "clusters"),
            ("membership", "participations"),
            ("session", "séances"),
            ("experiment", "expérimentations"),
            ("monograph", "monographies publiées"),
        ]
    ),
    Page("api-figures", "API : chiffres du programme", "dgos", ("api:figures",)),
    Page("waves", "Vagues (équipe du programme)", "programme", ("programme:wave-list",)),
    Page(
        "invitations",
        "Invitations (équipe du programme)",
        "programme",
        ("notifications:invitation-list",),
    ),
    Page(
        "notification-preferences",
        "Préférences de notification",
        f"aract-{REGION}",
        ("notifications:preferences",),
    ),
    Page(
        "api-open-monographs",
        "Données ouvertes : monographies",
        None,
        ("api:open-monograph-list",),
        query="page_size=100",
    ),
    Page("api-open-figures", "Données ouvertes : chiffres par vague", None, ("api:open-figures",)),
]

# Exports: every URL name of these namespaces containing "export" and taking no argument,
# measured as the national reader (found at run time: the list grows as exports are added).
EXPORT_NAMESPACES = ("programme", "reports")
EXPORT_FORMATS = {"csv", "xlsx", "json"}


def _walk(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            child = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, child)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def url_names() -> dict:
    from django.urls import get_resolver

    return dict(_walk(get_resolver()))


def resolve_name(page: Page, names: dict) -> str | None:
    for name in page.names:
        if name in names:
            return name
    if page.namespace:
        for name in sorted(names):
            ns, _, short = name.rpartition(":")
            if ns == page.namespace and re.search(page.pattern, short):
                return name
    return None


def export_pages(names: dict) -> list[Page]:
    pages = []
    for name, pattern in sorted(names.items()):
        ns, _, short = name.rpartition(":")
        if ns not in EXPORT_NAMESPACES or "export" not in short:
            continue
        groups = re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern))
        if groups == ["format"] or groups == ["fmt"]:
            for fmt in sorted(EXPORT_FORMATS):
                pages.append(
                    Page(
                        f"{short}-{fmt}",
                        f"Export {short} ({fmt})",
                        "dgos",
                        (name,),
                        export=True,
                        extra={groups[0]: fmt},
                    )  # fmt: skip
                )
        elif not groups:
            pages.append(Page(short, f"Export {short}", "dgos", (name,), export=True))
    return pages


def context() -> dict:
    """Ids the pages need, chosen the same way in every database populated by bench.populate."""
    from clusters.models import Cluster, Session, Theme
    from establishments.models import Department, Establishment, Region
    from experiments.models import Experiment, Monograph

    region = Region.objects.get(code=REGION)
    clusters = Cluster.objects.filter(region=region).order_by("id")
    closed = clusters.filter(status=Cluster.Status.CLOTURE).first()
    running = clusters.filter(status=Cluster.Status.EN_COURS).first()
    latest = clusters.order_by("-wave__code", "id").first()
    draft = clusters.filter(status__in=[Cluster.Status.BROUILLON, Cluster.Status.CONSTITUE]).first()
    experiment = (
        Experiment.objects.filter(membership__cluster=running).order_by("id").first()
        if running
        else None
    )
    monograph = Monograph.objects.filter(status=Monograph.Status.PUBLIEE).order_by("id").first()
    session = Session.objects.filter(cluster=closed).order_by("number").first() if closed else None
    return {
        "draft_cluster": draft.id if draft else 0,
        "experiment": experiment.id if experiment else 0,
        "published_monograph": monograph.id if monograph else 0,
        "session": session.id if session else 0,
        "region_id": region.id,
        "closed_cluster": closed.id if closed else 0,
        "running_cluster": running.id if running else 0,
        "wave_id": latest.wave_id if latest else 0,
        "theme_id": Theme.objects.order_by("name").values_list("id", flat=True).first(),
        "department_id": Department.objects.filter(region=region)
        .order_by("code")
        .values_list("id", flat=True)
        .first(),
        "finess": Establishment.objects.filter(region=region)
        .order_by("id")
        .values_list("finess", flat=True)
        .first(),
    }


def url_of(page: Page, name: str, ctx: dict) -> str:
    from django.urls import reverse

    kwargs = dict(page.extra)
    for item in page.kwargs:
        arg, _, key = item.partition("=")
        kwargs[arg] = ctx[key]
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{page.query.format(**ctx)}" if page.query else url


def page_urls() -> list[tuple[Page, str | None]]:
    """Every page the benchmark measures (PAGES, then the exports found) with its URL in the
    current database, or None where the page does not exist (yet)."""
    names = url_names()
    ctx = context()
    urls = []
    for page in PAGES + export_pages(names):
        name = resolve_name(page, names)
        urls.append((page, url_of(page, name, ctx) if name else None))
    return urls
