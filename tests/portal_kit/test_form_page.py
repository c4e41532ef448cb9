"""The one GOV.UK form page (templates/includes/form_page.html) every app's forms extend:
back link, error summary above the heading, "Error: " in the title when the form is invalid,
the fields and the submit button through crispy-forms-gds, one CSRF token."""

import re

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.template import RequestContext, Template

from portal_kit.forms import GovukDateField, GovukFormMixin, text_field

pytestmark = pytest.mark.django_db

PAGE = (
    '{% extends "includes/form_page.html" %}'
    "{% block title %}Add a concern{% endblock title %}"
    '{% block back %}<a href="/concerns/" class="govuk-back-link">Back</a>{% endblock back %}'
    '{% block caption %}<span class="govuk-caption-l">Whistleblowing</span>{% endblock caption %}'
    "{% block heading %}Add a concern{% endblock heading %}"
)


class ConcernForm(GovukFormMixin, forms.Form):
    submit_label = "Send"

    summary = text_field("Summary", required_message="Enter a summary", max_length=100)
    happened_on = GovukDateField(label="When did it happen?", required=False)


class EvidenceForm(ConcernForm):
    evidence = forms.FileField(label="Evidence", required=False)


def render(rf, form, **context) -> str:
    request = rf.get("/concerns/new/")
    request.user = AnonymousUser()
    return Template(PAGE).render(RequestContext(request, {"form": form, **context}))


def test_an_invalid_form_says_error_first_and_sums_up_above_the_heading(rf):
    form = ConcernForm({"summary": "", "happened_on_0": "31", "happened_on_1": "2"})
    form.is_valid()
    html = render(rf, form)
    assert re.search(r"<title>Error: Add a concern – ", html)
    back, main = html.index('class="govuk-back-link"'), html.index('<main class="govuk-main')
    summary, caption = html.index("govuk-error-summary"), html.index("govuk-caption-l")
    heading = html.index('<h1 class="govuk-heading-l">Add a concern</h1>')
    assert back < main < summary < caption < heading < html.index("<form")
    assert '<a href="#id_summary">Enter a summary</a>' in html
    assert '<a href="#id_happened_on_0">The date must include a day, month and year</a>' in html


def test_a_form_not_yet_sent_has_no_error_and_no_summary(rf):
    html = render(rf, ConcernForm())
    assert "<title>Add a concern – " in html
    assert "govuk-error-summary" not in html
    assert 'class="govuk-input' in html  # the fields, drawn by crispy-forms-gds
    submit = r'<input type="submit"\s+name="submit"\s+value="Send"\s+class="govuk-button"'
    assert re.search(submit, html)


def test_one_form_one_csrf_token_and_the_next_page_posted_back(rf):
    html = render(rf, ConcernForm(), next="/account/")
    assert html.count("<form ") == 1
    assert re.search(r'<form method="post" novalidate>', html)
    assert html.count('name="csrfmiddlewaretoken"') == 1
    assert '<input type="hidden" name="next" value="/account/">' in html


def test_a_form_with_a_file_is_sent_as_multipart(rf):
    html = render(rf, EvidenceForm())
    assert '<form method="post" novalidate enctype="multipart/form-data">' in html
