from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programme import services


class Command(BaseCommand):
    help = (
        "Importe des clusters passés depuis un CSV (« ; ») ou un XLSX aux colonnes "
        "vague;region;cluster;thematiques;finess. Tout ou rien : au moindre rejet, rien n'est "
        "enregistré."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="fichier CSV ou XLSX")
        parser.add_argument("--dry-run", action="store_true", help="vérifie sans rien enregistrer")
        parser.add_argument(
            "--create-waves",
            action="store_true",
            help="crée les vagues inconnues (vagues passées : leurs clusters sont clôturés)",
        )

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            lines = services.read_lines(path.read_bytes(), path.name)
        except services.ImportFileError as error:
            raise CommandError(str(error)) from error
        report = services.import_clusters(
            lines=lines,
            by=None,
            dry_run=options["dry_run"],
            create_waves=options["create_waves"],
        )
        for number, reason in report.errors:
            self.stderr.write(f"Ligne {number} : {reason}")
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} rejet(s) : rien n'a été enregistré. Corrigez le fichier "
                "puis relancez."
            )
        prefix = "Simulation, rien n'a été enregistré. " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}Clusters créés : {len(report.created_clusters)} ; participations créées : "
            f"{report.created_memberships} ; clusters déjà présents, inchangés : "
            f"{len(report.unchanged_clusters)} ; vagues créées : "
            f"{', '.join(report.created_waves) or 'aucune'}."
        )
