#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qvt.settings")
    from django.core.management import execute_from_command_line

    from qvt.no_database import DatabaseNotConfigured

    try:
        execute_from_command_line(sys.argv)
    except DatabaseNotConfigured as error:
        sys.exit(str(error))  # one line, no traceback: the fix is in the message
