"""What every app's templates need: times and dates as the council writes them ("2:00 pm",
"Thursday 13 April 2017, 2:00 pm", in London time). Load with {% load portal_kit %}. Dates
alone need no filter: {{ day|date }} is "13 April 2017" (governance_portal/formats/en_GB)."""

import datetime as dt

from django import template
from django.utils import timezone

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
