"""The GOV.UK form pieces every app builds with: the date and time inputs read what people
type and refuse the rest with the Design System's wording, the error summary links every
error to its input, and a form editing a record needs the record's version back."""

import datetime as dt

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from portal_kit.forms import (
    DATE_INCOMPLETE,
    REAL_DATE,
    REAL_TIME,
    VERSION_MISSING,
    YEAR_FOUR_DIGITS,
    YEAR_RANGE,
    GovukDateField,
    GovukFormMixin,
    GovukTimeField,
    VersionedFormMixin,
    choice_errors,
    error_summary,
    parse_time,
    text_field,
    textarea_field,
    version_field,
)

HOSTILE = "<script>alert(1)</script>"


class MeetingDetails(VersionedFormMixin, GovukFormMixin, forms.Form):
    submit_label = "Save"

    title = text_field("Title", required_message="Enter the title", max_length=20)
    notes = textarea_field("Notes (optional)")
    day = GovukDateField(label="Date", required_message="Enter the date of the meeting")
    start = GovukTimeField(label="Start time", required_message="Enter the time it starts")
    end = GovukTimeField(label="End time (optional)", required=False)
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("public", "Public"), ("private", "Private")],
        widget=forms.RadioSelect,
        error_messages=choice_errors("the kind of meeting"),
    )
    version = version_field()


def date_parts(day="13", month="4", year="2017") -> dict:
    return {"day_0": day, "day_1": month, "day_2": year}


def posted(**changes) -> dict:
    data = {"title": "Cabinet", **date_parts(), "start": "2pm", "kind": "public"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def errors_of(form) -> dict[str, list[str]]:
    form.is_valid()
    return {name: list(errors) for name, errors in form.errors.items()}


# --- Dates ---------------------------------------------------------------------------------------


def test_a_real_date_is_read_from_its_three_boxes():
    form = MeetingDetails(posted(**date_parts(" 13 ", "04", "2017")))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == dt.date(2017, 4, 13)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the date of the meeting"),
        ("13", "", "2017", DATE_INCOMPLETE),
        ("", "4", "", DATE_INCOMPLETE),
        ("31", "2", "2017", REAL_DATE),
        ("13", "13", "2017", REAL_DATE),
        ("0", "4", "2017", REAL_DATE),
        ("aa", "4", "2017", REAL_DATE),
        ("13", "April", "2017", REAL_DATE),
        ("13", "4", "17", YEAR_FOUR_DIGITS),
        ("13", "4", "02017", YEAR_FOUR_DIGITS),
        ("13", "4", "0001", YEAR_RANGE),
        ("13", "4", "3000", YEAR_RANGE),
    ],
)
def test_a_missing_or_wrong_date_gets_the_govuk_message(day, month, year, message):
    assert errors_of(MeetingDetails(posted(**date_parts(day, month, year))))["day"] == [message]


@pytest.mark.parametrize(
    "parts",
    [
        (HOSTILE, "4", "2017"),
        ("1" * 30, "4", "2017"),  # past any integer a date can hold
        ("-1", "4", "2017"),
        ("1e3", "4", "2017"),
        ("١٣", "٤", "٢٠١٧"),  # digits, but not the ones the boxes ask for
        ("13", "4", "2017\x00"),
        ("13", "4", "²⁰¹⁷"),
    ],
)
def test_hostile_date_input_gets_real_date_and_no_crash(parts):
    assert errors_of(MeetingDetails(posted(**date_parts(*parts))))["day"] in (
        [REAL_DATE],
        [YEAR_FOUR_DIGITS],
    )


def test_the_date_in_error_marks_its_boxes_for_the_template():
    form = MeetingDetails(posted(**date_parts("31", "2", "2017")))
    form.is_valid()
    # crispy-forms-gds draws the red border from the first box's errors.
    assert form.fields["day"].fields[0].widget.errors == [REAL_DATE]
    form = MeetingDetails(posted())
    assert form.is_valid()
    assert form.fields["day"].fields[0].widget.errors == []


def test_an_optional_date_left_empty_is_none():
    field = GovukDateField(required=False)
    assert field.clean(["", " ", ""]) is None
    assert field.clean(None) is None


@given(st.lists(st.one_of(st.none(), st.text(max_size=12), st.integers()), max_size=5))
def test_any_date_input_is_a_date_or_a_govuk_error(parts):
    field = GovukDateField()
    messages = {"Enter the date", DATE_INCOMPLETE, REAL_DATE, YEAR_FOUR_DIGITS, YEAR_RANGE}
    try:
        value = field.clean(parts)
    except forms.ValidationError as error:
        refused = error.messages
    else:
        refused = None
        assert isinstance(value, dt.date) and 1900 <= value.year <= 2999
    assert refused is None or (len(refused) == 1 and refused[0] in messages)


