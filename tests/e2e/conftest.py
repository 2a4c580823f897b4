"""Browser tests: Python Playwright driving Debian's Chromium (never `playwright install`)."""

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = (
    Path(__file__).resolve().parents[2] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
JAVA = os.environ.get("JAVA_PATH", "/usr/bin/java")
# The HTML of every page checked, saved here and validated in one Nu HTML Checker run at the end
# of the session (a JVM start per page would double the suite's time).
_HTML_DIR = Path(tempfile.mkdtemp(prefix="qvt-vnu-"))


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def save_html_for_checker(page):
    """Keep the page's HTML as the server sent it (not the DOM the DSFR scripts changed)."""
    response = page.context.request.get(page.url)
    html = response.text()
    name = hashlib.sha1(page.url.encode() + html.encode()).hexdigest()[:16]
    (_HTML_DIR / f"{name}.html").write_text(f"<!-- {page.url} -->\n{html}", encoding="utf-8")


def html_errors(paths) -> list[str]:
    """Nu HTML Checker errors of the given files, as "url: message" lines."""
    if not paths:
        return []
    result = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = []
    for message in messages:
        path = Path(message.get("url", "").removeprefix("file:"))
        url = path.read_text(encoding="utf-8").split(" -->", 1)[0][5:] if path.exists() else path
        errors.append(f"{url} line {message.get('lastLine')}: {message['message']}")
    return errors


@pytest.fixture(scope="session", autouse=True)
def valid_html():
    """Fails the session (an error at teardown) when a checked page is not valid HTML."""
    yield
    errors = html_errors(sorted(_HTML_DIR.glob("*.html")))
    shutil.rmtree(_HTML_DIR, ignore_errors=True)
    assert errors == [], "Nu HTML Checker:\n" + "\n".join(sorted(set(errors)))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page) -> list[dict]:
    """WCAG 2.1 A/AA violations axe-core finds on the current page (injected with evaluate:
    the strict CSP blocks script tags)."""
    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page):
    """axe-core on the page now; its HTML is validated at the end of the session."""
    save_html_for_checker(page)
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2, ensure_ascii=False)


def log_in(page, username, password):
    page.goto("/compte/connexion/")
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
