"""What the pages were made cheaper to render with (issue 9, bench/render.py) says the same as
what it replaced: meeting titles read in the list query, the state tag as a filter."""

import pytest
from django.template import Context, Template

from committees.models import Meeting, MeetingState
from committees.templatetags.committees import state_tag
from tests.committees.factories import MeetingFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_titles_read_with_the_list_are_the_titles_of_the_decision_makers(
    django_assert_num_queries,
):
    cabinet = OrganizationFactory(name="Cabinet")
    audit = OrganizationFactory(name="Audit and Procurement Committee")
    meetings = [
        MeetingFactory(organizations=[cabinet, audit]),
        MeetingFactory(organizations=[cabinet]),
        MeetingFactory(),
        MeetingFactory(organizations=[audit], name="Extraordinary meeting"),
    ]
    meetings[2].organizations.clear()  # none: an empty title, not one query a meeting
    with django_assert_num_queries(1):
        listed = {m.pk: m.title for m in Meeting.objects.with_titles()}
    assert listed == {m.pk: Meeting.objects.get(pk=m.pk).title for m in meetings}
    assert listed[meetings[0].pk] == "Audit and Procurement Committee and Cabinet"
    assert listed[meetings[2].pk] == ""
    assert listed[meetings[3].pk] == "Extraordinary meeting"


@pytest.mark.parametrize(
    ("state", "colour"),
    [
        (MeetingState.SCHEDULED, " govuk-tag--grey"),
        (MeetingState.AGENDA_PUBLISHED, " govuk-tag--blue"),
        (MeetingState.HELD, " govuk-tag--turquoise"),
        (MeetingState.MINUTES_APPROVED, " govuk-tag--green"),
        (MeetingState.CANCELLED, " govuk-tag--red"),
    ],
)
def test_the_state_tag_is_a_govuk_tag_in_the_state_colour(state, colour):
    meeting = Meeting(state=state)
    html = f'<strong class="govuk-tag{colour}">{meeting.get_state_display()}</strong>'
    assert state_tag(meeting) == html
    assert Template("{% load committees %}{{ m|state_tag }}").render(Context({"m": meeting})) == (
        html
    )