# --- Times ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "time"),
    [
        ("2pm", dt.time(14)),
        ("2:30 pm", dt.time(14, 30)),
        ("2.30p.m.", dt.time(14, 30)),
        ("12pm", dt.time(12)),
        ("12am", dt.time(0)),
        ("midday", dt.time(12)),
        ("Noon", dt.time(12)),
        ("14:30", dt.time(14, 30)),
        ("1430", dt.time(14, 30)),
        ("09:15", dt.time(9, 15)),
        ("18", dt.time(18)),
        ("2", None),
        ("13pm", None),
        ("0am", None),
        ("14:60", None),
        ("24:00", None),
        ("teatime", None),
        (HOSTILE, None),
    ],
)
def test_times_are_read_as_people_type_them(typed, time):
    assert parse_time(typed) == time


def test_a_time_field_gives_a_time():
    form = MeetingDetails(posted(start="2:30pm", end="16:00"))
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["start"], form.cleaned_data["end"]) == (dt.time(14, 30), dt.time(16))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the time it starts"),
        ("   ", "Enter the time it starts"),
        ("2", REAL_TIME),
        ("25:00", REAL_TIME),
        ("teatime", REAL_TIME),
        ("<b>2pm</b>", REAL_TIME),
    ],
)
def test_a_missing_or_wrong_time_gets_the_govuk_message(typed, message):
    assert errors_of(MeetingDetails(posted(start=typed)))["start"] == [message]


@pytest.mark.parametrize("typed", [HOSTILE, "1" * 21, "2pm\x00"])
def test_an_overlong_or_null_time_gets_the_govuk_message_too(typed):
    # Django's own wording ("Ensure this value has at most 20 characters", "Null characters
    # are not allowed.") is not the Design System's.
    assert errors_of(MeetingDetails(posted(start=typed)))["start"] == [REAL_TIME]


def test_an_optional_time_left_empty_is_none():
    form = MeetingDetails(posted(end=""))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["end"] is None


# --- Small fields --------------------------------------------------------------------------------


def test_text_fields_say_what_to_enter_and_how_long_it_may_be():
    assert errors_of(MeetingDetails(posted(title="")))["title"] == ["Enter the title"]
    assert errors_of(MeetingDetails(posted(title="x" * 21)))["title"] == [
        "Title must be 20 characters or fewer"
    ]
    optional = text_field("Lead (optional)", max_length=5)
    with pytest.raises(forms.ValidationError) as refused:
        optional.clean("x" * 6)
    assert refused.value.messages == ["Lead must be 5 characters or fewer"]
    assert optional.clean("") == ""


def test_a_choice_left_empty_or_made_up_says_select():
    assert errors_of(MeetingDetails(posted(kind=None)))["kind"] == ["Select the kind of meeting"]
    assert errors_of(MeetingDetails(posted(kind=HOSTILE)))["kind"] == ["Select the kind of meeting"]


# --- The version of the record -------------------------------------------------------------------


def test_a_form_editing_a_record_needs_its_version_back():
    editing = MeetingDetails(posted(), initial={"version": 3})
    assert errors_of(editing)["version"] == [VERSION_MISSING]
    for tampered in ("x", "-1", str(2**31), HOSTILE):
        form = MeetingDetails(posted(version=tampered), initial={"version": 3})
        assert errors_of(form)["version"] == [VERSION_MISSING]
    form = MeetingDetails(posted(version="3"), initial={"version": 3})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["version"] == 3


def test_a_form_creating_a_record_has_no_version_to_send():
    form = MeetingDetails(posted())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["version"] is None


# --- The error summary ---------------------------------------------------------------------------


def test_the_error_summary_links_each_error_to_its_input_in_page_order():
    form = MeetingDetails(
        posted(title="", start="teatime", kind=None, **date_parts("31", "2", "2017")),
        initial={"version": 1},
    )
    form.is_valid()
    form.add_error(None, "Someone else changed this")
    assert error_summary(form) == [
        ("id_title", "Someone else changed this"),  # not about one field: the first field
        ("id_title", VERSION_MISSING),  # hidden: the first field
        ("id_title", "Enter the title"),
        ("id_day_0", REAL_DATE),  # the day box of a date
        ("id_start", REAL_TIME),
        ("id_kind_1", "Select the kind of meeting"),  # the first radio
    ]


def test_a_valid_form_has_no_error_summary():
    form = MeetingDetails(posted())
    assert form.is_valid()
    assert error_summary(form) == []


def test_the_form_renders_govuk_markup_with_its_submit_button():
    from crispy_forms.utils import render_crispy_form

    form = MeetingDetails(posted(**date_parts("31", "2", "2017")))
    form.is_valid()
    html = render_crispy_form(form)
    assert 'class="govuk-date-input"' in html
    assert "govuk-input--error" in html
    assert 'class="govuk-button"' in html and 'value="Save"' in html
    assert "<form" not in html  # the page's template has the one <form>
