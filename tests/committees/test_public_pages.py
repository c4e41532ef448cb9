"""The public committee pages: what anyone can read, what stays private, and that every page
costs the same number of queries whatever the data volume."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from committees import rules
from committees.models import (
    AgendaPack,
    AttendanceStatus,
    ConsultationRole,
    DecisionKind,
    DocumentKind,
    MeetingState,
    MembershipRole,
    PackStatus,
    SignOffKind,
)
from committees.services import SCRIPT
from organisation.roles import Role
from portal_kit.models import ANY_VERSION
from tests.committees.factories import (
    AgendaItemFactory,
    AgendaPackFactory,
    AttendanceFactory,
    ConsultationFactory,
    DecisionFactory,
    DeclarationFactory,
    DocumentFactory,
    ForwardPlanEntryFactory,
    MeetingFactory,
    MembershipFactory,
    OrganizationFactory,
    PaperFactory,
    PersonFactory,
    PrivateAgendaItemFactory,
    PrivatePaperFactory,
    ResolutionFactory,
    SignOffFactory,
    minimal_pdf,
    published_meeting,
    published_report,
)
from tests.factories import DirectorateFactory, UserFactory
from tests.helpers import at, future, text_of

pytestmark = pytest.mark.django_db
EXEMPT = "EXEMPT"


def same_page(responses) -> bool:
    """The responses are the same but for the CSP nonce that differs on every request."""
    bodies = {re.sub(r'nonce="[^"]+"', "", r.content.decode()) for r in responses}
    return len(bodies) == 1


def cabinet_member_meeting(**kwargs):
    """Cabinet Member for Policy and Leadership, 2:00 pm on Thursday 13 April 2017."""
    organization = OrganizationFactory(
        name="Cabinet Member for Policy and Leadership",
        slug="cabinet-member-for-policy-and-leadership",
    )
    return MeetingFactory(
        organizations=[organization],
        start=at(2017, 4, 13, 14),
        end=at(2017, 4, 13, 15),
        **kwargs,
    )


# --- Meetings lists -------------------------------------------------------------------------


class TestUpcomingMeetings:
    def test_lists_meetings_from_now_on_soonest_first_with_cancelled_ones_tagged(self, client):
        later = MeetingFactory(name="Later meeting", start=future(20))
        sooner = MeetingFactory(name="Sooner meeting", start=future(5))
        MeetingFactory(name="Cancelled meeting", start=future(10), state=MeetingState.CANCELLED)
        MeetingFactory(name="Past meeting", start=future(-5))

        response = client.get(reverse("committees:meetings"))

        page = text_of(response)
        assert response.status_code == 200
        assert "Past meeting" not in page
        assert page.index(sooner.name) < page.index("Cancelled meeting") < page.index(later.name)
        assert "Cancelled meeting Cancelled" in page
        assert page.count("Cancelled") == 2  # the name and its one tag

    def test_is_paginated(self, client):
        for n in range(25):
            MeetingFactory(name=f"Meeting {n:02d}", start=future(1 + n))
        first = text_of(client.get(reverse("committees:meetings")))
        second = text_of(client.get(reverse("committees:meetings") + "?page=2"))
        assert "Meeting 00" in first and "Meeting 19" in first and "Meeting 20" not in first
        assert "Meeting 20" in second and "Meeting 24" in second and "Page 2 of 2" in second

    def test_advertises_its_feeds(self, client):
        response = client.get(reverse("committees:meetings"))
        head = response.content.decode().split("</head>")[0]
        calendar = reverse("committees:meetings_ics")
        papers = reverse("committees:papers_atom")
        assert (
            f'type="text/calendar" title="All council meetings (iCalendar)" href="{calendar}"'
            in head
        )
        assert (
            f'type="application/atom+xml" title="New committee papers (Atom)" href="{papers}"'
            in head
        )

    def test_meetings_is_in_the_navigation_after_home_for_everyone(self, client):
        page = client.get(reverse("home")).content.decode()
        nav = page[page.index('id="navigation"') :]
        assert nav.index(">Home<") < nav.index(f'href="{reverse("committees:meetings")}"')
        assert nav.index("Meetings") < nav.index("Sign in")


class TestCalendar:
    def test_shows_the_months_meetings_by_day_with_links_to_the_months_around(self, client):
        meeting = cabinet_member_meeting()
        MeetingFactory(name="In May", start=at(2017, 5, 2))
        MeetingFactory(name="In March", start=at(2017, 3, 31, 23, 30))  # 31 March in London

        response = client.get(reverse("committees:calendar", args=[2017, 4]))

        page = text_of(response)
        assert "April 2017" in page
        assert "Thursday 13 April 2017" in page
        assert meeting.title in page
        assert "In May" not in page and "In March" not in page
        body = response.content.decode()
        assert f'href="{reverse("committees:calendar", args=[2017, 3])}"' in body
        assert f'href="{reverse("committees:calendar", args=[2017, 5])}"' in body
        assert "March 2017" in page and "May 2017" in page

    def test_december_links_to_january_of_the_next_year(self, client):
        body = client.get(reverse("committees:calendar", args=[2017, 12])).content.decode()
        assert f'href="{reverse("committees:calendar", args=[2018, 1])}"' in body
        assert f'href="{reverse("committees:calendar", args=[2017, 11])}"' in body

    def test_an_empty_month_says_so(self, client):
        page = text_of(client.get(reverse("committees:calendar", args=[2017, 8])))
        assert "There are no meetings in August 2017" in page

    @pytest.mark.parametrize(("year", "month"), [(2017, 13), (2017, 0), (99999, 1)])
    def test_impossible_months_are_not_found(self, client, year, month):
        assert client.get(f"/meetings/{year}/{month}/").status_code == 404


# --- Committees and councillors -------------------------------------------------------------


class TestCommitteePage:
    def test_shows_purpose_members_in_role_order_and_meetings(self, client):
        committee = OrganizationFactory(
            name="Audit and Procurement Committee", purpose="Oversees the council's audit."
        )
        roles = [
            (MembershipRole.MEMBER, "Member-Ann"),
            (MembershipRole.SUBSTITUTE, "Sub-Bob"),
            (MembershipRole.CHAIR, "Chair-Cat"),
            (MembershipRole.BY_INVITATION, "Guest-Dan"),
            (MembershipRole.VICE_CHAIR, "Vice-Eve"),
            (MembershipRole.SHADOW_CABINET_MEMBER, "Shadow-Fay"),
            (MembershipRole.CABINET_MEMBER, "Cabinet-Gus"),
        ]
        for role, family_name in roles:
            MembershipFactory(
                organization=committee, role=role, person=PersonFactory(family_name=family_name)
            )
        MembershipFactory(
            organization=committee,
            person=PersonFactory(family_name="Gone-Hal"),
            end_date=dt.date(2017, 1, 1),
        )
        MeetingFactory(organizations=[committee], name="Next audit", start=future(7))
        MeetingFactory(organizations=[committee], name="Last audit", start=future(-7))
        MeetingFactory(name="Someone else's meeting", start=future(3))

        response = client.get(reverse("committees:committee", args=[committee.slug]))

        page = text_of(response)
        assert "Oversees the council's audit." in page
        order = ["Chair-Cat", "Vice-Eve", "Cabinet-Gus", "Member-Ann", "Shadow-Fay", "Guest-Dan"]
        positions = [page.index(name) for name in [*order, "Sub-Bob"]]
        assert positions == sorted(positions)
        for label in ["Chair", "Vice-chair", "Cabinet Member", "Shadow Cabinet Member"]:
            assert label in page
        assert "By invitation" in page and "Substitute" in page
        assert "Gone-Hal" not in page
        upcoming = page.index("Upcoming meetings")
        past = page.index("Past meetings")
        # The next meeting also heads the page (test_public_face.py).
        assert upcoming < page.index("Next audit", upcoming) < past < page.index("Last audit")
        assert "Someone else's meeting" not in page

    def test_by_invitation_shows_the_role_they_are_invited_as(self, client):
        membership = MembershipFactory(
            role=MembershipRole.BY_INVITATION,
            invitation_role=MembershipRole.SHADOW_CABINET_MEMBER,
        )
        page = text_of(client.get(membership.organization.get_absolute_url()))
        assert "By invitation (Shadow Cabinet Member)" in page

    def test_advertises_its_feeds(self, client):
        committee = OrganizationFactory()
        head = client.get(committee.get_absolute_url()).content.decode().split("</head>")[0]
        assert reverse("committees:committee_ics", args=[committee.slug]) in head
        assert reverse("committees:committee_atom", args=[committee.slug]) in head
        assert 'type="text/calendar"' in head and 'type="application/atom+xml"' in head

    def test_unknown_committee_is_not_found(self, client):
        assert client.get(reverse("committees:committee", args=["no-such"])).status_code == 404

    def test_committee_list_names_current_and_former_committees(self, client):
        OrganizationFactory(name="Ethics Committee")
        OrganizationFactory(name="Old Panel", end_date=dt.date(2015, 5, 1))
        page = text_of(client.get(reverse("committees:committee_list")))
        assert page.index("Ethics Committee") < page.index("Former committees")
        assert page.index("Former committees") < page.index("Old Panel")


class TestCouncillors:
    def test_list_and_page_with_memberships_and_posts(self, client):
        from committees.models import Post

        person = PersonFactory(
            given_name="George", family_name="Duggins", party="Labour", ward="Longford"
        )
        committee = OrganizationFactory(name="Cabinet Member for Policy and Leadership")
        MembershipFactory(person=person, organization=committee, role=MembershipRole.CABINET_MEMBER)
        MembershipFactory(
            person=person,
            organization=OrganizationFactory(name="Licensing Committee"),
            end_date=dt.date(2016, 5, 1),
            start_date=dt.date(2014, 5, 1),
        )
        Post.objects.create(title="Leader of the Council", holder=person, organization=committee)

        listing = text_of(client.get(reverse("committees:councillors")))
        assert "Councillor G Duggins Labour Longford" in listing

        page = text_of(client.get(person.get_absolute_url()))
        assert "Leader of the Council" in page
        current, previously = page.split("Previously")
        assert "Cabinet Member for Policy and Leadership : Cabinet Member" in current
        assert "Licensing Committee" in previously and "until 1 May 2016" in previously

    def test_unknown_councillor_is_not_found(self, client):
        assert client.get(reverse("committees:councillor", args=["nobody"])).status_code == 404


# --- The meeting page -----------------------------------------------------------------------


class TestMeetingBeforeThePublication:
    def test_shows_date_place_state_and_that_the_agenda_is_not_published(self, client):
        meeting = cabinet_member_meeting(contact_officer=UserFactory(full_name="Suzanne Bennett"))
        AgendaItemFactory(meeting=meeting, title="Unpublished item")

        page = text_of(client.get(meeting.get_absolute_url()))

        assert "Cabinet Member for Policy and Leadership" in page
        assert "Thursday 13 April 2017, 2:00 pm" in page
        assert str(meeting.location) in page
        assert "Scheduled" in page
        assert "Suzanne Bennett" in page
        # 5 April 2017 has passed: "will be published by" would be false.
        assert "The agenda of this meeting is not published on this site." in page
        assert "will be published by" not in page
        assert "Unpublished item" not in page

    def test_a_meeting_to_come_says_when_its_agenda_will_be_published(self, client):
        # The date itself is the rule's (five clear working days, bank holidays: test_rules).
        meeting = MeetingFactory(start=future(days=60))
        due = rules.last_publication_date(timezone.localdate(meeting.start))
        page = text_of(client.get(meeting.get_absolute_url()))
        assert f"The agenda will be published by {due.day} {due:%B %Y}." in page

    @pytest.mark.parametrize("role", [None, Role.OFFICER, Role.AUDITOR])
    def test_unpublished_agenda_is_hidden_from_the_public_and_other_roles(self, client_for, role):
        meeting = MeetingFactory(start=future())
        AgendaItemFactory(meeting=meeting, title="Unpublished item")
        page = text_of(client_for(role).get(meeting.get_absolute_url()))
        assert "Unpublished item" not in page

    def test_governance_services_see_the_unpublished_agenda_marked_as_such(self, client_for):
        meeting = MeetingFactory(start=future())
        AgendaItemFactory(meeting=meeting, title="Unpublished item")
        page = text_of(client_for(Role.GOVERNANCE_SERVICES).get(meeting.get_absolute_url()))
        assert "Unpublished item" in page
        assert "This agenda has not been published" in page


class TestPublishedAgenda:
    def test_items_numbers_sub_items_pages_leads_and_reports(self, client):
        meeting = cabinet_member_meeting(
            published=True, webcast_url="https://webcast.example/13-april"
        )
        AgendaItemFactory(meeting=meeting, position=1, number="1", title="Apologies")
        minutes = AgendaItemFactory(
            meeting=meeting, position=2, number="2", title="Minutes", start_page=3, end_page=6
        )
        AgendaItemFactory(
            meeting=meeting,
            parent=minutes,
            position=1,
            number="a)",
            title="To agree the minutes from the meeting held on 28 July, 2016",
        )
        AgendaItemFactory(
            meeting=meeting, parent=minutes, position=2, number="b)", title="Matters Arising"
        )
        code = AgendaItemFactory(
            meeting=meeting,
            position=3,
            number="3",
            title="Code of Corporate Governance",
            lead="Report of the Deputy Chief Executive (Place)",
            description="A new Code of Corporate Governance.",
            start_page=7,
            end_page=20,
        )
        paper = PaperFactory(title="Code of Corporate Governance report")
        ConsultationFactory(paper=paper, agenda_item=code)
        DocumentFactory(
            paper=paper,
            title="Appendix 1: the Code",
            kind=DocumentKind.APPENDIX,
            page_count=14,
            content=minimal_pdf("Code", pages=2),
        )

        response = client.get(meeting.get_absolute_url())

        page = text_of(response)
        assert "1. Apologies" in page
        assert "2. Minutes Pages 3 - 6" in page
        assert "a) To agree the minutes from the meeting held on 28 July, 2016" in page
        assert "b) Matters Arising" in page
        assert page.index("a) To agree") < page.index("b) Matters") < page.index("3. Code")
        assert "3. Code of Corporate Governance Pages 7 - 20" in page
        assert "Report of the Deputy Chief Executive (Place)" in page
        assert "A new Code of Corporate Governance." in page
        assert "Code of Corporate Governance report (for decision)" in page
        assert re.search(r"Appendix 1: the Code \(PDF, [\d.]+\s+KB, 14 pages\)", page)
        body = response.content.decode()
        assert f'href="{paper.get_absolute_url()}"' in body
        assert f'href="{reverse("committees:document", args=[paper.documents.get().pk])}"' in body
        assert 'href="https://webcast.example/13-april"' in body
        assert f'href="{reverse("committees:meeting_ics", args=[meeting.pk])}"' in body
        assert "Add to calendar" in page

    def test_advertises_its_calendar_and_its_committees_feeds(self, client):
        meeting = published_meeting()
        organization = meeting.organizations.get()
        head = client.get(meeting.get_absolute_url()).content.decode().split("</head>")[0]
        assert reverse("committees:meeting_ics", args=[meeting.pk]) in head
        assert reverse("committees:committee_atom", args=[organization.slug]) in head
        assert 'type="text/calendar"' in head and 'type="application/atom+xml"' in head

    def test_late_publication_shows_the_reason(self, client):
        meeting = published_meeting(late_publication_reason="The report was delayed by audit.")
        page = text_of(client.get(meeting.get_absolute_url()))
        assert "Reason for urgency: The report was delayed by audit." in page

    def test_cancelled_meeting_is_tagged_with_its_reason(self, client):
        meeting = MeetingFactory(
            state=MeetingState.CANCELLED, cancellation_reason="No business to transact."
        )
        page = text_of(client.get(meeting.get_absolute_url()))
        assert "Cancelled" in page and "No business to transact." in page
        assert "will be published by" not in page


class TestPrivateBusiness:
    @pytest.fixture
    def meeting(self):
        meeting = published_meeting(state=MeetingState.HELD)
        meeting.minutes_published_at = timezone.now()
        meeting.save()
        item = PrivateAgendaItemFactory(
            meeting=meeting, description="EXEMPT DESCRIPTION", lead="EXEMPT LEAD"
        )
        ConsultationFactory(paper=PrivatePaperFactory(), agenda_item=item)
        ConsultationFactory(
            paper=PaperFactory(title="EXEMPT public paper on a private item"), agenda_item=item
        )
        ResolutionFactory(agenda_item=item, text="EXEMPT RESOLUTION")
        DeclarationFactory(agenda_item=item, description="EXEMPT DECLARATION")
        return meeting

    @pytest.mark.parametrize("role", [None, Role.OFFICER, Role.AUDITOR, Role.MONITORING_OFFICER])
    def test_shows_only_the_title_and_the_schedule_12a_paragraph(self, client_for, meeting, role):
        response = client_for(role).get(meeting.get_absolute_url())
        page = text_of(response)
        assert "Exempt report: contract award" in page
        assert (
            "This item is private: paragraph 3 of Schedule 12A to the Local Government Act 1972"
            in page
        )
        assert EXEMPT not in response.content.decode()
        assert "Confidential: bidder prices" not in page

    def test_governance_services_see_the_content(self, client_for, meeting):
        page = text_of(client_for(Role.GOVERNANCE_SERVICES).get(meeting.get_absolute_url()))
        assert "EXEMPT MINUTE TEXT" in page
        assert "Confidential: bidder prices" in page

    def test_several_paragraphs_are_named(self, client):
        meeting = published_meeting()
        PrivateAgendaItemFactory(meeting=meeting, exempt_paragraphs=[5, 3])
        page = text_of(client.get(meeting.get_absolute_url()))
        assert "paragraphs 3 and 5 of Schedule 12A" in page


class TestAgendaPack:
    def test_newest_ready_pack_is_offered_with_pages_and_size(self, client):
        meeting = published_meeting()
        AgendaPackFactory(meeting=meeting, pages=2)
        newest = AgendaPackFactory(meeting=meeting, pages=4)
        AgendaPackFactory(meeting=meeting, status=PackStatus.FAILED, file="", size=None)

        page = text_of(client.get(meeting.get_absolute_url()))
        assert re.search(r"Download the agenda reports pack \(PDF, 4 pages, [\d.]+\s+KB\)", page), (
            page
        )

        response = client.get(reverse("committees:meeting_pack", args=[meeting.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        newest.file.open("rb")
        assert b"".join(response.streaming_content) == newest.file.read()

    def test_no_ready_pack_means_no_link_and_not_found(self, client):
        meeting = published_meeting()
        AgendaPackFactory(meeting=meeting, status=PackStatus.BUILDING)
        assert "agenda reports pack" not in text_of(client.get(meeting.get_absolute_url()))
        url = reverse("committees:meeting_pack", args=[meeting.pk])
        assert client.get(url).status_code == 404

    def test_unpublished_agenda_pack_is_not_found(self, client):
        pack = AgendaPackFactory(meeting=MeetingFactory())
        assert AgendaPack.objects.filter(pk=pack.pk).exists()
        url = reverse("committees:meeting_pack", args=[pack.meeting_id])
        assert client.get(url).status_code == 404


class TestMinutes:
    # The seed's minutes of 28 July 2016 were published though their agenda never was on the
    # site: the page showed "The agenda will be published by 20 July 2016" and no minutes.
    @pytest.mark.parametrize("agenda_published", [True, False], ids=["agenda", "no agenda"])
    def test_attendance_declarations_minutes_resolutions_urgent_items_and_closing_time(
        self, client, agenda_published
    ):
        meeting = cabinet_member_meeting(published=agenda_published)
        meeting.state = MeetingState.HELD
        meeting.minutes_published_at = timezone.now()
        meeting.closed_at = dt.time(14, 30)
        meeting.save()
        duggins = PersonFactory(given_name="George", family_name="Duggins")
        blundell = PersonFactory(given_name="John", family_name="Blundell")
        crookes = PersonFactory(given_name="Gary", family_name="Crookes")
        AttendanceFactory(meeting=meeting, person=duggins, capacity="Cabinet Member")
        AttendanceFactory(
            meeting=meeting,
            person=crookes,
            status=AttendanceStatus.SUBSTITUTE,
            substitute_for=blundell,
        )
        AttendanceFactory(meeting=meeting, person=blundell, status=AttendanceStatus.APOLOGIES)
        resources = DirectorateFactory(name="Resources")
        for name in ["J Barlow", "H Lynch"]:
            AttendanceFactory(
                meeting=meeting, person=None, officer_name=name, directorate=resources
            )
        strategy = AgendaItemFactory(
            meeting=meeting,
            number="3",
            title="Information Management Strategy Update",
            minutes_text="The Cabinet Member considered a report.",
        )
        ResolutionFactory(agenda_item=strategy, number=1, text="Notes the outcome of the audit.")
        ResolutionFactory(agenda_item=strategy, number=2, text="Notes the progress to date.")
        DeclarationFactory(agenda_item=strategy, person=duggins, description="Trust board")
        AgendaItemFactory(
            meeting=meeting,
            number="5",
            title="Any Other Items of Public Business",
            is_urgent=True,
            urgency_reason="the need to seek approval before the next meeting",
            minutes_text="Approved a civic visit.",
        )

        page = text_of(client.get(meeting.get_absolute_url()))

        minutes = page[page.index("Minutes Members present") :]
        assert "Councillor G Duggins (Cabinet Member)" in minutes
        assert "Councillor G Crookes (Substitute for Councillor Blundell)" in minutes
        assert "Employees (by directorate) Resources: J Barlow, H Lynch" in minutes
        assert "Apologies Councillor J Blundell" in minutes
        assert (
            "Councillor G Duggins declared other interest in item 3 "
            "(Information Management Strategy Update): Trust board" in minutes
        )
        assert "The Cabinet Member considered a report." in minutes
        assert "RESOLVED that: 1. Notes the outcome of the audit. 2. Notes the progress" in minutes
        assert (
            "considered as an item of urgent business, the reason for urgency being the need to "
            "seek approval before the next meeting" in minutes
        )
        assert "(Meeting closed at 2:30 pm)" in minutes
        if not agenda_published:
            assert "The agenda of this meeting is not published on this site." in page
            assert "will be published by" not in page

    def test_declarations_on_private_business_are_not_denied(self, client):
        meeting = published_meeting(state=MeetingState.HELD, minutes_published_at=timezone.now())
        AgendaItemFactory(meeting=meeting, number="1", title="Apologies")
        DeclarationFactory(
            agenda_item=PrivateAgendaItemFactory(meeting=meeting, number="8"),
            description="EXEMPT DECLARATION",
        )

        page = text_of(client.get(meeting.get_absolute_url()))

        assert "There were no declarations of interest." not in page
        assert "There were no declarations of interest in the public business." in page
        assert EXEMPT not in page

    def test_no_declarations_at_all_is_said_plainly(self, client):
        meeting = published_meeting(state=MeetingState.HELD, minutes_published_at=timezone.now())
        AgendaItemFactory(meeting=meeting, number="1", title="Apologies")
        page = text_of(client.get(meeting.get_absolute_url()))
        assert "There were no declarations of interest." in page

    def test_sub_items_carry_their_parents_number(self, client):
        meeting = published_meeting(state=MeetingState.HELD, minutes_published_at=timezone.now())
        minutes = AgendaItemFactory(meeting=meeting, position=2, number="2", title="Minutes")
        arising = AgendaItemFactory(
            meeting=meeting,
            parent=minutes,
            position=2,
            number="b)",
            title="Matters Arising",
            minutes_text="None were raised.",
        )
        DeclarationFactory(
            agenda_item=arising,
            person=PersonFactory(given_name="John", family_name="Blundell"),
            description="Chair of the trust",
        )

        page = text_of(client.get(meeting.get_absolute_url()))

        minutes_part = page[page.index("Declarations of interest") :]
        assert "in item 2b) (Matters Arising): Chair of the trust" in minutes_part
        assert "2b) Matters Arising None were raised." in minutes_part

    def test_unpublished_minutes_are_not_shown(self, client):
        meeting = published_meeting()
        AgendaItemFactory(meeting=meeting, minutes_text="Draft minute text")
        page = text_of(client.get(meeting.get_absolute_url()))
        assert "Draft minute text" not in page
        assert "Members present" not in page

    def test_meeting_decisions_are_listed_when_public(self, client):
        meeting = published_meeting()
        DecisionFactory(meeting=meeting, title="Approved the Code")
        DecisionFactory(meeting=meeting, title="EXEMPT decision", is_public=False)
        response = client.get(meeting.get_absolute_url())
        assert "Approved the Code" in text_of(response)
        assert EXEMPT not in response.content.decode()


# --- Reports and files ----------------------------------------------------------------------


class TestReportPage:
    def test_shows_the_report_template_fields_files_sign_offs_and_journey(self, client):
        directorate = DirectorateFactory(name="Place")
        paper = PaperFactory(
            reference="CMPL-2017-04-13-1",
            title="Code of Corporate Governance",
            author_name="Adrian West",
            author_job_title="Members and Elections Team Manager",
            author_directorate=directorate,
            author_telephone="024 7683 2286",
            author_email="adrian.west@coventry.gov.uk",
            approving_director="Deputy Chief Executive (Place)",
            cabinet_member="Cabinet Member for Policy and Leadership – Cllr G Duggins",
            wards_affected="N/A",
            key_decision=False,
            scrutiny_consideration="No",
            other_bodies="Audit and Procurement Committee, 3 April 2017",
            going_to_council="No",
            executive_summary="Proposes a new Code of Corporate Governance.",
            background_papers="None",
        )
        ethics = OrganizationFactory(name="Ethics Committee")
        audit = OrganizationFactory(name="Audit and Procurement Committee")
        cabinet = OrganizationFactory(name="Cabinet Member for Policy and Leadership")
        steps = [
            (cabinet, at(2017, 4, 13), ConsultationRole.DECISION, "Approves the Code", ""),
            (ethics, at(2017, 3, 17), ConsultationRole.RECOMMENDATION, "Endorses", "Endorsed"),
            (audit, at(2017, 4, 3), ConsultationRole.NOTING, "Notes", "Noted"),
        ]
        for organization, start, role, recommendation, outcome in steps:
            meeting = MeetingFactory(organizations=[organization], start=start, published=True)
            ConsultationFactory(
                paper=paper,
                agenda_item=AgendaItemFactory(meeting=meeting),
                role=role,
                recommendation=recommendation,
                outcome=outcome,
            )
        DocumentFactory(paper=paper, title="Report", page_count=3)
        SignOffFactory(paper=paper, name="Paul Jennings", title="Finance Manager")
        SignOffFactory(
            paper=paper,
            kind=SignOffKind.CONTRIBUTOR,
            category="",
            name="Martin Yardley",
            title="Deputy Chief Executive (Place)",
            sent_on=None,
            approved_on=None,
        )

        page = text_of(client.get(paper.get_absolute_url()))

        for expected in [
            "CMPL-2017-04-13-1",
            "Code of Corporate Governance",
            "13 April 2017",
            "Cabinet Member for Policy and Leadership – Cllr G Duggins",
            "Deputy Chief Executive (Place)",
            "Ward(s) affected N/A",
            "Is this a key decision? No",
            "Audit and Procurement Committee, 3 April 2017",
            "Adrian West, Members and Elections Team Manager Place Telephone: 024 7683 2286",
            "adrian.west@coventry.gov.uk",
            "Proposes a new Code of Corporate Governance.",
            "Paul Jennings",
            "Finance Manager",
            "10 March 2017",
            "Martin Yardley",
        ]:
            assert expected in page, expected
        assert re.search(r"Report \(Report: PDF, [\d.]+\s+(bytes|KB), 3 pages\)", page)
        journey = page[page.index("Where this report goes") :]
        assert (
            journey.index("Ethics Committee 17 March 2017 For recommendation")
            < journey.index("Audit and Procurement Committee 3 April 2017 For noting")
            < journey.index("Cabinet Member for Policy and Leadership 13 April 2017 For decision")
        )
        assert "Recommendation: Endorses Outcome: Endorsed" in journey
        assert page.index("Contributors Martin Yardley") < page.index("Approvers Paul Jennings")

    def test_private_unpublished_and_missing_reports_get_the_same_404(self, client):
        private = PrivatePaperFactory()
        ConsultationFactory(
            paper=private, agenda_item=AgendaItemFactory(meeting=published_meeting())
        )
        unpublished = PaperFactory()
        ConsultationFactory(paper=unpublished, agenda_item=AgendaItemFactory())
        on_no_agenda = PaperFactory()
        responses = [
            client.get(reverse("committees:report", args=[pk]))
            for pk in [private.pk, unpublished.pk, on_no_agenda.pk, 999999]
        ]
        assert {r.status_code for r in responses} == {404}
        assert same_page(responses)
        assert EXEMPT not in responses[0].content.decode()

    def test_governance_services_can_read_a_private_report_marked_private(self, client_for):
        private = PrivatePaperFactory()
        page = text_of(client_for(Role.GOVERNANCE_SERVICES).get(private.get_absolute_url()))
        assert "EXEMPT SUMMARY TEXT" in page
        assert "This report is private: paragraph 3 of Schedule 12A" in page


class TestDocumentDownload:
    def test_served_as_an_attachment_under_its_cleaned_name_with_nosniff(self, client):
        paper = published_report(with_document=False)
        content = minimal_pdf("Appendix", pages=2)
        document = DocumentFactory(
            paper=paper, content=content, original_name='..\\../Appendix "1"\x07.pdf'
        )

        response = client.get(document.get_absolute_url())

        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        # No folders, no control characters; the quotes are escaped by Django.
        assert response["Content-Disposition"] == 'attachment; filename="Appendix \\"1\\".pdf"'
        assert b"".join(response.streaming_content) == content

    def test_unknown_types_are_sent_as_plain_bytes(self, client):
        paper = published_report(with_document=False)
        document = DocumentFactory(paper=paper, mime_type="text/html", original_name="x.html")
        response = client.get(document.get_absolute_url())
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"].startswith("attachment;")

    def test_private_unpublished_and_missing_files_get_the_same_404(self, client):
        private = PrivatePaperFactory()
        ConsultationFactory(
            paper=private, agenda_item=AgendaItemFactory(meeting=published_meeting())
        )
        unpublished = PaperFactory()
        ConsultationFactory(paper=unpublished, agenda_item=AgendaItemFactory())
        draft_minutes = DocumentFactory(
            paper=None, meeting=published_meeting(), kind=DocumentKind.MINUTES
        )
        pks = [
            DocumentFactory(paper=private).pk,
            DocumentFactory(paper=unpublished).pk,
            draft_minutes.pk,
            999999,
        ]
        responses = [client.get(reverse("committees:document", args=[pk])) for pk in pks]
        assert {r.status_code for r in responses} == {404}
        assert same_page(responses)

    def test_a_file_lost_from_storage_is_not_found_rather_than_an_error(self, client):
        document = DocumentFactory(paper=published_report(with_document=False))
        document.file.delete(save=False)
        assert client.get(document.get_absolute_url()).status_code == 404

    def test_published_minutes_file_is_served(self, client):
        meeting = published_meeting(minutes_published_at=timezone.now())
        document = DocumentFactory(paper=None, meeting=meeting, kind=DocumentKind.MINUTES)
        assert client.get(document.get_absolute_url()).status_code == 200


# --- Decisions and the forward plan ---------------------------------------------------------


class TestDecisions:
    def test_register_lists_every_kind_of_decision_newest_first(self, client):
        DecisionFactory(title="Older executive decision", date=dt.date(2017, 1, 5))
        DecisionFactory(
            title="Newer officer decision",
            kind=DecisionKind.OFFICER,
            officer_name="Barry Hastie",
            officer_title="Director of Finance",
            decision_maker=None,
            date=dt.date(2017, 3, 5),
        )
        DecisionFactory(title="A committee decision", kind=DecisionKind.COMMITTEE)
        DecisionFactory(title="EXEMPT private decision", is_public=False)

        response = client.get(reverse("committees:decisions"))

        page = text_of(response)
        assert page.index("Newer officer decision") < page.index("Older executive decision")
        assert "Barry Hastie, Director of Finance" in page
        assert "A committee decision" in page
        assert EXEMPT not in response.content.decode()

    def test_the_filter_form_offers_decision_makers_and_dates(self, client):
        DecisionFactory(decision_maker=OrganizationFactory(name="Cabinet", slug="cabinet"))
        body = client.get(reverse("committees:decisions")).content.decode()
        form = body[body.index("<form") : body.index("</form>")]
        assert 'method="get"' in form and "csrfmiddlewaretoken" not in form
        assert '<option value="cabinet">Cabinet</option>' in form
        assert '<option value="officer">Officer decisions</option>' in form
        assert 'name="from"' in form and 'name="to"' in form

    def test_filters_by_decision_maker_and_dates(self, client):
        cabinet = OrganizationFactory(name="Cabinet", slug="cabinet")
        DecisionFactory(title="Cabinet in March", decision_maker=cabinet, date=dt.date(2017, 3, 1))
        DecisionFactory(title="Cabinet in May", decision_maker=cabinet, date=dt.date(2017, 5, 1))
        DecisionFactory(title="Someone else in March", date=dt.date(2017, 3, 2))
        DecisionFactory(
            title="Officer in March",
            kind=DecisionKind.OFFICER,
            officer_name="Barry Hastie",
            date=dt.date(2017, 3, 3),
        )
        url = reverse("committees:decisions")

        page = text_of(client.get(url, {"decision_maker": "cabinet", "to": "31/3/2017"}))
        assert "Cabinet in March" in page
        assert "Cabinet in May" not in page and "Someone else" not in page

        page = text_of(client.get(url, {"decision_maker": "officer"}))
        assert "Officer in March" in page and "Cabinet in March" not in page

        page = text_of(client.get(url, {"from": "2017-04-01"}))
        assert "Cabinet in May" in page and "Cabinet in March" not in page

    @pytest.mark.parametrize(
        ("params", "message"),
        [
            ({"from": "30/2/2017"}, "The ‘from’ date must be a real date"),
            ({"to": "yesterday"}, "The ‘to’ date must be a real date"),
            (
                {"from": "2/3/2017", "to": "1/3/2017"},
                "The ‘from’ date must be the same as or before the ‘to’ date",
            ),
            ({"decision_maker": "no-such-committee"}, "Select a decision maker from the list"),
        ],
    )
    def test_bad_filters_get_an_error_summary_and_no_results(self, client, params, message):
        DecisionFactory(title="Some decision")
        response = client.get(reverse("committees:decisions"), params)
        page = text_of(response)
        assert response.status_code == 200
        assert "There is a problem" in page and message in page
        assert "<title>Error:" in response.content.decode()
        assert "Some decision" not in page

    def test_decision_page(self, client):
        meeting = published_meeting()
        paper = published_report(meeting=meeting, title="The policy report")
        decision = DecisionFactory(
            title="Approved the whistleblowing policy",
            meeting=meeting,
            paper=paper,
            decision="Approved the revised policy.",
            reasons="The 2007 policy was out of date.",
            alternatives_rejected="Keeping the old policy.",
            is_key=True,
        )
        response = client.get(decision.get_absolute_url())
        page = text_of(response)
        for expected in [
            "Approved the whistleblowing policy",
            decision.decision_maker.name,
            "13 April 2017",
            "Approved the revised policy.",
            "The 2007 policy was out of date.",
            "Keeping the old policy.",
            "Key decision Yes",
        ]:
            assert expected in page, expected
        body = response.content.decode()
        assert f'href="{paper.get_absolute_url()}"' in body
        assert meeting.get_absolute_url() in body

    def test_decision_page_does_not_link_a_report_the_visitor_cannot_open(self, client):
        paper = PrivatePaperFactory()
        decision = DecisionFactory(paper=paper)
        response = client.get(decision.get_absolute_url())
        assert response.status_code == 200
        assert paper.get_absolute_url() not in response.content.decode()
        assert "Confidential" not in text_of(response)

    def test_private_and_missing_decisions_get_the_same_404(self, client):
        private = DecisionFactory(is_public=False)
        responses = [
            client.get(reverse("committees:decision", args=[pk])) for pk in [private.pk, 999999]
        ]
        assert {r.status_code for r in responses} == {404}
        assert same_page(responses)

    def test_governance_services_see_a_private_decision(self, client_for):
        private = DecisionFactory(is_public=False, title="Private decision")
        response = client_for(Role.GOVERNANCE_SERVICES).get(private.get_absolute_url())
        assert response.status_code == 200


class TestForwardPlan:
    def test_lists_key_decisions_expected_from_today(self, client):
        today = timezone.localdate()
        ForwardPlanEntryFactory(title="Expected next month", expected_date=today + dt.timedelta(30))
        ForwardPlanEntryFactory(title="Expected today", expected_date=today)
        ForwardPlanEntryFactory(title="Already past", expected_date=today - dt.timedelta(1))
        page = text_of(client.get(reverse("committees:forward_plan")))
        assert page.index("Expected today") < page.index("Expected next month")
        assert "Already past" not in page

    def test_links_the_report_only_when_public(self, client):
        public = published_report()
        private = PrivatePaperFactory()
        ForwardPlanEntryFactory(paper=public)
        ForwardPlanEntryFactory(paper=private)
        body = client.get(reverse("committees:forward_plan")).content.decode()
        assert public.get_absolute_url() in body
        assert private.get_absolute_url() not in body


# --- Query counts ---------------------------------------------------------------------------


def _meeting_with_items(n):
    """A meeting with published agenda and minutes, `n` public items each with a report, a
    file, a resolution, a declaration and a sub-item; `n` private items; `n` attendees."""
    meeting = published_meeting(minutes_published_at=timezone.now(), state=MeetingState.HELD)
    AgendaPackFactory(meeting=meeting)
    for i in range(n):
        item = AgendaItemFactory(meeting=meeting, minutes_text=f"Minute {i}")
        AgendaItemFactory(meeting=meeting, parent=item, position=1, number="a)")
        published_report(item=item)
        ResolutionFactory(agenda_item=item)
        DeclarationFactory(agenda_item=item)
        PrivateAgendaItemFactory(meeting=meeting)
        AttendanceFactory(meeting=meeting)
        AttendanceFactory(
            meeting=meeting,
            person=None,
            officer_name="An Officer",
            directorate=DirectorateFactory(),
        )
        DecisionFactory(meeting=meeting)
        DocumentFactory(paper=None, meeting=meeting, kind=DocumentKind.MINUTES)
    return meeting.get_absolute_url()


def _meetings(n):
    organization = OrganizationFactory()
    for i in range(n):
        MeetingFactory(start=future(1 + i), organizations=[organization, OrganizationFactory()])
    return reverse("committees:meetings")


def _calendar(n):
    start = future(40).replace(day=1)
    for i in range(n):
        MeetingFactory(start=start + dt.timedelta(hours=i * 5))
    return reverse("committees:calendar", args=[start.year, start.month])


def _committee_list(n):
    for _ in range(n):
        OrganizationFactory()
    return reverse("committees:committee_list")


def _committee(n):
    organization = OrganizationFactory()
    for i in range(n):
        MembershipFactory(organization=organization)
        MeetingFactory(organizations=[organization], start=future(1 + i))
        MeetingFactory(organizations=[organization, OrganizationFactory()], start=future(-1 - i))
    return organization.get_absolute_url()


def _councillors(n):
    for _ in range(n):
        PersonFactory()
    return reverse("committees:councillors")


def _councillor(n):
    from committees.models import Post

    person = PersonFactory()
    for _ in range(n):
        MembershipFactory(person=person)
        Post.objects.create(title="A post", holder=person, organization=OrganizationFactory())
    return person.get_absolute_url()


def _report(n):
    paper = published_report(with_document=False)
    for _ in range(n):
        DocumentFactory(paper=paper)
        SignOffFactory(paper=paper)
        ConsultationFactory(paper=paper, agenda_item=AgendaItemFactory(meeting=published_meeting()))
    return paper.get_absolute_url()


def _decisions(n):
    for _ in range(n):
        DecisionFactory()
        DecisionFactory(kind=DecisionKind.OFFICER, officer_name="An Officer", decision_maker=None)
    return reverse("committees:decisions")


def _decision(n):
    meeting = MeetingFactory(organizations=[OrganizationFactory() for _ in range(n)])
    return DecisionFactory(meeting=meeting, paper=published_report()).get_absolute_url()


def _forward_plan(n):
    for _ in range(n):
        ForwardPlanEntryFactory(paper=published_report())
    return reverse("committees:forward_plan")


QUERY_COUNTS = {
    # page builder: queries for an anonymous visitor
    "meetings": (_meetings, 3),
    "calendar": (_calendar, 2),
    "committee_list": (_committee_list, 1),
    "committee": (_committee, 8),
    "councillors": (_councillors, 2),
    "councillor": (_councillor, 4),
    "meeting": (_meeting_with_items, 12),  # 11, and the recorded votes
    "report": (_report, 4),
    "decisions": (_decisions, 3),
    "decision": (_decision, 2),
    "forward_plan": (_forward_plan, 2),
}


@pytest.mark.parametrize("n", [1, 50])
@pytest.mark.parametrize("page", sorted(QUERY_COUNTS))
def test_each_page_costs_a_fixed_number_of_queries(client, django_assert_num_queries, page, n):
    build, expected = QUERY_COUNTS[page]
    url = build(n)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200


def test_the_outstanding_issues_item_lists_what_earlier_minutes_asked_to_come_back(client):
    import datetime as dt

    from committees import services
    from tests.committees.factories import AgendaItemFactory, MeetingFactory, OrganizationFactory

    organization = OrganizationFactory()
    earlier = MeetingFactory(
        organizations=[organization], start=timezone.now() - dt.timedelta(days=200)
    )
    minute = AgendaItemFactory(meeting=earlier, title="Information Management Strategy Update")
    services.record_minute(
        item=minute,
        minutes_text="Considered the report.",
        resolutions=[
            {"text": "Notes the progress"},
            {"text": "Requests that Officers bring a further report", "requests_follow_up": True},
        ],
        version=ANY_VERSION,
        actor=SCRIPT,
    )
    services.publish_minutes(meeting=earlier, closed_at=None, actor=SCRIPT)
    later = MeetingFactory(organizations=[organization], published=True)
    item = AgendaItemFactory(
        meeting=later, title="Outstanding Issues", lists_outstanding_issues=True
    )
    page = client.get(later.get_absolute_url()).text
    assert "Requests that Officers bring a further report" in page
    assert "Notes the progress" not in page

    services.close_outstanding_issue(
        resolution=minute.resolutions.get(number=2), closed_by=item, actor=SCRIPT
    )
    page = client.get(later.get_absolute_url()).text
    assert "There are no outstanding issues." in page
