"""The Monitoring Officer's annual report: which year to show, and the meeting to put it on."""

from django import forms

from portal_kit.forms import GovukFormMixin, LabelledModelChoiceField, choice_errors
from portal_kit.templatetags.portal_kit import full_day


class YearForm(forms.Form):
    """The year the preview shows (`?year=2016` for 2016/17), read from the query string."""

    year = forms.TypedChoiceField(coerce=int, label="Year")

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}/{(y + 1) % 100:02d}") for y in years]


def meeting_label(meeting) -> str:
    label = f"{meeting.title}, {full_day(meeting.start)}"
    return f"{label} (agenda published)" if meeting.agenda_published_at else label


class PlaceReportForm(GovukFormMixin, forms.Form):
    submit_label = "Put the report on this agenda"

    meeting = LabelledModelChoiceField(
        queryset=None,
        label="Which meeting should consider the report?",
        widget=forms.RadioSelect,
        empty_label=None,
        label_from=meeting_label,
        error_messages=choice_errors("the meeting"),
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
