"""Hostile text: 200,000 characters without a space, and other pathological shapes.

No timing here: the work of the contact redaction is counted (characters examined, see
experiments/redaction.py) at n and 4n and must grow by 4, not 16; every regular expression of the
project is checked for the shapes that backtrack (nested or adjacent unbounded repetitions)."""

import ast
import io
import re
from pathlib import Path

import pypdf
import pytest
from django.urls import reverse

from clusters.models import LONG_TEXT_MAX, Cluster
from experiments.forms import LibraryFilterForm, MonographForm
from experiments.models import Experiment, Monograph
from experiments.redaction import MASK, Work, redact_contacts
from experiments.services import monograph_transition
from reports import services as report_services
from reports.models import ReportJob
from tests.factories import SessionFactory, add_members, ars_user

ROOT = Path(__file__).resolve().parents[2]
N = 50_000
SHAPES = {
    "one token": lambda n: "a" * n,
    "a@ repeated": lambda n: "a@" * (n // 2),
    "long local parts": lambda n: ("a" * 63 + "@") * (n // 64),
    "dotted domain": lambda n: "x@" + "a." * (n // 2),
    "only @": lambda n: "@" * n,
    "only digits": lambda n: "0" * n,
    "phone-like": lambda n: "01 " * (n // 3),
    "dots and dashes": lambda n: ".-+_" * (n // 4),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_the_redaction_work_grows_linearly(shape):
    small, large = Work(), Work()
    redact_contacts(SHAPES[shape](N), small)
    redact_contacts(SHAPES[shape](4 * N), large)
    assert 3.5 <= large.chars / small.chars <= 4.5  # quadratic work would give 16
    assert large.chars <= 6 * 4 * N


def test_contacts_are_masked():
    text = "Écrire à jean.dupont@ars.sante.fr. Tél. 01 23 45 67 89 ou +33 6 12 34 56 78, ref 2024."
    assert redact_contacts(text) == f"Écrire à {MASK}. Tél. {MASK} ou {MASK}, ref 2024."
    assert redact_contacts("pas de contact @ici ni a@b") == "pas de contact @ici ni a@b"


def _unbounded(item) -> bool:
    op, args = item
    return op.name.endswith("REPEAT") and args[1] == re._constants.MAXREPEAT


def _flat(items) -> list:
    """The sequence of a pattern with groups opened (what follows what)."""
    flat = []
    for op, args in items:
        if op.name == "SUBPATTERN":
            flat += _flat(args[-1])
        else:
            flat.append((op, args))
    return flat


def _backtracking_shapes(items, inside_unbounded=False) -> list[str]:
    found = []
    flat = _flat(items)
    for index, (op, args) in enumerate(flat):
        if _unbounded((op, args)):
            if inside_unbounded:
                found.append("nested unbounded repetition")
            if index + 1 < len(flat) and _unbounded(flat[index + 1]):
                found.append("adjacent unbounded repetitions")
            found += _backtracking_shapes(args[2], inside_unbounded=True)
        elif op.name.endswith("REPEAT"):
            found += _backtracking_shapes(args[2], inside_unbounded)
        elif op.name == "BRANCH":
            for branch in args[1]:
                found += _backtracking_shapes(branch, inside_unbounded)
        elif op.name in ("ASSERT", "ASSERT_NOT"):
            found += _backtracking_shapes(args[1], inside_unbounded)
    return found


def _project_patterns() -> list[tuple[str, str]]:
    """(place, pattern) of every literal pattern given to `re` in the project's code."""
    patterns = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", "bench", ".venv", "node_modules", ".local"}:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                patterns.append((f"{relative}:{node.lineno}", node.args[0].value))
    return patterns


def test_no_pattern_of_the_project_can_backtrack_on_user_input():
    from establishments import finess

    patterns = [*_project_patterns(), ("establishments/finess.py", finess._FINESS_RE.pattern)]
    assert len(patterns) >= 6  # the scan finds the project's patterns
    problems = {
        place: _backtracking_shapes(re._parser.parse(pattern))
        for place, pattern in patterns
        if _backtracking_shapes(re._parser.parse(pattern))
    }
    assert problems == {}
    # The checker does see the shapes that froze the library and the FINESS import.
    assert _backtracking_shapes(re._parser.parse(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"))
    assert _backtracking_shapes(re._parser.parse(r"^(\d{5})\s+(.*)$"))


def test_long_text_is_refused_with_a_french_message():
    form = MonographForm(data={"title": "Titre", "context": "a" * (LONG_TEXT_MAX + 1)})
    assert not form.is_valid()
    assert "au plus" in form.errors["context"][0]
    search = LibraryFilterForm(data={"q": "a" * 200_000})
    assert not search.is_valid()
    assert "au plus" in search.errors["q"][0]


@pytest.mark.django_db
def test_publication_stores_the_redacted_text_that_the_library_serves(client, cluster):
    member = add_members(cluster, 1)[0]
    monograph = Monograph.objects.create(
        membership=member,
        title="Monographie",
        status=Monograph.Status.VALIDEE,
        context="Contact : jean@etab.fr",
    )
    monograph_transition(
        monograph=monograph, target=Monograph.Status.PUBLIEE, by=ars_user("11", username="ars-p")
    )
    monograph.refresh_from_db()
    assert monograph.redacted_sections["context"] == f"Contact : {MASK}"
    url = reverse("library:monograph-detail", args=[monograph.pk])
    page = client.get(url).content.decode()
    assert MASK in page and "jean@etab.fr" not in page
    # The page shows what was stored: nothing is redacted again on a public request.
    Monograph.objects.filter(pk=monograph.pk).update(redacted_sections={"context": "Stocké."})
    assert "Stocké." in client.get(url).content.decode()


@pytest.fixture
def hostile_world(cluster, aract):
    """Every long text field holding 200,000 characters without a space (rows written directly,
    as old data or an import could hold them: the forms refuse more than LONG_TEXT_MAX)."""
    token = "x" * 199_990 + "@y.fr"
    member = add_members(cluster, 1)[0]
    Cluster.objects.filter(pk=cluster.pk).update(problem_statement=token)
    session = SessionFactory(cluster=cluster, key_points=token, agenda=token, decisions=token)
    experiment = Experiment.objects.create(
        membership=member, title="Essai", problem=token, objectives=token, actions=token
    )
    monograph = Monograph.objects.create(
        membership=member, title="Longue", status=Monograph.Status.VALIDEE, context=token
    )
    monograph_transition(
        monograph=monograph, target=Monograph.Status.PUBLIEE, by=ars_user("11", username="ars-h")
    )
    return {"token": token, "session": session, "experiment": experiment, "monograph": monograph}


@pytest.mark.django_db
def test_pages_show_200000_characters_without_a_space(client, aract, cluster, hostile_world):
    token = hostile_world["token"]
    client.force_login(aract)
    pages = [
        reverse("clusters:cluster-detail", args=[cluster.pk]),
        reverse("clusters:session-detail", args=[cluster.pk, hostile_world["session"].pk]),
        reverse("experiments:experiment-detail", args=[hostile_world["experiment"].pk]),
        reverse("experiments:monograph-detail", args=[hostile_world["monograph"].pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert token in response.content.decode(), url
    client.logout()
    library = client.get(
        reverse("library:monograph-detail", args=[hostile_world["monograph"].pk])
    ).content.decode()
    assert "x" * 199_000 in library and "@y.fr" not in library
    search = client.get(reverse("library:monograph-list"), {"q": "x" * 200_000})
    assert search.status_code == 200
    assert "au plus" in search.content.decode()


@pytest.mark.django_db
def test_a_pdf_wraps_the_longest_word_a_form_accepts_instead_of_cutting_it(cluster):
    # LONG_TEXT_MAX characters: the forms refuse more. (A 100,000-character word also wraps
    # whole, but WeasyPrint takes about two minutes to lay it out: too slow for the suite.)
    add_members(cluster, 1)
    cluster.status = cluster.Status.CONSTITUE  # a draft has no report
    cluster.save()
    word = "".join(chr(ord("a") + i % 26) for i in range(LONG_TEXT_MAX))
    session = SessionFactory(cluster=cluster, key_points="Court.")
    short = report_services.build_report_pdf(kind=ReportJob.Kind.CLUSTER, cluster=cluster)
    session.key_points = word
    session.save()
    rendered = report_services.build_report_pdf(kind=ReportJob.Kind.CLUSTER, cluster=cluster)
    # A page holds fewer than 10,000 characters: a word printed whole takes pages. Cut, it ran
    # off the page on one line (pypdf still reads text drawn off the page, hence this count).
    assert rendered.page_count - short.page_count >= len(word) // 10_000
    reader = pypdf.PdfReader(io.BytesIO(rendered.content))
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)

    # Page footers come between the pieces of the word: count the letters of alphabet runs.
    def follows(a, b):
        return a.islower() and b.islower() and (ord(a) - 96) % 26 == ord(b) - 97

    kept = sum(
        1
        for i, char in enumerate(text)
        if (i and follows(text[i - 1], char)) or (i + 1 < len(text) and follows(char, text[i + 1]))
    )
    assert kept >= len(word)
