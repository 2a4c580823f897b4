"""What PostgreSQL's statistics collector says about our tables (tests of ANALYZE after loads)."""

from django.db import connection


def analyze_counts(*models) -> dict[str, int]:
    """How many times each model's table was analysed (by ANALYZE or autovacuum)."""
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        # Statistics read once per transaction are cached: read them afresh.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT relname, analyze_count + autoanalyze_count FROM pg_stat_user_tables "
            "WHERE relname = ANY(%s)",
            [tables],
        )
        counts = dict(cursor.fetchall())
    return {table: counts[table] for table in tables}
