"""`make screenshots`: PNG images of the main pages at 1280 px and 375 px wide, and of the first
pages of two restitution reports, into `.local/screenshots/` (git ignores `.local/`), so that
anyone can look at the pages without logging in as each role.

Run through the embedded services like `make test` (`python -m qvt.devservices run -- python -m
qvt.screenshots`): migrates, loads the demo data (idempotent), starts the web server on a free
loopback port, logs each demo persona in (a session made in-process, no password typed) and
photographs its pages with Playwright driving Debian's Chromium; the reports are rendered
in-process and their pages turned into PNGs by `pdftoppm` (poppler-utils).

    python -m qvt.screenshots [--output DIR]
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from qvt import devservices

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / ".local" / "screenshots"
WIDTHS = (1280, 375)
REPORT_PAGES = 2  # the first pages of each report
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Shot:
    """A page to photograph: the file name stem, the URL path, who looks at it (None: nobody
    logged in)."""

    name: str
    path: str
    username: str | None


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def session_cookie(username: str | None, base_url: str) -> list[dict]:
    """The session cookie of `username`, logged in in-process (same database as the server)."""
    if username is None:
        return []
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [{"name": settings.SESSION_COOKIE_NAME, "value": value, "url": base_url}]


def capture(browser, base_url: str, shots, output: Path, widths=WIDTHS) -> list[Path]:
    """Full-page PNGs of each shot at each width: `<output>/<name>-<width>.png`. A page that
    answers anything but 200, or redirects (to the login page), is an error: a screenshot of
    another page than the one asked for would mislead."""
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for shot in shots:
        for width in widths:
            context = browser.new_context(
                base_url=base_url,
                locale="fr-FR",
                viewport={"width": width, "height": 900},
                device_scale_factor=1,
            )
            try:
                context.add_cookies(session_cookie(shot.username, base_url))
                page = context.new_page()
                response = page.goto(shot.path, wait_until="networkidle")
                if response is None or response.status != 200:
                    status = response.status if response else "no response"
                    raise RuntimeError(f"{shot.path} ({shot.username}) answered {status}")
                if urlsplit(page.url).path != urlsplit(shot.path).path:
                    raise RuntimeError(f"{shot.path} ({shot.username}) redirected to {page.url}")
                path = output / f"{shot.name}-{width}.png"
                page.screenshot(path=str(path), full_page=True)
                written.append(path)
            finally:
                context.close()
    return written


def report_pages(pdf: bytes, name: str, output: Path, widths=WIDTHS) -> list[Path]:
    """The first REPORT_PAGES pages of a PDF as PNGs `<name>-p<n>-<width>.png` (pdftoppm)."""
    output.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.pdf"
        source.write_bytes(pdf)
        for width in widths:
            prefix = Path(folder) / f"{width}"
            subprocess.run(
                ["pdftoppm", "-png", "-f", "1", "-l", str(REPORT_PAGES)]
                + ["-scale-to-x", str(width), "-scale-to-y", "-1", str(source), str(prefix)],
                check=True,
            )
            # pdftoppm numbers the pages with as many digits as the document needs.
            for number, page in enumerate(sorted(Path(folder).glob(f"{width}-*.png")), start=1):
                target = output / f"{name}-p{number}-{width}.png"
                page.replace(target)
                written.append(target)
    return written


def demo_shots() -> list[Shot]:
    """The pages of the demo data worth looking at, each seen by the role that uses it."""
    from django.urls import reverse

    from accounts.models import User
    from clusters.models import Cluster
    from experiments.models import Experiment, Monograph

    ars = User.objects.get(username="ars-11")
    aract = User.objects.get(username="aract-11")
    cluster = (
        Cluster.objects.visible_to(ars)
        .filter(memberships__isnull=False)
        .order_by("-wave__code", "name")
        .first()
    )
    experiment = (
        Experiment.objects.visible_to(aract).order_by("-membership__wave__code", "title").first()
    )
    monograph = Monograph.objects.filter(status=Monograph.Status.PUBLIEE).first()
    shots = [
        Shot("formulaire-cluster", reverse("clusters:cluster-create"), "ars-11"),
        Shot("page-cluster", reverse("clusters:cluster-detail", args=[cluster.pk]), "ars-11"),
        Shot("historique", reverse("clusters:cluster-history", args=[cluster.pk]), "ars-11"),
        Shot("liste-clusters", reverse("clusters:cluster-list"), "ars-11"),
        Shot("tableau-de-bord-national", reverse("programme:dashboard"), "dgos"),
        Shot("tableau-de-bord-regional", reverse("programme:dashboard"), "ars-11"),
        Shot("accueil-ars", reverse("home"), "ars-11"),
        Shot("bibliotheque", reverse("library:monograph-list"), None),
    ]
    if experiment is not None:
        path = reverse("experiments:experiment-detail", args=[experiment.pk])
        shots.insert(2, Shot("page-experimentation", path, "aract-11"))
    if monograph is not None:
        path = reverse("library:monograph-detail", args=[monograph.pk])
        shots.append(Shot("monographie", path, None))
    return shots


def demo_reports(output: Path) -> list[Path]:
    """The first pages of a cluster report and of the national report."""
    from clusters.models import Cluster
    from reports.services import build_report_pdf

    cluster = Cluster.objects.filter(memberships__isnull=False).order_by("pk").first()
    written = report_pages(
        build_report_pdf(kind="cluster", cluster=cluster).content, "rapport-cluster", output
    )
    written += report_pages(build_report_pdf(kind="national").content, "rapport-national", output)
    return written


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, server, timeout: float = 60) -> None:
    """Until the server accepts connections on the port (or stops, or the timeout passes)."""
    deadline = time.monotonic() + timeout
    while not devservices._port_open(port):
        if server.poll() is not None:
            raise RuntimeError("the web server stopped before answering")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the web server did not answer on port {port}")
        time.sleep(0.2)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    output = parser.parse_args(argv).output

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qvt.settings")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API
    # Plain HTTP on the loopback: no HTTPS redirect, cookies not restricted to HTTPS.
    os.environ.update(SECURE_SSL_REDIRECT="False", SECURE_COOKIES="False")
    import django

    django.setup()
    from django.core.management import call_command
    from playwright.sync_api import sync_playwright

    from qvt.launcher import _demo_password, static_files_missing

    # The same demo password as `make run` (kept in .local/), not a new one nobody noted.
    os.environ.setdefault("DEMO_PASSWORD", _demo_password())
    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", verbosity=0)
    if static_files_missing(os.environ):
        call_command("collectstatic", "--noinput", verbosity=0)
    port = _free_port()
    log = devservices.LOCAL_DIR / "screenshots-server.log"  # runserver's request lines
    log.parent.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(port, server)
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            try:
                written = capture(browser, base_url, demo_shots(), output)
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    written += demo_reports(output)
    print(f"{len(written)} images dans {output}")


if __name__ == "__main__":
    main()
