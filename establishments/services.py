"""Writes on the establishment registry: the FINESS import (command and upload page).

The import reads the whole extract first (establishments.finess_extract), then writes every valid
line in ONE transaction with set-based SQL: the rows are COPYed into a temporary table, then one
UPDATE changes the establishments whose values differ, one INSERT adds the new ones and one UPDATE
deactivates those absent from the extract (never deleted: they may be cluster members). A re-import
of the same file therefore writes nothing. `Establishment.save()` is bypassed, so `search_text` is
computed while reading.
"""

import csv
import io
from collections.abc import Callable

from django.db import connection, transaction

from accounts.rules import has_rule
from core import jobs
from qvt.db import analyze

from .finess_extract import Extract, UnusableExtract, read_extract
from .models import Category, Department, Establishment, FinessImport, LegalStatus

# Columns written from the extract, in COPY order. Text columns never hold NULL.
TEXT_COLUMNS = {
    "finess", "finess_ej", "short_name", "long_name", "category_code", "category_label", "sector",
    "legal_status", "address", "postcode", "town", "phone", "projection", "search_text",
}  # fmt: skip
COLUMN_TYPES = {
    "category_id": "bigint",
    "department_id": "bigint",
    "region_id": "bigint",
    "x": "double precision",
    "y": "double precision",
    "opened_on": "date",
    "updated_on": "date",
}
COLUMNS = [
    "finess", "finess_ej", "short_name", "long_name", "category_id", "category_code",
    "category_label", "sector", "legal_status", "department_id", "region_id", "address",
    "postcode", "town", "phone", "x", "y", "projection", "opened_on", "updated_on", "search_text",
]  # fmt: skip
# How an existing establishment's column is refreshed (default: the extract's value). A legal
# status the extract does not give (not public, not ESPIC) keeps the one set earlier, by hand or
# by a previous extract; coordinates are kept when the file has no geolocation lines (cs1100502).
UPDATE_EXPRESSIONS = {
    "legal_status": (
        f"COALESCE(NULLIF(i.legal_status, '{LegalStatus.A_QUALIFIER}'), e.legal_status)"
    ),
    "x": "CASE WHEN %(geo)s THEN i.x ELSE e.x END",
    "y": "CASE WHEN %(geo)s THEN i.y ELSE e.y END",
    "projection": "CASE WHEN %(geo)s THEN i.projection ELSE e.projection END",
}
IMPORT_LOCK = 7_310_001  # pg advisory lock: one import at a time


