"""Fixtures of the establishment tests: the FINESS samples of tests/data and generated extracts."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from establishments.finess import with_luhn_key

# Inside the repository: a fresh clone runs the tests with nothing beside it.
DATA = Path(__file__).resolve().parents[1] / "data"
SYNTHETIC = DATA / "finess_sample_synthetic.csv"
ERRORS = DATA / "finess_sample_errors.csv"
SUMMARY_FIELDS = ("created", "updated", "unchanged", "deactivated", "rejected")


def structure(finess: str, **values) -> list[str]:
    """The 32 fields of a structureet line; keyword arguments replace the defaults."""
    fields = {
        "nofinessej": with_luhn_key("75000000"),
        "rs": "EHPAD LES LILAS",
        "rslongue": "",
        "complrs": "",
        "compldistrib": "",
        "numvoie": "12",
        "typvoie": "R",
        "voie": "DES LILAS",
        "compvoie": "",
        "lieuditbp": "",
        "commune": "112",
        "departement": "75",
        "libdepartement": "PARIS",
        "ligneacheminement": "75012 PARIS",
        "telephone": "0100000000",
        "telecopie": "",
        "categetab": "500",
        "libcategetab": "Etablissement d'hébergement pour personnes âgées dépendantes",
        "categagretab": "4401",
        "libcategagretab": "Etablissements d'Hébergement pour Personnes Âgées",
        "siret": "",
        "codeape": "",
        "codemft": "03",
        "libmft": "Tarif",
        "codesph": "",
        "libsph": "",
        "dateouv": "2001-01-01",
        "dateautor": "2001-01-01",
        "datemaj": "2026-04-01",
        "numuai": "",
    }
    unknown = set(values) - set(fields)
    assert not unknown, unknown
    fields.update(values)
    return ["structureet", finess, *fields.values()]


def geolocation(finess: str, x="652000.5", y="6862000.25") -> list[str]:
    return [
        "geolocalisation", finess, x, y,
        "1,ATLASANTE,96,BAN,EPSG:2154 RGF93 / Lambert-93 (Métropole)", "2026-05-04",
    ]  # fmt: skip


def write_extract(path: Path, records, *, date="2026-05-12", encoding="utf-8") -> Path:
    """An extract file: the etalab header, then `records` (lists of fields, or raw strings)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["finess", "etalab", "111", date])
    for record in records:
        if isinstance(record, str):
            buffer.write(record + "\n")
        else:
            writer.writerow(record)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


class ImportRun:
    def __init__(self, code, stdout, stderr):
        self.code, self.stdout, self.stderr = code, stdout, stderr
        self.summary_line = stdout.strip().splitlines()[-1]
        self.counts = dict(
            (key, int(value))
            for key, value in (item.split("=") for item in self.summary_line.split())
        )


@pytest.fixture
def import_finess(db):
    """Run `manage.py import_finess` and return its exit code, outputs and counts."""

    def run(path, *options) -> ImportRun:
        stdout, stderr = io.StringIO(), io.StringIO()
        try:
            call_command("import_finess", str(path), *options, stdout=stdout, stderr=stderr)
            code = 0
        except SystemExit as exit_:
            code = exit_.code
        return ImportRun(code, stdout.getvalue(), stderr.getvalue())

    return run


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a temporary folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }
    return tmp_path / "media"
