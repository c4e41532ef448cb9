"""The clocks and wordings of the Whistleblowing Policy (2017), as pure functions of dates and
values. Paragraph numbers are the policy's.

- Acknowledgement (21): every concern is acknowledged in writing within 7 days of being
  raised: that it was received, a summary of it, and who is dealing with it. Days are
  calendar days (the 2007 policy said 3; the 2017 policy says 7, without "working"). A concern
  raised on 10 April is due by the end of 17 April, London time.
- Routing: fraud or financial irregularity goes to the Chief Internal Auditor, every other
  concern to the Monitoring Officer (the 2007 policy, 1.5 and 4.1; the 2017 policy, 11, names
  both).
- Reporting (29): the annual report names nobody and shows a count under five as "fewer than
  5", so that a small number cannot point to a person.
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


def shown_count(count: int, *, exact: bool = False) -> str:
    """A count as the annual report and the dashboards show it: "fewer than 5" for 1 to 4
    unless the reader may see exact numbers (the Monitoring Officer)."""
    if exact or count == 0 or count >= SMALL_NUMBER:
        return str(count)
    return f"fewer than {SMALL_NUMBER}"


def erase_content_on(closed: dt.date, retention_days: int) -> dt.date:
    return closed + dt.timedelta(days=retention_days)


def financial_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The council's year (1 April to 31 March) that `day` falls in: the annual report's."""
    start_year = day.year if day.month >= 4 else day.year - 1
    return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)
