from django.core.management.base import BaseCommand

from whistleblowing import services


class Command(BaseCommand):
    help = (
        "Re-encrypt every sealed whistleblowing value (entries, file descriptions, files) "
        "under the first key of WHISTLEBLOWING_KEYS. Put a new key first, run this, and only "
        "then remove the old key. Safe to run again: values already under the first key are "
        "left alone."
    )

    def handle(self, *args, **options):
        moved = services.reseal_all()
        self.stdout.write(
            f"{moved} value{'' if moved == 1 else 's'} resealed under the current key"
        )
