"""What every app's templates need: times and dates as the council writes them ("2:00 pm",
"13 April 2017", "Thursday 13 April 2017", "Thursday 13 April 2017, 2:00 pm", in London
time) and the GOV.UK error summary of a form. Load with {% load portal_kit %}.

`day` and `full_day` write what Django's `date:"j F Y"` and `date:"l j F Y"` write (and
{{ day|date }}, in the portal's format, governance_portal/formats/en_GB), at a tenth of the
cost: Django's filter parses its format and looks up the language and time zone on every call
(~35 µs), which a list of 45 meetings with four dates a row turned into 6 ms a page. Use them
in lists and agendas; `date` stays fine for a date or two, and for other formats."""

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


def _london_day(value) -> dt.date:
    return timezone.localtime(value, LONDON) if isinstance(value, dt.datetime) else value


@register.filter
def day(value) -> str:
    """A date (or an aware datetime, in London) as "13 April 2017"."""
    if value in (None, ""):
        return ""
    value = _london_day(value)
    return f"{value.day} {value:%B %Y}"


@register.filter
def full_day(value) -> str:
    """A date (or an aware datetime, in London) as "Thursday 13 April 2017"."""
    if value in (None, ""):
        return ""
    value = _london_day(value)
    return f"{value:%A} {value.day} {value:%B %Y}"


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
