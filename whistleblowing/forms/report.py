"""The reporter's forms: one question a page, the receipt code, and the case page's reply,
comment and complaint of detriment.

The questions are walked in the order of `REPORT_STEPS` (a reporter's own concern) or
`BEHALF_STEPS` (an officer logging one raised with them, policy 12) by
whistleblowing.views.report. Each question form carries the draft (whistleblowing.drafts) in
its hidden `draft` field; `values()` gives what the page adds to it and `initial_from()` puts
an earlier answer back. What an answer must be is the services' business
(services.raise_concern checks them all again); the forms refuse what cannot be an answer
(too long, not a choice, a NUL) with the GOV.UK wording.
"""

import dataclasses
from collections.abc import Callable

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from organisation.accounts import normalise_email
from portal_kit import uploads
from portal_kit.forms import GovukFormMixin
from whistleblowing import evidence, receipts, services
from whistleblowing.models import Channel, Ground

# --- Fields -----------------------------------------------------------------------------------


def _text(label, *, limit, required="", help_text="", textarea=False, rows=8, width=None):
    """A text answer: optional unless `required` says what to ask for; over `limit`
    characters or holding a NUL, refused in the services' words."""
    name = label.removesuffix(" (optional)")
    attrs = {"rows": rows} if textarea else ({"class": width} if width else {})
    return forms.CharField(
        label=label,
        required=bool(required),
        max_length=limit,
        help_text=help_text,
        error_messages={
            "required": required,
            "max_length": f"{name} must be {limit:,} characters or fewer",
            "null_characters_not_allowed": f"{name} contains characters that are not allowed",
        },
        widget=forms.Textarea(attrs=attrs) if textarea else forms.TextInput(attrs=attrs),
    )


def _radios(label, choices, *, required, help_text=""):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": required, "invalid_choice": required},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Up to services.MAX_FILES files (fewer when the draft holds some: `room`), each
    checked from its bytes by whistleblowing.evidence; cleaned to a list of
    evidence.Checked."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(**kwargs)
        self.room = services.MAX_FILES

    def to_python(self, data):
        return data

    def clean(self, data, initial=None):
        chosen = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(chosen) > self.room:
            raise ValidationError(
                services.TOO_MANY_FILES % {"limit": services.MAX_FILES}, code="too_many_files"
            )
        checked, errors = [], []
        for upload in chosen:
            if not hasattr(upload, "read") and not hasattr(upload, "chunks"):
                raise ValidationError("Select a file", code="required")
            try:
                checked.append(evidence.check(upload))
            except ValidationError as error:
                name = uploads.clean_display_name(
                    getattr(upload, "name", "") or "", "", known_suffixes=()
                )
                errors += [
                    ValidationError(f"{name}: {message}", code=error.code)
                    for message in error.messages
                ]
        if errors:
            raise ValidationError(errors)
        return checked


def _files_field(label="Upload files"):
    return EvidenceFilesField(
        label=label,
        help_text=f"PDF, Word document (.docx), JPEG or PNG, each smaller than "
        f"{evidence.max_file_text()}. You can choose several at once, and add up to "
        f"{services.MAX_FILES} in all",
    )


# --- The question pages -------------------------------------------------------------------------

REPORT = "report"
BEHALF = "behalf"


class QuestionForm(GovukFormMixin, forms.Form):
    """A question page: its fields, and the draft so far (sealed; read by the view)."""

    draft = forms.CharField(widget=forms.HiddenInput, required=False)
    #: The field whose label is the page's heading (a one-question page), if any.
    heading_field: str | None = None
    #: (report wording, behalf wording) of labels and hints that speak to the reporter.
    WORDING: dict[str, dict] = {}

    def __init__(self, *args, journey=REPORT, user=None, **kwargs):
        self.journey, self.user = journey, user
        super().__init__(*args, **kwargs)
        for name, wording in self.WORDING.items():
            for attribute, text in wording.get(journey, {}).items():
                setattr(self.fields[name], attribute, text)
        self.helper.layout = Layout(*self.layout_fields(), "draft")

    def layout_fields(self):
        fields = []
        for name, field in self.fields.items():
            if name == "draft":
                continue
            if name == self.heading_field:
                if isinstance(field.widget, forms.RadioSelect):
                    fields.append(Field.radios(name, legend_size=Size.LARGE, legend_tag="h1"))
                elif isinstance(field.widget, forms.CheckboxSelectMultiple):
                    fields.append(Field.checkboxes(name, legend_size=Size.LARGE, legend_tag="h1"))
                elif isinstance(field.widget, forms.Textarea):
                    fields.append(Field.textarea(name, label_size=Size.LARGE, label_tag="h1"))
                else:
                    fields.append(Field.text(name, label_size=Size.LARGE, label_tag="h1"))
            else:
                fields.append(name)
        return fields

    def values(self) -> dict:
        """What the page adds to the draft."""
        return {name: self.cleaned_data[name] for name in self.fields if name != "draft"}

    @classmethod
    def initial_from(cls, values: dict, user=None) -> dict:
        return {name: values[name] for name in cls.base_fields if name in values}


