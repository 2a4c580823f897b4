"""FINESS import benchmark: `python -m bench.finess_import [--lines 100000]`.

Generates a national-size etalab extract (cs1100507 layout: structureet + geolocalisation lines),
then, in its own database `qvt_bench_finess` (created, migrated, dropped at the end):
  1. times `manage.py import_finess` on an empty registry, then the re-import of the same file;
  2. times a bare PostgreSQL COPY of the same structureet rows (32 text columns) as a baseline;
  3. times the establishment search (first page + count) on the resulting registry.
It prints the times and their ratios; targets on a 2-core machine: import <= 60 s, re-import
<= 30 s, median search < 50 ms. Nothing is asserted: it is a measurement, not a test.
"""

import argparse
import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DB = "qvt_bench_finess"
OVERSEAS_PREFIX = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9E": "975", "9F": "980"}
OVERSEAS_PREFIX["9J"] = "986"
KINDS = ["EHPAD", "CH", "CHU", "CLINIQUE", "IME", "ESAT", "MAS", "SSIAD", "FOYER", "CHRS", "HAD"]
WORDS = ["TILLEULS", "GLYCINES", "ROSES", "CHÊNES", "ÉTANGS", "PLATANES", "LILAS", "ORMEAUX",
         "COLLINE", "VALLÉE", "PRAIRIE", "SOURCES", "MOULIN", "PONT", "JARDINS",
         "CÈDRES"]  # fmt: skip
SYLLABLES = ["SAINT", "VIL", "BOURG", "MONT", "LA", "FER", "RIV", "CHAT", "BEL", "NOR", "ROC",
             "LAN", "MAR", "SEL", "TOUR", "BEAU", "VAL", "PRÉ", "ÎLE", "DUN"]  # fmt: skip


