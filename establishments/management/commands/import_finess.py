"""python manage.py import_finess PATH [--dry-run] [--strict]

Prints each rejected line, the unknown categories, then one summary line
`created=<n> updated=<n> unchanged=<n> deactivated=<n> rejected=<n>`.
Exit status: 0 nothing rejected, 1 some lines rejected, 2 unusable file.
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from establishments.models import FinessImport
from establishments.services import import_finess_command


class Command(BaseCommand):
    help = "Importe un extrait FINESS (etalab, cs1100502 ou cs1100507) dans le registre."

    def add_arguments(self, parser):
        parser.add_argument("path", help="fichier d'extraction FINESS")
        parser.add_argument("--dry-run", action="store_true", help="simuler sans rien écrire")
        parser.add_argument(
            "--strict", action="store_true", help="annuler tout l'import si une ligne est rejetée"
        )

    def handle(self, *args, path, dry_run, strict, **options):
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            self.stderr.write(f"Fichier illisible : {path} ({error.strerror}).")
            self.stdout.write(FinessImport().summary)  # every count at 0
            raise SystemExit(2) from error
        job = import_finess_command(data=data, name=Path(path).name, dry_run=dry_run, strict=strict)
        if job.status == FinessImport.Status.FAILED:
            self.stderr.write(job.error)
        for rejection in job.rejections:
            self.stderr.write(f"ligne {rejection['line']} : {rejection['reason']}")
        for category in job.unknown_categories:
            self.stdout.write(
                f"catégorie inconnue {category['code'] or '(vide)'} « {category['label']} » : "
                f"{category['count']} établissement(s) importé(s) avec le secteur « à qualifier »"
            )
        if job.status == FinessImport.Status.DONE:
            self.stdout.write(job.message)
        self.stdout.write(job.summary)
        if job.exit_code:
            raise SystemExit(job.exit_code)
