"""The public pages' GET forms: search, and the decisions register's filter. Bad input gets a
GOV.UK error message and no results; it never reaches the database as an error."""

from django import forms
from django.core.validators import validate_email

from committees import services
from committees.queries import public as queries
from committees.search import MAX_QUERY_CHARS
from organisation.accounts import normalise_email
from portal_kit.forms import GovukFormMixin

DATE_HINT = "For example, 27/3/2017"
QUERY_TOO_LONG = f"Search terms must be {MAX_QUERY_CHARS} characters or fewer"
ENTER_QUERY = "Enter what you are looking for"
NOT_A_COMMITTEE = "Select a committee from the list"
NOT_A_DECISION_MAKER = "Select a decision maker from the list"
FROM_NOT_REAL = "The ‘from’ date must be a real date, for example 27/3/2017"
TO_NOT_REAL = "The ‘to’ date must be a real date, for example 27/3/2017"
FROM_AFTER_TO = "The ‘from’ date must be the same as or before the ‘to’ date"


class _DateRangeForm(GovukFormMixin, forms.Form):
    """A GET form with `from` and `to` dates (in the URL as ?from=…&to=…). The button is in
    the template and no CSRF token is rendered: nothing changes, and a token in a URL would
    leak through logs and referrers."""

    PARAMETER_NAMES = {"date_from": "from", "date_to": "to"}

    date_from = forms.DateField(
        label="From",
        help_text=DATE_HINT,
        required=False,
        error_messages={"invalid": FROM_NOT_REAL},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    date_to = forms.DateField(
        label="To",
        help_text=DATE_HINT,
        required=False,
        error_messages={"invalid": TO_NOT_REAL},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.disable_csrf = True
        self.helper.inputs = []

    def add_prefix(self, field_name):
        return self.PARAMETER_NAMES.get(field_name, field_name)

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_from", FROM_AFTER_TO)
        return cleaned


class SearchForm(_DateRangeForm):
    field_order = ["q", "committee", "date_from", "date_to"]

    q = forms.CharField(
        label="Search for",
        help_text="Words from agendas, reports, minutes and decisions",
        required=True,
        strip=True,
        error_messages={"required": ENTER_QUERY},
    )
    committee = forms.ModelChoiceField(
        label="Committee",
        queryset=queries.committees(),
        to_field_name="slug",
        required=False,
        empty_label="All committees",
        error_messages={"invalid_choice": NOT_A_COMMITTEE},
    )

    def clean_q(self):
        value = self.cleaned_data["q"]
        if len(value) > MAX_QUERY_CHARS:
            raise forms.ValidationError(QUERY_TOO_LONG)
        return value


class DecisionFilterForm(_DateRangeForm):
    field_order = ["decision_maker", "date_from", "date_to"]

    decision_maker = forms.ChoiceField(
        label="Decision maker",
        required=False,
        error_messages={"invalid_choice": NOT_A_DECISION_MAKER},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.makers = {o.slug: o for o in queries.decision_makers()}
        self.fields["decision_maker"].choices = [
            ("", "All decision makers"),
            (queries.OFFICER_DECISIONS, "Officer decisions"),
            *((slug, o.name) for slug, o in self.makers.items()),
        ]

    def clean_decision_maker(self):
        value = self.cleaned_data["decision_maker"]
        if value in ("", queries.OFFICER_DECISIONS):
            return value or None
        return self.makers[value]


class EmailAddressField(forms.CharField):
    """An e-mail address as the portal stores it (organisation.accounts.normalise_email),
    with the Design System's messages; the service checks it again."""

    def __init__(self, **kwargs):
        super().__init__(
            max_length=254,
            error_messages={
                "required": services.EMAIL_MISSING,
                "max_length": services.EMAIL_TOO_LONG,
                "null_characters_not_allowed": services.EMAIL_INVALID,
                "invalid": services.EMAIL_INVALID,
            },
            widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
            **kwargs,
        )

    def to_python(self, value):
        return normalise_email(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        try:
            validate_email(value)
        except forms.ValidationError:
            raise forms.ValidationError(services.EMAIL_INVALID, code="invalid") from None


class AlertSubscriptionForm(GovukFormMixin, forms.Form):
    submit_label = "Subscribe"

    email = EmailAddressField(
        label="Email address",
        help_text="We will send a link to this address to confirm it is yours",
    )
