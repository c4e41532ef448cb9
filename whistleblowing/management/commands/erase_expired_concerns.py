from django.conf import settings
from django.core.management.base import BaseCommand

from whistleblowing import services


class Command(BaseCommand):
    help = (
        "Erase the words and files of whistleblowing concerns closed longer ago than "
        "WHISTLEBLOWING_RETENTION_DAYS, and their receipt codes; their dates, ground, status "
        "and outcome stay for the register and the annual report. Run it daily."
    )

    def handle(self, *args, **options):
        days = settings.WHISTLEBLOWING_RETENTION_DAYS
        erased = services.erase_expired_content(retention_days=days)
        self.stdout.write(
            f"{erased} concern{'' if erased == 1 else 's'} erased (closed over {days} days ago)"
        )
