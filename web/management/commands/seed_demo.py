import logging
import os
import secrets
from contextlib import contextmanager

from django.core.management.base import BaseCommand

from accounts.models import RoleAssignment, User
from clusters.models import Cluster, DelegationContact, Membership, Session, Wave
from establishments.models import Establishment
from experiments.models import Experiment, Indicator, Measurement, Monograph
from web import demo

# What the summary counts, in the order it prints them: (label, model).
KINDS = [
    ("Comptes", User),
    ("Rôles", RoleAssignment),
    ("Vagues", Wave),
    ("Établissements", Establishment),
    ("Clusters", Cluster),
    ("Participations", Membership),
    ("Contacts de délégation", DelegationContact),
    ("Séances", Session),
    ("Expérimentations", Experiment),
    ("Indicateurs", Indicator),
    ("Mesures", Measurement),
    ("Monographies", Monograph),
]


@contextmanager
def security_events_muted():
    """The demo grants 28 roles: one "role_granted" JSON line each would bury the summary,
    which counts them instead (the roles are still recorded in the database)."""
    logger = logging.getLogger("qvt.security")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


class Command(BaseCommand):
    help = "Charge les données de démonstration (déterministes ; relancer ne change rien)."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or None
        generated = False
        if password is None and not User.objects.filter(username="admin").exists():
            password = secrets.token_urlsafe(12)
            generated = True
        before = {label: model.objects.count() for label, model in KINDS}
        with security_events_muted():
            demo.seed(password=password)
        for label, model in KINDS:
            total = model.objects.count()
            self.stdout.write(f"{label} : {total - before[label]} créé(s), {total} au total")
        self.stdout.write("Comptes de démonstration : " + ", ".join(demo.demo_usernames()))
        if password and generated:
            self.stdout.write(f"Mot de passe (généré, à noter) : {password}")
        elif password:
            self.stdout.write("Mot de passe : celui de la variable DEMO_PASSWORD")
        else:
            self.stdout.write("Mots de passe inchangés (définissez DEMO_PASSWORD pour les fixer).")
