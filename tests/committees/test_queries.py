"""The reads of committees.queries, called directly: what each returns, in what order, and for
how many SQL queries whatever the number of rows."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from committees import policies
from committees.models import (
    AgendaItem,
    Consultation,
    Document,
    MembershipRole,
    PackStatus,
)
from committees.queries import manage as manage_queries
from committees.queries import public as queries
from tests.committees.factories import (
    AgendaItemFactory,
    AgendaPackFactory,
    ConsultationFactory,
    MeetingFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    PrivateAgendaItemFactory,
    ResolutionFactory,
)
from tests.helpers import at

pytestmark = pytest.mark.django_db

PUBLIC = AnonymousUser()


def _public_agenda(meeting, *, with_minutes=False):
    return queries.agenda(
        meeting,
        items=policies.agenda_items.visible(PUBLIC, AgendaItem.objects.all()),
        consultations=policies.consultations.visible(PUBLIC, Consultation.objects.all()),
        documents=policies.documents.visible(PUBLIC, Document.objects.all()),
        with_minutes=with_minutes,
    )


class TestAgenda:
    def test_items_in_order_with_their_sub_items_numbered_as_printed(self):
        meeting = MeetingFactory(published=True)
        second = AgendaItemFactory(meeting=meeting, position=2, number="2", title="Second")
        AgendaItemFactory(meeting=meeting, position=1, number="1", title="First")
        AgendaItemFactory(meeting=meeting, parent=second, position=1, number="a)", title="Sub")

        public = _public_agenda(meeting)
        clerks = manage_queries.agenda(meeting)

        assert [(e.number, [s.number for s in e.sub_items]) for e in public] == [
            ("1", []),
            ("2", ["a)"]),
        ]
        assert [(i.full_number, [c.full_number for c in i.children]) for i in clerks] == [
            ("1", []),
            ("2", ["2a)"]),
        ]

    def test_a_sub_item_of_private_business_is_private_with_its_parents_paragraphs(self):
        meeting = MeetingFactory(published=True)
        parent = PrivateAgendaItemFactory(meeting=meeting, exempt_paragraphs=[3])
        AgendaItemFactory(meeting=meeting, parent=parent, number="a)", description="Hidden")

        (entry,) = _public_agenda(meeting)
        (sub,) = entry.sub_items

        assert not sub.is_public and not sub.shows_content and sub.description == ""
        assert sub.exemption == ("paragraph 3 of Schedule 12A to the Local Government Act 1972")

    @pytest.mark.parametrize("n", [1, 30])
    def test_costs_three_queries_whatever_its_length(self, django_assert_num_queries, n):
        meeting = MeetingFactory(published=True)
        for position in range(1, n + 1):
            item = AgendaItemFactory(meeting=meeting, position=position, number=str(position))
            ConsultationFactory(agenda_item=item)
        with django_assert_num_queries(3):
            assert len(_public_agenda(meeting)) == n


class TestCommittees:
    def test_members_on_the_day_chair_first_and_in_the_council_s_order(self):
        committee = OrganizationFactory()
        for role, name in [
            (MembershipRole.SUBSTITUTE, "Zed"),
            (MembershipRole.MEMBER, "Brown"),
            (MembershipRole.CHAIR, "Young"),
            (MembershipRole.MEMBER, "Adams"),
        ]:
            MembershipFactory(
                organization=committee, role=role, person=PersonFactory(family_name=name)
            )
        MembershipFactory(
            organization=committee,
            person=PersonFactory(family_name="Gone"),
            end_date=dt.date(2016, 12, 31),
        )

        shown = queries.committee_detail(today=dt.date(2017, 4, 13)).get(pk=committee.pk)

        assert [m.person.family_name for m in shown.current_members] == [
            "Young",
            "Adams",
            "Brown",
            "Zed",
        ]


class TestOutstandingIssues:
    def test_lists_open_requests_from_earlier_public_minutes_only(self):
        committee = OrganizationFactory()
        earlier = MeetingFactory(organizations=[committee], start=at(2016, 7, 28))
        earlier.minutes_published_at = at(2016, 8, 4)
        earlier.save()
        later = MeetingFactory(organizations=[committee], start=at(2017, 4, 13))
        asked = ResolutionFactory(
            agenda_item=AgendaItemFactory(meeting=earlier, position=1, number="1"),
            text="Bring a further report",
            requests_follow_up=True,
        )
        ResolutionFactory(
            agenda_item=PrivateAgendaItemFactory(meeting=earlier, position=2, number="2"),
            text="Exempt request",
            requests_follow_up=True,
        )
        ResolutionFactory(
            agenda_item=AgendaItemFactory(meeting=earlier, position=3, number="3"),
            text="Closed already",
            requests_follow_up=True,
            closed_by=AgendaItemFactory(meeting=later),
        )

        assert queries.outstanding_issues(later) == [asked]


class TestPacks:
    def test_the_published_pack_is_the_newest_ready_main_pack(self):
        meeting = MeetingFactory(published=True)
        older = AgendaPackFactory(meeting=meeting)
        newer = AgendaPackFactory(meeting=meeting)
        AgendaPackFactory(meeting=meeting, is_supplement=True)
        AgendaPackFactory(meeting=meeting, status=PackStatus.WITHDRAWN)

        assert queries.ready_pack(meeting) == newer != older


class TestForTheClerk:
    def test_minutes_items_are_offered_only_meetings_that_have_taken_place(self):
        committee = OrganizationFactory()
        held = MeetingFactory(organizations=[committee], start=at(2017, 3, 1))
        still_to_come = MeetingFactory(organizations=[committee], start=at(2040, 1, 1))
        later = MeetingFactory(organizations=[committee], start=at(2040, 2, 1))

        offered = list(manage_queries.earlier_meetings(later, now=at(2030, 1, 1)))

        assert offered == [held] and still_to_come not in offered
