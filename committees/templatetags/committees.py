"""Committees' own template filters: {% load committees %}."""

from django import template
from django.utils.html import format_html

from committees.models import MeetingState

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
