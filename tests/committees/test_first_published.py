"""`Paper.first_published_at`: when the public could first see a report. The services set it
the first time a public report is on a published agenda (publishing the agenda, adding the
report to an agenda already published, making a report on one public) and never move it;
the migration's backfill gives existing reports their first published agenda. The Atom
feeds are ordered by it."""

import dataclasses
import importlib

import pytest
from defusedxml import ElementTree
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from committees import services
from committees.models import Paper
from committees.services import SCRIPT, PaperDetails
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    MeetingFactory,
    PaperFactory,
    PrivateAgendaItemFactory,
    PrivatePaperFactory,
    approve_fully,
)
from tests.helpers import at

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
BACKFILL = importlib.import_module("committees.migrations.0002_paper_first_published_at").BACKFILL


def first_published(paper):
    return Paper.objects.values_list("first_published_at", flat=True).get(pk=paper.pk)


def on_agenda(paper, meeting, *, private_item=False):
    factory = PrivateAgendaItemFactory if private_item else AgendaItemFactory
    ConsultationFactory(paper=paper, agenda_item=factory(meeting=meeting))
    return paper


def feed_titles(client, name="committees:papers_atom", *args) -> list[str]:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return [e.find(f"{ATOM}title").text for e in root.findall(f"{ATOM}entry")]


class TestServices:
    def test_publishing_an_agenda_stamps_its_public_reports(self):
        meeting = MeetingFactory(start=at(2017, 4, 13))
        public = on_agenda(approve_fully(PaperFactory()), meeting)
        private = on_agenda(approve_fully(PrivatePaperFactory()), meeting, private_item=True)
        elsewhere = approve_fully(PaperFactory())
        on_agenda(elsewhere, MeetingFactory(start=at(2017, 5, 13)))
        assert first_published(public) is None

        services.publish_agenda(meeting=meeting, now=at(2017, 4, 5, 10), actor=SCRIPT)

        assert first_published(public) == at(2017, 4, 5, 10)
        assert first_published(private) is None
        assert first_published(elsewhere) is None

    def test_publication_on_a_later_agenda_keeps_the_first(self):
        first = MeetingFactory(start=at(2017, 4, 13))
        second = MeetingFactory(start=at(2017, 6, 13))
        paper = approve_fully(PaperFactory())
        on_agenda(paper, first)
        services.publish_agenda(meeting=first, now=at(2017, 4, 5, 10), actor=SCRIPT)
        on_agenda(paper, second)

        services.publish_agenda(meeting=second, now=at(2017, 6, 1, 10), actor=SCRIPT)

        assert first_published(paper) == at(2017, 4, 5, 10)

    def test_a_report_added_to_a_published_agenda_is_stamped_then(self):
        meeting = MeetingFactory(published=True)
        item = AgendaItemFactory(meeting=meeting)
        paper = approve_fully(PaperFactory())
        before = timezone.now()

        services.attach_report(item=item, paper=paper, role="decision", actor=SCRIPT)

        assert before <= first_published(paper) <= timezone.now()
        stamped = first_published(paper)
        # Taken again (at another published meeting, or the same one): the first stays.
        services.attach_report(
            item=AgendaItemFactory(meeting=MeetingFactory(published=True)),
            paper=paper,
            role="decision",
            actor=SCRIPT,
        )
        services.attach_report(item=item, paper=paper, role="noting", actor=SCRIPT)
        assert first_published(paper) == stamped

    def test_a_report_added_to_an_unpublished_agenda_waits_for_publication(self):
        item = AgendaItemFactory(meeting=MeetingFactory())
        paper = approve_fully(PaperFactory())
        services.attach_report(item=item, paper=paper, role="decision", actor=SCRIPT)
        assert first_published(paper) is None

    def test_making_a_published_report_public_stamps_it_once(self):
        meeting = MeetingFactory(published=True)
        paper = on_agenda(PrivatePaperFactory(), meeting)
        assert first_published(paper) is None

        paper = services.update_paper(
            paper=paper,
            version=1,
            details=dataclasses.replace(PaperDetails.of(paper), is_public=True),
            actor=SCRIPT,
        )

        stamped = first_published(paper)
        assert stamped is not None and paper.first_published_at == stamped
        paper = services.update_paper(
            paper=paper,
            version=paper.version,
            details=dataclasses.replace(
                PaperDetails.of(paper), is_public=False, exempt_paragraphs=[3]
            ),
            actor=SCRIPT,
        )
        assert first_published(paper) == stamped
        paper = services.update_paper(
            paper=paper,
            version=paper.version,
            details=dataclasses.replace(PaperDetails.of(paper), is_public=True),
            actor=SCRIPT,
        )
        assert first_published(paper) == stamped

    def test_making_a_report_public_that_is_only_at_a_private_item_does_not_stamp_it(self):
        # The item's privacy closes the report (policies.paper_open): the public never saw it.
        paper = on_agenda(PrivatePaperFactory(), MeetingFactory(published=True), private_item=True)

        paper = services.update_paper(
            paper=paper,
            version=1,
            details=dataclasses.replace(PaperDetails.of(paper), is_public=True),
            actor=SCRIPT,
        )

        assert first_published(paper) is None

    def test_making_an_unpublished_report_public_does_not_stamp_it(self):
        paper = on_agenda(PrivatePaperFactory(), MeetingFactory(), private_item=True)
        services.update_paper(
            paper=paper,
            version=1,
            details=dataclasses.replace(PaperDetails.of(paper), is_public=True),
            actor=SCRIPT,
        )
        assert first_published(paper) is None

    def test_an_edit_leaves_the_stamp_alone(self):
        paper = on_agenda(PaperFactory(), MeetingFactory(published=True))
        stamped = first_published(paper)
        assert stamped is not None
        services.update_paper(
            paper=paper,
            version=1,
            details=dataclasses.replace(PaperDetails.of(paper), title="A new title"),
            actor=SCRIPT,
        )
        assert first_published(paper) == stamped


