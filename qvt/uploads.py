"""Checks shared by uploads: ZIP-based documents (XLSX, DOCX, ODS...), control characters in the
lines of an imported file."""

import re
import zipfile

from django.conf import settings

from qvt.french import file_size


def zip_bomb_refusal(file) -> str | None:
    """A French refusal when the archive declares too many entries or too many bytes once
    expanded (a 1 MiB file can expand to 1 GiB), else None. Reads the central directory only,
    before anything opens or stores the file. The declared sizes are what counts: Python's
    zipfile (and openpyxl through it) never returns more bytes than an entry declares."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return "Ce fichier est illisible (archive endommagée)."
    finally:
        file.seek(0)
    if len(entries) > settings.UPLOAD_ZIP_MAX_ENTRIES:
        return (
            f"Ce fichier contient trop d'éléments ({len(entries)}, "
            f"{settings.UPLOAD_ZIP_MAX_ENTRIES} au plus)."
        )
    expanded = sum(entry.file_size for entry in entries)
    if expanded > settings.UPLOAD_ZIP_MAX_EXPANDED_SIZE:
        return (
            "Ce fichier est trop volumineux une fois décompressé "
            f"({file_size(settings.UPLOAD_ZIP_MAX_EXPANDED_SIZE)} au plus)."
        )
    return None


# C0 controls but tab, line feed and carriage return (a quoted CSV field may hold a line break),
# DEL and the C1 controls: never in a name, a code or a date; NUL breaks PostgreSQL's text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character_refusal(fields) -> str | None:
    """A French reason when one of `fields` (the text cells of one line) holds a control
    character, naming it and its column (1-based), else None."""
    for column, value in enumerate(fields, start=1):
        if not isinstance(value, str):
            continue
        if match := _CONTROL.search(value):
            code = ord(match.group())
            label = "l'octet nul U+0000" if code == 0 else f"le caractère de contrôle U+{code:04X}"
            return (
                f"La ligne contient {label}, interdit, dans la colonne {column} : corrigez le "
                "fichier."
            )
    return None
