"""Checks shared by every upload of a ZIP-based document (XLSX, DOCX, ODS...)."""

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
