"""The date and time filters every app's templates use, and the error summary tag."""

import datetime as dt

import pytest
from django import forms
from django.template import Context, Template

from portal_kit.forms import GovukFormMixin
from portal_kit.templatetags.portal_kit import clock, day, full_day, when
from portal_kit.time import LONDON

UTC = dt.UTC


def render(source: str, **context) -> str:
    return Template("{% load portal_kit %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.time(14), "2:00 pm"),
        (dt.time(9, 5), "9:05 am"),
        (dt.time(0, 0), "12:00 am"),
        (dt.time(12, 0), "12:00 pm"),
        (dt.time(23, 59), "11:59 pm"),
        (dt.datetime(2017, 4, 13, 13, tzinfo=UTC), "2:00 pm"),  # summer time
        (dt.datetime(2018, 1, 16, 14, tzinfo=UTC), "2:00 pm"),  # winter
        (None, ""),
        ("", ""),
    ],
)
def test_clock_shows_london_time_as_the_council_writes_it(value, shown):
    assert clock(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (dt.datetime(2017, 4, 13, 14, tzinfo=LONDON), "Thursday 13 April 2017, 2:00 pm"),
        (dt.datetime(2017, 4, 13, 13, tzinfo=UTC), "Thursday 13 April 2017, 2:00 pm"),
        (dt.datetime(2017, 3, 31, 23, 30, tzinfo=UTC), "Saturday 1 April 2017, 12:30 am"),
        (dt.datetime(2018, 1, 16, 10, tzinfo=UTC), "Tuesday 16 January 2018, 10:00 am"),
        (None, ""),
    ],
)
def test_when_shows_the_day_and_time_in_london(value, shown):
    assert when(value) == shown


def test_the_filters_in_a_template():
    start = dt.datetime(2017, 4, 13, 13, tzinfo=UTC)
    assert render("{{ start|when }} to {{ end|clock }}", start=start, end=dt.time(15, 30)) == (
        "Thursday 13 April 2017, 2:00 pm to 3:30 pm"
    )


@pytest.mark.parametrize(
    "value",
    [
        dt.date(2017, 4, 13),
        dt.date(2018, 1, 1),
        dt.datetime(2017, 4, 13, 13, tzinfo=UTC),
        dt.datetime(2017, 3, 31, 23, 30, tzinfo=UTC),  # 1 April in London (summer time)
        dt.datetime(2017, 10, 29, 0, 30, tzinfo=UTC),  # the night the clocks go back
        dt.datetime(2018, 12, 31, 23, 59, tzinfo=UTC),
        dt.datetime(2018, 6, 30, 23, 15, tzinfo=LONDON),
    ],
)
def test_day_and_full_day_write_what_the_date_filter_writes(value):
    """The kit's day filters are Django's `date:"j F Y"` and `date:"l j F Y"` at a tenth of
    the cost: the same words for dates and for moments, in London."""
    context = {"value": value}
    assert day(value) == Template('{{ value|date:"j F Y" }}').render(Context(context))
    assert full_day(value) == Template('{{ value|date:"l j F Y" }}').render(Context(context))
    assert render("{{ value|day }} {{ value|full_day }}", value=value) == (
        f"{day(value)} {full_day(value)}"
    )


def test_day_filters_of_nothing_are_empty():
    assert day(None) == full_day(None) == day("") == ""
    assert day(dt.date(2017, 4, 13)) == "13 April 2017"
    assert full_day(dt.datetime(2017, 4, 13, 13, tzinfo=UTC)) == "Thursday 13 April 2017"


def test_a_date_needs_no_filter_of_the_kit():
    """A date or two on a page may use Django's date filter, in the portal's format
    (governance_portal/formats/en_GB): 13 April 2017, what `day` writes."""
    assert Template("{{ day|date }}").render(Context({"day": dt.date(2017, 4, 13)})) == (
        "13 April 2017"
    )


class Search(GovukFormMixin, forms.Form):
    words = forms.CharField(label="Search for", error_messages={"required": "Enter words"})


def test_the_error_summary_tag_links_each_error_and_escapes_it():
    form = Search({"words": ""})
    form.is_valid()
    form.add_error(None, "<b>Markup</b> stays text")
    html = render("{% error_summary form %}", form=form)
    assert 'class="govuk-error-summary" data-module="govuk-error-summary"' in html
    assert '<div role="alert">' in html
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert '<li><a href="#id_words">&lt;b&gt;Markup&lt;/b&gt; stays text</a></li>' in html
    assert '<li><a href="#id_words">Enter words</a></li>' in html


@pytest.mark.parametrize("form", [Search(), Search({"words": "budget"}), None])
def test_no_error_summary_without_errors(form):
    if form is not None:
        form.is_valid()
    assert render("{% error_summary form %}", form=form).strip() == ""