ABOUT_WRONGDOING = "wrongdoing"
ABOUT_GRIEVANCE = "grievance"
ABOUT_SCHOOL = "school"


class AboutForm(QuestionForm):
    heading_field = "about"
    about = _radios(
        "What is your concern about?",
        [
            Choice(
                ABOUT_WRONGDOING,
                "Wrongdoing in the council’s work",
                hint="Something that is against the law, or puts people, public money or the "
                "environment at risk, and matters to others as well as to you",
            ),
            Choice(
                ABOUT_GRIEVANCE,
                "How I am treated at work",
                hint="For example, my pay or working conditions, or how my manager or a "
                "colleague treats me",
            ),
            Choice(
                ABOUT_SCHOOL,
                "Something at a school where I work",
                hint="Schools have whistleblowing policies of their own",
            ),
        ],
        required="Select what your concern is about",
    )
    WORDING = {
        "about": {
            BEHALF: {
                "label": "What is the person’s concern about?",
            }
        }
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.journey == BEHALF:
            self.fields["about"].choices = [
                Choice(ABOUT_WRONGDOING, "Wrongdoing in the council’s work"),
                Choice(ABOUT_GRIEVANCE, "How they are treated at work"),
                Choice(ABOUT_SCHOOL, "Something at a school where they work"),
            ]


GROUND_HINTS = {
    Ground.CRIMINAL_OFFENCE: "For example, theft, bribery, or harm to a child or vulnerable adult",
    Ground.LEGAL_OBLIGATION: "For example, the council breaking planning, data protection or "
    "procurement law",
    Ground.MISCARRIAGE_OF_JUSTICE: "For example, evidence in a case being hidden or changed",
    Ground.HEALTH_AND_SAFETY: "A risk to the health or safety of staff, residents or the public",
    Ground.ENVIRONMENT: "For example, pollution, or waste dumped where it should not be",
    Ground.CONCEALMENT: "Someone hiding information about any of these",
    Ground.FRAUD: "For example, false claims for expenses or overtime, payments for work not "
    "done, or council money or property used for private gain. The Chief Internal Auditor "
    "deals with these",
    Ground.NOT_SURE: "If none of these fits, or you do not know which does. The person dealing "
    "with your concern will decide",
}


class GroundForm(QuestionForm):
    heading_field = "ground"
    ground = _radios(
        "Which of these best describes the wrongdoing?",
        [
            Choice(
                value,
                label,
                hint=GROUND_HINTS[value],
                **({"divider": "or"} if value == Ground.FRAUD else {}),
            )
            for value, label in Ground.choices
        ],
        required=services.NO_GROUND,
        help_text="Paragraph 7 of the Whistleblowing Policy lists what it covers",
    )


class WhatHappenedForm(QuestionForm):
    heading_field = "what_happened"
    what_happened = _text(
        "What happened?",
        limit=services.MAX_TEXT,
        required=services.NO_ACCOUNT,
        textarea=True,
        rows=12,
        help_text="Give as much detail as you can. You do not need proof, but what you say "
        "should be based on facts (paragraphs 16 and 19 of the policy)",
    )
    WORDING = {
        "what_happened": {
            BEHALF: {"help_text": "In the person’s words, with as much detail as they gave"}
        }
    }


class WhenForm(QuestionForm):
    heading_field = "when"
    when = _text(
        "When did it happen? (optional)",
        limit=services.MAX_SHORT,
        help_text="For example, ‘13 April 2017’, ‘every Friday since January’ or ‘it is still "
        "happening’",
    )


class WhereForm(QuestionForm):
    heading_field = "where"
    where = _text(
        "Where did it happen? (optional)",
        limit=services.MAX_SHORT,
        help_text="For example, the building, office, depot, site or service",
    )


class WhoForm(QuestionForm):
    heading_field = "who"
    who = _text(
        "Who was involved? (optional)",
        limit=services.MAX_TEXT,
        textarea=True,
        help_text="Names and job titles of the people involved, and of anyone who saw what "
        "happened, if you know them",
    )


class EvidenceForm(QuestionForm):
    heading_field = "evidence"
    evidence = _text(
        "What evidence is there? (optional)",
        limit=services.MAX_TEXT,
        textarea=True,
        help_text="For example, documents, emails, records or photos, or people who could "
        "confirm what happened, and where they are. You can add files on the next page",
    )


class FilesForm(QuestionForm):
    files = _files_field()

    def __init__(self, *args, room=services.MAX_FILES, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].room = room

    def values(self) -> dict:
        return {}

    @classmethod
    def initial_from(cls, values, user=None):
        return {}


NOT_TOLD = "none"
RAISED_BEFORE_REQUIRED = "Select who you told, or ‘No, I have not told anyone’"
RAISED_BEFORE_BOTH = "Select who you told, or ‘No, I have not told anyone’, not both"


class RaisedBeforeForm(QuestionForm):
    raised_before = forms.MultipleChoiceField(
        label="Who have you told?",
        choices=[
            *services.RAISED_BEFORE,
            Choice(NOT_TOLD, "No, I have not told anyone", divider="or"),
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={
            "required": RAISED_BEFORE_REQUIRED,
            "invalid_choice": RAISED_BEFORE_REQUIRED,
        },
    )
    raised_before_details = _text(
        "Who did you tell, and when? (optional)",
        limit=services.MAX_SHORT,
        help_text="For example, ‘my line manager, in March 2017’",
    )
    WORDING = {"raised_before": {BEHALF: {"label": "Who has the person told?"}}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.journey == BEHALF:
            self.fields["raised_before"].choices = [
                (value, label.replace("My ", "Their ")) for value, label in services.RAISED_BEFORE
            ] + [Choice(NOT_TOLD, "They have not told anyone", divider="or")]
            self.fields["raised_before_details"].label = "Who did they tell, and when? (optional)"

    def layout_fields(self):
        return [Field.checkboxes("raised_before", small=False), "raised_before_details"]

    def clean_raised_before(self):
        chosen = self.cleaned_data["raised_before"]
        if NOT_TOLD in chosen and len(chosen) > 1:
            raise ValidationError(RAISED_BEFORE_BOTH, code="invalid")
        return [] if NOT_TOLD in chosen else chosen

    @classmethod
    def initial_from(cls, values, user=None):
        initial = super().initial_from(values)
        if "raised_before" in values and not values["raised_before"]:
            initial["raised_before"] = [NOT_TOLD]
        return initial


class PublicInterestForm(QuestionForm):
    public_interest = forms.BooleanField(
        label="I reasonably believe that raising this concern is in the public interest",
        error_messages={"required": services.NOT_PUBLIC_INTEREST},
    )
    WORDING = {
        "public_interest": {
            BEHALF: {
                "label": "The person reasonably believes that raising this concern is in the "
                "public interest"
            }
        }
    }

    def layout_fields(self):
        return [Field.checkbox("public_interest")]


REPORTER_KIND_HINTS = {
    "seconded": "Concerns about the organisation you are seconded to or from can be raised if "
    "they are about your secondment",
    "contractor": "Raise concerns about your own employer’s business with your employer",
}


class ReporterKindForm(QuestionForm):
    heading_field = "reporter_kind"
    reporter_kind = _radios(
        "How do you work for the council?",
        [
            Choice(
                value,
                label,
                **({"hint": REPORTER_KIND_HINTS[value]} if value in REPORTER_KIND_HINTS else {}),
            )
            for value, label in services.ReporterKind.CHOICES
        ],
        required=services.NO_REPORTER_KIND,
        help_text="Paragraph 9 of the policy says who can use it",
    )
    WORDING = {"reporter_kind": {BEHALF: {"label": "How does the person work for the council?"}}}


NAMED = "named"
ANONYMOUS = "anonymous"
CHOOSE_ANONYMITY = "Select whether you want to give your name"


class AnonymousForm(QuestionForm):
    heading_field = "anonymous"
    anonymous = _radios(
        "Do you want to give your name?",
        [
            Choice(
                NAMED,
                "Yes, give my name",
                hint="The people dealing with your concern will know who you are, and can ask "
                "you about it and keep you informed",
            ),
            Choice(
                ANONYMOUS,
                "No, stay anonymous",
                hint="You will get a receipt code to follow your concern. Nobody will know who "
                "you are unless you tell them",
            ),
        ],
        required=CHOOSE_ANONYMITY,
    )
    WORDING = {"anonymous": {BEHALF: {"label": "Does the person want to give their name?"}}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.journey == BEHALF:
            self.fields["anonymous"].error_messages["required"] = (
                "Select whether the person wants to give their name"
            )
            self.fields["anonymous"].error_messages["invalid_choice"] = self.fields[
                "anonymous"
            ].error_messages["required"]
            self.fields["anonymous"].choices = [
                Choice(NAMED, "Yes", hint="They will follow the concern signed in to the portal"),
                Choice(
                    ANONYMOUS,
                    "No, they want to stay anonymous",
                    hint="You will be shown a receipt code to give them, once",
                ),
            ]

    def values(self) -> dict:
        return {"anonymous": self.cleaned_data["anonymous"] == ANONYMOUS}

    @classmethod
    def initial_from(cls, values, user=None):
        if "anonymous" not in values:
            return {}
        return {"anonymous": ANONYMOUS if values["anonymous"] else NAMED}


class ContactForm(QuestionForm):
    name = _text(
        "Your name", limit=200, required="Enter your name", width="govuk-!-width-two-thirds"
    )
    contact = _text(
        "How can we contact you?",
        limit=services.MAX_SHORT,
        required="Enter an email address or telephone number we can contact you on",
        help_text="An email address or telephone number. If you give an email address, we will "
        "email you when there is a new message about your concern, but never what it says",
    )

    @classmethod
    def initial_from(cls, values, user=None):
        initial = super().initial_from(values)
        if user is not None and user.is_authenticated:
            initial.setdefault("name", user.full_name)
            initial.setdefault("contact", user.email)
        return initial


NO_ACCOUNT_EMAIL = "Enter the email address the person signs in with"
NOT_AN_EMAIL = "Enter an email address in the correct format, like name@example.com"


class ReporterAccountForm(QuestionForm):
    heading_field = "reporter_email"
    reporter_email = _text(
        "What email address does the person sign in with?",
        limit=254,
        required=NO_ACCOUNT_EMAIL,
        help_text="They will follow the concern signed in to the portal with this account",
    )

    def clean_reporter_email(self):
        address = normalise_email(self.cleaned_data["reporter_email"])
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(NOT_AN_EMAIL, code="invalid") from None
        return address


class ChannelForm(QuestionForm):
    heading_field = "channel"
    channel = _radios(
        "How was the concern raised with you?",
        [
            (Channel.IN_PERSON, "In person"),
            (Channel.TELEPHONE, "By telephone"),
            (Channel.IN_WRITING, "In writing, for example a letter"),
        ],
        required=services.BAD_CHANNEL,
        help_text="A supervisor, line manager or head of service told of a concern passes it "
        "on (paragraph 12 of the policy)",
    )


class CheckForm(QuestionForm):
    """Check your answers: the declaration of paragraph 17, and send."""

    submit_label = "Send concern"
    under_policy = forms.BooleanField(
        label="I am raising this concern under the council’s Whistleblowing Policy",
        error_messages={"required": services.NOT_UNDER_POLICY},
    )
    WORDING = {
        "under_policy": {
            BEHALF: {
                "label": "The person is raising this concern under the council’s "
                "Whistleblowing Policy"
            }
        }
    }

    def __init__(self, *args, **kwargs):
        if kwargs.get("journey") == BEHALF:
            self.submit_label = "Log the concern"
        super().__init__(*args, **kwargs)

    def layout_fields(self):
        return [Field.checkbox("under_policy")]


@dataclasses.dataclass(frozen=True)
class Step:
    """One question page of a journey."""

    name: str
    slug: str
    form: type[QuestionForm]
    #: Its title (the browser tab) and the row of check-your-answers it fills.
    title: str
    applies: Callable[[dict], bool] = lambda values: True


def _named(values: dict) -> bool:
    return values.get("anonymous") is False


_QUESTIONS = (
    Step("about", "about", AboutForm, "What is your concern about?"),
    Step("ground", "ground", GroundForm, "Which of these best describes the wrongdoing?"),
    Step("what_happened", "what-happened", WhatHappenedForm, "What happened?"),
    Step("when", "when", WhenForm, "When did it happen?"),
    Step("where", "where", WhereForm, "Where did it happen?"),
    Step("who", "who", WhoForm, "Who was involved?"),
    Step("evidence", "evidence", EvidenceForm, "What evidence is there?"),
    Step("files", "files", FilesForm, "Add documents or photos"),
    Step("raised_before", "told-before", RaisedBeforeForm, "Have you told anyone before?"),
    Step("public_interest", "public-interest", PublicInterestForm, "The public interest"),
    Step("reporter_kind", "about-you", ReporterKindForm, "How do you work for the council?"),
    Step("anonymous", "your-name", AnonymousForm, "Do you want to give your name?"),
)
CHECK = Step("check", "check", CheckForm, "Check your answers before sending your concern")

REPORT_STEPS = (
    *_QUESTIONS,
    Step("contact", "contact", ContactForm, "Your name and how to contact you", _named),
    CHECK,
)
BEHALF_STEPS = (
    Step("channel", "channel", ChannelForm, "How was the concern raised with you?"),
    *_QUESTIONS,
    Step(
        "reporter",
        "their-account",
        ReporterAccountForm,
        "The person’s account",
        _named,
    ),
    CHECK,
)
JOURNEYS = {REPORT: REPORT_STEPS, BEHALF: BEHALF_STEPS}


# --- Following a case ----------------------------------------------------------------------

NO_CODE = "Enter your receipt code"
WRONG_CODE = (
    "The receipt code does not match a concern. Check it and enter it again, exactly as it "
    "was shown"
)
#: For the officer who logged the concern and was shown its code to hand over (policy 12).
LOGGED_IT = (
    "You logged this concern for the person who raised it, so you cannot open it. The code is "
    "theirs: give it to them, and do not keep a copy"
)
_WAIT_MINUTES = int(receipts.WINDOW.total_seconds() // 60)
TOO_MANY_CODES = (
    f"You have entered too many receipt codes. Wait {_WAIT_MINUTES} minutes, then try again"
)


class FollowForm(GovukFormMixin, forms.Form):
    submit_label = "Continue"

    code = forms.CharField(
        label="Receipt code",
        help_text="For example, ABCD-EFGH-JKMN-PQRS-TVWX. Capital or small letters, with or "
        "without the dashes",
        max_length=receipts.MAX_INPUT,
        error_messages={
            "required": NO_CODE,
            "max_length": WRONG_CODE,
            "null_characters_not_allowed": WRONG_CODE,
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "class": "govuk-input--width-20 govuk-input--extra-letter-spacing",
            }
        ),
    )


class ReplyForm(GovukFormMixin, forms.Form):
    submit_label = "Send"

    text = _text(
        "Your message",
        limit=services.MAX_TEXT,
        required=services.EMPTY_MESSAGE,
        textarea=True,
        rows=6,
        help_text="Reply to a message, or add information about your concern",
    )
    files = _files_field("Add files (optional)")


class CommentForm(GovukFormMixin, forms.Form):
    """A comment on a meeting's note (policy 20), which the form names."""

    submit_label = "Send comment"

    meeting = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**63 - 1,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"), services.NOT_A_MEETING
        ),
    )
    text = _text(
        "Your comment on the note",
        limit=services.MAX_TEXT,
        required=services.EMPTY_MESSAGE,
        textarea=True,
        rows=4,
    )

    def __init__(self, *args, meeting_id=None, **kwargs):
        if meeting_id is not None:
            # Each meeting on the case page has its form: their boxes need ids of their own.
            kwargs.setdefault("auto_id", f"id_meeting_{meeting_id}_%s")
        super().__init__(*args, **kwargs)


class DetrimentForm(GovukFormMixin, forms.Form):
    """A complaint that the reporter has suffered for raising their concern (policy 23, 25):
    a concern of its own, linked to theirs."""

    submit_label = "Send complaint"

    what_happened = _text(
        "What has happened to you?",
        limit=services.MAX_TEXT,
        required="Say what has happened to you since you raised your concern",
        textarea=True,
        rows=10,
        help_text="For example, being treated differently, left out, moved, disciplined, "
        "threatened or harassed because you raised your concern",
    )
    when = _text("When did it happen? (optional)", limit=services.MAX_SHORT)
    who = _text("Who was involved? (optional)", limit=services.MAX_TEXT, textarea=True, rows=4)
    under_policy = forms.BooleanField(
        label="I am raising this complaint under the council’s Whistleblowing Policy",
        error_messages={"required": services.NOT_UNDER_POLICY},
    )
