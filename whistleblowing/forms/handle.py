"""The handlers' forms: the register's filter, and one form per action on a case. They parse
what was typed, in GOV.UK wording; the rules (lengths, states, who may be appointed) are
whistleblowing.services', whose errors the views put back on these forms under the same
field names. Evidence files are checked as the reporter's are (the reporter's forms'
EvidenceFilesField: whistleblowing.evidence, their type from their bytes, no active content,
photos stripped of their metadata, the whistleblowing size limit).
"""

from django import forms

from portal_kit.forms import (
    GovukDateField,
    GovukFormMixin,
    GovukTimeField,
    LabelledModelChoiceField,
    VersionedFormMixin,
    choice_errors,
    text_field,
    textarea_field,
    version_field,
)
from whistleblowing import evidence, services
from whistleblowing.forms.report import EvidenceFilesField
from whistleblowing.models import Ground, OtherProcedure, Outcome, Route, Status, Triage

ALL = ""

# --- The register's filter -------------------------------------------------------------------


class RegisterFilterForm(GovukFormMixin, forms.Form):
    """A GET form: the button is in the template and no CSRF token is rendered (nothing
    changes, and a token in a URL would leak)."""

    ground = forms.ChoiceField(
        label="What it is about",
        choices=[(ALL, "Any"), *Ground.choices],
        required=False,
        error_messages={"invalid_choice": "Select what the concern is about from the list"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[(ALL, "Any"), *Status.choices],
        required=False,
        error_messages={"invalid_choice": "Select a status from the list"},
    )
    route = forms.ChoiceField(
        label="Dealt with by",
        choices=[(ALL, "Either"), *Route.choices],
        required=False,
        error_messages={"invalid_choice": "Select who deals with the concern from the list"},
    )
    overdue = forms.BooleanField(
        label="Only acknowledgements that are overdue",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.disable_csrf = True
        self.helper.inputs = []


# --- Actions on a case ----------------------------------------------------------------------


class AcknowledgeForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    submit_label = "Send the acknowledgement"

    summary = textarea_field(
        "Summary of the concern",
        required_message=services.NO_SUMMARY,
        help_text="The acknowledgement says the concern was received, summarises it in your "
        "words and names who is dealing with it (policy paragraph 21). The reporter reads it",
    )
    message = textarea_field(
        "Anything else to tell the reporter (optional)",
        help_text="For example, what happens next and when they will hear again",
    )
    version = version_field()


class AppointForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    submit_label = "Appoint"

    investigator = LabelledModelChoiceField(
        queryset=None,
        label="Investigating officer",
        help_text="They will see this case, and only the cases they are appointed to",
        label_from=lambda user: (
            f"{user.full_name or user.email}" + (f", {user.job_title}" if user.job_title else "")
        ),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages=dict.fromkeys(
            ("required", "invalid_choice", "invalid_pk_value"), services.NOT_AN_INVESTIGATOR
        ),
    )
    version = version_field()

    def __init__(self, *args, investigators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigator"].queryset = investigators


class RerouteForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    submit_label = "Pass the concern on"

    route = forms.ChoiceField(
        label="Who should deal with the concern?",
        choices=Route.choices,
        widget=forms.RadioSelect,
        help_text="Fraud or financial irregularity goes to the Chief Internal Auditor; every "
        "other concern to the Monitoring Officer",
        error_messages=choice_errors("who deals with the concern"),
    )
    reason = textarea_field("Why?", required_message=services.NO_TRIAGE_REASON)
    version = version_field()


class TriageForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    submit_label = "Record the decision"

    decision = forms.ChoiceField(
        label="What will happen to the concern?",
        choices=Triage.choices,
        widget=forms.RadioSelect,
        error_messages=dict.fromkeys(("required", "invalid_choice"), services.NO_TRIAGE),
    )
    other_procedure = forms.ChoiceField(
        label="Which procedure? (only if dealt with under another procedure)",
        choices=OtherProcedure.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="The reporter is told that their concern will be dealt with under it "
        "(policy paragraph 5)",
        error_messages={"invalid_choice": services.NO_PROCEDURE},
    )
    reason = textarea_field(
        "The reason for the decision",
        required_message=services.NO_TRIAGE_REASON,
        help_text="Kept with the case; the reporter does not see it",
    )
    version = version_field()


class MeetingForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    """A meeting with the reporter (policy paragraph 20)."""

    submit_label = "Record the meeting"

    on = GovukDateField(
        label="Date of the meeting",
        help_text="For example, 20 4 2017",
        required_message=services.NO_MEETING_DATE,
    )
    at = GovukTimeField(label="Time (optional)", required=False, help_text="For example, 2pm")
    place = text_field(
        "Where",
        required_message=services.NO_PLACE,
        max_length=services.MAX_SHORT,
    )
    away_from_workplace = forms.BooleanField(
        label="Away from the reporter's normal place of work, as they asked", required=False
    )
    companion = text_field(
        "Accompanied by (optional)",
        max_length=services.MAX_SHORT,
        help_text="The reporter may bring a trade union or other representative",
    )
    note = textarea_field(
        "Note of the meeting (optional)",
        help_text="The reporter can read this note and comment on it",
    )
    version = version_field()


class NoteForm(GovukFormMixin, forms.Form):
    """An investigation note with evidence: internal, never shown to the reporter."""

    submit_label = "Add the note"

    text = textarea_field(
        "Note",
        required_message="Enter the note",
        help_text="Only the people dealing with the case see it; the reporter does not",
        rows=8,
    )
    files = EvidenceFilesField(
        label="Evidence (optional)",
        help_text=f"PDF, Word document (.docx), JPEG or PNG, each smaller than "
        f"{evidence.max_file_text()}, up to {services.MAX_FILES}. They are kept encrypted, "
        "photos without their metadata, and every opening is logged",
    )


class MessageForm(GovukFormMixin, forms.Form):
    submit_label = "Send the message"

    text = textarea_field(
        "Message",
        required_message=services.EMPTY_MESSAGE,
        help_text="The reporter reads it with their case. A named reporter is e-mailed that "
        "a message is waiting, without a word of it",
        rows=8,
    )


class CloseForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    submit_label = "Close the concern"

    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages=dict.fromkeys(("required", "invalid_choice"), services.NO_OUTCOME),
    )
    findings = textarea_field(
        "Findings (optional)", help_text="Kept with the case; the reporter does not see them"
    )
    lessons = textarea_field(
        "Lessons learned (optional)",
        help_text="For the annual report to the Audit and Procurement Committee: write them "
        "without names or anything that could point to a person",
    )
    closing_message = textarea_field(
        "Message to the reporter",
        required_message=services.NO_CLOSING_MESSAGE,
        help_text="Tells them the process is complete (policy paragraph 22). What you can say "
        "may be limited by data protection law",
    )
    version = version_field()


class ReopenForm(VersionedFormMixin, GovukFormMixin, forms.Form):
    submit_label = "Reopen the concern"

    reason = textarea_field(
        "Why is the concern being reopened?", required_message=services.NO_REOPEN_REASON
    )
    version = version_field()
