"""Small helpers every app's tests share: moments in the portal's time zone, a page's words."""

import datetime as dt
import html
import re

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
