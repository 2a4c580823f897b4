"""Where a page spends its SQL time: every query of one request, EXPLAIN ANALYZEd, slowest first.

    python -m bench.explain --database-url URL PAGE_KEY [PAGE_KEY...] [--plans]

Flags sequential scans of large tables (a missing index) and prints the plan of the slowest
queries with --plans. A diagnostic for bench/FINDINGS.md, not part of the table.
"""

import argparse
import logging
import os
import re
import sys

BIG_TABLES = {
    "establishments_establishment",
    "clusters_membership",
    "clusters_session",
    "clusters_attendance",
    "clusters_phasechange",
    "experiments_experiment",
    "experiments_indicator",
    "experiments_measurement",
    "experiments_monograph",
    "auditlog_logentry",
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.explain")
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--plans", type=int, default=0, help="print the plans of the N slowest")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qvt.settings")
    import django

    django.setup()
    logging.disable(logging.CRITICAL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import pages as bench_pages
    from bench.measure import PageError, client_for, fetch

    by_key = {page.key: (page, url) for page, url in bench_pages.page_urls()}
    for key in args.pages:
        page, url = by_key[key]
        if url is None:
            print(f"{key}: absent")
            continue
        client = client_for(page.user)
        try:
            fetch(client, url)
            with CaptureQueriesContext(connection) as captured:
                status, _size = fetch(client, url)
        except PageError as error:
            print(f"===== {key} {url}: {error}")
            continue
        print(f"===== {key} {url}: HTTP {status}, {len(captured.captured_queries)} queries")
        explained = []
        for query in captured.captured_queries:
            sql = re.sub(r"^DECLARE .*? FOR ", "", query["sql"], flags=re.S)
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
            scans = sorted(set(re.findall(r"Seq Scan on (\w+)", plan)) & BIG_TABLES)
            explained.append((ms, sql, plan, scans))
        explained.sort(key=lambda item: -item[0])
        for index, (ms, sql, plan, scans) in enumerate(explained):
            flag = f"  SEQ SCAN {', '.join(scans)}" if scans else ""
            print(f"{ms:8.1f} ms{flag}\n    {sql[:400]}")
            if index < args.plans:
                print("    " + plan.replace("\n", "\n    "))
    return 0


if __name__ == "__main__":
    sys.exit(main())
