import json

from django.core.management.base import BaseCommand
from django.core.serializers.json import DjangoJSONEncoder

from web.personal_data import personal_data_of


class Command(BaseCommand):
    help = "Affiche en JSON tout ce que le service détient sur une personne (droit d'accès)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="Adresse électronique de la personne.")

    def handle(self, *args, email, **options):
        data = personal_data_of(email.strip())
        self.stdout.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
