"""Benchmarks of the national follow-up (ratios measured in one run, never asserted in tests).

    python -m bench.national_bench [--database-url URL] [--runs 5]

On a national-scale database (default: postgres://postgres@127.0.0.1:5432/qvt_national_bench,
filled with `python -m bench.populate --scale 1` when it has no cluster yet):

1. dashboard: time of GET /programme/ (as the national reader `dgos`) against the time of its own
   SQL, the statements the page ran, replayed on a plain cursor (target: at most 3x);
2. detailed CSV export: time of GET /programme/participations.csv, streamed to the end, against a
   raw fetch-and-write of the same rows (the same SQL on a server-side cursor, csv.writer into a
   buffer) (target: at most 2x);
3. memory: tracemalloc peak of the detailed export of one wave (1x) against every wave (about
   10x the rows) (target: at most 1.2x).
"""

import argparse
import csv
import io
import logging
import os
import statistics
import sys
import time
import tracemalloc

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/qvt_national_bench"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.national_bench")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    _setup(args.database_url)
    from clusters.models import Cluster

    if not Cluster.objects.exists():
        from bench import populate

        print("Empty database: python -m bench.populate --scale 1", file=sys.stderr)
        populate.populate(scale=1, reset=False, password=populate.DEFAULT_PASSWORD)

    results = [dashboard(args.runs), detail_export(args.runs), export_memory()]
    print()
    print(f"{'measure':<44} {'value':>10} {'target':>8}  verdict")
    for label, value, target in results:
        verdict = "ok" if value <= target else "OVER"
        print(f"{label:<44} {value:>9.2f}x {target:>7.1f}x  {verdict}")
    return 0


def _setup(database_url: str) -> None:
    # Production-like settings (DEBUG off), without HTTPS redirects for the test client.
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "False")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
    os.environ.setdefault("SECURE_COOKIES", "False")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qvt.settings")
    import django

    django.setup()
    logging.disable(logging.WARNING)  # the audit log line of each export is not the point here


def _client():
    from django.test import Client

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="dgos"))
    return client


def _best(function, runs: int) -> float:
    """Median wall time of `runs` calls (after one warm-up)."""
    function()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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

    page_time, sql_time = _best(page, runs), _best(replay, runs)
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

    class Reader:
        roles = type("Roles", (), {"sees_everything": True})()

    sql, params = detail_queryset(user=Reader()).query.sql_with_params()

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

    export_time, raw_time = _best(export, runs), _best(raw, runs)
    print(
        f"detailed CSV export: {rows['n']} rows, {export_time * 1000:.0f} ms through the view, "
        f"raw fetch-and-write {raw_time * 1000:.0f} ms"
    )
    return ("detailed CSV export / raw fetch-and-write", export_time / raw_time, 2.0)


def export_memory():
    from django.db.models import Count

    from clusters.models import Membership
    from programme.exports import detail_csv_lines

    class Reader:
        roles = type("Roles", (), {"sees_everything": True})()

    waves = list(
        Membership.objects.values("wave__code").annotate(n=Count("id")).order_by("wave__code")
    )
    one = max(waves, key=lambda w: w["n"])

    def peak(wave_code):
        tracemalloc.start()
        size = sum(len(b) for b in detail_csv_lines(user=Reader(), wave_code=wave_code, by="bench"))
        _current, highest = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return highest, size

    peak(one["wave__code"])  # warm-up: imports and caches are not the export's memory
    small, small_size = peak(one["wave__code"])
    large, large_size = peak(None)
    total = sum(w["n"] for w in waves)
    print(
        f"export memory: wave {one['wave__code']} ({one['n']} rows, {small_size / 1e6:.1f} MB) "
        f"peak {small / 1e6:.2f} MB; every wave ({total} rows, {total / one['n']:.1f}x, "
        f"{large_size / 1e6:.1f} MB) peak {large / 1e6:.2f} MB"
    )
    return (f"export peak memory at {total / one['n']:.1f}x / at 1x", large / small, 1.2)


if __name__ == "__main__":
    sys.exit(main())
