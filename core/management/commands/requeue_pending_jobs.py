from django.core.management.base import BaseCommand

from core import jobs


class Command(BaseCommand):
    help = (
        "Renvoie au worker les tâches de fond restées en attente (service de calcul indisponible "
        "lors de la demande) et remet en attente celles dont le worker s'est arrêté en cours "
        "de route (ce que la tâche périodique fait chaque minute)."
    )

    def handle(self, *args, **options):
        sent = jobs.requeue_stalled_jobs()
        self.stdout.write(f"Tâches renvoyées au worker : {len(sent)}")
        for job in sent:
            self.stdout.write(f"  {job._meta.verbose_name} n° {job.pk}")
