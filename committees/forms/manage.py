"""Governance Services' forms: they parse what was typed, in GOV.UK wording; the rules
(publication deadlines, private business, locking) are checked by committees.services, whose
errors the views put back on these forms."""

import datetime as dt

from crispy_forms_gds.layout import HTML, Field, Layout, Size
from django import forms
from django.utils import timezone

from committees.models import (
    AttendanceStatus,
    ConsultationRole,
    DocumentKind,
    KeyDecisionException,
    SignOff,
    SignOffKind,
    VoteChoice,
)
from committees.models.meetings import SCHEDULE_12A_PARAGRAPHS
from committees.services import (
    REASON_MAX_LENGTH,
    REASON_TOO_LONG,
    REPLACEMENT_NEEDS_REASON,
    SUBSTITUTE_FOR_WHOM,
    WITHDRAWAL_NEEDS_REASON,
    AgendaItemDetails,
    PaperDetails,
    attendance_time_errors,
)
from portal_kit.forms import (
    GovukDateField,
    GovukFormMixin,
    GovukTimeField,
    LabelledModelChoiceField,
    LabelledModelMultipleChoiceField,
    VersionedFormMixin,
    choice_errors,
    text_field,
    textarea_field,
    version_field,
)
from portal_kit.forms import error_summary as error_summary
from portal_kit.time import at

FOLLOW_UP_MARKER = "*"

PUBLIC, PRIVATE = "public", "private"
VISIBILITY_CHOICES = [
    (PUBLIC, "Public"),
    (PRIVATE, "Private: exempt information under Schedule 12A"),
]
PARAGRAPH_CHOICES = [
    (number, f"Paragraph {number}: {label}") for number, label in SCHEDULE_12A_PARAGRAPHS.items()
]


def meeting_label(meeting) -> str:
    """ "Ethics Committee, 17 March 2017" (needs `organizations` prefetched)."""
    return f"{meeting.title}, {timezone.localtime(meeting.start):%-d %B %Y}"


def paper_label(paper) -> str:
    return f"{paper.reference}: {paper.title}"


# --- Meetings -------------------------------------------------------------------------------


