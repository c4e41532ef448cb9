"""The public face of committees: a committee's next meeting, a councillor's seats, one way of
writing a person's name, and the guidance on attending, asking, petitioning and reporting."""

import datetime as dt
import html
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from committees import rules
from committees.models import AgendaPack, AttendanceStatus, MeetingState, MembershipRole
from committees.pack import build_pack
from tests.committees.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    DeclarationFactory,
    MeetingFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    published_meeting,
)
from tests.helpers import future

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    body = re.sub(r"<head>.*?</head>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def next_meeting_card(response) -> str:
    """The words of the committee page's "Next meeting" card ('' if there is none)."""
    body = response.content.decode()
    if 'id="next-meeting"' not in body:
        return ""
    start = body.index(">", body.index('id="next-meeting"')) + 1
    card = body[start : body.index("</dl>", start)]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", card)).split())


class TestCommitteeNextMeeting:
    def test_the_next_meeting_comes_first_with_its_place_and_agenda(self, client):
        committee = OrganizationFactory(name="Audit and Procurement Committee")
        MeetingFactory(organizations=[committee], start=future(-2), name="Last one")
        MeetingFactory(
            organizations=[committee],
            start=future(3),
            state=MeetingState.CANCELLED,
            cancellation_reason="Not quorate",
        )
        following = published_meeting(organizations=[committee], start=future(40))
        nearest = published_meeting(organizations=[committee], start=future(10))
        MeetingFactory(start=future(1), name="Another committee's")

        response = client.get(committee.get_absolute_url())

        card = next_meeting_card(response)
        local = timezone.localtime(nearest.start)
        assert card.startswith("Next meeting")
        assert f"{local:%A} {local.day} {local:%B %Y}, 2:00 pm" in card
        assert str(nearest.location) in card and "Read the agenda" in card
        assert f'href="{nearest.get_absolute_url()}#agenda"' in response.content.decode()
        page = text_of(response)
        assert page.index("Next meeting") < page.index("Membership")
        assert f"{timezone.localtime(following.start):%A} {following.start.day}" not in card

    def test_an_agenda_to_come_says_by_when_or_that_it_is_late(self, client):
        committee = OrganizationFactory()
        meeting = MeetingFactory(organizations=[committee], start=future(30), location=None)
        card = next_meeting_card(client.get(committee.get_absolute_url()))
        publish_by = rules.last_publication_date(timezone.localdate(meeting.start))
        assert f"To be published by {publish_by.day} {publish_by:%B %Y}" in card
        assert "Place To be confirmed" in card

        meeting.start = future(2)
        meeting.save()
        card = next_meeting_card(client.get(committee.get_absolute_url()))
        assert "Not published yet" in card and "To be published" not in card

    def test_no_meeting_to_come_means_no_card(self, client):
        committee = OrganizationFactory()
        MeetingFactory(organizations=[committee], start=future(-5))
        MeetingFactory(
            organizations=[committee],
            start=future(5),
            state=MeetingState.CANCELLED,
            cancellation_reason="Not needed",
        )
        response = client.get(committee.get_absolute_url())
        assert next_meeting_card(response) == ""
        assert "Cancelled" in text_of(response)  # still listed, tagged, under upcoming


class TestCouncillorPage:
    def test_party_ward_and_the_committees_sat_on_now_in_role_order(self, client):
        person = PersonFactory(
            given_name="George", family_name="Duggins", party="Labour", ward="Longford"
        )
        today = timezone.localdate()
        seats = [
            ("Zoning Panel", MembershipRole.MEMBER, None),
            ("Audit and Procurement Committee", MembershipRole.SUBSTITUTE, None),
            ("Cabinet Member for Policy and Leadership", MembershipRole.CABINET_MEMBER, None),
            ("Ethics Committee", MembershipRole.CHAIR, None),
            ("Licensing Committee", MembershipRole.VICE_CHAIR, today - dt.timedelta(days=1)),
        ]
        for name, role, end_date in seats:
            MembershipFactory(
                person=person,
                organization=OrganizationFactory(name=name),
                role=role,
                end_date=end_date,
            )
        MembershipFactory(
            person=person,
            organization=OrganizationFactory(name="Planning Committee"),
            start_date=today + dt.timedelta(days=10),
        )

        page = text_of(client.get(person.get_absolute_url()))

        assert "Party Labour" in page and "Ward Longford" in page
        current, previously = page.split("Previously")
        order = [
            "Ethics Committee : Chair",
            "Cabinet Member for Policy and Leadership : Cabinet Member",
            "Zoning Panel : Member",
            "Audit and Procurement Committee : Substitute",
        ]
        positions = [current.index(seat) for seat in order]
        assert positions == sorted(positions)
        assert "Licensing Committee" not in current
        yesterday = today - dt.timedelta(days=1)
        assert (
            f"Licensing Committee : Vice-chair (until {yesterday.day} {yesterday:%B %Y})"
            in previously
        )
        # A seat from a day still to come is not one they hold.
        assert "Planning Committee" not in page

    def test_a_councillor_with_no_seat_now_says_so(self, client):
        person = PersonFactory(given_name="Gary", family_name="Crookes")
        MembershipFactory(person=person, end_date=dt.date(2016, 6, 1))
        page = text_of(client.get(person.get_absolute_url()))
        assert "Councillor G Crookes is not a member of any committee at present." in page


def test_a_person_s_name_is_written_one_way_everywhere(client):
    """Person.name, as the council's papers write it: on the councillors list and pages, the
    committee page, the minutes and the agenda pack, and in OParl."""
    duggins = PersonFactory(given_name="George", family_name="Duggins", party="Labour")
    committee = OrganizationFactory(name="Cabinet Member for Policy and Leadership")
    MembershipFactory(person=duggins, organization=committee, role=MembershipRole.CABINET_MEMBER)
    meeting = published_meeting(
        organizations=[committee],
        start=future(-3),
        minutes_published_at=timezone.now(),
        state=MeetingState.HELD,
    )
    item = AgendaItemFactory(meeting=meeting, minutes_text="Discussed.")
    AttendanceFactory(meeting=meeting, person=duggins, status=AttendanceStatus.PRESENT)
    DeclarationFactory(agenda_item=item, person=duggins)

    pages = {
        "councillors": text_of(client.get(reverse("committees:councillors"))),
        "councillor": text_of(client.get(duggins.get_absolute_url())),
        "committee": text_of(client.get(committee.get_absolute_url())),
        "minutes": text_of(client.get(meeting.get_absolute_url())),
        "oparl": client.get(reverse("oparl:person", args=[duggins.pk])).json()["name"],
    }
    pack = AgendaPack.objects.create(meeting=meeting)
    build_pack(pack)
    pack.refresh_from_db()
    with pack.file.open("rb") as handle:
        front_sheet = PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()
    pages["pack"] = " ".join(front_sheet.split())

    assert duggins.name == "Councillor G Duggins"
    for where, words in pages.items():
        assert "Councillor G Duggins" in words, where
        assert "George" not in words, where


class TestTakingPart:
    def test_says_how_to_attend_ask_petition_and_report_with_the_law_behind_reporting(self, client):
        response = client.get(reverse("committees:taking_part"))
        body = response.content.decode()
        page = text_of(response)
        assert response.status_code == 200
        for anchor, heading in [
            ("attend", "Attend a meeting"),
            ("questions", "Ask a question at a meeting"),
            ("petitions", "Present a petition"),
            ("filming", "Film, photograph, record and report on a meeting"),
        ]:
            assert re.search(rf'<h2 class="govuk-heading-l" id="{anchor}">{heading}</h2>', body)
            assert f'href="#{anchor}"' in body
        assert "Openness of Local Government Bodies Regulations 2014" in page
        assert "You do not need permission." in page
        assert "private business, when the public has been asked to leave" in page
        assert "at least 5 clear working days before the meeting" in page
        assert "British Sign Language interpreter" in page
        today = timezone.localdate()
        for url in (
            reverse("committees:meetings"),
            reverse("committees:calendar", args=[today.year, today.month]),
            reverse("committees:councillors"),
        ):
            assert f'href="{url}"' in body

    def test_it_is_in_the_meetings_section_of_the_navigation(self, client):
        body = client.get(reverse("committees:taking_part")).content.decode()
        nav = body[body.index('id="navigation"') :]
        assert re.search(r'aria-current="page">\s*<strong[^>]*>Meetings</strong>', nav)
