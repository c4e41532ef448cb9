"""Dates and times as the council writes them: "Thursday 13 April 2017, 2:00 pm"."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def clock(value) -> str:
    """A time (or an aware datetime, in Europe/London) as "2:00 pm"."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).time()
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d} {'am' if value.hour < 12 else 'pm'}"


@register.filter
def when(value) -> str:
    """An aware datetime as "Thursday 13 April 2017, 2:00 pm"."""
    if value in (None, ""):
        return ""
    local = timezone.localtime(value)
    return f"{local:%A} {local.day} {local:%B %Y}, {clock(local)}"
