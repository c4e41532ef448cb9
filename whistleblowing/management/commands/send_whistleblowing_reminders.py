from django.core.management.base import BaseCommand

from whistleblowing import services


class Command(BaseCommand):
    help = (
        "Remind the handlers of whistleblowing concerns whose written acknowledgement (7 days, "
        "policy paragraph 21) falls due within 2 days or is overdue: once before it falls due "
        "and once when it is overdue. Safe to run as often as you like (run it daily): a "
        "concern already reminded is not reminded again. The e-mail names only the case's "
        "reference and link."
    )

    def handle(self, *args, **options):
        sent = services.remind_acknowledgements()
        self.stdout.write(f"{sent} reminder{'' if sent == 1 else 's'} queued")
