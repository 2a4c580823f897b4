"""The national and regional reports an official presents: the dashboard's breakdowns, tagged
charts with alternative text, the region tile map, the experiments and monographs, the lessons
of published monographs, signed gaps, no orphan table rows, the bloc-marque."""

import datetime
import io
import re

import pypdf
import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clusters.models import Membership, Wave
from establishments.models import Region
from experiments.models import Experiment, Monograph
from programme.models import PublishedFigure
from programme.statistics import national_breakdowns, national_summary
from qvt.charts import format_value
from qvt.french import signed
from reports import overview, pdf, services
from reports.models import ReportJob
from tests.factories import ClusterFactory, add_members

from .conftest import pdf_text
from .test_report_content import _figures_with_alt

pytestmark = pytest.mark.django_db

LESSON = "Le collectif de nuit a repris la main sur ses transmissions grâce au trinôme."
UNPUBLISHED_LESSON = "Enseignement encore en relecture par l'ARS."
CONTACT_EMAIL = "referente.qvt@example.org"


@pytest.fixture
def national_programme(report_cluster):
    """Besides the Île-de-France cluster of `report_cluster` (5 members, an experiment
    « en cours », a validated monograph): a Breton cluster whose members have several legal
    statuses and phases, an experiment « pérennisée » and a published monograph with lessons
    (and a contact address the library masks)."""
    breton = ClusterFactory(region_code="53", name="Cluster breton", status="en_cours")
    members = add_members(breton, 5)
    for membership, status in zip(
        members,
        ["public", "public", "espic", "prive_non_lucratif", "prive_commercial"],
        strict=True,
    ):
        membership.establishment.legal_status = status
        membership.establishment.save(update_fields=["legal_status"])
    Membership.objects.filter(pk__in=[m.pk for m in members[:2]]).update(phase="evaluation")
    Experiment.objects.create(
        membership=members[0], title="Relève de nuit repensée", status="perennisee"
    )
    Monograph.objects.create(
        membership=members[0],
        title="Monographie bretonne publiée",
        lessons=f"{LESSON} Pour en savoir plus : {CONTACT_EMAIL}.",
        status=Monograph.Status.PUBLIEE,
        published_at=timezone.now(),
    )
    Monograph.objects.create(
        membership=members[1],
        title="Monographie bretonne en relecture",
        lessons=UNPUBLISHED_LESSON,
        status=Monograph.Status.SOUMISE,
    )
    return {"breton": breton, "establishment": members[0].establishment.short_name}


def national_pdf() -> bytes:
    return services.build_report_pdf(kind=ReportJob.Kind.NATIONAL).content


def test_national_report_has_the_dashboards_legal_status_phase_and_experiment_tables(
    national_programme,
):
    text = pdf_text(national_pdf())
    breakdowns = national_breakdowns(user=overview.Operator())
    assert "Participations par statut juridique" in text
    for row in breakdowns["by_legal_status"]:
        # A table row: label, clusters, participations, distinct establishments.
        figures = r"\s+".join(str(row[k]) for k in ("clusters", "participations", "establishments"))
        assert re.search(rf"{re.escape(row['label'])}\s+{figures}", text), row
    assert "Participations par phase atteinte" in text
    phases = {row["label"]: row["participations"] for row in breakdowns["by_phase"]}
    assert phases["Évaluation"] == 2  # the two Breton members moved on
    for label, count in phases.items():
        assert re.search(rf"{re.escape(label)}\s+{count}\b", text), label
    assert "Expérimentations par statut" in text
    for row in breakdowns["experiments_by_status"]:
        assert re.search(rf"{re.escape(row['label'])}\s+{row['experiments']}\b", text), row


def test_national_report_charts_are_tagged_figures_with_alternative_text(national_programme):
    alts = _figures_with_alt(national_pdf())
    assert all(alt.strip() for alt in alts), alts
    for title in (
        "Clusters par vague",
        "Participations par secteur",
        "Participations par statut juridique",
        "Clusters par thématique",
        "Participations par phase atteinte",
    ):
        assert title in alts, (title, alts)
    assert any(alt.startswith("Marianne") for alt in alts), "the bloc-marque image"


def test_national_report_has_the_region_tile_map_with_a_summary(national_programme):
    content = national_pdf()
    regions = national_summary(user=overview.Operator())["by_region"]
    with_clusters = [r for r in regions if r["clusters"]]
    (summary,) = [alt for alt in _figures_with_alt(content) if alt.startswith("Carte des régions")]
    assert len(with_clusters) == 2
    assert f"2 régions sur {len(regions)} ont au moins un cluster" in summary
    assert "Île-de-France (1)" in summary or "Bretagne (1)" in summary
    text = pdf_text(content)
    assert "Par région : la carte des clusters" in text
    # Each tile: the region's abbreviation and its count.
    assert re.search(r"IDF\s+1\b", text) and re.search(r"BRE\s+1\b", text), text
    assert re.search(r"GUA\s+0\b", text)


