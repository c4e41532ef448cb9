"""Subscriptions: iCalendar for meetings (times in Europe/London), Atom for new public papers.
Private business never appears in either."""

import datetime as dt

import pytest
from defusedxml import ElementTree
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from committees.models import MeetingState
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    MeetingFactory,
    OrganizationFactory,
    PaperFactory,
    PrivateAgendaItemFactory,
    PrivatePaperFactory,
    published_meeting,
    published_report,
)
from tests.helpers import at, future

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def events(response) -> dict[str, object]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def atom_entries(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


class TestICalendar:
    def test_one_event_per_meeting_with_london_times_and_a_stable_uid(self, client):
        next_year = timezone.localdate().year + 1
        summer = MeetingFactory(
            name="Cabinet Member for Policy and Leadership",
            start=at(next_year, 7, 13, 14),
            end=at(next_year, 7, 13, 15, 30),
        )
        winter = MeetingFactory(
            name="Audit and Procurement Committee", start=at(next_year, 1, 16, 14), end=None
        )

        found = events(client.get(reverse("committees:meetings_ics")))

        event = found[f"meeting-{summer.pk}@governance-portal"]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert start.tzinfo is not None and str(start.tzinfo) == "Europe/London"
        assert (start.hour, start.minute) == (14, 0)
        assert start == summer.start and end == summer.end
        assert start.utcoffset() == dt.timedelta(hours=1)  # British Summer Time
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        assert str(event["SUMMARY"]) == "Cabinet Member for Policy and Leadership"
        assert str(event["LOCATION"]) == str(summer.location)
        assert str(event["URL"]) == f"http://testserver{summer.get_absolute_url()}"
        assert str(event["STATUS"]) == "CONFIRMED"

        winter_event = found[f"meeting-{winter.pk}@governance-portal"]
        winter_start = winter_event.decoded("DTSTART")
        assert (winter_start.hour, winter_start.utcoffset()) == (14, dt.timedelta(0))
        assert winter_event.decoded("DTEND") == winter.start + dt.timedelta(hours=2)

    def test_the_calendar_carries_the_london_time_zone(self, client):
        MeetingFactory()
        calendar = Calendar.from_ical(client.get(reverse("committees:meetings_ics")).content)
        zones = calendar.walk("VTIMEZONE")
        assert [str(z["TZID"]) for z in zones] == ["Europe/London"]

    def test_cancelled_meetings_are_marked_cancelled(self, client):
        meeting = MeetingFactory(state=MeetingState.CANCELLED, cancellation_reason="No business")
        event = events(client.get(reverse("committees:meetings_ics")))[
            f"meeting-{meeting.pk}@governance-portal"
        ]
        assert str(event["STATUS"]) == "CANCELLED"
        assert "No business" in str(event["DESCRIPTION"])

    def test_the_all_meetings_calendar_covers_the_last_year_and_the_future(self, client):
        recent = MeetingFactory(start=future(-100))
        old = MeetingFactory(start=future(-400))
        found = events(client.get(reverse("committees:meetings_ics")))
        assert f"meeting-{recent.pk}@governance-portal" in found
        assert f"meeting-{old.pk}@governance-portal" not in found

    def test_a_committee_calendar_has_only_that_committees_meetings(self, client):
        audit = OrganizationFactory()
        ours = [
            MeetingFactory(organizations=[audit], start=future(-100)),
            MeetingFactory(organizations=[audit, OrganizationFactory()]),
        ]
        MeetingFactory()
        found = events(client.get(reverse("committees:committee_ics", args=[audit.slug])))
        assert set(found) == {f"meeting-{m.pk}@governance-portal" for m in ours}

    def test_a_committee_calendar_covers_the_last_year_and_the_future(self, client):
        audit = OrganizationFactory()
        recent = MeetingFactory(organizations=[audit], start=future(-360))
        coming = MeetingFactory(organizations=[audit], start=future(800))
        MeetingFactory(organizations=[audit], start=future(-400))
        found = events(client.get(reverse("committees:committee_ics", args=[audit.slug])))
        assert set(found) == {f"meeting-{m.pk}@governance-portal" for m in (recent, coming)}

    def test_one_meeting_to_add_to_a_calendar(self, client):
        meeting = MeetingFactory()
        MeetingFactory()
        response = client.get(reverse("committees:meeting_ics", args=[meeting.pk]))
        assert list(events(response)) == [f"meeting-{meeting.pk}@governance-portal"]
        assert response["Content-Disposition"] == f'attachment; filename="meeting-{meeting.pk}.ics"'

    def test_unknown_meeting_and_committee_are_not_found(self, client):
        assert client.get(reverse("committees:meeting_ics", args=[999999])).status_code == 404
        assert client.get(reverse("committees:committee_ics", args=["nope"])).status_code == 404

    @pytest.mark.parametrize("n", [1, 50])
    def test_costs_a_fixed_number_of_queries(self, client, django_assert_num_queries, n):
        organization = OrganizationFactory()
        for i in range(n):
            MeetingFactory(organizations=[organization, OrganizationFactory()], start=future(i))
        with django_assert_num_queries(1):
            client.get(reverse("committees:meetings_ics"))
        with django_assert_num_queries(2):
            client.get(reverse("committees:committee_ics", args=[organization.slug]))
        one = reverse("committees:meeting_ics", args=[organization.meetings.first().pk])
        with django_assert_num_queries(1):
            client.get(one)


class TestAtom:
    def test_public_papers_on_published_agendas_newest_first(self, client):
        older = published_report(meeting=published_meeting(start=future(20)), title="Older paper")
        newer = published_report(meeting=published_meeting(start=future(40)), title="Newer paper")
        ConsultationFactory(paper=PaperFactory(title="Unpublished paper"))
        private = PrivatePaperFactory()
        ConsultationFactory(
            paper=private, agenda_item=AgendaItemFactory(meeting=published_meeting())
        )
        item = PrivateAgendaItemFactory(meeting=published_meeting())
        ConsultationFactory(paper=PrivatePaperFactory(title="Private on private"), agenda_item=item)

        response = client.get(reverse("committees:papers_atom"))

        entries = atom_entries(response)
        assert [e.find(f"{ATOM}title").text for e in entries] == ["Newer paper", "Older paper"]
        links = [e.find(f"{ATOM}link").get("href") for e in entries]
        assert links == [
            f"http://testserver{newer.get_absolute_url()}",
            f"http://testserver{older.get_absolute_url()}",
        ]
        assert entries[0].find(f"{ATOM}summary").text == newer.executive_summary
        assert entries[0].find(f"{ATOM}published") is not None
        body = response.content.decode()
        assert "EXEMPT" not in body and "Confidential" not in body
        assert "Unpublished paper" not in body

    def test_capped_at_fifty(self, client):
        meeting = published_meeting()
        for _ in range(52):
            published_report(meeting=meeting, with_document=False)
        assert len(atom_entries(client.get(reverse("committees:papers_atom")))) == 50

    def test_a_committee_feed_has_only_that_committees_papers(self, client):
        audit = OrganizationFactory()
        ours = published_report(meeting=published_meeting(organizations=[audit]), title="Ours")
        published_report(title="Theirs")
        response = client.get(reverse("committees:committee_atom", args=[audit.slug]))
        entries = atom_entries(response)
        assert [e.find(f"{ATOM}title").text for e in entries] == [ours.title]
        root = ElementTree.fromstring(response.content)
        assert audit.name in root.find(f"{ATOM}title").text

    def test_unknown_committee_feed_is_not_found(self, client):
        assert client.get(reverse("committees:committee_atom", args=["nope"])).status_code == 404

    def test_feeds_refuse_post(self, client):
        assert client.post(reverse("committees:papers_atom")).status_code == 405

    @pytest.mark.parametrize("n", [1, 50])
    def test_costs_a_fixed_number_of_queries(self, client, django_assert_num_queries, n):
        organization = OrganizationFactory()
        meeting = published_meeting(organizations=[organization])
        for _ in range(n):
            published_report(meeting=meeting)
        with django_assert_num_queries(1):
            client.get(reverse("committees:papers_atom"))
        with django_assert_num_queries(2):
            client.get(reverse("committees:committee_atom", args=[organization.slug]))
