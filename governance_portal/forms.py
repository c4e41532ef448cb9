"""The base of every portal form: GOV.UK Design System markup through crispy-forms-gds."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit


class GovukFormMixin:
    """Renders with the GOV.UK template pack: labels, hints, inline errors and one primary
    button. Templates show the error summary above the heading and prefix the title with
    "Error:" when the form is invalid."""

    submit_label = "Continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.label_size = "s"
        self.helper.add_input(Submit("submit", self.submit_label))