def import_finess_extract(
    *, job: FinessImport, data: bytes, progress: Callable[[int], None] | None = None
) -> FinessImport:
    """Import `data` (the extract's bytes) into the registry as the claimed `job` says (dry run,
    strict) and finish it with its report; an unusable file raises `JobFailure` with the French
    reason (core.jobs.execute records it)."""
    report = progress or (lambda percent: None)
    try:
        extract = read_extract(
            data,
            departments={
                code: (pk, region_id)
                for code, pk, region_id in Department.objects.values_list(
                    "finess_code", "pk", "region_id"
                )
            },
            categories={
                code: (pk, sector)
                for code, pk, sector in Category.objects.values_list("code", "pk", "sector")
            },
            progress=lambda percent: report(percent * 6 // 10),  # reading: 0-60 %
        )
        _record_reading(job, extract)
        if job.strict and extract.rejections:
            job.message = (
                f"Import annulé (mode strict) : {job.rejected} ligne(s) rejetée(s), "
                "rien n'a été écrit."
            )
            return _finish(job)
        report(70)
        with transaction.atomic():
            _write(job, extract)
            if job.dry_run:
                transaction.set_rollback(True)  # a dry run is the real import, rolled back
            else:
                job.applied = True
                analyze(Establishment)  # thousands of rows changed: fresh planner statistics
                _finish(job)  # in the import's transaction: the report and the registry agree
    except UnusableExtract as error:
        raise jobs.JobFailure(str(error)) from error
    if job.dry_run:
        _finish(job)
    return job


def _record_reading(job: FinessImport, extract: Extract) -> None:
    job.extraction_date = extract.extraction_date
    job.rejected = len(extract.rejections)
    job.rejections = [{"line": line, "reason": reason} for line, reason in extract.rejections]
    job.unknown_categories = sorted(extract.unknown_categories.values(), key=lambda c: c["code"])


REPORT_FIELDS = [
    "extraction_date", "applied", "created", "updated", "unchanged", "deactivated", "rejected",
    "rejections", "unknown_categories", "message",
]  # fmt: skip


def _finish(job: FinessImport) -> FinessImport:
    if not job.message:
        if job.dry_run:
            job.message = "Simulation : rien n'a été écrit."
        elif job.created == job.updated == job.deactivated == 0:
            job.message = "Aucun changement : le registre était déjà à jour avec cet extrait."
        else:
            job.message = "Import terminé : les lignes valides ont été enregistrées."
    jobs.finish(job, **{field: getattr(job, field) for field in REPORT_FIELDS})
    return job


def _write(job: FinessImport, extract: Extract) -> None:
    table = Establishment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        latest = FinessImport.objects.latest_extraction_date()
        if latest and extract.extraction_date < latest:
            raise UnusableExtract(
                f"Cet extrait du {extract.extraction_date:%d/%m/%Y} est plus ancien que le "
                f"dernier importé (du {latest:%d/%m/%Y}) : il n'a pas été importé."
            )
        _copy_incoming(cursor, extract.rows.values())

        compared = ", ".join(f"e.{c}" for c in COLUMNS[1:]) + ", e.is_active"
        incoming = ", ".join(UPDATE_EXPRESSIONS.get(c, f"i.{c}") for c in COLUMNS[1:]) + ", true"
        assignments = ", ".join(f"{c} = {UPDATE_EXPRESSIONS.get(c, f'i.{c}')}" for c in COLUMNS[1:])
        geo = {"geo": extract.has_geolocation}
        cursor.execute(
            f"UPDATE {table} AS e SET {assignments}, is_active = true "  # noqa: S608
            f"FROM finess_incoming AS i WHERE e.finess = i.finess "
            f"AND ({compared}) IS DISTINCT FROM ({incoming})",
            geo,
        )
        job.updated = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(COLUMNS)}, is_active) "  # noqa: S608
            f"SELECT {', '.join(f'i.{c}' for c in COLUMNS)}, true FROM finess_incoming AS i "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS e WHERE e.finess = i.finess)"
        )
        job.created = cursor.rowcount
        # Absent from this (full, not older) extract: inactive. A number read on a rejected line
        # is not absent: its establishment stays as it was.
        cursor.execute(
            f"UPDATE {table} AS e SET is_active = false WHERE e.is_active "  # noqa: S608
            "AND NOT EXISTS (SELECT 1 FROM finess_incoming AS i WHERE i.finess = e.finess) "
            "AND NOT (e.finess = ANY(%s::varchar[]))",
            [sorted(extract.rejected_numbers)],
        )
        job.deactivated = cursor.rowcount
        job.unchanged = len(extract.rows) - job.created - job.updated
        cursor.execute("DROP TABLE finess_incoming")


def _copy_incoming(cursor, rows) -> None:
    definitions = ", ".join(
        f"{c} {COLUMN_TYPES.get(c, 'text')}" + (" PRIMARY KEY" if c == "finess" else "")
        for c in COLUMNS
    )
    cursor.execute(f"CREATE TEMP TABLE finess_incoming ({definitions}) ON COMMIT DROP")
    not_null = ", ".join(c for c in COLUMNS if c in TEXT_COLUMNS)
    cursor.copy_expert(
        f"COPY finess_incoming ({', '.join(COLUMNS)}) FROM STDIN "
        f"WITH (FORMAT csv, FORCE_NOT_NULL ({not_null}))",
        _CsvStream(rows),
        COPY_CHUNK,  # psycopg2's `size`, positional: Django's cursor wrapper passes *args only
    )
    # Temporary tables are never auto-analysed; the join key is all the planner needs.
    cursor.execute("ANALYZE finess_incoming (finess)")


