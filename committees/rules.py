"""The statutory clocks and wordings of committee business, as pure functions of dates and
values.

- Access to Information (Local Government Act 1972, s.100B): an agenda and its reports are
  open to the public at least five clear working days before the meeting. "Clear" days leave
  out the day of publication and the day of the meeting; Saturdays, Sundays and England and
  Wales bank holidays are not working days.
- Key decisions (Local Authorities (Executive Arrangements) (Meetings and Access to
  Information) (England) Regulations 2012): notice on the forward plan at least 28 clear
  days before the decision, unless a general exception or special urgency is recorded.
- Exempt information (Local Government Act 1972, s.100A(4) and Schedule 12A): private
  business names the paragraphs that exempt it, worded one way on every output.
- Page ranges: the agenda prints where each item's papers are in the reports pack
  ("Pages 7 - 20"), as the council's agendas do.
"""

import dataclasses
import datetime as dt
from functools import cache, lru_cache

import holidays
from django.conf import settings

CLEAR_WORKING_DAYS = 5
FORWARD_PLAN_CLEAR_DAYS = 28


@cache
def _bank_holidays(year: int) -> holidays.HolidayBase:
    # England's calendar is the same as Wales's; `holidays` maintains both.
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


@lru_cache(maxsize=4096)  # a pure function of the date; the meetings list asks it per row
def latest_lawful_publication(meeting_date: dt.date) -> dt.date:
    """The last day on which publishing still leaves five clear working days (it may fall on
    a weekend)."""
    day = meeting_date
    clear = 0
    while clear < CLEAR_WORKING_DAYS:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            clear += 1
    return day - dt.timedelta(days=1)


@lru_cache(maxsize=4096)  # a pure function of the date; the meetings list asks it per row
def last_publication_date(meeting_date: dt.date) -> dt.date:
    """The last working day on which Governance Services can publish the agenda:
    13 April 2017 -> 5 April 2017; 20 April 2017 -> 10 April 2017 (Good Friday and Easter
    Monday fall between)."""
    day = latest_lawful_publication(meeting_date)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def clear_working_days_between(published: dt.date, meeting_date: dt.date) -> int:
    day = published + dt.timedelta(days=1)
    count = 0
    while day < meeting_date:
        count += is_working_day(day)
        day += dt.timedelta(days=1)
    return count


def is_late_publication(published: dt.date, meeting_date: dt.date) -> bool:
    return published > latest_lawful_publication(meeting_date)


def forward_plan_in_time(first_published_on: dt.date | None, decision_date: dt.date) -> bool:
    """Published on the forward plan at least 28 clear days before the decision."""
    if first_published_on is None:
        return False
    return (decision_date - first_published_on).days - 1 >= FORWARD_PLAN_CLEAR_DAYS


def required_sign_offs() -> tuple[str, ...]:
    """The approvals a report needs before it can go on a published agenda: configurable
    per council with COMMITTEE_REQUIRED_SIGN_OFFS."""
    return tuple(settings.COMMITTEE_REQUIRED_SIGN_OFFS)


def missing_sign_offs(approved_categories: set[str]) -> list[str]:
    return [c for c in required_sign_offs() if c not in approved_categories]


def exemption_text(paragraphs) -> str:
    """The exemption in words, as every output writes it: "paragraph 3 of Schedule 12A to the
    Local Government Act 1972", "paragraphs 1, 2 and 3 of …" (LGA 1972, s.100A(4)).

    >>> exemption_text([3, 1])
    'paragraphs 1 and 3 of Schedule 12A to the Local Government Act 1972'
    """
    numbers = [str(p) for p in sorted(set(paragraphs))]
    if not numbers:
        return "Schedule 12A to the Local Government Act 1972"
    if len(numbers) == 1:
        which = f"paragraph {numbers[0]}"
    else:
        which = f"paragraphs {', '.join(numbers[:-1])} and {numbers[-1]}"
    return f"{which} of Schedule 12A to the Local Government Act 1972"


def pages_text(start: int | None, end: int | None) -> str:
    """Where an item's papers are in the pack, as the agenda prints it.

    >>> pages_text(7, 20), pages_text(5, 5), pages_text(None, None)
    ('Pages 7 - 20', 'Page 5', '')
    """
    if start is None:
        return ""
    if end in (None, start):
        return f"Page {start}"
    return f"Pages {start} - {end}"


@dataclasses.dataclass(frozen=True)
class Publication:
    """Where a meeting's agenda stands against the five clear working days, worked out once
    (Meeting.publication) for the service that publishes it, the pages that offer it and the
    templates that say when it is due."""

    publish_by: dt.date  # the last working day to publish in time
    published_on: dt.date | None
    late: bool  # publishing now would be late: it needs a reason for urgency
    past: bool  # the meeting has started: too late to publish at all
    cancelled: bool

    @property
    def can_publish(self) -> bool:
        return self.published_on is None and not self.past and not self.cancelled


def publication(
    *, meeting_day: dt.date, today: dt.date, started: bool, published_on, cancelled: bool
) -> Publication:
    """The agenda's publication, from the meeting's day and today (Europe/London):
    a meeting on 13 April 2017 is due by 5 April; published on 6 April it is late."""
    return Publication(
        publish_by=last_publication_date(meeting_day),
        published_on=published_on,
        late=is_late_publication(today, meeting_day),
        past=started,
        cancelled=cancelled,
    )
