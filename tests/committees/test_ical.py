"""The iCalendar writer (committees/ical.py) and the feeds written with it: what the
`icalendar` library reads back is what the library itself wrote before (the same events,
fields and time zone), lines are CRLF-terminated and folded at 75 octets without splitting a
UTF-8 sequence, and any title survives the round trip."""

import datetime as dt
import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event

from committees import ical, services
from committees.models import Meeting, MeetingState
from committees.queries.public import CalendarMeeting
from committees.services import SCRIPT
from committees.views.feeds import _calendar_response
from portal_kit.models import ANY_VERSION
from portal_kit.time import LONDON
from tests.committees.factories import LocationFactory, MeetingFactory, OrganizationFactory

#: Every property the feeds write for a meeting.
EVENT_FIELDS = [
    "UID",
    "DTSTAMP",
    "LAST-MODIFIED",
    "SEQUENCE",
    "DTSTART",
    "DTEND",
    "SUMMARY",
    "LOCATION",
    "URL",
    "DESCRIPTION",
    "STATUS",
]
AWKWARD = "Audit, Risk; and \\ Procurement\r\nBEGIN:VEVENT\nÉthique – 委員会 👩🏽‍💼 " * 3


def physical_lines(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n")
    lines = body[:-2].split(b"\r\n")
    for line in lines:
        assert b"\r" not in line and b"\n" not in line  # no bare CR or LF anywhere
    return lines


def assert_well_folded(body: bytes):
    for line in physical_lines(body):
        assert len(line) <= 75, line
        line.decode()  # each physical line is whole UTF-8: no sequence split by a fold


def reference_event(meeting: Meeting, url: str) -> Event:
    """The event as the feeds built it with the icalendar library (before committees/ical)."""
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@governance-portal")
    event.add("dtstamp", meeting.updated_at.astimezone(dt.UTC))
    event.add("last-modified", meeting.updated_at.astimezone(dt.UTC))
    event.add("sequence", meeting.version)
    event.add("dtstart", meeting.start.astimezone(LONDON))
    event.add("dtend", (meeting.end or meeting.start + dt.timedelta(hours=2)).astimezone(LONDON))
    cancelled = meeting.state == MeetingState.CANCELLED
    event.add("summary", f"Cancelled: {meeting.title}" if cancelled else meeting.title)
    if meeting.location is not None:
        event.add("location", str(meeting.location))
    event.add("url", url)
    description = [url]
    if cancelled and meeting.cancellation_reason:
        description.insert(0, f"Cancelled: {meeting.cancellation_reason}")
    event.add("description", "\n\n".join(description))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return Calendar.from_ical(event.to_ical())


def decoded(event, name):
    value = event.decoded(name)
    return value.decode() if isinstance(value, bytes) else value


class TestWriter:
    def test_text_escapes_what_rfc_5545_says_and_drops_other_controls(self):
        value = "a\\b;c,d\r\ne\rf\ng\x00h\x1bi\tj\x7fk"
        assert ical.text(value) == "a\\\\b\\;c\\,d\\ne\\nf\\nghi\tjk"

    def test_one_line_collapses_white_space_and_drops_controls(self):
        assert (
            ical.one_line(" Audit,\r\n  Risk;\x1b\x00 \u2028 and\tmore ") == "Audit, Risk; and more"
        )

    def test_short_lines_are_not_folded(self):
        line = "SUMMARY:" + "x" * 67
        assert ical.fold(line) == line

    def test_long_lines_fold_at_75_octets_and_unfold_to_the_same(self):
        line = "DESCRIPTION:" + "0123456789" * 30
        folded = ical.fold(line)
        parts = folded.split("\r\n")
        assert [len(p) for p in parts[:-1]] == [75] + [75] * (len(parts) - 2)
        assert all(p.startswith(" ") for p in parts[1:])
        assert folded.replace("\r\n ", "") == line

    def test_a_fold_never_splits_a_utf_8_sequence(self):
        for prefix in ("SUMMARY:", "SUMMARY:x", "SUMMARY:xy"):
            line = prefix + "é€😀" * 40
            folded = ical.fold(line)
            assert_well_folded(folded.encode() + b"\r\n")
            assert folded.replace("\r\n ", "") == line

    def test_times(self):
        moment = dt.datetime(2017, 7, 13, 14, 30, 5, 123456, tzinfo=LONDON)
        assert ical.utc(moment) == "20170713T133005Z"
        assert ical.local(moment.astimezone(dt.UTC), LONDON) == "20170713T143005"

    @pytest.mark.parametrize("years", [(2024, 2027), (1939, 1950), (1967, 1973), (2998, 3001)])
    def test_the_time_zone_gives_the_tz_database_s_offsets(self, years):
        first, last = years
        text = ical.vtimezone("Europe/London", first, last)
        assert_well_folded(text.encode())
        zone = Calendar.from_ical(f"BEGIN:VCALENDAR\r\n{text}END:VCALENDAR\r\n").walk("VTIMEZONE")[
            0
        ]
        assert str(zone["TZID"]) == "Europe/London"
        tz = zone.to_tz()
        moment = dt.datetime(first, 1, 1, 12, tzinfo=dt.UTC)
        while moment.year < last:
            wall = moment.astimezone(LONDON).replace(tzinfo=None)
            if not _ambiguous(wall):
                assert tz.utcoffset(wall) == LONDON.utcoffset(wall), moment
            moment += dt.timedelta(hours=11)


def _ambiguous(wall: dt.datetime) -> bool:
    return LONDON.utcoffset(wall.replace(fold=0)) != LONDON.utcoffset(wall.replace(fold=1))


@pytest.mark.django_db
class TestFeedsReadBack:
    def _meetings(self):
        next_year = timezone.localdate().year + 1
        audit = OrganizationFactory(name="Audit, Risk; and Procurement")
        room = LocationFactory(room="Room 1; the \\ annexe", street_address="Earl Street, CV1")
        return [
            MeetingFactory(
                organizations=[audit],
                start=dt.datetime(next_year, 7, 13, 14, tzinfo=LONDON),
                end=dt.datetime(next_year, 7, 13, 15, 30, tzinfo=LONDON),
                location=room,
            ),
            MeetingFactory(
                name=AWKWARD,
                start=dt.datetime(next_year, 1, 16, 10, tzinfo=LONDON),
                end=None,
                location=None,
                state=MeetingState.CANCELLED,
                cancellation_reason="Not quorate,\nso; postponed\\ " + "é" * 60,
            ),
            services.cancel_meeting(
                meeting=MeetingFactory(start=dt.datetime(next_year, 3, 26, 23, tzinfo=dt.UTC)),
                reason="Room unavailable",
                version=ANY_VERSION,
                actor=SCRIPT,
            ),
        ]

    def test_every_event_reads_back_as_the_library_wrote_it(self, client):
        meetings = self._meetings()
        response = client.get(reverse("committees:meetings_ics"))
        assert response.status_code == 200
        assert_well_folded(response.content)
        calendar = Calendar.from_ical(response.content)
        found = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
        assert len(found) == len(meetings)
        for meeting in meetings:
            meeting = Meeting.objects.get(pk=meeting.pk)
            url = f"http://testserver{meeting.get_absolute_url()}"
            ours, theirs = (
                found[f"meeting-{meeting.pk}@governance-portal"],
                reference_event(meeting, url),
            )
            for name in EVENT_FIELDS:
                if name not in theirs:
                    assert name not in ours, name
                    continue
                assert decoded(ours, name) == decoded(theirs, name), name
            for name in ("DTSTART", "DTEND"):
                assert ours[name].params["TZID"] == "Europe/London"
                assert decoded(ours, name).utcoffset() == decoded(theirs, name).utcoffset()
        assert str(calendar["X-WR-TIMEZONE"]) == "Europe/London"
        assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/London"]
        assert str(calendar["VERSION"]) == "2.0" and str(calendar["METHOD"]) == "PUBLISH"

    def test_the_calendar_name_is_one_line_as_written(self, client):
        organization = OrganizationFactory(name="Audit, Risk; and Procurement")
        response = client.get(reverse("committees:committee_ics", args=[organization.slug]))
        lines = physical_lines(response.content)
        assert b"X-WR-CALNAME:Audit, Risk; and Procurement meetings" in lines


#: Any characters (but lone surrogates, which no str from a form holds); often long enough
#: to fold.
ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=40),
    st.text(st.characters(exclude_categories=["Cs"]), min_size=40, max_size=300),
)


