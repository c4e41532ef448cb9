"""What every app's templates need: times and dates as the council writes them ("2:00 pm",
"Thursday 13 April 2017, 2:00 pm", in London time) and the GOV.UK error summary of a form.
Load with {% load portal_kit %}. Dates alone need no filter: {{ day|date }} is "13 April 2017"
(governance_portal/formats/en_GB)."""

import datetime as dt

from django import template
from django.utils import timezone

from portal_kit.forms import error_summary as error_links
from portal_kit.time import LONDON

register = template.Library()


@register.filter
def clock(value) -> str:
    """A time (or an aware datetime, in London) as "2:00 pm"."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, LONDON).time()
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'am' if value.hour < 12 else 'pm'}"


@register.filter
def when(value) -> str:
    """An aware datetime as "Thursday 13 April 2017, 2:00 pm", in London."""
    if value in (None, ""):
        return ""
    local = timezone.localtime(value, LONDON)
    return f"{local:%A} {local.day} {local:%B %Y}, {clock(local)}"


@register.inclusion_tag("includes/error_summary.html")
def error_summary(form) -> dict:
    """The GOV.UK error summary of `form`: one link per error, to the input it is about
    (portal_kit.forms.error_summary); nothing when the form has no errors."""
    return {"links": error_links(form) if form is not None and form.errors else []}