COPY_CHUNK = 1 << 20  # characters psycopg2 asks for at a time


class _CsvStream:
    """The rows as CSV text for COPY, produced as psycopg2 reads it (never all in memory)."""

    def __init__(self, rows, rows_per_chunk: int = 500):
        self._rows = iter(rows)
        self._rows_per_chunk = rows_per_chunk
        self._pending = ""

    def _next_chunk(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for _count, row in zip(range(self._rows_per_chunk), self._rows, strict=False):
            writer.writerow([_csv_value(getattr(row, column)) for column in COLUMNS])
        return buffer.getvalue()

    def read(self, size: int = -1) -> str:
        if not self._pending:
            self._pending = self._next_chunk()
        if size < 0 or len(self._pending) <= size:
            chunk, self._pending = self._pending, ""
        else:
            chunk, self._pending = self._pending[:size], self._pending[size:]
        return chunk


def _csv_value(value):
    if value is None:
        return ""  # NULL for the non-text columns
    if isinstance(value, float):
        return repr(value)
    return value


# --- Jobs (upload page and command) --------------------------------------------------------


def create_finess_import(*, upload, dry_run: bool, strict: bool, by) -> FinessImport:
    """Store the uploaded extract under a random name and queue its import once committed."""
    job = FinessImport(
        source=FinessImport.Source.UPLOAD,
        original_name=upload.name[:255],
        dry_run=dry_run,
        strict=strict,
        requested_by=by,
    )
    job.file.save(upload.name, upload, save=False)
    job.save()
    jobs.enqueue_on_commit(job)
    return job


def can_relaunch(job: FinessImport) -> bool:
    """An upload that failed, waits for the broker, or whose worker died may be sent again."""
    if job.source != FinessImport.Source.UPLOAD:
        return False  # a command import runs in its own process, it has no stored file
    return job.status == FinessImport.Status.FAILED or job.is_waiting_for_broker or job.is_stalled


def relaunch_finess_import(*, job: FinessImport, by) -> bool:
    """The "Relancer" button: requeue the job at once (False when it may not be relaunched)."""
    if not can_relaunch(job):
        return False
    return jobs.restart(
        job,
        by=by,
        **{field: FinessImport._meta.get_field(field).get_default() for field in REPORT_FIELDS},
    )


def run_finess_import(job_id: int) -> FinessImport | None:
    """The worker's part: claim the upload job (it runs once) and import its file."""
    return jobs.execute(FinessImport, job_id, _import_upload)


def _import_upload(job: FinessImport) -> None:
    if job.requested_by is None or not has_rule(job.requested_by, "establishments.import_finess"):
        raise jobs.JobFailure(
            "L'auteur de l'import n'est plus administrateur : import non effectué."
        )
    try:
        with job.file.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError) as error:  # ValueError: no file at all
        raise jobs.JobFailure("Le fichier téléversé est introuvable ou illisible.") from error
    import_finess_extract(
        job=job, data=data, progress=lambda percent: jobs.report_progress(job, percent)
    )


def import_finess_command(*, data: bytes, name: str, dry_run: bool, strict: bool) -> FinessImport:
    """The `import_finess` command: the same job, run in the command's process."""
    job = FinessImport.objects.create(
        source=FinessImport.Source.COMMAND,
        original_name=name[:255],
        dry_run=dry_run,
        strict=strict,
    )
    jobs.execute(
        FinessImport,
        job.pk,
        lambda claimed: import_finess_extract(
            job=claimed, data=data, progress=lambda percent: jobs.report_progress(claimed, percent)
        ),
    )
    job.refresh_from_db()
    return job
