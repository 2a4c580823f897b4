from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from web.personal_data import (
    purge_deleted_contacts_from_audit,
    purge_expired_contacts,
    retention_limit,
)


class Command(BaseCommand):
    help = (
        "Supprime les contacts des délégations des clusters clôturés depuis plus de "
        "CONTACT_RETENTION_YEARS ans et efface leurs valeurs du journal des modifications, "
        "ainsi que celles des contacts supprimés depuis (nom, courriel, téléphone, y compris "
        "quand d'autres objets les mentionnent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Compte sans rien supprimer.")

    def handle(self, *args, dry_run=False, **options):
        today = timezone.localdate()
        years = settings.CONTACT_RETENTION_YEARS
        count = purge_expired_contacts(today=today, retention_years=years, dry_run=dry_run)
        deleted = purge_deleted_contacts_from_audit(dry_run=dry_run)
        limit = retention_limit(today=today, years=years)
        verb = "à supprimer" if dry_run else "supprimés"
        self.stdout.write(
            f"{count} contact(s) de délégation {verb} "
            f"(clusters clôturés avant le {limit:%d/%m/%Y})."
        )
        verb = "à effacer" if dry_run else "effacés"
        self.stdout.write(
            f"{deleted} contact(s) supprimé(s) auparavant : valeurs {verb} du journal "
            "des modifications."
        )
