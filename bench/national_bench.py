"""Benchmarks of the national follow-up (ratios measured in one run, never asserted in tests).

    python -m bench.national_bench [--database-url URL] [--small-database-url URL] [--runs 5]

On a national-scale database (default: postgres://postgres@127.0.0.1:5432/qvt_national_bench,
filled with `python -m bench.populate --scale 1` when it has no cluster yet):

1. dashboard: time of GET /programme/ (as the national reader `dgos`, figures recomputed: the
   cache is off) against the time of its own SQL, the statements the page ran, replayed on a
   plain cursor (target: at most 3x);
2. detailed CSV export: time of GET /programme/participations.csv, streamed to the end, against a
   raw fetch-and-write of the same rows (the same SQL on a server-side cursor, csv.writer into a
   buffer) (target: at most 2x);
3. memory: tracemalloc peak of the detailed export of one wave (1x) against every wave (about
   10x the rows), and of the whole export of a scale 0.1 database (1x, --small-database-url,
   filled when empty) against the scale 1 one (10x) (target: at most 1.2x).

Databases that do not exist are created; empty ones are filled with bench.populate.
"""

import argparse
import csv
import io
import json
import logging
import os
import subprocess
import sys
import time
import tracemalloc
from urllib.parse import urlsplit, urlunsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qvt_national_bench"
SMALL_URL = "postgres://postgres@127.0.0.1:5432/qvt_national_bench_small"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.national_bench")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--small-database-url", default=SMALL_URL)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument("--memory-peak", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    _setup(args.database_url, scale=args.scale)
    if args.memory_peak:  # child process: one database's whole export
        rows, peak = _export_peak(None)
        print(json.dumps({"rows": rows, "peak": peak}))
        return 0

    results = [
        dashboard(args.runs),
        detail_export(args.runs),
        export_memory(),
        export_memory_across_databases(args.small_database_url, args.database_url),
    ]
    print()
    print(f"{'measure':<44} {'value':>10} {'target':>8}  verdict")
    for label, value, target in results:
        verdict = "ok" if value <= target else "OVER"
        print(f"{label:<44} {value:>9.2f}x {target:>7.1f}x  {verdict}")
    return 0


def _ensure_database(database_url: str) -> None:
    import psycopg2

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def _setup(database_url: str, *, scale: float) -> None:
    _ensure_database(database_url)
    # Production-like settings (DEBUG off), without HTTPS redirects for the test client.
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "False")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
    os.environ.setdefault("SECURE_COOKIES", "False")
    # The dashboard is measured computing its figures, not reading them from the cache.
    os.environ["PROGRAMME_FIGURES_CACHE_SECONDS"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qvt.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from clusters.models import Cluster

    call_command("migrate", verbosity=0)
    if not Cluster.objects.exists():
        from bench import populate

        print(f"Empty database: bench.populate --scale {scale:g}", file=sys.stderr)
        populate.populate(scale=scale, reset=False, password=populate.DEFAULT_PASSWORD)
    logging.disable(logging.WARNING)  # the audit log line of each export is not the point here


def _client():
    from django.test import Client

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="dgos"))
    return client


def _paired(first, second, runs: int) -> tuple[float, float]:
    """Best wall time of each function over `runs` interleaved calls (after one warm-up each):
    on a shared machine, interleaving and the minimum keep the load of the moment out of the
    ratio."""
    first(), second()
    times = ([], [])
    for _ in range(runs):
        for function, spent in zip((first, second), times, strict=True):
            start = time.perf_counter()
            function()
            spent.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def dashboard(runs: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client()

    def page():
        response = client.get("/programme/")
        assert response.status_code == 200, response.status_code

    page()
    with CaptureQueriesContext(connection) as captured:
        page()
    statements = [q["sql"] for q in captured.captured_queries]

    def replay():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()

    page_time, sql_time = _paired(page, replay, runs)
    print(
        f"dashboard: {page_time * 1000:.0f} ms per page, its {len(statements)} queries replayed: "
        f"{sql_time * 1000:.0f} ms"
    )
    return ("dashboard / its own SQL", page_time / sql_time, 3.0)


def detail_export(runs: int):
    from django.db import connection

    from programme.exports import DETAIL_CHUNK, detail_queryset

    client = _client()
    rows = {"n": 0}

    def export():
        response = client.get("/programme/participations.csv")
        size = sum(len(chunk) for chunk in response.streaming_content)
        assert response.status_code == 200 and size

    sql, params = detail_queryset(user=_NationalReader()).query.sql_with_params()

    def raw():
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        count = 0
        with connection.chunked_cursor() as cursor:
            cursor.itersize = DETAIL_CHUNK
            cursor.execute(sql, params)
            for row in cursor:
                writer.writerow(row)
                count += 1
        rows["n"] = count

    export_time, raw_time = _paired(export, raw, runs)
    print(
        f"detailed CSV export: {rows['n']} rows, {export_time * 1000:.0f} ms through the view, "
        f"raw fetch-and-write {raw_time * 1000:.0f} ms"
    )
    return ("detailed CSV export / raw fetch-and-write", export_time / raw_time, 2.0)


class _NationalReader:
    roles = type("Roles", (), {"sees_everything": True})()


def _export_peak(wave_code) -> tuple[int, int]:
    """(rows, tracemalloc peak in bytes) of the detailed CSV export, consumed to the end."""
    from programme.exports import detail_csv_lines

    tracemalloc.start()
    rows = -1  # the header line
    for block in detail_csv_lines(user=_NationalReader(), wave_code=wave_code, by="bench"):
        rows += block.count("\n")
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows, peak


def export_memory():
    from django.db.models import Count

    from clusters.models import Membership

    waves = Membership.objects.values("wave__code").annotate(n=Count("id"))
    one = max(waves, key=lambda w: w["n"])["wave__code"]
    _export_peak(one)  # warm-up: imports and caches are not the export's memory
    small_rows, small = _export_peak(one)
    large_rows, large = _export_peak(None)
    factor = large_rows / small_rows
    print(
        f"export memory, same database: wave {one} ({small_rows} rows) peak "
        f"{small / 1e6:.2f} MB; every wave ({large_rows} rows, {factor:.1f}x) peak "
        f"{large / 1e6:.2f} MB"
    )
    return (f"export peak memory, {factor:.1f}x rows / 1x", large / small, 1.2)


def export_memory_across_databases(small_url: str, large_url: str):
    """The whole export of a scale 0.1 database against a scale 1 one, each in a fresh process."""

    def child(url, scale):
        command = [sys.executable, "-m", "bench.national_bench", "--memory-peak"]
        command += ["--database-url", url, "--scale", str(scale)]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        return json.loads(output.strip().splitlines()[-1])

    small, large = child(small_url, 0.1), child(large_url, 1)
    factor = large["rows"] / small["rows"]
    print(
        f"export memory, two databases: scale 0.1 ({small['rows']} rows) peak "
        f"{small['peak'] / 1e6:.2f} MB; scale 1 ({large['rows']} rows, {factor:.1f}x) peak "
        f"{large['peak'] / 1e6:.2f} MB"
    )
    return (f"export peak memory, {factor:.1f}x database / 1x", large["peak"] / small["peak"], 1.2)


if __name__ == "__main__":
    sys.exit(main())
