"""The clocks and wordings of the Whistleblowing Policy (2017), as pure functions of dates and
values. Paragraph numbers are the policy's.

- Acknowledgement (21): every concern is acknowledged in writing within 7 days of being
  raised: that it was received, a summary of it, and who is dealing with it. Days are
  calendar days (the 2007 policy said 3; the 2017 policy says 7, without "working"). A concern
  raised on 10 April is due by the end of 17 April, London time.
- Routing: fraud or financial irregularity goes to the Chief Internal Auditor, every other
  concern to the Monitoring Officer (the 2007 policy, 1.5 and 4.1; the 2017 policy, 11, names
  both).
- Reporting (27, 29): the Monitoring Officer reports each year to the Audit and Procurement
  Committee, naming nobody and showing a count under five as "fewer than 5", so that a small
  number cannot point to a person; nor can one be worked out from the others (a total less
  the counts shown, a median of a handful of cases): `shown_breakdown`, `shown_median`.
- Retention: a closed concern's content is erased after the council's retention period; its
  dates, ground, status and outcome stay for the register and the annual report.
"""

import dataclasses
import datetime as dt
from enum import StrEnum

ACKNOWLEDGE_WITHIN_DAYS = 7
#: Handlers are reminded this many days before an acknowledgement falls due.
REMIND_DAYS_BEFORE = 2
SMALL_NUMBER = 5
FEWER_THAN = f"fewer than {SMALL_NUMBER}"
#: A count of 5 or more hidden so that the small counts beside it cannot be worked out.
AT_LEAST = f"{SMALL_NUMBER} or more"
#: Whom the annual report goes to (policy 27 and 29), by the decision maker's name.
REPORTED_TO = "Audit and Procurement Committee"


class Route(StrEnum):
    MONITORING_OFFICER = "monitoring_officer"
    CHIEF_INTERNAL_AUDITOR = "chief_internal_auditor"


FRAUD = "fraud"


def route_for(ground: str) -> Route:
    return Route.CHIEF_INTERNAL_AUDITOR if ground == FRAUD else Route.MONITORING_OFFICER


def acknowledge_by(received: dt.date) -> dt.date:
    """The last day on which the written acknowledgement is on time."""
    return received + dt.timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)


def remind_from(received: dt.date) -> dt.date:
    return acknowledge_by(received) - dt.timedelta(days=REMIND_DAYS_BEFORE)


class ClockState(StrEnum):
    DUE = "due"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    MET = "met"
    MISSED = "missed"


@dataclasses.dataclass(frozen=True)
class AcknowledgementClock:
    due: dt.date
    state: ClockState
    #: Days left (negative once overdue), or how many days the acknowledgement took.
    days: int

    @property
    def late(self) -> bool:
        return self.state in (ClockState.OVERDUE, ClockState.MISSED)

    @property
    def wording(self) -> str:
        if self.state is ClockState.MET:
            if self.days == 0:
                return "Acknowledged on time, the day it was raised"
            return f"Acknowledged on time, after {_days(self.days)}"
        if self.state is ClockState.MISSED:
            return f"Acknowledged late, after {_days(self.days)}"
        if self.state is ClockState.OVERDUE:
            return f"Acknowledgement overdue by {_days(-self.days)}"
        if self.days == 0:
            return "Acknowledgement due today"
        return f"Acknowledgement due in {_days(self.days)}"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def acknowledgement_clock(
    received: dt.date, acknowledged: dt.date | None, today: dt.date
) -> AcknowledgementClock:
    due = acknowledge_by(received)
    if acknowledged is not None:
        taken = (acknowledged - received).days
        return AcknowledgementClock(
            due, ClockState.MET if acknowledged <= due else ClockState.MISSED, taken
        )
    left = (due - today).days
    if left < 0:
        return AcknowledgementClock(due, ClockState.OVERDUE, left)
    if today >= remind_from(received):
        return AcknowledgementClock(due, ClockState.DUE_SOON, left)
    return AcknowledgementClock(due, ClockState.DUE, left)


class Reminder(StrEnum):
    DUE_SOON = "reminder_due"
    OVERDUE = "reminder_overdue"


def reminder_due(
    received: dt.date, acknowledged: dt.date | None, reminded: dt.date | None, today: dt.date
) -> Reminder | None:
    """The reminder the handlers are sent today about an acknowledgement (policy 21), if any:
    one from `remind_from` until it falls due, and one more once it is overdue. `reminded` is
    the day the last reminder went, so a second run on any day sends nothing again."""
    if acknowledged is not None or today < remind_from(received):
        return None
    due = acknowledge_by(received)
    if today > due:
        return Reminder.OVERDUE if reminded is None or reminded <= due else None
    return Reminder.DUE_SOON if reminded is None else None


def shown_count(count: int, *, exact: bool = False) -> str:
    """A count as the annual report and the dashboards show it: "fewer than 5" for 1 to 4
    unless the reader may see exact numbers (the Monitoring Officer)."""
    if exact or count == 0 or count >= SMALL_NUMBER:
        return str(count)
    return FEWER_THAN


def shown_breakdown(counts: list[int]) -> list[str]:
    """The counts of a breakdown whose total is shown (concerns by ground, by quarter, ...),
    as the annual report shows them: each from 1 to 4 as "fewer than 5"; and while the
    hidden counts add up to fewer than 5 (the total less the counts shown would give one
    away), the smallest count still shown is hidden too, as "5 or more". Zeros are shown."""
    shown = [shown_count(n) for n in counts]
    hidden = sum(n for n, text in zip(counts, shown, strict=True) if text == FEWER_THAN)
    if hidden == 0 or sum(counts) < SMALL_NUMBER:
        return shown  # nothing hidden, or the total itself is "fewer than 5"
    for position in sorted(range(len(counts)), key=lambda i: (counts[i], i)):
        if hidden >= SMALL_NUMBER:
            break
        if counts[position] >= SMALL_NUMBER:
            shown[position] = AT_LEAST
            hidden += counts[position]
    return shown


def shown_median(median: float | None, of: int) -> str:
    """A median number of days, shown only when taken over 5 concerns or more: over fewer,
    it tells how long one case took."""
    if median is None or of == 0:
        return "none"
    if of < SMALL_NUMBER:
        return f"not shown (taken over {FEWER_THAN} concerns)"
    whole = round(median * 2) / 2
    days = f"{whole:g}"
    return "1 day" if days == "1" else f"{days} days"


def erase_content_on(closed: dt.date, retention_days: int) -> dt.date:
    return closed + dt.timedelta(days=retention_days)


def financial_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The council's year (1 April to 31 March) that `day` falls in: the annual report's."""
    start_year = day.year if day.month >= 4 else day.year - 1
    return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)


def financial_year_name(start: dt.date) -> str:
    """2016/17 for the year from 1 April 2016."""
    return f"{start.year}/{(start.year + 1) % 100:02d}"


def financial_quarters(start: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The year's four quarters from `start` (1 April): (name, first day, last day)."""
    year = start.year
    return [
        ("April to June", dt.date(year, 4, 1), dt.date(year, 6, 30)),
        ("July to September", dt.date(year, 7, 1), dt.date(year, 9, 30)),
        ("October to December", dt.date(year, 10, 1), dt.date(year, 12, 31)),
        ("January to March", dt.date(year + 1, 1, 1), dt.date(year + 1, 3, 31)),
    ]
