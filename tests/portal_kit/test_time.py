"""The portal's one time zone, and the moment a date and a time typed on a form mean, on
either side of the clock change."""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from portal_kit.time import LONDON, at


def elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Real time between two moments (Python subtracts two times in one zone by the wall
    clock)."""
    return end.astimezone(dt.UTC) - start.astimezone(dt.UTC)


def test_london_is_the_settings_time_zone_so_localtime_agrees():
    assert LONDON.key == "Europe/London" == settings.TIME_ZONE
    assert timezone.get_default_timezone() == LONDON


def test_a_time_on_a_day_is_london_wall_clock_time():
    summer = at(dt.date(2017, 4, 13), dt.time(14))
    winter = at(dt.date(2018, 1, 16), dt.time(14))
    assert summer.astimezone(dt.UTC) == dt.datetime(2017, 4, 13, 13, tzinfo=dt.UTC)
    assert winter.astimezone(dt.UTC) == dt.datetime(2018, 1, 16, 14, tzinfo=dt.UTC)
    assert timezone.localtime(summer).time() == dt.time(14)


def test_the_days_the_clocks_change():
    # 26 March 2017: at 1am GMT the clocks went forward to 2am BST.
    before = at(dt.date(2017, 3, 26), dt.time(0, 30))
    after = at(dt.date(2017, 3, 26), dt.time(14))
    assert before.astimezone(dt.UTC) == dt.datetime(2017, 3, 26, 0, 30, tzinfo=dt.UTC)
    assert after.astimezone(dt.UTC) == dt.datetime(2017, 3, 26, 13, tzinfo=dt.UTC)
    assert elapsed(before, after) == dt.timedelta(hours=12, minutes=30)  # an hour short
    # 29 October 2017: at 2am BST the clocks went back to 1am GMT.
    before = at(dt.date(2017, 10, 29), dt.time(0, 30))
    after = at(dt.date(2017, 10, 29), dt.time(14))
    assert before.astimezone(dt.UTC) == dt.datetime(2017, 10, 28, 23, 30, tzinfo=dt.UTC)
    assert after.astimezone(dt.UTC) == dt.datetime(2017, 10, 29, 14, tzinfo=dt.UTC)
    assert elapsed(before, after) == dt.timedelta(hours=14, minutes=30)  # an hour more


def test_the_hour_that_never_was_and_the_hour_that_was_twice():
    # 01:30 on 26 March 2017 never happened: read with the offset before the change (GMT).
    missing = at(dt.date(2017, 3, 26), dt.time(1, 30))
    assert missing.astimezone(dt.UTC) == dt.datetime(2017, 3, 26, 1, 30, tzinfo=dt.UTC)
    assert missing.astimezone(dt.UTC).astimezone(LONDON).time() == dt.time(2, 30)  # as stored
    # 01:30 on 29 October 2017 happened twice: the first, in summer time.
    twice = at(dt.date(2017, 10, 29), dt.time(1, 30))
    assert twice.astimezone(dt.UTC) == dt.datetime(2017, 10, 29, 0, 30, tzinfo=dt.UTC)
