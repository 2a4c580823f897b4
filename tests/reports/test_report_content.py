"""What a report says, and what it must never say."""

import io

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from clusters.models import Cluster, Wave
from establishments.models import Region
from reports import builders, overview, pdf, services
from reports.models import ReportJob
from tests.factories import ClusterFactory, add_members

from .conftest import CONFIDENTIAL_TEXT, CONTACT_NAME, pdf_text

pytestmark = pytest.mark.django_db


def cluster_pdf_text(cluster) -> str:
    rendered = services.build_report_pdf(kind=ReportJob.Kind.CLUSTER, cluster=cluster)
    return pdf_text(rendered.content)


def test_cluster_report_names_the_cluster_every_member_and_the_session_dates(report_cluster):
    text = cluster_pdf_text(report_cluster)
    assert "Cluster Restitution Test" in text
    for membership in report_cluster.memberships.select_related("establishment"):
        assert membership.establishment.short_name in text
    assert "10/03/2026" in text and "19/05/2026" in text
    assert "Le trinôme a porté la démarche." in text  # lessons of the validated monograph
    assert "page 2 / " in text


def test_cluster_report_leaves_out_confidential_content_and_contacts(report_cluster, aract):
    text = cluster_pdf_text(report_cluster)
    assert "XJ-42" not in text
    assert CONFIDENTIAL_TEXT not in text
    assert "Séance confidentielle" in text  # date and kind only
    assert CONTACT_NAME not in text and "example.invalid" not in text
    assert aract.last_name not in text  # facilitators appear as their organisation


def test_a_cluster_named_script_prints_as_text(report_cluster):
    Cluster.objects.filter(pk=report_cluster.pk).update(name="<script>alert(1)</script>")
    html = pdf.render_html(builders.cluster_context(report_cluster.pk))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in cluster_pdf_text(report_cluster)


def test_pdf_is_tagged_with_title_and_french_language(report_cluster):
    import io

    import pypdf

    content = services.build_report_pdf(kind="cluster", cluster=report_cluster).content
    reader = pypdf.PdfReader(io.BytesIO(content))
    assert reader.metadata.title == "Rapport de restitution — Cluster Restitution Test"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "fr"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "http://example.com/x.css", "https://127.0.0.1/", "data:text/css,a{}"],
)
def test_the_fetcher_refuses_files_and_network(url):
    with pytest.raises(ValueError):
        pdf.StaticOnlyFetcher().fetch(url)


def test_the_fetcher_serves_static_files_but_not_outside_them():
    response = pdf.StaticOnlyFetcher().fetch("qvt-static:dsfr/dist/fonts/Marianne-Bold.woff")
    assert response.read(4) == b"wOFF"
    with pytest.raises(ValueError):
        pdf.StaticOnlyFetcher().fetch("qvt-static:../../qvt/settings.py")


def test_an_image_pointing_at_a_local_file_is_not_read(report_cluster, caplog):
    html = '<html lang="fr"><title>t</title><img src="file:///etc/hostname" alt="x"></html>'
    pdf.html_to_pdf(html)
    assert "refusée" in caplog.text or "Ressource externe" in caplog.text


def test_generate_report_command_writes_the_same_pdf(report_cluster, tmp_path, capsys):
    output = tmp_path / "rapport.pdf"
    call_command("generate_report", "cluster", str(report_cluster.pk), "-o", str(output))
    text = pdf_text(output.read_bytes())
    assert "Cluster Restitution Test" in text and "Déroulé des séances" in text


def test_regional_report_lists_the_clusters_of_the_wave(report_cluster, tmp_path):
    other = ClusterFactory(region_code="11", name="Deuxième cluster francilien", status="constitue")
    draft = ClusterFactory(region_code="11", name="Brouillon francilien")  # never counted
    add_members(draft, 5)
    add_members(other, 5)
    ClusterFactory(region_code="53", name="Cluster breton")  # another region: absent
    output = tmp_path / "region.pdf"
    call_command("generate_report", "region", "11", "--wave", "2030", "-o", str(output))
    text = pdf_text(output.read_bytes())
    assert "Cluster Restitution Test" in text and "Deuxième cluster francilien" in text
    assert "Cluster breton" not in text
    assert "Brouillon francilien" not in text
    assert "XJ-42" not in text