class TestBackfill:
    def test_the_migration_gives_public_reports_their_first_published_agenda(self):
        early = MeetingFactory(published=True, start=at(2020, 3, 1))
        late = MeetingFactory(published=True, start=at(2020, 9, 1))
        twice = on_agenda(on_agenda(PaperFactory(), late), early)
        once = on_agenda(PaperFactory(), late)
        unpublished = on_agenda(PaperFactory(), MeetingFactory())
        private = on_agenda(PrivatePaperFactory(), early, private_item=True)
        nowhere = PaperFactory()
        Paper.objects.update(first_published_at=None)

        with connection.cursor() as cursor:
            cursor.execute(BACKFILL)

        assert first_published(twice) == early.agenda_published_at
        assert first_published(once) == late.agenda_published_at
        for paper in (unpublished, private, nowhere):
            assert first_published(paper) is None


class TestFeedOrder:
    def test_newest_first_publication_first_and_republication_does_not_move_it(self, client):
        april = MeetingFactory(start=at(2030, 4, 13))
        may = MeetingFactory(start=at(2030, 5, 13))
        june = MeetingFactory(start=at(2030, 6, 13))
        budget = on_agenda(approve_fully(PaperFactory(title="Budget")), april)
        roads = on_agenda(approve_fully(PaperFactory(title="Roads")), may)
        parks = on_agenda(approve_fully(PaperFactory(title="Parks")), june)
        services.publish_agenda(meeting=april, now=at(2030, 4, 1, 9), actor=SCRIPT)
        services.publish_agenda(meeting=may, now=at(2030, 5, 1, 9), actor=SCRIPT)
        assert feed_titles(client) == ["Roads", "Budget"]

        # Budget goes on to June: published there later, it stays where it first appeared.
        on_agenda(budget, june)
        services.publish_agenda(meeting=june, now=at(2030, 6, 1, 9), actor=SCRIPT)
        assert feed_titles(client) == ["Parks", "Roads", "Budget"]
        assert first_published(budget) == at(2030, 4, 1, 9)
        assert {first_published(roads), first_published(parks)} == {
            at(2030, 5, 1, 9),
            at(2030, 6, 1, 9),
        }

    def test_a_report_made_private_leaves_the_feed_and_keeps_its_stamp(self, client):
        meeting = MeetingFactory(published=True)
        paper = on_agenda(PaperFactory(title="Land sale"), meeting)
        stamped = first_published(paper)
        assert feed_titles(client) == ["Land sale"]
        services.update_paper(
            paper=paper,
            version=1,
            details=dataclasses.replace(
                PaperDetails.of(paper), is_public=False, exempt_paragraphs=[3]
            ),
            actor=SCRIPT,
        )
        assert feed_titles(client) == []
        assert first_published(paper) == stamped

    def test_the_committee_feed_orders_by_first_publication_anywhere(self, client):
        april = MeetingFactory(published=True, start=at(2030, 4, 13))
        june = MeetingFactory(published=True, start=at(2030, 6, 13))
        committee = june.organizations.get()
        on_agenda(on_agenda(PaperFactory(title="Early"), april), june)
        on_agenda(PaperFactory(title="Late"), june)
        on_agenda(PaperFactory(title="Not here"), april)
        titles = feed_titles(client, "committees:committee_atom", committee.slug)
        assert titles == ["Late", "Early"]
