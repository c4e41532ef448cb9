"""GOV.UK Design System forms: the base mixin, the error summary, the date and time inputs,
the small field factories and the hidden version of the record a form edits.

Wording follows the Design System's error messages ("Enter a real date", "The year must
include 4 numbers"); the rules an app applies to the values are its services' business."""

import datetime as dt
import re

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit
from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.core.exceptions import ValidationError

from portal_kit.models import VERSION_MISSING

REAL_DATE = "Enter a real date"
DATE_INCOMPLETE = "The date must include a day, month and year"
YEAR_FOUR_DIGITS = "The year must include 4 numbers"
YEAR_RANGE = "The year must be between 1900 and 2999"
REAL_TIME = "Enter a real time, like 2pm, 2:30pm or 14:30"


class GovukFormMixin:
    """Renders with the GOV.UK template pack: labels, hints, inline errors and one primary
    button labelled `submit_label`. The page (templates/includes/form_page.html) shows the
    error summary above the heading and prefixes the title with "Error:" when the form is
    invalid."""

    submit_label = "Continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.label_size = "s"
        self.helper.add_input(Submit("submit", self.submit_label))


# --- The error summary -----------------------------------------------------------------------


def _anchor(bound_field) -> str:
    """The id of the input an error summary link should move to: the first checkbox, radio
    or date box for those, else the field's own input."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return f"id_{bound_field.html_name}_1"
    if isinstance(widget, forms.MultiWidget):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


def link_error(form, message: str, url: str) -> None:
    """Link the error summary's entry for `message`, an error of the form not about one of
    its fields, to `url` (a path: the page where it is put right) instead of the first
    field."""
    form.error_links = {**getattr(form, "error_links", {}), message: url}


def error_summary(form) -> list[tuple[str, str]]:
    """(anchor, message) for every error on the form, in the order of the page: errors not
    about one visible field first, linked to the first field (or to the path link_error
    gave)."""
    visible = form.visible_fields()
    first = _anchor(visible[0]) if visible else "main-content"
    elsewhere = getattr(form, "error_links", {})
    links = [(elsewhere.get(str(m), first), str(m)) for m in form.non_field_errors()]
    for hidden in form.hidden_fields():
        links += [(first, str(message)) for message in hidden.errors]
    for bound_field in visible:
        links += [(_anchor(bound_field), str(message)) for message in bound_field.errors]
    return links


# --- Dates and times -------------------------------------------------------------------------


class GovukDateField(forms.MultiValueField):
    """The GOV.UK date input: day, month and year boxes. Impossible dates (31 2 2017), letters
    and two-digit years are refused with the Design System's wording."""

    widget = DateInputWidget

    def __init__(self, *, required_message="Enter the date", **kwargs):
        fields = (
            forms.CharField(required=False),
            forms.CharField(required=False),
            forms.CharField(required=False),
        )
        super().__init__(
            fields=fields,
            require_all_fields=False,
            error_messages={"required": required_message, "incomplete": DATE_INCOMPLETE},
            **kwargs,
        )

    def _fail(self, message, code):
        # crispy-forms-gds marks a box in error (red border) from its sub-widget's errors.
        self.fields[0].widget.errors = [message]
        raise ValidationError(message, code=code)

    def clean(self, value):
        for field in self.fields:
            field.widget.errors = []
        parts = [str(v or "").strip() for v in [*(value or []), "", "", ""][:3]]
        if not any(parts):
            if self.required:
                self._fail(self.error_messages["required"], "required")
            return None
        if not all(parts):
            self._fail(DATE_INCOMPLETE, "incomplete")
        if not all(p.isascii() and p.isdigit() for p in parts):
            self._fail(REAL_DATE, "invalid")
        if len(parts[2]) != 4:
            self._fail(YEAR_FOUR_DIGITS, "invalid")
        if not 1900 <= int(parts[2]) <= 2999:
            # Council business has no dates before 1900 (and date arithmetic breaks near 1 AD).
            self._fail(YEAR_RANGE, "invalid")
        try:
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except (ValueError, OverflowError):
            self._fail(REAL_DATE, "invalid")

    def compress(self, data_list):  # pragma: no cover - clean() does the work
        return None


_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?(am|pm)?$")


def parse_time(text: str) -> dt.time | None:
    """ "2pm", "2:30pm", "2.30 pm", "14:30", "1430", "14" -> a time; anything else -> None.
    A bare "2" is refused: it could mean 2am or 2pm."""
    text = text.strip().lower().replace(" ", "").replace("a.m.", "am").replace("p.m.", "pm")
    if text in {"midday", "noon"}:
        return dt.time(12, 0)
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif hour > 23 or (match[2] is None and hour <= 12):
        return None
    return dt.time(hour, minute)


class GovukTimeField(forms.CharField):
    """A time typed as people write it (see parse_time), in one short text box."""

    def __init__(self, *, required_message="Enter the time", **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
        )
        super().__init__(
            error_messages={
                "required": required_message,
                # No time is 20 characters long or holds a NUL: it is not a real time.
                "max_length": REAL_TIME,
                "null_characters_not_allowed": REAL_TIME,
            },
            **kwargs,
        )

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        parsed = parse_time(text)
        if parsed is None:
            raise ValidationError(REAL_TIME, code="invalid")
        return parsed


# --- Small fields ----------------------------------------------------------------------------


def text_field(label, *, required_message=None, max_length=None, help_text="", width=None):
    """A one-line text box, optional unless `required_message` says what to ask for."""
    attrs = {"class": width} if width else {}
    return forms.CharField(
        label=label,
        required=required_message is not None,
        max_length=max_length,
        help_text=help_text,
        error_messages={
            "required": required_message or "",
            "max_length": f"{label.removesuffix(' (optional)')} must be {max_length} "
            "characters or fewer",
        },
        widget=forms.TextInput(attrs=attrs),
    )


def textarea_field(label, *, required_message=None, help_text="", rows=5):
    """A text area, optional unless `required_message` says what to ask for."""
    return forms.CharField(
        label=label,
        required=required_message is not None,
        help_text=help_text,
        error_messages={"required": required_message or ""},
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def choice_errors(label) -> dict[str, str]:
    """ "Select the meeting" for a choice left empty or not in the list."""
    message = f"Select {label}"
    return {"invalid_choice": message, "required": message, "invalid_pk_value": message}


class LabelledModelChoiceField(forms.ModelChoiceField):
    """A model choice whose options read `label_from(obj)` instead of str(obj)."""

    def __init__(self, *args, label_from=str, **kwargs):
        self._label_from = label_from
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self._label_from(obj)


class LabelledModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several model choices whose options read `label_from(obj)` instead of str(obj)."""

    def __init__(self, *args, label_from=str, **kwargs):
        self._label_from = label_from
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self._label_from(obj)


# --- The version of the record a form edits --------------------------------------------------


def version_field():
    """The hidden version of the record a form was opened on (optimistic locking; see
    portal_kit.models.locked_current); made required by VersionedFormMixin when the form
    edits a record."""
    return forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"), VERSION_MISSING
        ),
    )


class VersionedFormMixin:
    """A form that edits a record (its initial data carries the record's version) needs the
    version back: without it the service could not tell whether someone else has changed
    the record since the page was opened, and would overwrite their changes. The same form
    creating a record has no version to send."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].required = self.initial.get("version") is not None
