from django.core.management.base import BaseCommand

from organisation import demo


class Command(BaseCommand):
    help = "Print the two-factor code the demo accounts' authenticator shows now."

    def handle(self, *args, **options):
        self.stdout.write(demo.current_code())
