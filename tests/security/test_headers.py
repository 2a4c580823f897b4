"""Security headers on every page, cookies and checks of the production settings."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.urls import reverse

from tests.security.test_access_matrix import MATRIX, body_of, url_of
from tests.security.world import PERSONAS

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_pages_carry_a_strict_content_security_policy(client, ars):
    client.force_login(ars)
    response = client.get(reverse("home"))
    directives = csp_directives(response)
    scripts = directives["script-src"]
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert any(value.startswith("'nonce-") for value in scripts)
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    # The nonce of the header is the one the page's own scripts carry.
    nonce = next(v for v in scripts if v.startswith("'nonce-"))[len("'nonce-") : -1]
    html = response.content.decode()
    assert f'nonce="{nonce}"' in html
    assert "<script>" not in html  # no inline script without a nonce


def test_each_response_gets_a_fresh_nonce(client):
    first = csp_directives(client.get(reverse("accounts:login")))["script-src"]
    second = csp_directives(client.get(reverse("accounts:login")))["script-src"]
    assert first != second


def test_pages_deny_framing_sniffing_and_leak_no_referrer(client):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_login_page_is_not_stored_by_browsers_or_proxies(client):
    cache_control = client.get(reverse("accounts:login"))["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control


def test_every_page_answered_to_a_signed_in_user_is_no_store(world):
    """Every GET of the matrix, for every signed-in persona, whatever the status: nothing a
    signed-in user receives (pages, files, JSON job status) is kept by a browser or a proxy."""
    missing = []
    for key, route in sorted(MATRIX.items()):
        url = url_of(key, route, world)
        for persona in PERSONAS[1:]:
            response = world.client(persona).get(url, route.query)
            body_of(response)  # a download releases its file once read
            cache_control = response.get("Cache-Control", "")
            if "no-store" not in cache_control or "private" not in cache_control:
                missing.append(f"{persona} {key} ({response.status_code}): {cache_control!r}")
            if "Content-Security-Policy" not in response:
                missing.append(f"{persona} {key}: no Content-Security-Policy")
    assert not missing, "\n".join(missing)


# --- Production settings (DEBUG off), computed in a subprocess ----------------------------------


def production_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "DEBUG"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="qvt.settings",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="clusters-qvt.example.gouv.fr",
    )
    return env


def run_manage(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )


PRODUCTION_SETTINGS = [
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
]


@pytest.fixture(scope="module")
def production_settings():
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {PRODUCTION_SETTINGS!r}}}))"
    )
    result = run_manage("shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure_http_only_and_same_site(production_settings):
    assert production_settings["DEBUG"] is False
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["SESSION_COOKIE_HTTPONLY"] is True
    assert production_settings["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production_settings["CSRF_COOKIE_SECURE"] is True
    assert production_settings["CSRF_COOKIE_HTTPONLY"] is True
    assert production_settings["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production_settings["SESSION_COOKIE_AGE"] == 12 * 3600


def test_production_forces_https_with_hsts(production_settings):
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production_settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production_settings["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production_settings["X_FRAME_OPTIONS"] == "DENY"


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    env["SECRET_KEY"] = ""  # set but empty (unset, a developer's .env could provide one)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_responses_redirect_to_https_and_carry_hsts(rf, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_SSL_REDIRECT = True
    # The middleware reads its settings when built: build it under the production values.
    middleware = SecurityMiddleware(lambda request: HttpResponse("ok"))
    response = middleware(rf.get("/compte/connexion/"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/compte/connexion/"
    response = middleware(rf.get("/compte/connexion/", secure=True))
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
