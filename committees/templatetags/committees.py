"""Committees' own template filters: {% load committees %}. Each replaces an included
template or a chain of Django filters used once per row of a list, where it cost ten times as
much (bench/render.py measures the pages)."""

from django import template
from django.utils.html import avoid_wrapping, format_html

from committees.models import MeetingState
from portal_kit.templatetags.portal_kit import clock

register = template.Library()

#: The GOV.UK tag colour of each state of a meeting.
STATE_TAG_CLASSES = {
    MeetingState.SCHEDULED: "govuk-tag govuk-tag--grey",
    MeetingState.AGENDA_PUBLISHED: "govuk-tag govuk-tag--blue",
    MeetingState.HELD: "govuk-tag govuk-tag--turquoise",
    MeetingState.MINUTES_APPROVED: "govuk-tag govuk-tag--green",
    MeetingState.CANCELLED: "govuk-tag govuk-tag--red",
}


@register.filter
def state_tag(meeting) -> str:
    """The meeting's state as a GOV.UK tag in its colour:
    `<strong class="govuk-tag govuk-tag--blue">Agenda published</strong>`. A filter rather
    than an included template, which cost ten times as much once a row of the meetings list."""
    return format_html(
        '<strong class="{}">{}</strong>',
        STATE_TAG_CLASSES.get(meeting.state, "govuk-tag"),
        meeting.get_state_display(),
    )


@register.filter
def file_facts(document) -> str:
    """What a download link says of its file: "PDF, 1.2 MB, 12 pages"."""
    if document.mime_type == "application/pdf":
        kind = "PDF"
    else:
        kind = "Word document" if "word" in document.mime_type else "file"
    facts = f"{kind}, {file_size(document.size)}"
    if document.page_count:
        facts += f", {document.page_count} page{'s' if document.page_count != 1 else ''}"
    return facts


def file_size(size: int) -> str:
    """Django's `filesizeformat` in the portal's language ("1.2 MB", "245.0 KB",
    "300 bytes", the number and unit kept together), without its cost: it looks up the
    language and number format on every call (~60 µs; tests/committees/test_rendering.py
    holds the two to the same words)."""
    if size < 1024:
        return avoid_wrapping(f"{size} byte{'s' if size != 1 else ''}")
    power = 1
    while power < len(UNITS) - 1 and size >= 1024 ** (power + 1):
        power += 1
    return avoid_wrapping(f"{round(size / 1024**power, 1):.1f} {UNITS[power]}")


UNITS = ("bytes", "KB", "MB", "GB", "TB", "PB")


@register.filter
def came_and_went(row) -> str:
    """When someone at a meeting (an Attendance) arrived late or left early, as the minutes
    write it with the kit's clock: "arrived at 2:35 pm, left at 3:10 pm"; empty if neither
    was recorded."""
    times = []
    if row.arrived_at is not None:
        times.append(f"arrived at {clock(row.arrived_at)}")
    if row.left_at is not None:
        times.append(f"left at {clock(row.left_at)}")
    return ", ".join(times)
