"""`make run`: start (or reuse) the embedded services the environment does not replace, pass their
URLs to every process, prepare the database, then run a Celery worker and the web server until
Ctrl-C, which stops every process this command started (embedded servers included)."""

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import environ

from qvt import devservices

PASSWORD_FILE = devservices.LOCAL_DIR / "demo-password"


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main() -> None:
    # Ctrl-C (SIGINT) and SIGTERM both stop everything, even when started from a shell that
    # ignores SIGINT in background jobs.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    # The settings start nothing: the services are started here and their URLs passed on.
    urls, started = devservices.up()
    env = {
        **os.environ,
        **urls,
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD") or _demo_password(),
    }
    python = sys.executable
    children = []
    try:
        commands = [["migrate", "--noinput"], ["seed_demo"]]
        if static_files_missing(env):
            # DEBUG off (production settings): WhiteNoise serves the collected files only.
            print("Collecte des fichiers statiques (DEBUG désactivé)…", flush=True)
            commands.insert(0, ["collectstatic", "--noinput", "--verbosity", "0"])
        for command in commands:
            subprocess.run([python, "manage.py", *command], env=env, check=True)
        celery = str(Path(python).with_name("celery"))
        children.append(
            subprocess.Popen(
                [
                    celery,
                    "-A",
                    "qvt",
                    "worker",
                    "--beat",
                    "--loglevel",
                    "INFO",
                    "--concurrency",
                    "1",
                ],
                env=env,
            )
        )
        children.append(
            subprocess.Popen(
                [python, "manage.py", "runserver", "127.0.0.1:8000", "--noreload"], env=env
            )
        )
        print(
            "\nClusters QVT : http://127.0.0.1:8000  (Ctrl-C pour tout arrêter)\n"
            f"Mot de passe des comptes de démonstration : {env['DEMO_PASSWORD']}\n"
            + ("" if "EMAIL_URL" in env else f"E-mails (.eml) : {devservices.LOCAL_DIR}/mail\n"),
            flush=True,
        )
        children[-1].wait()
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            child.wait(timeout=20)
        devservices.down(postgres=started.postgres, redis=started.redis)


def static_files_missing(env, root: Path = devservices.ROOT) -> bool:
    """Whether the settings run with DEBUG off while static files were never collected: then
    runserver serves none and WhiteNoise's manifest storage fails on the first page."""
    debug = environ.Env.parse_value(env.get("DEBUG") or "False", bool)
    return not debug and not (root / "staticfiles" / "staticfiles.json").exists()


def _demo_password() -> str:
    """Generated once per machine and kept in .local/, so every `make run` prints the same."""
    if not PASSWORD_FILE.exists():
        devservices.LOCAL_DIR.mkdir(exist_ok=True)
        PASSWORD_FILE.write_text(secrets.token_urlsafe(12))
    return PASSWORD_FILE.read_text().strip()


if __name__ == "__main__":
    main()
