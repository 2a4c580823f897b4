"""Steps 2 and 3 of a report: the HTML template, then WeasyPrint to PDF bytes.

WeasyPrint reads nothing but the project's own static files: templates reference them as
`qvt-static:<path>` and `StaticOnlyFetcher` refuses every other URL (file://, http(s)://, data:),
so text typed by a user can never make the worker read a local file or call the network.
"""

import logging
import mimetypes
import posixpath
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

STATIC_SCHEME = "qvt-static:"
PDF_VARIANT = "pdf/ua-1"  # tagged PDF for screen readers; needs a title and a language
TEMPLATES = {
    "cluster": "reports/pdf_cluster.html",
    "region": "reports/pdf_region.html",
    "national": "reports/pdf_national.html",
    "monograph": "reports/pdf_monograph.html",
}


class StaticOnlyFetcher(URLFetcher):
    """Serves `qvt-static:<path>` from the static files finders; refuses anything else."""

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_SCHEME):
            raise ValueError(f"Ressource externe refusée : {url[:200]}")
        path = posixpath.normpath(url.removeprefix(STATIC_SCHEME).split("?")[0]).lstrip("/")
        if path.startswith("..") or "\\" in path:
            raise ValueError(f"Chemin refusé : {url[:200]}")
        found = finders.find(path)
        if not found:
            raise ValueError(f"Fichier statique introuvable : {path}")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(found, "rb") as handle:
            body = handle.read()
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


@dataclass
class RenderedPdf:
    content: bytes
    page_count: int


def render_html(context: dict) -> str:
    return render_to_string(TEMPLATES[context["kind"]], context)


def html_to_pdf(html: str, *, on_layout_done=None) -> RenderedPdf:
    """WeasyPrint: lay the pages out, then write the tagged PDF."""
    document = HTML(string=html, url_fetcher=StaticOnlyFetcher()).render(pdf_variant=PDF_VARIANT)
    if on_layout_done:
        on_layout_done()
    content = document.write_pdf(pdf_variant=PDF_VARIANT)
    return RenderedPdf(content=content, page_count=len(document.pages))
