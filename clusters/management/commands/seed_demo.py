import os
import secrets

from django.core.management.base import BaseCommand

from clusters import demo


class Command(BaseCommand):
    help = "Charge les données de démonstration (déterministes ; relancer ne change rien)."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or None
        generated = False
        from accounts.models import User

        if password is None and not User.objects.filter(username="admin").exists():
            password = secrets.token_urlsafe(12)
            generated = True
        result = demo.seed(password=password)
        self.stdout.write(f"Clusters créés : {result.created_clusters}")
        self.stdout.write("Comptes de démonstration : " + ", ".join(demo.demo_usernames()))
        if password and generated:
            self.stdout.write(f"Mot de passe (généré, à noter) : {password}")
        elif password:
            self.stdout.write("Mot de passe : celui de la variable DEMO_PASSWORD")
        else:
            self.stdout.write("Mots de passe inchangés (définissez DEMO_PASSWORD pour les fixer).")
