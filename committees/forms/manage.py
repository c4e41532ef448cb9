"""Governance Services' forms: they parse what was typed, in GOV.UK wording; the rules
(publication deadlines, private business, locking) are checked by committees.services, whose
errors the views put back on these forms."""

import datetime as dt
import re

from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from committees.models import (
    AttendanceStatus,
    ConsultationRole,
    DocumentKind,
    KeyDecisionException,
    SignOff,
    SignOffKind,
)
from committees.models.meetings import SCHEDULE_12A_PARAGRAPHS
from committees.services import SUBSTITUTE_FOR_WHOM
from governance_portal.forms import GovukFormMixin

REAL_DATE = "Enter a real date"
DATE_INCOMPLETE = "The date must include a day, month and year"
YEAR_FOUR_DIGITS = "The year must include 4 numbers"
YEAR_RANGE = "The year must be between 1900 and 2999"
REAL_TIME = "Enter a real time, like 2pm, 2:30pm or 14:30"
APPROVED_BEFORE_SENT = "The date it was approved must be the same as or after the date it was sent"
FOLLOW_UP_MARKER = "*"

PUBLIC, PRIVATE = "public", "private"
VISIBILITY_CHOICES = [
    (PUBLIC, "Public"),
    (PRIVATE, "Private: exempt information under Schedule 12A"),
]
PARAGRAPH_CHOICES = [
    (number, f"Paragraph {number}: {label}") for number, label in SCHEDULE_12A_PARAGRAPHS.items()
]


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


def error_summary(form) -> list[tuple[str, str]]:
    """(anchor, message) for every error on the form, in the order of the page: errors not
    about one visible field first, linked to the first field."""
    visible = form.visible_fields()
    first = _anchor(visible[0]) if visible else "main-content"
    links = [(first, str(message)) for message in form.non_field_errors()]
    for hidden in form.hidden_fields():
        links += [(first, str(message)) for message in hidden.errors]
    for bound_field in visible:
        links += [(_anchor(bound_field), str(message)) for message in bound_field.errors]
    return links


# --- Fields ----------------------------------------------------------------------------------


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
    def __init__(self, *, required_message="Enter the time", **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"class": "govuk-input--width-5", "spellcheck": "false"}),
        )
        super().__init__(error_messages={"required": required_message}, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        parsed = parse_time(text)
        if parsed is None:
            raise ValidationError(REAL_TIME, code="invalid")
        return parsed


def at(day: dt.date, time: dt.time) -> dt.datetime:
    """The moment `time` on `day` in the portal's time zone (Europe/London)."""
    return timezone.make_aware(dt.datetime.combine(day, time))


def _text(label, *, required_message=None, max_length=None, help_text="", width=None):
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


def _textarea(label, *, required_message=None, help_text="", rows=5):
    return forms.CharField(
        label=label,
        required=required_message is not None,
        help_text=help_text,
        error_messages={"required": required_message or ""},
        widget=forms.Textarea(attrs={"rows": rows}),
    )


VERSION_MISSING = (
    "Your changes have not been saved because the page was incomplete. Open the page again "
    "and make your changes there"
)


def _version():
    """The hidden version of the record a form was opened on (optimistic locking); made
    required by VersionedFormMixin when the form edits a record."""
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


class _LabelledModelChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, label_from=str, **kwargs):
        self._label_from = label_from
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self._label_from(obj)


class _LabelledModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args, label_from=str, **kwargs):
        self._label_from = label_from
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return self._label_from(obj)


def meeting_label(meeting) -> str:
    """ "Ethics Committee, 17 March 2017" (needs `organizations` prefetched)."""
    return f"{meeting.title}, {timezone.localtime(meeting.start):%-d %B %Y}"


def paper_label(paper) -> str:
    return f"{paper.reference}: {paper.title}"


def _choice_errors(label):
    message = f"Select {label}"
    return {"invalid_choice": message, "required": message, "invalid_pk_value": message}


# --- Meetings -------------------------------------------------------------------------------


