from django.core.management.base import BaseCommand, CommandError

from clusters.models import Wave
from programme import exports
from programme.statistics import dashboard_figures


class Command(BaseCommand):
    help = "Exporte la synthèse nationale (CSV, XLSX ou JSON), ou le détail des participations."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "xlsx", "json"], default="json")
        parser.add_argument("--wave", help="code de la vague (toutes par défaut)")
        parser.add_argument(
            "--detail", action="store_true", help="détail des participations (CSV ou XLSX)"
        )
        parser.add_argument("-o", "--output", help="fichier de sortie (sortie standard sinon)")

    def handle(self, *args, **options):
        fmt, wave = options["format"], options["wave"]
        if wave and not Wave.objects.filter(code=wave).exists():
            raise CommandError(f"La vague « {wave} » n'existe pas.")
        if fmt == "xlsx" and not options["output"]:
            raise CommandError("Le format XLSX s'écrit dans un fichier : précisez -o FICHIER.")
        # The command runs with the whole country's view, as a national reader.
        reader = _NationalReader()
        if options["detail"]:
            if fmt == "json":
                raise CommandError("Le détail des participations s'exporte en CSV ou en XLSX.")
            if fmt == "xlsx":
                scope = {"national": True, "label": "Toutes les régions", "region_codes": []}
                detail = exports.detail_xlsx_file(
                    user=reader, wave_code=wave, by="commande", scope=scope
                )
            else:
                detail = exports.detail_csv_file(user=reader, wave_code=wave, by="commande")
            chunks = iter(lambda: detail.read(1 << 16), b"")
        else:
            summary, breakdowns = dashboard_figures(user=reader, wave_code=wave)
            scope = exports.scope_of(summary, national=True)
            chunks = [
                exports.export_summary(
                    figures=(summary, breakdowns),
                    fmt=fmt,
                    scope=scope,
                    wave_code=wave,
                    by="commande",
                )
            ]
        if options["output"]:
            with open(options["output"], "wb") as output:
                for chunk in chunks:
                    output.write(chunk)
            self.stderr.write(f"Export écrit dans {options['output']}")
        else:
            for chunk in chunks:
                self.stdout.write(chunk.decode("utf-8"), ending="")


class _NationalRoles:
    sees_everything = True
    is_national = True
    region_ids = frozenset()


class _NationalReader:
    """The command's reader: it sees every region, like a national reader (no account needed);
    `visible_to` only looks at `roles`."""

    is_authenticated = True
    roles = _NationalRoles()
