"""python manage.py import_finess PATH [--dry-run] [--strict] [--allow-deactivation]

Prints each rejected line, the unknown categories, the members of running clusters that the
extract no longer lists (kept as members, marked closed), then one summary line
`created=<n> updated=<n> unchanged=<n> deactivated=<n> rejected=<n>`.
Exit status: 0 nothing rejected, 1 some lines rejected, 2 unusable file, 3 stopped before
writing because the extract would deactivate more than FINESS_MAX_DEACTIVATION_SHARE of the
active establishments (a partial extract, most likely; --allow-deactivation to import it anyway).
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from establishments.models import Establishment, FinessImport
from establishments.services import import_finess_command


class Command(BaseCommand):
    help = "Importe un extrait FINESS (etalab, cs1100502 ou cs1100507) dans le registre."

    def add_arguments(self, parser):
        parser.add_argument("path", help="fichier d'extraction FINESS")
        parser.add_argument("--dry-run", action="store_true", help="simuler sans rien écrire")
        parser.add_argument(
            "--strict", action="store_true", help="annuler tout l'import si une ligne est rejetée"
        )
        parser.add_argument(
            "--allow-deactivation",
            action="store_true",
            help="importer même si l'extrait désactiverait plus que FINESS_MAX_DEACTIVATION_SHARE "
            "des établissements actifs (sinon : arrêt avant écriture, code de sortie 3)",
        )

    def handle(self, *args, path, dry_run, strict, allow_deactivation, **options):
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            self.stderr.write(f"Fichier illisible : {path} ({error.strerror}).")
            self.stdout.write(FinessImport().summary)  # every count at 0
            raise SystemExit(2) from error
        job = import_finess_command(
            data=data,
            name=Path(path).name,
            dry_run=dry_run,
            strict=strict,
            allow_deactivation=allow_deactivation,
        )
        if job.status == FinessImport.Status.FAILED:
            self.stderr.write(job.error)
        for rejection in job.rejections:
            self.stderr.write(f"ligne {rejection['line']} : {rejection['reason']}")
        for category in job.unknown_categories:
            self.stdout.write(
                f"catégorie inconnue {category['code'] or '(vide)'} « {category['label']} » : "
                f"{category['count']} établissement(s) importé(s) avec le secteur « à qualifier »"
            )
        if job.stopped:
            self.stderr.write(job.message)
            self.stderr.write(
                "Pour importer quand même cet extrait : relancez avec --allow-deactivation."
            )
        elif job.status == FinessImport.Status.DONE:
            if job.applied and job.closed_members:
                self._list_closed_members(job)
            self.stdout.write(job.message)
        self.stdout.write(job.summary)
        if job.exit_code:
            raise SystemExit(job.exit_code)

    def _list_closed_members(self, job: FinessImport) -> None:
        closed = Establishment.objects.filter(
            is_active=True, finess_closed_on=job.extraction_date
        ).order_by("short_name", "finess")
        for establishment in closed:
            self.stdout.write(
                f"membre d'un cluster en cours, absent de l'extrait : {establishment} reste "
                "membre, signalé fermé dans FINESS"
            )