class MeetingTimesMixin:
    """Date with start and end times, given back as aware datetimes."""

    def start_and_end(self) -> tuple[dt.datetime, dt.datetime | None]:
        data = self.cleaned_data
        start = at(data["date"], data["start_time"])
        end = at(data["date"], data["end_time"]) if data.get("end_time") else None
        return start, end


class MeetingForm(MeetingTimesMixin, GovukFormMixin, forms.Form):
    submit_label = "Create meeting"

    organizations = _LabelledModelMultipleChoiceField(
        queryset=None,
        label="Decision maker",
        help_text="The committee, cabinet member or other body holding the meeting. Select "
        "more than one for a joint meeting.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select the committee or decision maker holding the meeting",
            "invalid_choice": "Select the committee or decision maker holding the meeting",
            "invalid_pk_value": "Select the committee or decision maker holding the meeting",
        },
    )
    name = _text(
        "Name of the meeting (optional)",
        max_length=250,
        help_text="Only if it is not just the decision maker's name, for example "
        "“Extraordinary meeting”",
    )
    date = GovukDateField(
        label="Date of the meeting",
        help_text="For example, 13 4 2017",
        required_message="Enter the date of the meeting",
    )
    start_time = GovukTimeField(
        label="Start time",
        help_text="For example, 2pm or 14:00",
        required_message="Enter the time the meeting starts",
    )
    end_time = GovukTimeField(
        label="End time (optional)", help_text="For example, 4pm or 16:00", required=False
    )
    location = _LabelledModelChoiceField(
        queryset=None,
        label="Location (optional)",
        required=False,
        empty_label="Not decided yet",
        error_messages=_choice_errors("the location"),
    )
    contact_officer = _LabelledModelChoiceField(
        queryset=None,
        label="Contact officer (optional)",
        required=False,
        empty_label="None",
        label_from=lambda user: user.full_name or user.email,
        error_messages=_choice_errors("the contact officer"),
    )
    webcast_url = forms.URLField(
        label="Webcast link (optional)",
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"class": "govuk-input", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter a web address in the correct format, like "
            "https://www.example.com/webcast"
        },
    )

    def __init__(self, *args, organizations, locations, contact_officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations
        self.fields["location"].queryset = locations
        self.fields["contact_officer"].queryset = contact_officers


class RescheduleForm(VersionedFormMixin, MeetingTimesMixin, GovukFormMixin, forms.Form):
    submit_label = "Save new date and time"

    date = GovukDateField(
        label="Date of the meeting",
        help_text="For example, 13 4 2017",
        required_message="Enter the date of the meeting",
    )
    start_time = GovukTimeField(
        label="Start time",
        help_text="For example, 2pm or 14:00",
        required_message="Enter the time the meeting starts",
    )
    end_time = GovukTimeField(
        label="End time (optional)", help_text="For example, 4pm or 16:00", required=False
    )
    location = _LabelledModelChoiceField(
        queryset=None,
        label="Location (optional)",
        required=False,
        empty_label="Not decided yet",
        error_messages=_choice_errors("the location"),
    )
    version = _version()

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations


class CancelMeetingForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    submit_label = "Cancel the meeting"

    reason = _textarea(
        "Why is the meeting cancelled?",
        required_message="Enter why the meeting is cancelled",
        help_text="This is shown to the public on the meeting page",
    )
    version = _version()


class PublishAgendaForm(GovukFormMixin, forms.Form):
    """Asks for a reason for urgency only when the agenda is late."""

    submit_label = "Publish the agenda"

    late_reason = _textarea(
        "Reason for urgency",
        help_text="The agenda is less than five clear working days before the meeting. The "
        "reason is shown on the published agenda",
    )

    def __init__(self, *args, needs_reason: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_reason = needs_reason
        if not needs_reason:
            del self.fields["late_reason"]
            self.helper.layout.fields.remove("late_reason")


class ConfirmForm(GovukFormMixin, forms.Form):
    """A button and nothing else, for actions confirmed on a page of their own."""

    def __init__(self, *args, submit_label="Continue", warning=False, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        if warning:
            self.helper.inputs[0].field_classes += " govuk-button--warning"


# --- The agenda -----------------------------------------------------------------------------


class VisibilityMixin:
    """Public or private (exempt under Schedule 12A, with its paragraphs)."""

    def clean_visibility(self):
        return self.cleaned_data["visibility"] == PUBLIC

    def clean_exempt_paragraphs(self):
        return sorted({int(p) for p in self.cleaned_data.get("exempt_paragraphs") or []})


class AgendaItemForm(VersionedFormMixin, VisibilityMixin, GovukFormMixin, forms.Form):
    submit_label = "Save item"

    title = _text("Title", required_message="Enter the title of the item", max_length=300)
    lead = _text(
        "Lead (optional)",
        max_length=300,
        help_text="Who presents it, for example “Report of the Director of Finance”",
    )
    description = _textarea("Description (optional)")
    visibility = forms.ChoiceField(
        label="Is this item public or private?",
        choices=VISIBILITY_CHOICES,
        initial=PUBLIC,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the item is public or private",
            "invalid_choice": "Select whether the item is public or private",
        },
    )
    exempt_paragraphs = forms.TypedMultipleChoiceField(
        label="Paragraphs of Schedule 12A (private items only)",
        help_text="Select every paragraph of Schedule 12A to the Local Government Act 1972 "
        "that makes the item private",
        choices=PARAGRAPH_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Paragraphs of Schedule 12A are numbered 1 to 7"},
    )
    public_interest_statement = _textarea(
        "Public interest statement (private items only, optional)",
        help_text="Why the public interest in keeping it private outweighs the public interest "
        "in disclosing it",
        rows=3,
    )
    is_urgent = forms.BooleanField(label="This is an urgent item", required=False)
    urgency_reason = _textarea(
        "Reason for urgency (urgent items only)",
        help_text="Shown on the agenda and in the minutes",
        rows=3,
    )
    minutes_of = _LabelledModelChoiceField(
        queryset=None,
        label="Minutes of an earlier meeting (optional)",
        help_text="If this item presents the minutes of an earlier meeting, select it",
        required=False,
        empty_label="Not a minutes item",
        label_from=meeting_label,
        error_messages=_choice_errors("the meeting"),
    )
    lists_outstanding_issues = forms.BooleanField(
        label="This item lists the outstanding issues", required=False
    )
    version = _version()

    def __init__(self, *args, earlier_meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["minutes_of"].queryset = earlier_meetings

    @classmethod
    def initial_for(cls, item) -> dict:
        return {
            "title": item.title,
            "lead": item.lead,
            "description": item.description,
            "visibility": PUBLIC if item.is_public else PRIVATE,
            "exempt_paragraphs": item.exempt_paragraphs,
            "public_interest_statement": item.public_interest_statement,
            "is_urgent": item.is_urgent,
            "urgency_reason": item.urgency_reason,
            "minutes_of": item.minutes_of_id,
            "lists_outstanding_issues": item.lists_outstanding_issues,
            "version": item.version,
        }

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "lead": data["lead"],
            "description": data["description"],
            "is_public": data["visibility"],
            "exempt_paragraphs": [] if data["visibility"] else data["exempt_paragraphs"],
            "public_interest_statement": data["public_interest_statement"],
            "is_urgent": data["is_urgent"],
            "urgency_reason": data["urgency_reason"] if data["is_urgent"] else "",
            "minutes_of": data["minutes_of"],
            "lists_outstanding_issues": data["lists_outstanding_issues"],
        }


class MoveItemForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class AttachReportForm(GovukFormMixin, forms.Form):
    submit_label = "Attach report"

    paper = _LabelledModelChoiceField(
        queryset=None,
        label="Report",
        empty_label="Select a report",
        label_from=paper_label,
        error_messages=_choice_errors("the report"),
    )
    role = forms.ChoiceField(
        label="What is the meeting asked to do with it?",
        choices=ConsultationRole.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what the meeting is asked to do with the report",
            "invalid_choice": "Select what the meeting is asked to do with the report",
        },
    )
    recommendation = _textarea(
        "Recommendation (optional)",
        help_text="What the report recommends this meeting does",
    )

    def __init__(self, *args, papers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paper"].queryset = papers


# --- Reports --------------------------------------------------------------------------------


class PaperForm(VersionedFormMixin, VisibilityMixin, GovukFormMixin, forms.Form):
    """Every field of the council's report template."""

    submit_label = "Save report"

    reference = _text(
        "Reference",
        required_message="Enter the report's reference",
        max_length=50,
        width="govuk-input--width-20",
    )
    title = _text("Title", required_message="Enter the title of the report", max_length=300)
    paper_type = _text(
        "Type of paper",
        required_message="Enter the type of paper, for example Report",
        max_length=50,
        width="govuk-input--width-20",
    )
    date = GovukDateField(
        label="Date of the report",
        help_text="For example, 13 4 2017",
        required_message="Enter the date of the report",
    )
    author_name = _text(
        "Author's name", required_message="Enter the name of the report's author", max_length=150
    )
    author_job_title = _text("Author's job title (optional)", max_length=200)
    author_directorate = forms.TypedChoiceField(
        label="Author's directorate (optional)",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages=_choice_errors("the directorate"),
    )
    author_telephone = _text(
        "Author's telephone (optional)", max_length=50, width="govuk-input--width-20"
    )
    author_email = forms.EmailField(
        label="Author's email address (optional)",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    approving_director = _text("Approving director (optional)", max_length=200)
    cabinet_member = _text("Cabinet member (optional)", max_length=200)
    wards_affected = _text(
        "Wards affected (optional)", max_length=200, help_text="For example, None"
    )
    key_decision = forms.BooleanField(label="This is a key decision", required=False)
    scrutiny_consideration = _textarea("Has it been or will it be considered by scrutiny?", rows=3)
    other_bodies = _textarea(
        "Has it been or will it be considered by any other council committee, advisory panel "
        "or other body?",
        rows=3,
    )
    going_to_council = _text("Will it be considered by Council? (optional)", max_length=200)
    executive_summary = _textarea("Executive summary (optional)", rows=8)
    background_papers = _textarea("Background papers (optional)", rows=3)
    visibility = forms.ChoiceField(
        label="Is this report public or private?",
        choices=VISIBILITY_CHOICES,
        initial=PUBLIC,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the report is public or private",
            "invalid_choice": "Select whether the report is public or private",
        },
    )
    exempt_paragraphs = forms.TypedMultipleChoiceField(
        label="Paragraphs of Schedule 12A (private reports only)",
        choices=PARAGRAPH_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Paragraphs of Schedule 12A are numbered 1 to 7"},
    )
    version = _version()

    FIELDS = (
        "reference",
        "title",
        "paper_type",
        "date",
        "author_name",
        "author_job_title",
        "author_telephone",
        "author_email",
        "approving_director",
        "cabinet_member",
        "wards_affected",
        "key_decision",
        "scrutiny_consideration",
        "other_bodies",
        "going_to_council",
        "executive_summary",
        "background_papers",
    )

    def __init__(self, *args, directorates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author_directorate"].choices = [("", "None"), *directorates]

    @classmethod
    def initial_for(cls, paper) -> dict:
        initial = {name: getattr(paper, name) for name in cls.FIELDS}
        initial.update(
            author_directorate=paper.author_directorate_id,
            visibility=PUBLIC if paper.is_public else PRIVATE,
            exempt_paragraphs=paper.exempt_paragraphs,
            version=paper.version,
        )
        return initial

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.FIELDS}
        fields.update(
            author_directorate_id=data["author_directorate"],
            is_public=data["visibility"],
            exempt_paragraphs=[] if data["visibility"] else data["exempt_paragraphs"],
        )
        return fields


class UploadDocumentForm(GovukFormMixin, forms.Form):
    """What is checked about the file itself (type, size, password, damage) is decided by
    committees.documents.store_document, from the file's bytes."""

    submit_label = "Upload"

    kind = forms.ChoiceField(
        label="What is it?",
        choices=[
            (DocumentKind.REPORT, DocumentKind.REPORT.label),
            (DocumentKind.APPENDIX, DocumentKind.APPENDIX.label),
            (DocumentKind.BACKGROUND, DocumentKind.BACKGROUND.label),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what kind of document this is",
            "invalid_choice": "Select what kind of document this is",
        },
    )
    title = _text(
        "Title",
        max_length=300,
        help_text="For example, “Appendix 1: Whistleblowing Policy”",
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="A PDF or Word document (.docx)",
        required=False,
        allow_empty_file=True,
    )


class SignOffForm(GovukFormMixin, forms.Form):
    submit_label = "Add to the sign-off table"

    kind = forms.ChoiceField(
        label="Contributor or approver?",
        choices=SignOffKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether they contributed to or approved the report",
            "invalid_choice": "Select whether they contributed to or approved the report",
        },
    )
    category = forms.ChoiceField(
        label="Approval (approvers only)",
        choices=[("", "None"), *SignOff.Category.choices],
        required=False,
        error_messages={"invalid_choice": "Select the approval"},
    )
    name = _text("Name", required_message="Enter the name of the person", max_length=150)
    title = _text("Job title (optional)", max_length=200)
    directorate_or_organisation = _text("Directorate or organisation (optional)", max_length=200)
    sent_on = GovukDateField(
        label="Date sent (optional)", help_text="For example, 9 3 2017", required=False
    )
    approved_on = GovukDateField(
        label="Date approved (optional)", help_text="For example, 10 3 2017", required=False
    )

    def clean(self):
        data = super().clean()
        sent, approved = data.get("sent_on"), data.get("approved_on")
        if sent and approved and approved < sent:
            self.add_error("approved_on", APPROVED_BEFORE_SENT)
        return data


# --- Minutes --------------------------------------------------------------------------------


class AttendanceForm(forms.Form):
    """One row of the attendance: a member (person) or an officer (name and directorate)."""

    person = forms.TypedChoiceField(
        label="Member",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages=_choice_errors("the member"),
    )
    officer_name = _text("Or officer's name", max_length=150)
    directorate = forms.TypedChoiceField(
        label="Officer's directorate",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages=_choice_errors("the directorate"),
    )
    status = forms.ChoiceField(
        label="Attendance",
        choices=AttendanceStatus.choices,
        initial=AttendanceStatus.PRESENT,
        error_messages=_choice_errors("whether they attended"),
    )
    capacity = _text(
        "Capacity (optional)", max_length=150, help_text="For example, Shadow Cabinet Member"
    )
    substitute_for = forms.TypedChoiceField(
        label="Substitute for (substitutes only)",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages=_choice_errors("whom they stood in for"),
    )

    def __init__(self, *args, people, directorates, **kwargs):
        super().__init__(*args, **kwargs)
        from crispy_forms_gds.helper import FormHelper

        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the page's one form carries the token
        self.helper.label_size = "s"
        self.fields["person"].choices = [("", "Not a member"), *people]
        self.fields["substitute_for"].choices = [("", "Nobody"), *people]
        self.fields["directorate"].choices = [("", "None"), *directorates]

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("person") and not (data.get("officer_name") or "").strip()

    def clean(self):
        data = super().clean()
        if self.is_blank and self.has_changed() and data.get("directorate"):
            self.add_error("officer_name", "Enter the officer's name")
        if (
            not self.is_blank
            and data.get("status") == AttendanceStatus.SUBSTITUTE
            and not data.get("substitute_for")
        ):
            # The service refuses it too; saying so here puts the error on the right row.
            self.add_error("substitute_for", SUBSTITUTE_FOR_WHOM)
        return data


class BaseAttendanceFormSet(forms.BaseFormSet):
    def entries(self, *, people_by_pk, directorates_by_pk) -> list[dict]:
        entries = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or form.is_blank:
                continue
            entries.append(
                {
                    "person": people_by_pk.get(data["person"]),
                    "officer_name": "" if data["person"] else data["officer_name"].strip(),
                    "directorate": directorates_by_pk.get(data["directorate"]),
                    "status": data["status"],
                    "capacity": data["capacity"].strip(),
                    "substitute_for": people_by_pk.get(data["substitute_for"]),
                }
            )
        return entries

    def chosen_pks(self, name) -> set[int]:
        return {f.cleaned_data.get(name) for f in self.forms if f.cleaned_data} - {None}


AttendanceFormSet = forms.formset_factory(
    AttendanceForm, formset=BaseAttendanceFormSet, extra=3, max_num=200, absolute_max=250
)


class DeclarationForm(GovukFormMixin, forms.Form):
    submit_label = "Record declaration"

    agenda_item = forms.TypedChoiceField(
        label="Agenda item", coerce=int, error_messages=_choice_errors("the agenda item")
    )
    person = forms.TypedChoiceField(
        label="Member declaring the interest",
        coerce=int,
        error_messages=_choice_errors("the member"),
    )
    interest = forms.ChoiceField(
        label="Kind of interest",
        choices=[
            ("disclosable_pecuniary", "Disclosable pecuniary interest"),
            ("other", "Other interest"),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the kind of interest",
            "invalid_choice": "Select the kind of interest",
        },
    )
    description = _textarea(
        "The interest declared", required_message="Enter the interest declared", rows=3
    )

    def __init__(self, *args, items, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = [("", "Select an item"), *items]
        self.fields["person"].choices = [("", "Select a member"), *people]


def resolutions_text(resolutions) -> str:
    return "\n".join(
        (f"{FOLLOW_UP_MARKER} " if r.requests_follow_up else "") + r.text for r in resolutions
    )


class MinuteForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    submit_label = "Save minute"

    minutes_text = _textarea("Minute", rows=8, help_text="What was considered and said")
    resolutions = _textarea(
        "Resolutions",
        rows=6,
        help_text=(
            "Put each resolution on a line of its own; they are numbered in order. Start a "
            f"line with an asterisk ({FOLLOW_UP_MARKER}) if the resolution asks for "
            "something to come back to a later meeting: it then stays on the outstanding "
            "issues list until a later item closes it."
        ),
    )
    version = _version()

    def cleaned_resolutions(self) -> list[dict]:
        rows = []
        for line in self.cleaned_data["resolutions"].splitlines():
            line = line.strip()
            follow_up = line.startswith(FOLLOW_UP_MARKER)
            text = line.removeprefix(FOLLOW_UP_MARKER).strip()
            if text:
                rows.append({"text": text, "requests_follow_up": follow_up})
        return rows


class PublishMinutesForm(GovukFormMixin, forms.Form):
    submit_label = "Publish the minutes"

    closed_at = GovukTimeField(
        label="What time did the meeting close?",
        help_text="For example, 2:45pm or 14:45",
        required_message="Enter the time the meeting closed",
    )


class ApproveMinutesForm(GovukFormMixin, forms.Form):
    submit_label = "Record approval"

    at_meeting = _LabelledModelChoiceField(
        queryset=None,
        label="At which meeting were they approved?",
        help_text="A later meeting of the same decision maker. Once approved, the minutes "
        "can only be changed by recording a correction",
        empty_label="Select a meeting",
        label_from=meeting_label,
        error_messages=_choice_errors("the meeting"),
    )

    def __init__(self, *args, later_meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at_meeting"].queryset = later_meetings


class CorrectionForm(GovukFormMixin, forms.Form):
    submit_label = "Record correction"

    agenda_item = forms.TypedChoiceField(
        label="Item corrected (optional)",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages=_choice_errors("the item"),
    )
    correction = _textarea("Correction", required_message="Enter the correction", rows=4)
    reason = _textarea(
        "Reason for the correction", required_message="Enter the reason for the correction", rows=3
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = [("", "The minutes as a whole"), *items]


class CloseIssueForm(GovukFormMixin, forms.Form):
    submit_label = "Close the issue"

    closed_by = _LabelledModelChoiceField(
        queryset=None,
        label="Which later item dealt with it?",
        empty_label="Select an item",
        label_from=lambda item: f"{meeting_label(item.meeting)}: {item.number} {item.title}",
        error_messages=_choice_errors("the item"),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_by"].queryset = items


# --- Decisions ------------------------------------------------------------------------------


class OfficerDecisionForm(GovukFormMixin, forms.Form):
    """An officer decision as the Openness of Local Government Bodies Regulations 2014 ask it
    to be recorded."""

    submit_label = "Record decision"

    title = _text("Title", required_message="Enter the title of the decision", max_length=300)
    officer_name = _text(
        "Officer who took the decision",
        required_message="Enter the name of the officer who took the decision",
        max_length=150,
    )
    officer_title = _text("Officer's job title (optional)", max_length=200)
    date = GovukDateField(
        label="Date of the decision",
        help_text="For example, 13 4 2017",
        required_message="Enter the date of the decision",
    )
    decision = _textarea("The decision", required_message="Enter the decision", rows=4)
    reasons = _textarea("Reasons for the decision", required_message="Enter the reasons", rows=4)
    alternatives_rejected = _textarea(
        "Alternative options considered and rejected",
        required_message="Enter the alternatives considered and rejected, or “None”",
        rows=3,
    )
    conflicts_of_interest = _textarea(
        "Conflicts of interest declared",
        help_text="Any conflict of interest declared by a member consulted, and any "
        "dispensation granted. Leave blank if none",
        rows=3,
    )
    paper = _LabelledModelChoiceField(
        queryset=None,
        label="Report (optional)",
        required=False,
        empty_label="None",
        label_from=paper_label,
        error_messages=_choice_errors("the report"),
    )
    is_key = forms.BooleanField(label="This is a key decision", required=False)
    forward_plan_entry = _LabelledModelChoiceField(
        queryset=None,
        label="Forward plan entry (key decisions only)",
        required=False,
        empty_label="None",
        error_messages=_choice_errors("the forward plan entry"),
    )
    key_decision_exception = forms.ChoiceField(
        label="If it was not on the forward plan in time",
        choices=KeyDecisionException.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select the exception"},
    )
    exception_reason = _textarea("Reason for the exception", rows=3)

    def __init__(self, *args, papers, forward_plan_entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paper"].queryset = papers
        self.fields["forward_plan_entry"].queryset = forward_plan_entries

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "date": data["date"],
            "decision": data["decision"],
            "officer_name": data["officer_name"].strip(),
            "officer_title": data["officer_title"].strip(),
            "reasons": data["reasons"].strip(),
            "alternatives_rejected": data["alternatives_rejected"].strip(),
            "conflicts_of_interest": data["conflicts_of_interest"].strip(),
            "paper": data["paper"],
            "is_key": data["is_key"],
            "forward_plan_entry": data["forward_plan_entry"],
            "key_decision_exception": data["key_decision_exception"] or "",
            "exception_reason": data["exception_reason"],
        }


class ForwardPlanEntryForm(GovukFormMixin, forms.Form):
    submit_label = "Add to the forward plan"

    title = _text("Title", required_message="Enter the title of the key decision", max_length=300)
    decision_maker = _LabelledModelChoiceField(
        queryset=None,
        label="Decision maker",
        empty_label="Select the decision maker",
        error_messages=_choice_errors("the decision maker"),
    )
    expected_date = GovukDateField(
        label="Date the decision is expected",
        help_text="For example, 13 4 2017",
        required_message="Enter the date the decision is expected",
    )
    summary = _textarea("Summary (optional)", rows=4)
    documents = _textarea("Documents to be considered (optional)", rows=3)
    wards_affected = _text("Wards affected (optional)", max_length=200)
    contact = _text("Contact (optional)", max_length=200)
    paper = _LabelledModelChoiceField(
        queryset=None,
        label="Report (optional)",
        required=False,
        empty_label="None",
        label_from=paper_label,
        error_messages=_choice_errors("the report"),
    )

    def __init__(self, *args, organizations, papers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_maker"].queryset = organizations
        self.fields["paper"].queryset = papers
