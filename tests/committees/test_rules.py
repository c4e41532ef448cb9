import dataclasses
import datetime as dt

import pytest

from committees import rules

D = dt.date


@pytest.mark.parametrize(
    ("meeting", "last_day"),
    [
        (D(2017, 4, 13), D(2017, 4, 5)),  # the seed's meeting: published Wednesday 5 April
        (D(2017, 4, 20), D(2017, 4, 10)),  # Good Friday and Easter Monday fall between
        (D(2017, 4, 3), D(2017, 3, 24)),  # a Monday meeting: the Friday before last
        (D(2016, 12, 29), D(2016, 12, 19)),  # Christmas and the substitute holiday on the 27th
        (D(2017, 5, 2), D(2017, 4, 21)),  # after the early May bank holiday
    ],
)
def test_last_publication_date(meeting, last_day):
    assert rules.last_publication_date(meeting) == last_day
    assert rules.is_working_day(last_day)
    assert rules.clear_working_days_between(last_day, meeting) >= 5


@pytest.mark.parametrize(
    "meeting", [D(2017, 4, 13), D(2017, 4, 20), D(2017, 4, 3), D(2016, 12, 29), D(2017, 5, 2)]
)
def test_latest_lawful_publication_leaves_exactly_five_clear_working_days(meeting):
    lawful = rules.latest_lawful_publication(meeting)
    assert rules.clear_working_days_between(lawful, meeting) == 5
    assert rules.clear_working_days_between(lawful + dt.timedelta(days=1), meeting) == 4


def test_publication_on_the_last_day_is_in_time_and_a_day_later_is_late():
    assert not rules.is_late_publication(D(2017, 4, 5), D(2017, 4, 13))
    assert rules.is_late_publication(D(2017, 4, 6), D(2017, 4, 13))
    # Publishing on Sunday 26 March still leaves five clear working days before 3 April.
    assert not rules.is_late_publication(D(2017, 3, 26), D(2017, 4, 3))
    assert rules.is_late_publication(D(2017, 3, 27), D(2017, 4, 3))


def test_bank_holidays_come_from_the_maintained_calendar():
    assert not rules.is_working_day(D(2017, 4, 14))  # Good Friday
    assert not rules.is_working_day(D(2017, 4, 17))  # Easter Monday
    assert not rules.is_working_day(D(2017, 4, 15))  # Saturday
    assert rules.is_working_day(D(2017, 4, 18))


def test_forward_plan_needs_28_clear_days():
    decision = D(2017, 4, 13)
    assert rules.forward_plan_in_time(D(2017, 3, 15), decision)  # 28 clear days between
    assert not rules.forward_plan_in_time(D(2017, 3, 16), decision)
    assert not rules.forward_plan_in_time(None, decision)


def test_required_sign_offs_are_configurable(settings):
    assert rules.missing_sign_offs({"finance", "legal"}) == ["director", "members"]
    settings.COMMITTEE_REQUIRED_SIGN_OFFS = ["legal"]
    assert rules.missing_sign_offs({"finance"}) == ["legal"]


class TestWordings:
    def test_an_exemption_is_worded_one_way(self):
        assert rules.exemption_text([3]) == (
            "paragraph 3 of Schedule 12A to the Local Government Act 1972"
        )
        assert rules.exemption_text([3, 1, 3]) == (
            "paragraphs 1 and 3 of Schedule 12A to the Local Government Act 1972"
        )
        assert rules.exemption_text([1, 2, 7]).startswith("paragraphs 1, 2 and 7 of")

    def test_a_page_range_is_printed_as_the_agenda_prints_it(self):
        assert rules.pages_text(7, 20) == "Pages 7 - 20"
        assert rules.pages_text(5, 5) == rules.pages_text(5, None) == "Page 5"
        assert rules.pages_text(None, None) == ""


class TestPublication:
    def test_13_april_2017_is_due_by_5_april_and_late_after(self):
        on_time = rules.publication(
            meeting_day=dt.date(2017, 4, 13),
            today=dt.date(2017, 4, 5),
            started=False,
            published_on=None,
            cancelled=False,
        )
        late = dataclasses.replace(on_time, late=True)
        assert on_time.publish_by == dt.date(2017, 4, 5)
        assert not on_time.late and on_time.can_publish
        assert (
            rules.publication(
                meeting_day=dt.date(2017, 4, 13),
                today=dt.date(2017, 4, 6),
                started=False,
                published_on=None,
                cancelled=False,
            )
            == late
        )

    def test_nothing_can_be_published_once_published_started_or_cancelled(self):
        base = {"meeting_day": dt.date(2017, 4, 13), "today": dt.date(2017, 4, 1)}
        assert not rules.publication(
            **base, started=False, published_on=dt.date(2017, 4, 1), cancelled=False
        ).can_publish
        assert not rules.publication(
            **base, started=True, published_on=None, cancelled=False
        ).can_publish
        assert not rules.publication(
            **base, started=False, published_on=None, cancelled=True
        ).can_publish
