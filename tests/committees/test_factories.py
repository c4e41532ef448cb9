"""The factories reach the states the services leave: a test built on a factory's published
meeting or public report sees what the portal would hold after publishing through the
services."""

import pytest

from committees import services
from committees.models import Meeting, Paper
from committees.services import SCRIPT, AgendaItemDetails
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    MeetingFactory,
    PaperFactory,
    approve_fully,
)

pytestmark = pytest.mark.django_db


def _fields(meeting: Meeting) -> dict:
    meeting.refresh_from_db()
    return {
        "state": meeting.state,
        "published": meeting.agenda_published_at is not None,
        "published_before_the_meeting": (
            meeting.agenda_published_at is not None and meeting.agenda_published_at < meeting.start
        ),
    }


def test_a_published_meeting_is_what_publish_agenda_leaves():
    by_factory = MeetingFactory(published=True)
    by_service = MeetingFactory()
    services.add_agenda_item(
        meeting=by_service, details=AgendaItemDetails(title="Apologies"), actor=SCRIPT
    )
    services.publish_agenda(meeting=by_service, actor=SCRIPT)

    assert _fields(by_factory) == _fields(by_service)


def test_a_public_report_on_a_published_agenda_is_stamped_as_the_services_stamp_it():
    by_factory = ConsultationFactory(
        agenda_item=AgendaItemFactory(meeting=MeetingFactory(published=True))
    ).paper
    meeting = MeetingFactory()
    item = services.add_agenda_item(
        meeting=meeting, details=AgendaItemDetails(title="Report"), actor=SCRIPT
    )
    by_service = approve_fully(PaperFactory())
    services.attach_report(item=item, paper=by_service, role="decision", actor=SCRIPT)
    services.publish_agenda(meeting=meeting, actor=SCRIPT)

    stamps = Paper.objects.filter(pk__in=[by_factory.pk, by_service.pk]).values_list(
        "first_published_at", flat=True
    )
    assert None not in stamps
