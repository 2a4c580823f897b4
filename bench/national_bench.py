"""Benchmarks of the national follow-up: ratios measured in one run (never asserted in tests).

    python -m bench.national_bench [--database-url URL] [--runs 5] [--json]

On a national-scale database (default: $DATABASE_URL; filled with `bench.populate --scale 1`
when it has no cluster yet), as the national reader:

1. figures recomputed: the dashboard's figures with the cache cold (`dashboard_figures`)
   against the single aggregate query that counts clusters, participations and distinct
   establishments per wave (target: at most 3x);
2. detailed exports, CSV and XLSX: the whole response of /programme/participations.csv and
   .xlsx read to the end, against PostgreSQL `COPY (the same query) TO STDOUT` of the same rows
   (target: at most 1.5x), and the peak memory (RSS) the export adds to a process that has
   already served a page (target: under 50 MB; each format in a fresh process).

bench.run runs it with --json and prints its table under the pages' one.
"""

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

from django.urls import reverse  # importable before django.setup(); called after

TARGETS = {"figures_ratio": 3.0, "copy_ratio": 1.5, "rss_mb": 50}
EXPORTS = {"csv": "programme:export-detail", "xlsx": "programme:export-detail-xlsx"}  # URL names
# The query the figures are compared with: the per-wave counts, on counted clusters.
AGGREGATE = """
    SELECT w.code, COUNT(DISTINCT m.cluster_id), COUNT(*), COUNT(DISTINCT m.establishment_id)
    FROM clusters_membership m
    JOIN clusters_cluster c ON c.id = m.cluster_id
    JOIN clusters_wave w ON w.id = c.wave_id
    WHERE c.status <> 'brouillon'
    GROUP BY w.code
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.national_bench")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--export-memory", choices=EXPORTS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.database_url:
        sys.exit("Set DATABASE_URL (the scale-1 database) or pass --database-url.")
    # The child measuring an export's memory skips the migration check: loading every
    # migration would set a higher peak than the export itself.
    _setup(args.database_url, prepare=not args.export_memory)
    if args.export_memory:  # child process: one export's memory, from a warm process
        print(json.dumps(_export_memory(args.export_memory)))
        return 0
    results = {"figures": figures(args.runs), "exports": exports(args.database_url, args.runs)}
    print(json.dumps(results) if args.json else render(results))
    return 0


def render(results) -> str:
    """The two tables (markdown), with the targets and what misses them."""
    figures_row, misses = results["figures"], []
    lines = [
        "| figures (national, cache cold) | ms | single aggregate query ms | ratio |",
        "|---|---|---|---|",
        f"| {figures_row['queries']} queries | {figures_row['ms']:.0f} | "
        f"{figures_row['aggregate_ms']:.1f} | {figures_row['ratio']:.1f} |",
        "",
        "| detailed export | rows | export ms | COPY ms | ratio | RSS growth MB | file MB |",
        "|---|---|---|---|---|---|---|",
    ]
    if figures_row["ratio"] > TARGETS["figures_ratio"]:
        misses.append(f"figures: {figures_row['ratio']:.1f}x the aggregate query")
    for fmt, row in results["exports"].items():
        lines.append(
            f"| {fmt.upper()} | {row['rows']} | {row['ms']:.0f} | {row['copy_ms']:.0f} | "
            f"{row['ratio']:.2f} | {row['rss_mb']:.1f} | {row['size_mb']:.1f} |"
        )
        if row["ratio"] > TARGETS["copy_ratio"]:
            misses.append(f"{fmt} export: {row['ratio']:.1f}x COPY")
        if row["rss_mb"] >= TARGETS["rss_mb"]:
            misses.append(f"{fmt} export: RSS +{row['rss_mb']:.0f} MB")
    lines += [
        "",
        f"Targets: figures <= {TARGETS['figures_ratio']:g}x the aggregate query, exports <= "
        f"{TARGETS['copy_ratio']:g}x COPY of the same rows, RSS growth < {TARGETS['rss_mb']} MB "
        "(best of the runs, interleaved).",
        f"Missed ({len(misses)}):" if misses else "Missed: none.",
        *(f"- {miss}" for miss in misses),
    ]
    return "\n".join(lines)


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


def _setup(database_url: str, *, prepare: bool = True) -> None:
    if prepare:
        _ensure_database(database_url)
    # Production-like settings (DEBUG off), without HTTPS redirects for the test client.
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "False")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 40)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
    os.environ.setdefault("SECURE_COOKIES", "False")
    os.environ["PROGRAMME_FIGURES_CACHE_SECONDS"] = "0"  # figures computed, never cached
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qvt.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from clusters.models import Cluster

    if prepare:
        call_command("migrate", verbosity=0)
    if prepare and not Cluster.objects.exists():
        from bench import populate

        print("Empty database: bench.populate --scale 1", file=sys.stderr)
        populate.populate(scale=1, reset=False, password=populate.DEFAULT_PASSWORD)
    logging.disable(logging.WARNING)  # the audit log line of each export is not the point here


def _reader():
    from accounts.models import User

    return User.objects.get(username="dgos")


def _client():
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(_reader(), backend="django.contrib.auth.backends.ModelBackend")
    return client


def _paired(first, second, runs: int) -> tuple[float, float]:
    """Best wall time in ms of each function over `runs` interleaved calls (after one warm-up
    each): on a shared machine, interleaving and the minimum keep the load of the moment out
    of the ratio."""
    first(), second()
    times = ([], [])
    for _ in range(runs):
        for function, spent in zip((first, second), times, strict=True):
            start = time.perf_counter()
            function()
            spent.append(time.perf_counter() - start)
    return min(times[0]) * 1000, min(times[1]) * 1000


def figures(runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from programme.statistics import dashboard_figures

    reader = _reader()

    def compute():
        dashboard_figures(user=reader)

    def aggregate():
        with connection.cursor() as cursor:
            cursor.execute(AGGREGATE)
            cursor.fetchall()

    with CaptureQueriesContext(connection) as captured:
        compute()
    figures_ms, aggregate_ms = _paired(compute, aggregate, runs)
    return {
        "queries": len(captured.captured_queries),
        "ms": figures_ms,
        "aggregate_ms": aggregate_ms,
        "ratio": figures_ms / aggregate_ms,
    }


def exports(database_url: str, runs: int) -> dict:
    from django.db import connection

    from programme.exports import detail_queryset

    client = _client()
    sql, params = detail_queryset(user=_reader()).query.sql_with_params()
    counter = _Counter()

    def copy():
        counter.lines = 0
        with connection.cursor() as cursor:
            query = cursor.mogrify(sql, params).decode("utf-8")
            cursor.copy_expert(
                f"COPY ({query}) TO STDOUT WITH (FORMAT csv, DELIMITER ';')", counter
            )

    results = {}
    for fmt, name in EXPORTS.items():
        url = reverse(name)

        def export(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            for _chunk in response.streaming_content:
                pass

        export_ms, copy_ms = _paired(export, copy, runs)
        memory = _in_child(database_url, fmt)
        results[fmt] = {
            "rows": counter.lines,
            "ms": export_ms,
            "copy_ms": copy_ms,
            "ratio": export_ms / copy_ms,
            "rss_mb": memory["rss_growth"] / 2**20,
            "size_mb": memory["bytes"] / 2**20,
        }
    return results


class _Counter:
    """A file that only counts what COPY writes to it (one write per row)."""

    lines = 0

    def write(self, data):
        self.lines += 1


def _in_child(database_url: str, fmt: str) -> dict:
    command = [sys.executable, "-m", "bench.national_bench", "--export-memory", fmt]
    command += ["--database-url", database_url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def _export_memory(fmt: str) -> dict:
    """Peak RSS added by one export, read to the end, in a process that has already served a
    page and a small export (code, templates and connections loaded)."""
    client = _client()
    # A light page, not the dashboard: its figures would raise the peak above the export's.
    client.get(reverse("accessibility"))
    client.get(reverse(EXPORTS[fmt]), {"vague": "__none__"})  # 404: loads the view's code only
    before = _peak_rss()
    response = client.get(reverse(EXPORTS[fmt]))
    size = sum(len(chunk) for chunk in response.streaming_content)
    return {"bytes": size, "rss_growth": _peak_rss() - before}


if __name__ == "__main__":
    sys.exit(main())