def server_urls() -> tuple[str, str]:
    """(bench database URL, maintenance database URL) on the server of DATABASE_URL."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from qvt.devservices import embedded_database_url

        url = embedded_database_url()
    parts = urlsplit(url)
    return (
        urlunsplit(parts._replace(path=f"/{BENCH_DB}")),
        urlunsplit(parts._replace(path="/postgres")),
    )


def admin_sql(maintenance_url: str, statement: str) -> None:
    import psycopg2

    connection = psycopg2.connect(maintenance_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(statement)
    connection.close()


def generate_extract(path: Path, lines: int, departments, categories) -> list[list[str]]:
    """Write a deterministic extract of `lines` establishments; returns its structureet rows."""
    from establishments.finess import with_luhn_key

    rng = random.Random(2026)
    towns = [
        "".join(rng.sample(SYLLABLES, 2)) + rng.choice(["", " SUR MER", " LES BAINS", "-LE-HAUT"])
        for _ in range(3000)
    ]
    categories = [*categories, ("998", "Catégorie absente A"), ("999", "Catégorie absente B")]
    structures, geolocations = [], []
    for serial in range(lines):
        department = rng.choice(departments)
        if department in ("2A", "2B"):
            finess = f"{department}{serial:07d}"
        elif department in OVERSEAS_PREFIX:
            finess = with_luhn_key(f"{OVERSEAS_PREFIX[department]}{serial:05d}")
        else:
            finess = with_luhn_key(f"{department}{serial:06d}")
        name = f"{rng.choice(KINDS)} {rng.choice(['LES', 'DES', 'DU'])} {rng.choice(WORDS)}"
        if serial % 500 == 0:
            name = f'{name} "SITE {serial}"; ANNEXE'  # quoting: separator and doubled quotes
        category, label = rng.choice(categories)
        town = rng.choice(towns)
        postcode = f"{department if department[1].isdigit() else '97'}{rng.randrange(1000):03d}"
        structures.append(
            ["structureet", finess, with_luhn_key(f"{serial:08d}"), name[:38], f"{name} {town}",
             "", "", str(rng.randrange(1, 300)), "R", rng.choice(WORDS), "", "",
             f"{rng.randrange(1, 900):03d}", department, f"DEPARTEMENT {department}",
             f"{postcode} {town}", f"0{rng.randrange(100_000_000, 999_999_999)}", "", category,
             label, "4401", "Agrégat", "", "", "03", "Tarif",
             rng.choice(["1", "6", "", "", "0"]), "", f"{rng.randrange(1950, 2025)}-01-01",
             "2000-01-01", "2026-04-01", ""]
        )  # fmt: skip
        geolocations.append(
            ["geolocalisation", finess, f"{rng.uniform(1e5, 1.2e6):.1f}",
             f"{rng.uniform(6e6, 7.1e6):.1f}",
             "1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)", "2026-05-04"]
        )  # fmt: skip
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(["finess", "etalab", "111", "2026-05-12"])
        writer.writerows(structures)
        writer.writerows(geolocations)
    return structures


def timed_import(path: Path) -> tuple[float, float, str]:
    """(wall time, this process's CPU time, summary line) of `manage.py import_finess`."""
    from django.core.management import call_command

    output = io.StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        call_command("import_finess", str(path), stdout=output, stderr=io.StringIO())
    except SystemExit as exit_:
        if exit_.code == 2:
            raise RuntimeError(output.getvalue()) from None
    summary = output.getvalue().strip().splitlines()[-1]
    return time.perf_counter() - started, time.process_time() - cpu, summary


def vacuum_registry() -> None:
    """What autovacuum does after a big load (the next extract comes weeks later): done here so
    that it does not run during the re-import and blur its time."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) establishments_establishment")


def timed_bare_copy(structures: list[list[str]]) -> float:
    """COPY the same structureet rows into a plain 32-column table, in one transaction."""
    from django.db import connection, transaction

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(structures)
    columns = ", ".join(f"c{i} text" for i in range(32))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE bench_bare_copy ({columns})")
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        buffer.seek(0)
        cursor.copy_expert(
            "COPY bench_bare_copy FROM STDIN WITH (FORMAT csv, DELIMITER ';')", buffer
        )
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare_copy")
    return elapsed


def search_times(structures) -> dict[str, list[float]]:
    """Search page work (first page of 20 + total count) for a national reader and an ARS user."""
    from django.core.paginator import Paginator

    from accounts.models import Role, RoleAssignment, User
    from establishments.models import Region
    from establishments.search import search_establishments

    national = User.objects.create(username="bench-national")
    RoleAssignment.objects.create(user=national, role=Role.NATIONAL)
    ars = User.objects.create(username="bench-ars-11")
    RoleAssignment.objects.create(user=ars, role=Role.ARS, region=Region.objects.get(code="11"))
    rng = random.Random(7)
    sample = rng.sample(structures, 20)
    queries = (
        ["ehpad", "clinique des roses", "centre", "reunion", "île", "chenes", "mas du moulin",
         "saint", "vallee", "zzz introuvable"]
        + [row[1] for row in sample[:10]]  # full FINESS numbers
        + [f"{row[1][:3]} {row[1][3:6]} {row[1][6:]}" for row in sample[10:15]]  # with spaces
        + [row[15].split(" ", 1)[1].lower() for row in sample[15:]]  # towns
    )  # fmt: skip
    timings: dict[str, list[tuple[float, str]]] = {"national": [], "ars": []}
    for label, user in (("national", national), ("ars", ars)):
        user = User.objects.get(pk=user.pk)
        for _round in range(3):
            for query in queries:
                started = time.perf_counter()
                page = Paginator(search_establishments(user, query), 20).get_page(1)
                list(page.object_list)
                page.paginator.count  # noqa: B018  (the count query of the page)
                timings[label].append(((time.perf_counter() - started) * 1000, query))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    arguments = parser.parse_args()

    bench_url, maintenance_url = server_urls()
    admin_sql(maintenance_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    admin_sql(maintenance_url, f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qvt.settings")
    try:
        import django

        django.setup()
        import logging

        logging.disable(logging.WARNING)
        from django.core.management import call_command
        from django.db import connection

        from establishments.models import Category, Department

        call_command("migrate", verbosity=0)
        departments = list(Department.objects.values_list("finess_code", flat=True))
        categories = list(Category.objects.values_list("code", "label"))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "etalab-cs1100507-bench.csv"
            started = time.perf_counter()
            structures = generate_extract(path, arguments.lines, departments, categories)
            generated = time.perf_counter() - started
            size = path.stat().st_size / 1e6
            first, first_cpu, first_summary = timed_import(path)
            vacuum_registry()
            again, again_cpu, again_summary = timed_import(path)
        bare = timed_bare_copy(structures)
        timings = search_times(structures)
        connection.close()
    finally:
        from django.db import connections

        connections.close_all()
        admin_sql(maintenance_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")

    lines = arguments.lines
    print(f"FINESS import benchmark: {lines:,} establishments (+ {lines:,} geolocation lines)")
    print(f"  extract generated        {generated:7.2f} s  ({size:.1f} MB)")
    print(f"  first import             {first:7.2f} s  {first / bare:6.1f} x bare COPY   "
          f"(target <= 60 s; Python CPU {first_cpu:.1f} s)  {first_summary}")  # fmt: skip
    print(f"  re-import, same file     {again:7.2f} s  {again / bare:6.1f} x bare COPY   "
          f"(target <= 30 s; Python CPU {again_cpu:.1f} s)  {again_summary}")  # fmt: skip
    print(f"  bare COPY, same rows     {bare:7.2f} s  (32 text columns, no index)")
    print(f"  re-import / import       {again / first:7.2f}")
    for label, measured in timings.items():
        values = sorted(ms for ms, _query in measured)
        slowest_ms, slowest = max(measured)
        print(
            f"  search, {label:<8} median {statistics.median(values):6.1f} ms  "
            f"p90 {values[int(len(values) * 0.9)]:6.1f} ms  max {slowest_ms:6.1f} ms "
            f"(« {slowest} »)  [{len(values)} searches: page of 20 + count; "
            "target median < 50 ms]"
        )


if __name__ == "__main__":
    main()
