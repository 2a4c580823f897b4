"""Writes on the establishment registry: the FINESS import (command and upload page).

The import reads the whole extract first (establishments.finess_extract), then writes every valid
line in ONE transaction with set-based SQL: the rows are COPYed into a temporary table, then one
UPDATE changes the establishments whose values differ, one INSERT adds the new ones and two UPDATEs
handle those absent from the extract: members of a running cluster stay active and are marked
closed (`finess_closed_on`), the others are deactivated (never deleted: they may be past members).
Before writing, an extract that no longer lists more than FINESS_MAX_DEACTIVATION_SHARE of the
active establishments stops the import (a partial extract) unless the job allows it. A re-import
of the same file therefore writes nothing. `Establishment.save()` is bypassed, so `search_text` is
computed while reading.
"""

import csv
import io
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction

from accounts.rules import check_rule, has_rule
from core import jobs
from qvt.db import analyze
from qvt.french import percent

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
audit_log = logging.getLogger("qvt.audit")
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
            written = _write(job, extract)
            if job.dry_run or not written:
                transaction.set_rollback(True)  # a dry run is the real import, rolled back
            else:
                job.applied = True
                analyze(Establishment)  # thousands of rows changed: fresh planner statistics
                _finish(job)  # in the import's transaction: the report and the registry agree
    except UnusableExtract as error:
        raise jobs.JobFailure(str(error)) from error
    if not job.applied:
        _finish(job)
    return job


def _record_reading(job: FinessImport, extract: Extract) -> None:
    job.extraction_date = extract.extraction_date
    job.rejected = len(extract.rejections)
    job.rejections = [{"line": line, "reason": reason} for line, reason in extract.rejections]
    job.unknown_categories = sorted(extract.unknown_categories.values(), key=lambda c: c["code"])


REPORT_FIELDS = [
    "extraction_date", "applied", "created", "updated", "unchanged", "deactivated", "rejected",
    "rejections", "unknown_categories", "message", "active_before", "absent", "closed_members",
    "stopped",
]  # fmt: skip


def deactivation_refusal(job: FinessImport) -> str:
    """Why an import stopped before writing, in French, with its counts ("" when it did not)."""
    if not job.stopped:
        return ""
    return (
        f"Import arrêté avant toute écriture : cet extrait ne contient plus "
        f"{job.absent} des {job.active_before} établissements actifs du registre "
        f"({percent(job.absent_share)}), au-delà du seuil de "
        f"{percent(settings.FINESS_MAX_DEACTIVATION_SHARE)} qui signale un extrait partiel. "
        "Importés, ils seraient désactivés (ceux qui sont membres d'un cluster en cours "
        "resteraient membres, signalés fermés). Vérifiez qu'il s'agit bien de l'extrait national "
        "complet avant de confirmer."
    )


def _finish(job: FinessImport) -> FinessImport:
    if not job.message:
        if job.stopped:
            job.message = deactivation_refusal(job)
        elif job.dry_run:
            job.message = "Simulation : rien n'a été écrit."
        elif job.created == job.updated == job.deactivated == 0:
            job.message = "Aucun changement : le registre était déjà à jour avec cet extrait."
        else:
            job.message = "Import terminé : les lignes valides ont été enregistrées."
        if job.closed_members:
            job.message += (
                f" {job.closed_members} établissement(s) absent(s) de l'extrait mais membre(s) "
                "d'un cluster en cours : non désactivé(s), signalé(s) fermé(s) dans FINESS ; "
                "leurs clusters affichent une alerte."
            )
    jobs.finish(job, **{field: getattr(job, field) for field in REPORT_FIELDS})
    return job