class MeetingTimesForm(forms.Form):
    """When and where a meeting is: its date with start and end times (given back as aware
    datetimes by start_and_end) and its location. The forms that create and reschedule a
    meeting share these fields."""

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
    location = LabelledModelChoiceField(
        queryset=None,
        label="Location (optional)",
        required=False,
        empty_label="Not decided yet",
        error_messages=choice_errors("the location"),
    )

    def __init__(self, *args, locations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = locations

    def start_and_end(self) -> tuple[dt.datetime, dt.datetime | None]:
        data = self.cleaned_data
        start = at(data["date"], data["start_time"])
        end = at(data["date"], data["end_time"]) if data.get("end_time") else None
        return start, end


class MeetingForm(GovukFormMixin, MeetingTimesForm):
    submit_label = "Create meeting"

    organizations = LabelledModelMultipleChoiceField(
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
    name = text_field(
        "Name of the meeting (optional)",
        max_length=250,
        help_text="Only if it is not just the decision maker's name, for example "
        "“Extraordinary meeting”",
    )
    contact_officer = LabelledModelChoiceField(
        queryset=None,
        label="Contact officer (optional)",
        required=False,
        empty_label="None",
        label_from=lambda user: user.full_name or user.email,
        error_messages=choice_errors("the contact officer"),
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

    already_held = forms.BooleanField(
        label="This meeting has already taken place",
        help_text="Tick this to record an earlier meeting; a date in the past is otherwise "
        "taken for a mistake",
        required=False,
    )

    field_order = [
        "organizations",
        "name",
        "date",
        "start_time",
        "end_time",
        "already_held",
        "location",
        "contact_officer",
        "webcast_url",
    ]

    def __init__(self, *args, organizations, contact_officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizations"].queryset = organizations
        self.fields["contact_officer"].queryset = contact_officers


class RescheduleForm(VersionedFormMixin, GovukFormMixin, MeetingTimesForm):
    submit_label = "Save new date and time"

    version = version_field()


class CancelMeetingForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    submit_label = "Cancel the meeting"

    reason = textarea_field(
        "Why is the meeting cancelled?",
        required_message="Enter why the meeting is cancelled",
        help_text="This is shown to the public on the meeting page",
    )
    version = version_field()


class PublishAgendaForm(GovukFormMixin, forms.Form):
    """Asks for a reason for urgency only when the agenda is late."""

    submit_label = "Publish the agenda"

    late_reason = textarea_field(
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


def visibility_field(noun: str) -> forms.ChoiceField:
    """Whether the item or report (`noun`) is public or private."""
    message = f"Select whether the {noun} is public or private"
    return forms.ChoiceField(
        label=f"Is this {noun} public or private?",
        choices=VISIBILITY_CHOICES,
        initial=PUBLIC,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


def paragraphs_field(noun: str, help_text: str = "") -> forms.TypedMultipleChoiceField:
    """The paragraphs of Schedule 12A that make the item or report (`noun`) private."""
    return forms.TypedMultipleChoiceField(
        label=f"Paragraphs of Schedule 12A (private {noun}s only)",
        help_text=help_text,
        choices=PARAGRAPH_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Paragraphs of Schedule 12A are numbered 1 to 7"},
    )


class VisibilityMixin:
    """Public or private (exempt under Schedule 12A, with its paragraphs)."""

    def clean_visibility(self):
        return self.cleaned_data["visibility"] == PUBLIC

    def clean_exempt_paragraphs(self):
        return sorted({int(p) for p in self.cleaned_data.get("exempt_paragraphs") or []})


class AgendaItemForm(VersionedFormMixin, VisibilityMixin, GovukFormMixin, forms.Form):
    submit_label = "Save item"

    title = text_field("Title", required_message="Enter the title of the item", max_length=300)
    lead = text_field(
        "Lead (optional)",
        max_length=300,
        help_text="Who presents it, for example “Report of the Director of Finance”",
    )
    description = textarea_field("Description (optional)")
    visibility = visibility_field("item")
    exempt_paragraphs = paragraphs_field(
        "item",
        help_text="Select every paragraph of Schedule 12A to the Local Government Act 1972 "
        "that makes the item private",
    )
    public_interest_statement = textarea_field(
        "Public interest statement (private items only, optional)",
        help_text="Why the public interest in keeping it private outweighs the public interest "
        "in disclosing it",
        rows=3,
    )
    is_urgent = forms.BooleanField(label="This is an urgent item", required=False)
    urgency_reason = textarea_field(
        "Reason for urgency (urgent items only)",
        help_text="Shown on the agenda and in the minutes",
        rows=3,
    )
    minutes_of = LabelledModelChoiceField(
        queryset=None,
        label="Minutes of an earlier meeting (optional)",
        help_text="If this item presents the minutes of an earlier meeting, select it",
        required=False,
        empty_label="Not a minutes item",
        label_from=meeting_label,
        error_messages=choice_errors("the meeting"),
    )
    lists_outstanding_issues = forms.BooleanField(
        label="This item lists the outstanding issues", required=False
    )
    version = version_field()

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

    def details(self) -> AgendaItemDetails:
        data = self.cleaned_data
        return AgendaItemDetails(
            title=data["title"],
            lead=data["lead"],
            description=data["description"],
            is_public=data["visibility"],
            exempt_paragraphs=tuple(data["exempt_paragraphs"]),
            public_interest_statement=data["public_interest_statement"],
            is_urgent=data["is_urgent"],
            urgency_reason=data["urgency_reason"],
            minutes_of=data["minutes_of"],
            lists_outstanding_issues=data["lists_outstanding_issues"],
        )


class MoveItemForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


def role_field() -> forms.ChoiceField:
    """What the meeting is asked to do with a report (its step's role)."""
    message = "Select what the meeting is asked to do with the report"
    return forms.ChoiceField(
        label="What is the meeting asked to do with it?",
        choices=ConsultationRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


def recommendation_field() -> forms.CharField:
    return textarea_field(
        "Recommendation (optional)",
        help_text="What the report recommends this meeting does",
    )


class AttachReportForm(GovukFormMixin, forms.Form):
    submit_label = "Attach report"

    paper = LabelledModelChoiceField(
        queryset=None,
        label="Report",
        empty_label="Select a report",
        label_from=paper_label,
        error_messages=choice_errors("the report"),
    )
    role = role_field()
    recommendation = recommendation_field()

    def __init__(self, *args, papers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paper"].queryset = papers


# --- Reports --------------------------------------------------------------------------------


class PaperForm(VersionedFormMixin, VisibilityMixin, GovukFormMixin, forms.Form):
    """Every field of the council's report template."""

    submit_label = "Save report"

    reference = text_field(
        "Reference",
        required_message="Enter the report's reference",
        max_length=50,
        width="govuk-input--width-20",
    )
    title = text_field("Title", required_message="Enter the title of the report", max_length=300)
    paper_type = text_field(
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
    author_name = text_field(
        "Author's name", required_message="Enter the name of the report's author", max_length=150
    )
    author_job_title = text_field("Author's job title (optional)", max_length=200)
    author_directorate = forms.ModelChoiceField(
        queryset=None,
        label="Author's directorate (optional)",
        required=False,
        empty_label="None",
        error_messages=choice_errors("the directorate"),
    )
    author_telephone = text_field(
        "Author's telephone (optional)", max_length=50, width="govuk-input--width-20"
    )
    author_email = forms.EmailField(
        label="Author's email address (optional)",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    approving_director = text_field("Approving director (optional)", max_length=200)
    cabinet_member = text_field("Cabinet member (optional)", max_length=200)
    wards_affected = text_field(
        "Wards affected (optional)", max_length=200, help_text="For example, None"
    )
    key_decision = forms.BooleanField(label="This is a key decision", required=False)
    scrutiny_consideration = textarea_field(
        "Has it been or will it be considered by scrutiny?", rows=3
    )
    other_bodies = textarea_field(
        "Has it been or will it be considered by any other council committee, advisory panel "
        "or other body?",
        rows=3,
    )
    going_to_council = text_field("Will it be considered by Council? (optional)", max_length=200)
    executive_summary = textarea_field("Executive summary (optional)", rows=8)
    background_papers = textarea_field("Background papers (optional)", rows=3)
    visibility = visibility_field("report")
    exempt_paragraphs = paragraphs_field("report")
    version = version_field()

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
        self.fields["author_directorate"].queryset = directorates

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

    def details(self) -> PaperDetails:
        data = self.cleaned_data
        return PaperDetails(
            **{name: data[name] for name in self.FIELDS},
            author_directorate=data["author_directorate"],
            is_public=data["visibility"],
            exempt_paragraphs=tuple(data["exempt_paragraphs"]),
        )


class ItemPaperForm(PaperForm):
    """A new report, created from an agenda item's "Attach a report" page and put on that
    item at once."""

    submit_label = "Create the report and attach it"

    role = role_field()
    recommendation = recommendation_field()


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
    title = text_field(
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


class SignOffForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    """A row of the sign-off table, added or corrected (with the version it was opened on)."""

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
    name = text_field("Name", required_message="Enter the name of the person", max_length=150)
    title = text_field("Job title (optional)", max_length=200)
    directorate_or_organisation = text_field(
        "Directorate or organisation (optional)", max_length=200
    )
    sent_on = GovukDateField(
        label="Date sent (optional)", help_text="For example, 9 3 2017", required=False
    )
    approved_on = GovukDateField(
        label="Date approved (optional)", help_text="For example, 10 3 2017", required=False
    )
    version = version_field()

    def __init__(self, *args, submit_label=None, **kwargs):
        if submit_label:
            self.submit_label = submit_label
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, sign_off) -> dict:
        names = ("kind", "category", "name", "title", "directorate_or_organisation")
        initial = {name: getattr(sign_off, name) for name in names}
        initial.update(
            sent_on=sign_off.sent_on, approved_on=sign_off.approved_on, version=sign_off.version
        )
        return initial

    def service_fields(self) -> dict:
        data = self.cleaned_data
        names = ("kind", "category", "name", "title", "directorate_or_organisation")
        return {
            **{name: data[name] for name in names},
            "sent_on": data["sent_on"],
            "approved_on": data["approved_on"],
        }


def reason_field(label: str, *, required_message: str, help_text: str = ""):
    """Why something is withdrawn or replaced (the services refuse it empty or too long)."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": required_message, "max_length": REASON_TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    """Withdraw a row of a sign-off table or a file, saying why."""

    reason = reason_field(
        "Why is it being withdrawn?",
        required_message=WITHDRAWAL_NEEDS_REASON,
        help_text="Governance Services see this with the withdrawn record",
    )
    version = version_field()

    def __init__(self, *args, submit_label: str, **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        self.helper.inputs[0].field_classes += " govuk-button--warning"


class ReplaceDocumentForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    """A corrected file: its replacement, checked as every upload is
    (committees.documents.store_document), and why."""

    submit_label = "Replace the file"

    file = forms.FileField(
        label="Upload the corrected file",
        help_text="A PDF or Word document (.docx)",
        required=False,
        allow_empty_file=True,
    )
    title = text_field(
        "Title (optional)", max_length=300, help_text="Leave it empty to keep the title it has"
    )
    reason = reason_field("Why is it being replaced?", required_message=REPLACEMENT_NEEDS_REASON)
    version = version_field()


# --- Minutes --------------------------------------------------------------------------------


class AttendanceForm(forms.Form):
    """One row of the attendance: a member (person) or an officer (name and directorate)."""

    person = forms.TypedChoiceField(
        label="Member",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages=choice_errors("the member"),
    )
    officer_name = text_field("Or officer's name", max_length=150)
    directorate = forms.TypedChoiceField(
        label="Officer's directorate",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages=choice_errors("the directorate"),
    )
    status = forms.ChoiceField(
        label="Attendance",
        choices=AttendanceStatus.choices,
        initial=AttendanceStatus.PRESENT,
        error_messages=choice_errors("whether they attended"),
    )
    capacity = text_field(
        "Capacity (optional)", max_length=150, help_text="For example, Shadow Cabinet Member"
    )
    substitute_for = forms.TypedChoiceField(
        label="Substitute for (substitutes only)",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages=choice_errors("whom they stood in for"),
    )
    arrived_at = GovukTimeField(
        label="Arrived at (optional)",
        help_text="Only if they arrived after the meeting started, for example 2:35pm",
        required=False,
    )
    left_at = GovukTimeField(
        label="Left at (optional)",
        help_text="Only if they left before the meeting closed, for example 3:10pm",
        required=False,
    )

    def __init__(self, *args, people, directorates, meeting, **kwargs):
        self.meeting = meeting
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
        if not self.is_blank:
            times = attendance_time_errors(
                status=data.get("status"),
                arrived_at=data.get("arrived_at"),
                left_at=data.get("left_at"),
                meeting=self.meeting,
            )
            for name, error in times.items():
                if name not in self.errors:
                    self.add_error(name, error)
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
                    "arrived_at": data["arrived_at"],
                    "left_at": data["left_at"],
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
        label="Agenda item", coerce=int, error_messages=choice_errors("the agenda item")
    )
    person = forms.TypedChoiceField(
        label="Member declaring the interest",
        coerce=int,
        error_messages=choice_errors("the member"),
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
    description = textarea_field(
        "The interest declared", required_message="Enter the interest declared", rows=3
    )

    def __init__(self, *args, items, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = [("", "Select an item"), *items]
        self.fields["person"].choices = [("", "Select a member"), *people]


VOTE_PREFIX = "vote_"
NO_VOTE = "No vote recorded"
RECORDED_VOTE_INTRO = (
    '<h2 class="govuk-heading-m">Recorded vote</h2>'
    '<p class="govuk-body">Only where a recorded vote was asked for: how each member present '
    "voted. Leave everyone at “No vote recorded” if the vote was not a recorded one.</p>"
)


def resolutions_text(resolutions) -> str:
    return "\n".join(
        (f"{FOLLOW_UP_MARKER} " if r.requests_follow_up else "") + r.text for r in resolutions
    )


class MinuteForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    submit_label = "Save minute"

    minutes_text = textarea_field("Minute", rows=8, help_text="What was considered and said")
    resolutions = textarea_field(
        "Resolutions",
        rows=6,
        help_text=(
            "Put each resolution on a line of its own; they are numbered in order. Start a "
            f"line with an asterisk ({FOLLOW_UP_MARKER}) if the resolution asks for "
            "something to come back to a later meeting: it then stays on the outstanding "
            "issues list until a later item closes it."
        ),
    )
    version = version_field()

    def __init__(self, *args, voters=(), **kwargs):
        """`voters`: (person's primary key, name) of each member present, who may be
        recorded voting on the item (one group of radios each)."""
        super().__init__(*args, **kwargs)
        self.vote_fields = {}
        for pk, name in voters:
            self.vote_fields[f"{VOTE_PREFIX}{pk}"] = pk
            self.fields[f"{VOTE_PREFIX}{pk}"] = forms.ChoiceField(
                label=name,
                choices=[("", NO_VOTE), *VoteChoice.choices],
                required=False,
                widget=forms.RadioSelect,
                error_messages=choice_errors("how they voted"),
            )
        if self.vote_fields:
            self.helper.layout = Layout(
                "minutes_text",
                "resolutions",
                HTML(RECORDED_VOTE_INTRO),
                *(
                    Field.radios(name, legend_size=Size.SMALL, inline=True)
                    for name in self.vote_fields
                ),
                "version",
            )

    def cleaned_votes(self) -> dict[int, str]:
        """How each member voted, where a recorded vote was taken ({} if none was). A vote
        posted for someone not offered (no longer recorded as present) is passed on, for the
        service to refuse."""
        votes = {pk: self.cleaned_data[name] for name, pk in self.vote_fields.items()}
        for name in self.data:
            number = name.removeprefix(VOTE_PREFIX)
            if (
                name.startswith(VOTE_PREFIX)
                and name not in self.vote_fields
                and number.isascii()
                and number.isdigit()
            ):
                votes[int(number) if len(number) <= 18 else 0] = self.data.get(name)
        return {pk: choice for pk, choice in votes.items() if choice}

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

    at_meeting = LabelledModelChoiceField(
        queryset=None,
        label="At which meeting were they approved?",
        help_text="A later meeting of the same decision maker. Once approved, the minutes "
        "can only be changed by recording a correction",
        empty_label="Select a meeting",
        label_from=meeting_label,
        error_messages=choice_errors("the meeting"),
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
        error_messages=choice_errors("the item"),
    )
    correction = textarea_field("Correction", required_message="Enter the correction", rows=4)
    reason = textarea_field(
        "Reason for the correction", required_message="Enter the reason for the correction", rows=3
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda_item"].choices = [("", "The minutes as a whole"), *items]


class CloseIssueForm(GovukFormMixin, forms.Form):
    submit_label = "Close the issue"

    closed_by = LabelledModelChoiceField(
        queryset=None,
        label="Which later item dealt with it?",
        empty_label="Select an item",
        label_from=lambda item: f"{meeting_label(item.meeting)}: {item.full_number} {item.title}",
        error_messages=choice_errors("the item"),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed_by"].queryset = items


# --- Decisions ------------------------------------------------------------------------------


class OfficerDecisionForm(GovukFormMixin, forms.Form):
    """An officer decision as the Openness of Local Government Bodies Regulations 2014 ask it
    to be recorded."""

    submit_label = "Record decision"

    title = text_field("Title", required_message="Enter the title of the decision", max_length=300)
    officer_name = text_field(
        "Officer who took the decision",
        required_message="Enter the name of the officer who took the decision",
        max_length=150,
    )
    officer_title = text_field("Officer's job title (optional)", max_length=200)
    date = GovukDateField(
        label="Date of the decision",
        help_text="For example, 13 4 2017",
        required_message="Enter the date of the decision",
    )
    decision = textarea_field("The decision", required_message="Enter the decision", rows=4)
    reasons = textarea_field(
        "Reasons for the decision", required_message="Enter the reasons", rows=4
    )
    alternatives_rejected = textarea_field(
        "Alternative options considered and rejected",
        required_message="Enter the alternatives considered and rejected, or “None”",
        rows=3,
    )
    conflicts_of_interest = textarea_field(
        "Conflicts of interest declared",
        help_text="Any conflict of interest declared by a member consulted, and any "
        "dispensation granted. Leave blank if none",
        rows=3,
    )
    paper = LabelledModelChoiceField(
        queryset=None,
        label="Report (optional)",
        required=False,
        empty_label="None",
        label_from=paper_label,
        error_messages=choice_errors("the report"),
    )
    is_key = forms.BooleanField(label="This is a key decision", required=False)
    forward_plan_entry = LabelledModelChoiceField(
        queryset=None,
        label="Forward plan entry (key decisions only)",
        required=False,
        empty_label="None",
        error_messages=choice_errors("the forward plan entry"),
    )
    key_decision_exception = forms.ChoiceField(
        label="If it was not on the forward plan in time",
        choices=KeyDecisionException.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select the exception"},
    )
    exception_reason = textarea_field("Reason for the exception", rows=3)

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

    title = text_field(
        "Title", required_message="Enter the title of the key decision", max_length=300
    )
    decision_maker = LabelledModelChoiceField(
        queryset=None,
        label="Decision maker",
        empty_label="Select the decision maker",
        error_messages=choice_errors("the decision maker"),
    )
    expected_date = GovukDateField(
        label="Date the decision is expected",
        help_text="For example, 13 4 2017",
        required_message="Enter the date the decision is expected",
    )
    summary = textarea_field("Summary (optional)", rows=4)
    documents = textarea_field("Documents to be considered (optional)", rows=3)
    wards_affected = text_field("Wards affected (optional)", max_length=200)
    contact = text_field("Contact (optional)", max_length=200)
    paper = LabelledModelChoiceField(
        queryset=None,
        label="Report (optional)",
        required=False,
        empty_label="None",
        label_from=paper_label,
        error_messages=choice_errors("the report"),
    )

    def __init__(self, *args, organizations, papers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision_maker"].queryset = organizations
        self.fields["paper"].queryset = papers