def test_national_report_lists_experiments_monographs_and_their_lessons(national_programme):
    text = pdf_text(national_pdf())
    assert "Transmissions ciblées" in text and "Relève de nuit repensée" in text
    assert "Monographie bretonne publiée" in text
    assert "Monographie bretonne en relecture" not in text  # not published
    chapter = text[text.index("Enseignements des monographies\n") :]
    assert re.sub(r"\s+", " ", LESSON) in re.sub(r"\s+", " ", chapter)
    assert national_programme["establishment"] in chapter and "Cluster breton" in chapter
    assert UNPUBLISHED_LESSON not in text
    assert CONTACT_EMAIL not in text  # the lessons as the library shows them


def test_national_report_prints_signed_gaps_between_published_and_computed(national_programme):
    computed = national_summary(user=overview.Operator(), wave_code="2030")["waves"][0]
    published = [
        ("Clusters publiés (test)", "clusters", computed["clusters"] - 1),
        ("Participations publiées (test)", "participations", computed["participations"] + 3),
    ]
    for label, metric, value in published:
        PublishedFigure.objects.create(
            label=label,
            metric=metric,
            wave_code="2030",
            value=value,
            source="Source de test",
            published_on=datetime.date(2017, 9, 26),
        )
    text = pdf_text(national_pdf())
    assert re.search(r"Clusters\s+publiés\s+\(test\)\s+2030\s+\d+\s+\d+\s+\+1\b", text), text[
        -3000:
    ]
    assert re.search(r"Participations\s+publiées\s+\(test\)\s+2030\s+\d+\s+\d+\s+−3\b", text)
    assert "adresse à compléter" in " ".join(text.split())  # no known address: it says so


def test_national_context_runs_the_same_queries_whatever_the_size(national_programme):
    with CaptureQueriesContext(connection) as small:
        overview.national_context(None, user=overview.Operator())
    breton = national_programme["breton"]
    for membership in add_members(breton, 3):
        Experiment.objects.create(membership=membership, title="Essai", status="envisagee")
    with CaptureQueriesContext(connection) as large:
        context = overview.national_context(None, user=overview.Operator())
    assert len(large) == len(small)
    assert len(context["experiments"]["rows"]) == 5


def test_regional_report_lists_experiments_monographs_lessons_and_themes(national_programme):
    region = Region.objects.get(code="53")
    wave = Wave.objects.get(code="2030")
    content = services.build_report_pdf(kind=ReportJob.Kind.REGION, region=region, wave=wave)
    text = pdf_text(content.content)
    assert "Relève de nuit repensée" in text and "Transmissions ciblées" not in text
    assert "Monographie bretonne publiée" in text
    assert re.sub(r"\s+", " ", LESSON) in re.sub(r"\s+", " ", text)
    assert CONTACT_EMAIL not in text
    alts = _figures_with_alt(content.content)
    assert any(alt.startswith("Clusters par thématique") for alt in alts), alts


def _page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def test_a_short_table_is_never_split_and_a_long_one_repeats_its_header():
    short = {
        "caption": "Petit tableau",
        "headers": [{"text": "Libellé", "num": False}, {"text": "Nombre", "num": True}],
        "rows": [
            [{"text": f"Ligne {i}", "num": False}, {"text": str(i), "num": True}]
            for i in range(1, 9)
        ],  # fmt: skip
        "keep_together": True,
    }
    long = {**short, "caption": "Grand tableau", "keep_together": False}
    long["rows"] = [[{"text": f"Rang {i}", "num": False}, {"text": str(i), "num": True}]
                    for i in range(1, 120)]  # fmt: skip
    body = (
        '<div style="height: 215mm">Début</div>'
        + render_to_string("reports/_pdf_table.html", {"table": short})
        + render_to_string("reports/_pdf_table.html", {"table": long})
    )
    html = render_to_string("reports/_pdf_base.html", {"title": "Essai"}).replace(
        "</body>", body + "</body>"
    )
    pages = _page_texts(pdf.html_to_pdf(html).content)
    (page,) = [p for p in pages if "Petit tableau" in p]
    assert all(f"Ligne {i}" in page for i in range(1, 9)), "the short table moved whole"
    assert "Début" not in page
    long_pages = [p for p in pages if "Rang " in p]
    assert len(long_pages) >= 2
    assert all("Libellé" in p for p in long_pages), "the header repeats on every page"
    last = long_pages[-1]
    assert len(re.findall(r"Rang \d+", last)) >= 2, "no single row left alone"


def test_french_number_formatting_of_gaps_and_units():
    assert (signed(25), signed(-3), signed(0), signed(1200)) == ("+25", "−3", "0", "+1\u202f200")
    assert format_value("7.20", "/10") == "7,2/10"
    assert format_value("8.4", "%") == "8,4\u00a0%"
    assert format_value(12, "") == "12"