def _expected_text(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", value)


@settings(max_examples=100, deadline=None)
@given(title=ANY_TEXT, name=ANY_TEXT, room=ANY_TEXT)
def test_any_text_round_trips_and_no_line_is_longer_than_75_octets(title, name, room):
    meeting = CalendarMeeting(
        pk=7,
        title=title,
        start=dt.datetime(2030, 5, 1, 14, tzinfo=LONDON),
        end=None,
        state=MeetingState.SCHEDULED,
        version=1,
        updated_at=dt.datetime(2030, 4, 1, 9, tzinfo=dt.UTC),
        cancellation_reason="",
        location=room,
    )
    body = _calendar_response(RequestFactory().get("/"), name, [meeting]).content
    assert_well_folded(body)
    unfolded = body.decode().replace("\r\n ", "").split("\r\n")
    for line in unfolded:
        if line.startswith(("SUMMARY:", "LOCATION:")):
            # Every backslash, comma and semicolon in a TEXT value is escaped.
            assert not re.search(r"[,;\\]", re.sub(r"\\.", "", line.partition(":")[2]))
    calendar = Calendar.from_ical(body)
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == _expected_text(title)
    assert str(event["LOCATION"]) == _expected_text(room)
    assert str(event["UID"]) == "meeting-7@governance-portal"
    assert event.decoded("DTSTART") == meeting.start
    assert calendar["X-WR-CALNAME"].to_ical().decode() == ical.one_line(name)
