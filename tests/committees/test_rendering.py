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


@pytest.mark.parametrize(
    "size",
    [
        *(0, 1, 2, 1023, 1024, 1025, 1536, 10_240, 999_999, 1024**2 - 1, 1024**2, 1_310_720),
        *(1024**3, 5 * 1024**3 + 7, 1024**4, 1024**5 - 1, 3 * 1024**5),
    ],
)
def test_file_sizes_are_what_django_writes(size):
    from django.template.defaultfilters import filesizeformat

    from committees.templatetags.committees import file_size

    assert file_size(size) == filesizeformat(size)


@pytest.mark.parametrize(
    ("mime_type", "size", "pages", "facts"),
    [
        ("application/pdf", 1_310_720, 12, "PDF, 1.2\xa0MB, 12 pages"),
        ("application/pdf", 2048, 1, "PDF, 2.0\xa0KB, 1 page"),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            300,
            None,
            "Word document, 300\xa0bytes",
        ),
        ("application/msword", 1, 0, "Word document, 1\xa0byte"),
        ("text/plain", 10, None, "file, 10\xa0bytes"),
    ],
)
def test_file_facts_name_the_kind_size_and_pages(mime_type, size, pages, facts):
    from committees.models import Document
    from committees.templatetags.committees import file_facts

    assert file_facts(Document(mime_type=mime_type, size=size, page_count=pages)) == facts
