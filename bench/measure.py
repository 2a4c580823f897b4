"""In-process measurement of the pages of bench.pages against one database (JSON on stdout).

    python -m bench.measure --database-url URL [--timed] [--runs 30] [--cookies]

Run by bench.run once per database; the environment gives the production-like settings.
Each page: two warm-up requests, one request inside CaptureQueriesContext (the query count),
then, with --timed, up to --runs requests (within --budget seconds) timed with perf_counter,
their SQL time summed by a connection execute wrapper. Each timed request follows one of the
floor page (bench.pages.FLOOR_KEY), whose CPU is recorded beside the page's: on two shared
cores the CPU of a request drifts by half between minutes, so a page's ratio to the floor is
only steady against the floor measured in the same seconds.
"""

import argparse
import contextlib
import json
import logging
import math
import os
import statistics
import sys
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.measure")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--timed", action="store_true")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--budget", type=float, default=8.0, help="seconds per page at most")
    parser.add_argument("--cookies", action="store_true", help="print session cookies of users")
    parser.add_argument("--only", help="comma-separated page keys")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qvt.settings")
    import django

    django.setup()
    # Request errors are reported in the table (status 500), not as tracebacks.
    logging.disable(logging.CRITICAL)
    from bench import pages as bench_pages

    selected = bench_pages.page_urls()
    floor_page, floor_url = next((p, u) for p, u in selected if p.key == bench_pages.FLOOR_KEY)
    if args.only:
        keys = set(args.only.split(","))
        selected = [(page, url) for page, url in selected if page.key in keys]
    results = {"pages": [], "cookies": {}}
    clients = {}
    for page, url in selected:
        row = {"key": page.key, "label": page.label, "user": page.user or "anonyme"}
        row["export"] = page.export
        row["load"] = page.load
        row["reference"] = page.reference
        if url is None:
            row["status"] = "absent"
            results["pages"].append(row)
            continue
        row["url"] = url
        for user in (page.user, floor_page.user):
            if user not in clients:
                clients[user] = client_for(user)
        print(f"  {page.key:<24} {url}", file=sys.stderr)
        before = _empty_cache if page.cold_cache else None
        floor = (clients[floor_page.user], floor_url)
        row.update(
            measure(clients[page.user], url, args.timed, args.runs, args.budget, before, floor)
        )
        results["pages"].append(row)
    if args.cookies:
        for user, client in clients.items():
            if user and "sessionid" in client.cookies:
                results["cookies"][user] = client.cookies["sessionid"].value
    json.dump(results, sys.stdout)
    return 0


def client_for(username):
    from django.test import Client

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    if username:
        user = User.objects.get(username=username)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _empty_cache():
    from django.core.cache import cache

    cache.clear()


def fetch(client, url, before=None) -> tuple[int, int]:
    if before:
        before()
    response = client.get(url)
    if response.status_code >= 500 and getattr(response, "exc_info", None):
        raise PageError(repr(response.exc_info[1])[:200])
    if getattr(response, "streaming", False):
        size = sum(len(chunk) for chunk in response.streaming_content)
    else:
        size = len(response.content)
    return response.status_code, size


class PageError(Exception):
    pass


def measure(client, url, timed, runs, budget, before, floor=None) -> dict:
    """`floor`: (client, url) of the floor page, requested before each timed request."""
    try:
        return _measure_page(client, url, timed, runs, budget, before, floor)
    except PageError as error:
        return {"status": 500, "error": str(error)}


def _measure_page(client, url, timed, runs, budget, before, floor) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    status, size = fetch(client, url, before)
    fetch(client, url, before)
    with CaptureQueriesContext(connection) as captured:
        status, size = fetch(client, url, before)
    row = {
        "status": status,
        "bytes": size,
        "queries": len(captured.captured_queries),
        "sql": [q["sql"][:300] for q in captured.captured_queries],
    }
    if not timed or status != 200:
        return row
    sql_time = [0.0]

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_time[0] += time.perf_counter() - started

    totals, sqls, cpus, floor_cpus = [], [], [], []
    deadline = time.monotonic() + budget
    with connection.execute_wrapper(timer), _server_side_cursor_timer(sql_time):
        for _ in range(runs):
            cpu = time.thread_time()
            fetch(*floor)
            floor_cpus.append(time.thread_time() - cpu)
            sql_time[0] = 0.0
            if before:
                before()
            started, cpu = time.perf_counter(), time.thread_time()
            fetch(client, url)
            totals.append(time.perf_counter() - started)
            cpus.append(time.thread_time() - cpu)
            sqls.append(sql_time[0])
            if time.monotonic() > deadline and len(totals) >= 5:
                break
    ordered = sorted(totals)
    row.update(
        runs=len(totals),
        median_ms=statistics.median(totals) * 1000,
        p95_ms=ordered[math.ceil(0.95 * len(ordered)) - 1] * 1000,
        sql_median_ms=statistics.median(sqls) * 1000,
        # CPU time of this Python thread: what the page costs us, less sensitive than wall
        # time to other processes competing for the two cores.
        cpu_median_ms=statistics.median(cpus) * 1000,
        floor_cpu_median_ms=statistics.median(floor_cpus) * 1000,
    )
    return row


@contextlib.contextmanager
def _server_side_cursor_timer(sql_time):
    """Adds to sql_time the fetches and the closing of server-side cursors (QuerySet.iterator(),
    which model choice fields use): each is a round trip to PostgreSQL that execute_wrapper does
    not see, the DECLARE being all it times."""
    from django.db.backends.utils import CursorWrapper

    def timed(method):
        def call(self, *args):
            if not getattr(self.cursor, "name", None):  # a client-side cursor: rows are here
                return getattr(self.cursor, method)(*args)
            started = time.perf_counter()
            try:
                return getattr(self.cursor, method)(*args)
            finally:
                sql_time[0] += time.perf_counter() - started

        return call

    CursorWrapper.fetchmany, CursorWrapper.close = timed("fetchmany"), timed("close")
    try:
        yield
    finally:
        del CursorWrapper.fetchmany, CursorWrapper.close


if __name__ == "__main__":
    sys.exit(main())
