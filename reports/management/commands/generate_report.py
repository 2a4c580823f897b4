from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clusters.models import Cluster, Wave
from establishments.models import Region
from reports import services
from reports.models import ReportJob


class Command(BaseCommand):
    help = (
        "Génère un rapport PDF sans passer par le worker : "
        "cluster <id> | region <code> --wave <code> | national [--wave <code>]."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=[k.value for k in ReportJob.Kind])
        parser.add_argument("target", nargs="?", help="id du cluster ou code INSEE de la région")
        parser.add_argument("--wave", help="code de la vague")
        parser.add_argument("-o", "--output", required=True, help="fichier PDF à écrire")

    def handle(self, *args, kind, target, wave, output, **options):
        try:
            wave_obj = Wave.objects.get(code=wave) if wave else None
            if kind == "cluster":
                if not target:
                    raise CommandError("Indiquez l'identifiant du cluster.")
                targets = {"cluster": Cluster.objects.get(pk=int(target))}
            elif kind == "region":
                if not (target and wave_obj):
                    raise CommandError("Indiquez le code de la région et --wave.")
                targets = {"region": Region.objects.get(code=target), "wave": wave_obj}
            else:
                targets = {"wave": wave_obj}
        except (Cluster.DoesNotExist, Region.DoesNotExist, Wave.DoesNotExist, ValueError) as e:
            raise CommandError(f"Cible introuvable : {e}") from e
        try:
            rendered = services.build_report_pdf(kind=kind, **targets)
        except ValidationError as refusal:
            raise CommandError(" ".join(refusal.messages)) from refusal
        with open(output, "wb") as handle:
            handle.write(rendered.content)
        self.stdout.write(f"{output} : {rendered.page_count} pages.")
