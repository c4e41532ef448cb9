"""Council-scale data for the benchmark, one module per app:

    python -m bench.volume --scale N [--seed S] [--anchor YYYY-MM-DD] [--jobs J] [--no-vacuum]

fills an empty, migrated database (bench/common.py's `prepare_database` runs it for
`make bench` and `make soak`). It sets Django up with the environment's settings
(DJANGO_SETTINGS_MODULE, by default `governance_portal.settings`, as manage.py does) and
refuses production ones (PORTAL_ENV=production): generated data belongs in a database made
for the benchmark, never in the council's. Called in-process as `main(argv)` where Django is
already set up (the tests), it uses that set-up and its database.

Each app's generator is a module of this package, run in the order of `GENERATORS` with the
same scale, seed, anchor (resolved once here, so every app builds around the same "today"),
jobs and vacuum; each prints its progress as "  … line" and then its summary: committees.py
(its docstring says how it stays fast and what it leaves out), then whistleblowing.py.

To add an app (whistleblowing, infogov, corporate_governance):

1. Write `bench/volume/<app>.py` with the shape of committees.py:

       def generate(*, scale: float, seed: int = 1, anchor: dt.date | None = None,
                    jobs: int = 1, vacuum: bool = False,
                    log: Callable[[str], None] = lambda line: None) -> Summary

   - it fills only its app's tables, which must be empty (raise `VolumeError` otherwise, and
     for a scale that is not more than 0), and may refer to rows of the apps before it in
     `GENERATORS` (read them; do not assume their ids);
   - the same seed and anchor always give the same rows: `random.Random` seeded from `seed`,
     no clock but `anchor`;
   - the returned object's `lines()` gives a first line saying what was generated, then one
     "  name: 1,234" line per kind of row (bench/common.py reads those into the benchmark's
     figures, so give names no other app uses), then "  phase: 1.2 s" lines;
   - with `vacuum`, VACUUM (ANALYZE) the tables it wrote (never inside a transaction).
2. Add "<app>" to `GENERATORS`, after the apps it refers to.
3. Test it at a tiny scale in `tests/bench/test_volume_<app>.py`, as
   tests/bench/test_volume_committees.py does.
"""

import argparse
import datetime as dt
import importlib
import os
import sys

#: bench/volume/<name>.py, run in this order (a later app may refer to an earlier one's rows).
GENERATORS = ["committees", "whistleblowing"]

PROG = "python -m bench.volume"
REFUSAL = (
    "Volume data is for benchmark databases, never production (PORTAL_ENV=production). Run "
    "it with PORTAL_ENV=development against a database made for the purpose."
)


class VolumeError(Exception):
    """A generator refuses: its tables are not empty, or an argument is wrong."""


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Fill an empty, migrated database with council-scale data for the benchmark: at "
            "scale 1, 40 committees over 15 years (about 6 000 meetings, 60 000 agenda items, "
            "30 000 reports). Never in production."
        ),
    )
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
    return parser


def _set_up_django() -> None:
    from django.apps import apps

    if apps.ready:
        return
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance_portal.settings")
    django.setup()


def _refuse(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)
    return 1


def main(argv: list[str] | None = None) -> int:
    """Run every app's generator; 0 when all of them wrote their data, 1 on a refusal."""
    options = parser().parse_args(argv)
    _set_up_django()
    from django.conf import settings
    from django.utils import timezone

    if settings.PRODUCTION:
        return _refuse(REFUSAL)
    today = timezone.localdate()
    anchor = options.anchor or today - dt.timedelta(days=today.weekday())
    for name in GENERATORS:
        module = importlib.import_module(f"{__name__}.{name}")
        try:
            summary = module.generate(
                scale=options.scale,
                seed=options.seed,
                anchor=anchor,
                jobs=max(1, options.jobs),
                vacuum=not options.no_vacuum,
                log=lambda line: print(f"  … {line}", flush=True),
            )
        except VolumeError as error:
            return _refuse(str(error))
        for line in summary.lines():
            print(line, flush=True)
    return 0
