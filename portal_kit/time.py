"""The portal's one time zone, and the moment a date and a time typed on a form mean."""

import datetime as dt
from zoneinfo import ZoneInfo

# The council's clock, named rather than read from settings: the statutory clocks (clear
# working days, England and Wales bank holidays) and the iCalendar feeds' TZID are London's
# whatever a deployment sets. settings.TIME_ZONE says the same (tests/portal_kit checks it),
# so timezone.localtime() and LONDON never disagree.
LONDON = ZoneInfo("Europe/London")


def at(day: dt.date, time: dt.time) -> dt.datetime:
    """The moment `time` on `day` in London, as the clock on the wall shows it: 2pm on
    13 April 2017 is 13:00 UTC (summer time), 2pm on 16 January 2018 is 14:00 UTC.

    On the two nights a year the clocks change, an hour that never happened (01:30 on the
    last Sunday of March) is read with the offset before the change, so 01:30 GMT (shown as
    2:30 am); an hour that happened twice (01:30 on the last Sunday of October) is the first
    of the two, in summer time."""
    return dt.datetime.combine(day, time, tzinfo=LONDON)