def test_national_report_shows_the_national_figures(report_cluster, tmp_path):
    ClusterFactory(region_code="53", name="Cluster breton", status="constitue")
    output = tmp_path / "national.pdf"
    call_command("generate_report", "national", "--wave", "2030", "-o", str(output))
    text = pdf_text(output.read_bytes())
    assert "Chiffres par vague" in text
    assert "Bretagne" in text and "Île-de-France" in text
    assert "Vague 2030" in text


def test_region_context_runs_a_fixed_number_of_queries(
    report_cluster, django_assert_max_num_queries
):
    region = Region.objects.get(code="11")
    wave = Wave.objects.get(code="2030")
    # region, wave, clusters, themes, memberships, sessions, experiments, monographs,
    # organisations
    with django_assert_max_num_queries(9):
        context = overview.region_context(region.pk, wave.pk)
    assert context["figures"]["participations"] == 5


def test_cluster_context_runs_the_same_queries_whatever_the_size(
    report_cluster, django_assert_num_queries
):
    from tests.factories import SessionFactory

    # cluster, themes, organisations (ARS and Aract names), memberships, experiments,
    # indicators, measurements, sessions, session tools, attendance
    with django_assert_num_queries(10):
        small = builders.cluster_context(report_cluster.pk)
    add_members(report_cluster, 3)
    SessionFactory(cluster=report_cluster, number=7)
    with django_assert_num_queries(10):
        large = builders.cluster_context(report_cluster.pk)
    assert len(large["members"]) == len(small["members"]) + 3


def test_the_report_task_is_retried_when_its_worker_dies():
    from reports.tasks import generate_report

    assert generate_report.acks_late and generate_report.reject_on_worker_lost


def _figures_with_alt(content: bytes) -> list[str]:
    """The /Alt text of every /Figure of the PDF's structure tree (the tags a screen reader
    reads)."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    found = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                walk(child)
        elif isinstance(node, pypdf.generic.DictionaryObject):
            if node.get("/S") == "/Figure":
                found.append(str(node.get("/Alt", "")))
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_regional_report_has_tagged_figures_with_alternative_text(report_cluster, tmp_path):
    output = tmp_path / "region.pdf"
    call_command("generate_report", "region", "11", "--wave", "2030", "-o", str(output))
    alts = _figures_with_alt(output.read_bytes())
    assert alts, "at least one tagged figure"
    assert all(alt.strip() for alt in alts), alts
    assert any("Participations par secteur" in alt for alt in alts), alts


def test_a_draft_clusters_report_is_refused_with_a_french_reason(
    client, report_cluster, ars, tmp_path
):
    draft = ClusterFactory(region_code="11", name="Cluster en brouillon")
    add_members(draft, 5)
    with pytest.raises(ValidationError, match="brouillon"):
        services.request_report(kind=ReportJob.Kind.CLUSTER, cluster=draft, by=ars)
    with pytest.raises(CommandError, match="Un cluster en brouillon"):
        call_command("generate_report", "cluster", str(draft.pk), "-o", str(tmp_path / "d.pdf"))
    assert not (tmp_path / "d.pdf").exists()

    client.force_login(ars)
    response = client.post(reverse("reports:cluster-report-request", args=[draft.pk]), follow=True)
    page = response.content.decode()
    assert "Un cluster en brouillon n&#x27;a pas de rapport de restitution" in page
    assert "Générer le rapport de restitution" not in page  # no button to ask again
    assert not ReportJob.objects.filter(cluster=draft).exists()
