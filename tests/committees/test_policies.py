"""The public-visibility rules of committees.policies, where one rule has two shapes."""

import pytest
from django.db.models import OuterRef

from committees import policies
from committees.models import AgendaItem, Consultation
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    MeetingFactory,
    PrivateAgendaItemFactory,
)

pytestmark = pytest.mark.django_db


def test_both_shapes_of_public_business_agree_on_every_kind_of_item():
    meeting = MeetingFactory(published=True)
    public = AgendaItemFactory(meeting=meeting, title="public")
    private = PrivateAgendaItemFactory(meeting=meeting, title="private")
    AgendaItemFactory(meeting=meeting, parent=public, title="public under public")
    PrivateAgendaItemFactory(meeting=meeting, parent=public, title="private under public")
    AgendaItemFactory(meeting=meeting, parent=private, title="public under private")
    PrivateAgendaItemFactory(meeting=meeting, parent=private, title="private under private")

    joined = dict(
        policies.agenda_items.with_business(AgendaItem.objects.all()).values_list(
            "title", "public_business"
        )
    )
    anti_joined = set(
        AgendaItem.objects.filter(policies.item_is_public(OuterRef("pk"))).values_list(
            "title", flat=True
        )
    )

    assert {title for title, public in joined.items() if public} == anti_joined
    assert anti_joined == {"public", "public under public"}


def test_a_step_without_an_item_is_judged_by_its_meeting_and_report_alone():
    step = ConsultationFactory(agenda_item=None, meeting=MeetingFactory(published=True))

    assert list(Consultation.objects.filter(policies.step_open())) == [step]
