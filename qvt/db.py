"""Database helpers every app may use (this module imports no app)."""

from django.db import connection


def analyze(*models) -> None:
    """Refresh the planner's statistics of the tables of `models` after a bulk load.

    Autovacuum analyses a table some time after it changed; until then the planner may believe
    a freshly loaded table is empty and pick a plan that runs for minutes. ANALYZE works inside
    a transaction (it sees the transaction's own rows), so loaders call this before committing.
    """
    tables = sorted({model._meta.db_table for model in models})
    if tables:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
