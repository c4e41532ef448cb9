import datetime as dt
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from committees import volume


class Command(BaseCommand):
    help = (
        "Fill an empty, migrated database with council-scale committee data for the "
        "benchmark: at scale 1, 40 committees over 15 years (about 6 000 meetings, 60 000 "
        "agenda items, 30 000 reports). Never in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1 = one council (40 "
                            "committees, 15 years); 10 = ten times that; 0.002 = tiny")  # fmt: skip
        parser.add_argument("--seed", type=int, default=1, help="the same seed (and anchor) "
                            "always gives the same data")  # fmt: skip
        parser.add_argument(
            "--anchor",
            type=dt.date.fromisoformat,
            default=None,
            help="the 'today' the data is built around, YYYY-MM-DD (default: this week's "
            "Monday); meetings run to half a year after it",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="database connections for the text and search phases (default: CPU count)",
        )
        parser.add_argument(
            "--no-vacuum",
            action="store_true",
            help="skip VACUUM (ANALYZE) of the written tables at the end",
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "Volume data is for benchmark databases, never production "
                "(PORTAL_ENV=production). Run it with PORTAL_ENV=development against a "
                "database made for the purpose."
            )
        try:
            summary = volume.generate(
                scale=options["scale"],
                seed=options["seed"],
                anchor=options["anchor"],
                jobs=max(1, options["jobs"]),
                vacuum=not options["no_vacuum"],
                log=lambda line: self.stdout.write(f"  … {line}"),
            )
        except volume.VolumeError as error:
            raise CommandError(str(error)) from None
        for line in summary.lines():
            self.stdout.write(line)
