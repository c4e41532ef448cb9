"""Small helpers every app's tests share: moments in the portal's time zone."""

import datetime as dt

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
