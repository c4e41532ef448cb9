from django.core.management.base import BaseCommand

from organisation.services import sync_roles


class Command(BaseCommand):
    help = "Create the roles of organisation/roles.py as groups with exactly their permissions."

    def handle(self, *args, **options):
        created = sync_roles()
        self.stdout.write(f"Roles up to date ({len(created)} created).")
