from django.core.management.base import BaseCommand

from programme.statistics import recount_figures


class Command(BaseCommand):
    help = (
        "Recompte les chiffres du programme tenus par la base (après un chargement qui a "
        "contourné ses déclencheurs) et dit combien de lignes différaient."
    )

    def handle(self, *args, **options):
        changed = recount_figures()
        if changed:
            self.stdout.write(f"Chiffres recomptés : {changed} ligne(s) corrigée(s).")
        else:
            self.stdout.write("Chiffres recomptés : ils étaient à jour.")
