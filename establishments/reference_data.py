"""Loads the reference data files of establishments/data/ (used by migrations; idempotent)."""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def load(apps, schema_editor=None) -> None:
    Region = apps.get_model("establishments", "Region")
    Department = apps.get_model("establishments", "Department")
    Organisation = apps.get_model("establishments", "Organisation")
    Category = apps.get_model("establishments", "Category")

    regions = {}
    for row in read_rows("regions.csv"):
        regions[row["code_insee"]], _ = Region.objects.update_or_create(
            code=row["code_insee"], defaults={"name": row["nom"]}
        )
        Organisation.objects.update_or_create(
            name=row["ars"], defaults={"kind": "ars", "region": regions[row["code_insee"]]}
        )
    for row in read_rows("departements.csv"):
        Department.objects.update_or_create(
            code=row["code_insee"],
            defaults={
                "finess_code": row["code_finess"],
                "name": row["nom"],
                # Saint-Pierre-et-Miquelon and Wallis-et-Futuna belong to no ARS region.
                "region": regions.get(row["region_insee"]),
            },
        )
    for row in read_rows("organisations.csv"):
        Organisation.objects.update_or_create(
            name=row["name"],
            defaults={"kind": row["kind"], "region": regions.get(row["region_insee"])},
        )
    for row in read_rows("finess_categories.csv"):
        Category.objects.update_or_create(
            code=row["code"], defaults={"label": row["libelle"], "sector": row["secteur"]}
        )
