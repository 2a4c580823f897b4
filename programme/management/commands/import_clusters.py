from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programme import services


def _lines_label(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:10])
    more = f"… ; {len(numbers)} lignes" if len(numbers) > 10 else ""
    return f"ligne{'s' if len(numbers) > 1 else ''} {shown}{more}"


class Command(BaseCommand):
    help = (
        "Importe des clusters passés depuis un CSV (« ; ») ou un XLSX aux colonnes "
        "vague;region;cluster;thematiques;finess. Tout ou rien : au moindre rejet, ou tant "
        "qu'une thématique reste inconnue, rien n'est enregistré."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="fichier CSV ou XLSX")
        parser.add_argument("--dry-run", action="store_true", help="vérifie sans rien enregistrer")
        parser.add_argument(
            "--create-waves",
            action="store_true",
            help="crée les vagues inconnues (vagues passées : leurs clusters sont clôturés)",
        )
        parser.add_argument(
            "--create-themes",
            action="store_true",
            help="crée les thématiques qui ne correspondent à aucune thématique existante",
        )
        parser.add_argument(
            "--map-theme",
            action="append",
            default=[],
            metavar="ÉCRITE=EXISTANTE",
            help="lit une thématique du fichier comme une thématique existante, par exemple "
            '"Virage ambulatoire=Virage ambulatoire et chirurgie ambulatoire" (répétable)',
        )

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        theme_map = {}
        for mapping in options["map_theme"]:
            written, sep, target = mapping.partition("=")
            if not sep or not written.strip() or not target.strip():
                raise CommandError(
                    f"--map-theme « {mapping} » : écrivez « thématique du fichier=thématique "
                    "existante »."
                )
            theme_map[written.strip()] = target.strip()
        try:
            lines = services.read_lines(path.read_bytes(), path.name)
        except services.ImportFileError as error:
            raise CommandError(str(error)) from error
        report = services.import_clusters(
            lines=lines,
            by=None,
            dry_run=options["dry_run"],
            create_waves=options["create_waves"],
            create_themes=options["create_themes"],
            theme_map=theme_map,
        )
        for written, theme in sorted(report.matched_themes.items()):
            self.stdout.write(f"Thématique « {written} » lue comme « {theme} ».")
        for number, reason in report.errors:
            self.stderr.write(f"Ligne {number} : {reason}")
        for unknown in report.unknown_themes:
            self.stderr.write(
                f"Thématique inconnue « {unknown.name} » ({_lines_label(unknown.lines)})."
            )
        if report.unknown_themes:
            example = report.unknown_themes[0].name
            self.stderr.write(
                "Pour chaque thématique inconnue, choisissez : "
                f'--map-theme "{example}=<thématique existante>", ou --create-themes pour les '
                "créer."
            )
        if not report.ok:
            problems = []
            if report.errors:
                problems.append(f"{len(report.errors)} rejet(s)")
            if report.unknown_themes:
                problems.append(f"{len(report.unknown_themes)} thématique(s) inconnue(s)")
            raise CommandError(
                f"{' et '.join(problems)} : rien n'a été enregistré. Corrigez le fichier ou "
                "choisissez les thématiques, puis relancez."
            )
        prefix = "Simulation, rien n'a été enregistré. " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}Clusters créés : {len(report.created_clusters)} ; participations créées : "
            f"{report.created_memberships} ; clusters déjà présents, inchangés : "
            f"{len(report.unchanged_clusters)} ; vagues créées : "
            f"{', '.join(report.created_waves) or 'aucune'} ; thématiques créées : "
            f"{', '.join(report.created_themes) or 'aucune'}."
        )
