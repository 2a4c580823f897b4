from django.core.management.base import BaseCommand

from reports import services


class Command(BaseCommand):
    help = (
        "Renvoie au worker les rapports restés en attente (Redis indisponible lors de la "
        "demande) et remet en attente ceux bloqués « en cours » au-delà du temps imparti."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=30,
            help="ne renvoyer que les demandes de plus de N secondes (défaut : 30)",
        )

    def handle(self, *args, older_than, **options):
        sent = services.requeue_pending_jobs(older_than=older_than)
        self.stdout.write(f"Rapports renvoyés au worker : {len(sent)}")
