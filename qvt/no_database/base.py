from django.db.backends.postgresql import base

from qvt.no_database import DatabaseNotConfigured


class DatabaseWrapper(base.DatabaseWrapper):
    """PostgreSQL's backend (same features and SQL, so checks and migrations files are judged as
    on the real one) that refuses to connect."""

    def get_connection_params(self):
        raise DatabaseNotConfigured()
