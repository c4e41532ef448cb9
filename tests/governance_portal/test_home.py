"""The home page: the council's front door for its committees. Everything it lists is what the
visitor may see (committees.policies), at a fixed number of queries, and it leads to search,
the decisions register, the calendar, the feeds and how to take part in a meeting."""

import datetime as dt
import html
import re

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from committees import services
from committees.models import DecisionKind, MeetingState
from committees.services import SCRIPT
from governance_portal import pagecache
from organisation.roles import Role
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    DecisionFactory,
    MeetingFactory,
    OrganizationFactory,
    PaperFactory,
    PrivatePaperFactory,
    published_meeting,
    published_report,
)
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.helpers import future

pytestmark = pytest.mark.django_db

HOME = "/"


def text_of(response) -> str:
    body = re.sub(r"<head>.*?</head>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def section(response, heading_id: str) -> str:
    """The words of the home page's section whose heading has `heading_id`, up to the next
    section heading."""
    body = response.content.decode()
    start = body.index(f'id="{heading_id}"')
    end = body.find('<h2 class="govuk-heading-', start + 1)
    part = body[start : end if end > 0 else None]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", part)).split())


def hrefs(response) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', response.content.decode()))


def first_published(paper, when):
    """As publish_agenda stamps it."""
    type(paper).objects.filter(pk=paper.pk).update(first_published_at=when)
    return paper


class TestNextMeetings:
    def test_lists_the_next_five_meetings_soonest_first_with_links(self, client):
        committee = OrganizationFactory(name="Audit and Procurement Committee")
        meetings = [
            MeetingFactory(organizations=[committee], start=future(days)) for days in (9, 2, 5)
        ]
        for days in (20, 21, 22):
            MeetingFactory(name=f"Later {days}", start=future(days))
        MeetingFactory(name="Held last week", start=future(-7))

        response = client.get(HOME)

        listed = section(response, "next-meetings")
        soonest = [meetings[1], meetings[2], meetings[0]]
        positions = [
            listed.index(f"{timezone.localtime(m.start):%A} {m.start.day}") for m in soonest
        ]
        assert positions == sorted(positions)
        assert "Later 20" in listed and "Later 21" in listed and "Later 22" not in listed
        assert "Held last week" not in listed
        assert {m.get_absolute_url() for m in meetings} <= hrefs(response)

    def test_a_cancelled_meeting_is_tagged_and_no_meetings_is_said_plainly(self, client):
        assert "No meetings are scheduled yet." in section(client.get(HOME), "next-meetings")
        MeetingFactory(
            name="Called off",
            start=future(3),
            state=MeetingState.CANCELLED,
            cancellation_reason="x",
        )
        listed = section(client.get(HOME), "next-meetings")
        assert "Called off Cancelled" in listed


class TestLatestDecisions:
    def test_lists_the_latest_public_decisions_never_private_or_from_draft_minutes(self, client):
        cabinet = OrganizationFactory(name="Cabinet")
        for n in range(6):
            DecisionFactory(
                title=f"Public decision {n}", decision_maker=cabinet, date=dt.date(2017, 4, 1 + n)
            )
        DecisionFactory(title="Kept private", is_public=False, date=dt.date(2017, 5, 1))
        draft = MeetingFactory(published=True, start=future(-3))
        DecisionFactory(
            title="From draft minutes",
            meeting=draft,
            agenda_item=AgendaItemFactory(meeting=draft),
            date=dt.date(2017, 5, 2),
        )
        DecisionFactory(
            title="An officer's decision",
            kind=DecisionKind.OFFICER,
            officer_name="Barry Hastie",
            officer_title="Director of Finance",
            decision_maker=None,
            date=dt.date(2017, 4, 30),
        )

        response = client.get(HOME)

        listed = section(response, "latest-decisions")
        assert "Kept private" not in listed and "From draft minutes" not in listed
        assert listed.index("An officer's decision") < listed.index("Public decision 5")
        assert "30 April 2017: Barry Hastie, Director of Finance" in listed
        assert "6 April 2017: Cabinet" in listed
        for n in (2, 3, 4, 5):
            assert f"Public decision {n}" in listed
        assert "Public decision 1" not in listed  # five at most

    def test_no_decisions_is_said_plainly(self, client):
        DecisionFactory(title="Kept private", is_public=False)
        listed = section(client.get(HOME), "latest-decisions")
        assert "No decisions have been published yet." in listed


class TestNewReports:
    def test_lists_reports_newest_first_by_publication_only_while_the_public_may_read_them(
        self, client
    ):
        now = timezone.now()
        older = first_published(
            published_report(title="Code of Corporate Governance"), now - dt.timedelta(days=8)
        )
        newer = first_published(
            published_report(title="Whistleblowing Policy"), now - dt.timedelta(days=1)
        )
        # Private, though stamped as published (made private later): not listed.
        private = PrivatePaperFactory(title="Bidder prices")
        ConsultationFactory(
            paper=private, agenda_item=AgendaItemFactory(meeting=published_meeting())
        )
        first_published(private, now)
        # On an agenda that is still a draft: not public yet.
        draft = PaperFactory(title="Draft budget")
        ConsultationFactory(paper=draft, agenda_item=AgendaItemFactory(meeting=MeetingFactory()))

        response = client.get(HOME)

        listed = section(response, "new-reports")
        assert listed.index("Whistleblowing Policy") < listed.index("Code of Corporate Governance")
        assert f"Published {timezone.localdate(now - dt.timedelta(days=8)):%-d %B %Y}" in listed
        assert "Bidder prices" not in listed and "Draft budget" not in listed
        assert {older.get_absolute_url(), newer.get_absolute_url()} <= hrefs(response)


class TestCommitteesAndTakingPart:
    def test_lists_the_committees_sitting_now_and_how_to_take_part(self, client):
        ethics = OrganizationFactory(name="Ethics Committee")
        OrganizationFactory(name="Old Panel", end_date=dt.date(2015, 5, 1))

        response = client.get(HOME)

        listed = section(response, "committees")
        assert "Ethics Committee" in listed and "Old Panel" not in listed
        assert ethics.get_absolute_url() in hrefs(response)
        take_part = section(response, "take-part")
        guidance = reverse("committees:taking_part")
        for anchor, words in [
            ("attend", "Attend a meeting"),
            ("questions", "Ask a question at a meeting"),
            ("petitions", "Present a petition"),
            ("filming", "Film, photograph, record and report on a meeting"),
        ]:
            assert words in take_part
            assert f"{guidance}#{anchor}" in hrefs(response)

    def test_search_the_register_the_calendar_and_the_feeds_are_reached_from_the_home_page(
        self, client
    ):
        response = client.get(HOME)
        body = response.content.decode()
        today = timezone.localdate()
        search = re.search(r'<form method="get" action="([^"]+)" role="search"', body)
        assert search and search.group(1) == reverse("committees:search")
        assert 'name="q"' in body
        assert {
            reverse("committees:decisions"),
            reverse("committees:calendar", args=[today.year, today.month]),
            reverse("committees:meetings"),
            reverse("committees:meetings_ics"),
            reverse("committees:papers_atom"),
            reverse("committees:forward_plan"),
            reverse("committees:councillors"),
        } <= hrefs(response)
        head = body.split("</head>")[0]
        calendar, papers = reverse("committees:meetings_ics"), reverse("committees:papers_atom")
        assert (
            f'type="text/calendar" title="All council meetings (iCalendar)" href="{calendar}"'
            in head
        )
        assert (
            f'type="application/atom+xml" title="New committee papers (Atom)" href="{papers}"'
            in head
        )

    @pytest.mark.parametrize(
        ("q", "error"),
        [
            ("", "Enter what you are looking for"),
            ("   ", "Enter what you are looking for"),
            ("budget " * 200, "Search terms must be"),
        ],
    )
    def test_the_home_page_s_search_box_gets_a_govuk_error_for_bad_words(self, client, q, error):
        response = client.get(reverse("committees:search"), {"q": q})
        page = text_of(response)
        assert "There is a problem" in page and error in page
        assert response.content.decode().count(error) >= 2  # summary and field

    def test_hostile_search_words_from_the_home_page_are_escaped(self, client):
        response = client.get(reverse("committees:search"), {"q": "<script>alert(1)</script>"})
        assert response.status_code == 200
        assert b"<script>alert(1)" not in response.content


@pytest.mark.parametrize("n", [1, 20])
def test_the_home_page_costs_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    for i in range(n):
        committee = OrganizationFactory()
        MeetingFactory(organizations=[committee, OrganizationFactory()], start=future(1 + i))
        DecisionFactory(decision_maker=committee)
        first_published(published_report(), timezone.now())
    # next meetings and their decision makers, decisions, reports, committees
    with django_assert_num_queries(5):
        response = client.get(HOME)
    assert response.status_code == 200
    # Each report's meeting is to come too.
    assert len(re.findall(r'class="app-meeting ', response.content.decode())) == min(2 * n, 5)
    assert section(response, "new-reports").count("Published ") == min(n, 5)


def test_signed_in_people_still_get_their_own_page(client):
    sign_in(client, UserFactory(roles=[Role.GOVERNANCE_SERVICES]))
    page = text_of(client.get(HOME))
    assert "Your work" in page and "Governance Services" in page
    assert "Next meetings" not in page


def test_the_home_page_is_cached_for_the_public_and_a_change_shows_at_once(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    caches[pagecache.CACHE_ALIAS].clear()
    meeting = MeetingFactory(name="Budget Council", start=future(5))
    assert "Budget Council" in text_of(client.get(HOME))
    again = client.get(HOME)
    assert again.headers.get("X-Page-Cache") == "hit"

    services.cancel_meeting(
        meeting=meeting, reason="Not quorate", version=meeting.version, actor=SCRIPT
    )

    response = client.get(HOME)
    assert response.headers.get("X-Page-Cache") != "hit"
    assert "Budget Council Cancelled" in section(response, "next-meetings")