def _write(job: FinessImport, extract: Extract) -> bool:
    """Write the extract; False (nothing written) when it no longer lists more than
    FINESS_MAX_DEACTIVATION_SHARE of the active establishments and the job does not allow it."""
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
        # Absent from this (full, not older) extract. A number read on a rejected line is not
        # absent: its establishment stays as it was.
        absent = (
            "NOT EXISTS (SELECT 1 FROM finess_incoming AS i WHERE i.finess = e.finess) "
            "AND NOT (e.finess = ANY(%(rejected)s::varchar[]))"
        )
        params = {
            "rejected": sorted(extract.rejected_numbers),
            "date": extract.extraction_date,
            "geo": extract.has_geolocation,
        }
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE e.finess_closed_on IS NULL AND {absent}) "  # noqa: S608
            f"FROM {table} AS e WHERE e.is_active",
            params,
        )
        job.active_before, job.absent = cursor.fetchone()
        if job.absent_share > settings.FINESS_MAX_DEACTIVATION_SHARE and not job.allow_deactivation:
            job.stopped = True
            cursor.execute("DROP TABLE finess_incoming")
            return False

        compared = ", ".join(f"e.{c}" for c in COLUMNS[1:]) + ", e.is_active, e.finess_closed_on"
        incoming = (
            ", ".join(UPDATE_EXPRESSIONS.get(c, f"i.{c}") for c in COLUMNS[1:])
            + ", true, NULL::date"
        )
        assignments = ", ".join(f"{c} = {UPDATE_EXPRESSIONS.get(c, f'i.{c}')}" for c in COLUMNS[1:])
        cursor.execute(
            f"UPDATE {table} AS e SET {assignments}, is_active = true, "  # noqa: S608
            "finess_closed_on = NULL "
            f"FROM finess_incoming AS i WHERE e.finess = i.finess "
            f"AND ({compared}) IS DISTINCT FROM ({incoming})",
            params,
        )
        job.updated = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(COLUMNS)}, is_active) "  # noqa: S608
            f"SELECT {', '.join(f'i.{c}' for c in COLUMNS)}, true FROM finess_incoming AS i "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} AS e WHERE e.finess = i.finess)"
        )
        job.created = cursor.rowcount
        # A member of a running cluster is never deactivated: it stays active and a member,
        # marked closed, and its cluster page and the ARS home page show a warning.
        in_running_cluster = _in_running_cluster_sql()
        cursor.execute(
            f"UPDATE {table} AS e SET finess_closed_on = %(date)s "  # noqa: S608
            f"WHERE e.is_active AND e.finess_closed_on IS NULL AND {absent} "
            f"AND {in_running_cluster}",
            params,
        )
        job.closed_members = cursor.rowcount
        # Every other absent establishment: inactive (never deleted: it may be a past member).
        cursor.execute(
            f"UPDATE {table} AS e SET is_active = false, "  # noqa: S608
            "finess_closed_on = COALESCE(e.finess_closed_on, %(date)s) "
            f"WHERE e.is_active AND {absent} AND NOT {in_running_cluster}",
            params,
        )
        job.deactivated = cursor.rowcount
        job.unchanged = len(extract.rows) - job.created - job.updated
        cursor.execute("DROP TABLE finess_incoming")
    return True


def _in_running_cluster_sql() -> str:
    """SQL: establishment `e` has an active membership of a cluster that is not closed. The
    tables are reached through the model's reverse relation: this app imports no upper app."""
    membership = Establishment._meta.get_field("memberships").related_model
    cluster = membership._meta.get_field("cluster").related_model
    return (
        f"EXISTS (SELECT 1 FROM {membership._meta.db_table} AS m "  # noqa: S608
        f"JOIN {cluster._meta.db_table} AS c ON c.id = m.cluster_id "
        "WHERE m.establishment_id = e.id AND m.withdrawn_on IS NULL "
        f"AND c.status <> '{CLOSED_CLUSTER_STATUS}')"
    )


CLOSED_CLUSTER_STATUS = "cloture"  # clusters.models.Cluster.Status.CLOTURE


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


def confirm_finess_import(*, job: FinessImport, by) -> FinessImport | None:
    """The confirmation step of the upload page: import again the file of `job`, which stopped
    before writing because of the deactivation threshold, this time allowing the deactivations.
    A new import (recorded by the audit log, with who confirmed and which import it confirms);
    None when `job` does not await a confirmation (already confirmed, or not stopped)."""
    check_rule(by, "establishments.import_finess")
    with transaction.atomic():
        locked = FinessImport.objects.select_for_update().get(pk=job.pk)
        if not locked.awaits_confirmation:
            return None
        confirmation = FinessImport.objects.create(
            source=FinessImport.Source.UPLOAD,
            file=locked.file.name,  # the same stored file, read again by the worker
            original_name=locked.original_name,
            strict=locked.strict,
            allow_deactivation=True,
            confirmed_from=locked,
            requested_by=by,
        )
        audit_log.info(
            "finess_import_confirmed user=%s import=%s confirmation=%s absent=%s active=%s",
            by.username,
            locked.pk,
            confirmation.pk,
            locked.absent,
            locked.active_before,
        )
        jobs.enqueue_on_commit(confirmation)
    return confirmation


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


def import_finess_command(
    *, data: bytes, name: str, dry_run: bool, strict: bool, allow_deactivation: bool = False
) -> FinessImport:
    """The `import_finess` command: the same job, run in the command's process."""
    job = FinessImport.objects.create(
        source=FinessImport.Source.COMMAND,
        original_name=name[:255],
        dry_run=dry_run,
        strict=strict,
        allow_deactivation=allow_deactivation,
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


# --- Retention of uploaded extracts ------------------------------------------------------------


def delete_old_finess_files(*, before) -> int:
    """Delete the uploaded extracts of imports created before `before` (a datetime) and clear
    their `file` (the import's report stays). Returns how many files were deleted. A confirmed
    import shares its file with the import it confirms: the name is deleted once."""
    old = FinessImport.objects.filter(created_at__lt=before).exclude(file="")
    names = set(old.values_list("file", flat=True))
    storage = FinessImport._meta.get_field("file").storage
    for name in names:
        storage.delete(name)  # no error when it is already gone
    # `file` is not an audited field of FinessImport: a set-based update is recorded nowhere
    # else than here, and needs not be.
    FinessImport.objects.filter(file__in=names).update(file="")
    return len(names)
