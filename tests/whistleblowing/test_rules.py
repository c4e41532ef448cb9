import datetime as dt

import pytest

from whistleblowing import rules
from whistleblowing.rules import ClockState


def test_acknowledgement_is_due_seven_calendar_days_after_it_was_raised():
    # Raised on Monday 10 April 2017: due by Monday 17 April (Easter Monday: calendar days).
    assert rules.acknowledge_by(dt.date(2017, 4, 10)) == dt.date(2017, 4, 17)


@pytest.mark.parametrize(
    ("today", "acknowledged", "state", "wording"),
    [
        (dt.date(2017, 4, 11), None, ClockState.DUE, "Acknowledgement due in 6 days"),
        (dt.date(2017, 4, 15), None, ClockState.DUE_SOON, "Acknowledgement due in 2 days"),
        (dt.date(2017, 4, 17), None, ClockState.DUE_SOON, "Acknowledgement due today"),
        (dt.date(2017, 4, 18), None, ClockState.OVERDUE, "Acknowledgement overdue by 1 day"),
        (
            dt.date(2017, 5, 1),
            dt.date(2017, 4, 17),
            ClockState.MET,
            "Acknowledged on time, after 7 days",
        ),
        (
            dt.date(2017, 5, 1),
            dt.date(2017, 4, 10),
            ClockState.MET,
            "Acknowledged on time, the day it was raised",
        ),
        (
            dt.date(2017, 5, 1),
            dt.date(2017, 4, 20),
            ClockState.MISSED,
            "Acknowledged late, after 10 days",
        ),
    ],
)
def test_the_clock(today, acknowledged, state, wording):
    clock = rules.acknowledgement_clock(dt.date(2017, 4, 10), acknowledged, today)
    assert clock.state is state
    assert clock.wording == wording
    assert clock.late == (state in (ClockState.OVERDUE, ClockState.MISSED))


def test_fraud_goes_to_the_chief_internal_auditor_and_the_rest_to_the_monitoring_officer():
    assert rules.route_for("fraud") is rules.Route.CHIEF_INTERNAL_AUDITOR
    for ground in ("criminal_offence", "environment", "not_sure"):
        assert rules.route_for(ground) is rules.Route.MONITORING_OFFICER


@pytest.mark.parametrize(
    ("count", "exact", "shown"),
    [
        (0, False, "0"),
        (1, False, "fewer than 5"),
        (4, False, "fewer than 5"),
        (5, False, "5"),
        (3, True, "3"),
    ],
)
def test_small_numbers_are_not_shown(count, exact, shown):
    assert rules.shown_count(count, exact=exact) == shown


def test_the_financial_year():
    assert rules.financial_year(dt.date(2017, 3, 31)) == (dt.date(2016, 4, 1), dt.date(2017, 3, 31))
    assert rules.financial_year(dt.date(2017, 4, 1)) == (dt.date(2017, 4, 1), dt.date(2018, 3, 31))
