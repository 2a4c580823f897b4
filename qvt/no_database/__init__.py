"""The database "engine" of the settings when no DATABASE_URL is given.

Commands that need no database (`check`, `collectstatic`, `makemigrations`) work; the first
connection raises DatabaseNotConfigured, which manage.py prints as one line. It is an
OperationalError ("the database is unreachable"), which is what callers already handle.
"""

from django.db.utils import OperationalError

MESSAGE = (
    "Aucune base de données configurée : lancez `make services-up` (PostgreSQL et Redis "
    "embarqués) ou définissez DATABASE_URL (voir .env.example)."
)


class DatabaseNotConfigured(OperationalError):
    def __init__(self, message: str = MESSAGE):
        super().__init__(message)
