"""Raising and following a whistleblowing concern in a real browser, axe (WCAG 2.2 AA) on every
page on the way: an anonymous reporter answers the questions (going back and changing an
answer, adding a file, putting an error right), keeps the receipt code, comes back with it,
reads the acknowledgement and replies; a line manager logs a concern raised with them for a
colleague, who then follows it signed in."""

import re

from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from organisation.roles import Role
from tests.conftest import sign_in
from tests.e2e.test_accessibility import check_with_axe, describe
from tests.factories import UserFactory
from tests.whistleblowing.reporting import pdf_by
from whistleblowing import services
from whistleblowing.models import Concern, EntryKind

CODE = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$")


def accessible(page):
    violations = check_with_axe(page)["violations"]
    assert not violations, describe(violations, page.url)


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(re.escape(text)))


def choose(page, label):
    page.get_by_label(label, exact=True).check()


def proceed(page):
    page.get_by_role("button", name="Continue").click()


def test_an_anonymous_reporter_raises_a_concern_and_follows_it_with_the_code(page, tmp_path):
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role(
        "link", name="Raise a whistleblowing concern"
    ).click()
    heading(page, "Raise a whistleblowing concern")
    accessible(page)
    page.get_by_role("button", name="Start now").click()

    heading(page, "What is your concern about?")
    accessible(page)
    proceed(page)  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select what your concern is about"
    )
    expect(page).to_have_title(re.compile(r"^Error: "))
    accessible(page)
    choose(page, "Wrongdoing in the council’s work")
    proceed(page)

    heading(page, "Which of these best describes the wrongdoing?")
    accessible(page)
    choose(page, "Fraud or financial irregularity")
    proceed(page)

    heading(page, "What happened?")
    accessible(page)
    page.get_by_label("What happened?").fill("Overtime is claimed for shifts not worked.")
    proceed(page)

    heading(page, "When did it happen?")
    accessible(page)
    page.get_by_label("When did it happen? (optional)").fill("Since January")
    proceed(page)
    # Back to the question before, its answer still there.
    page.get_by_role("button", name="Back").click()
    heading(page, "When did it happen?")
    expect(page.get_by_label("When did it happen? (optional)")).to_have_value("Since January")
    proceed(page)

    for title in ("Where did it happen?", "Who was involved?", "What evidence is there?"):
        heading(page, title)
        accessible(page)
        proceed(page)

    heading(page, "Add documents or photos (optional)")
    accessible(page)
    document = tmp_path / "timesheets.pdf"
    document.write_bytes(pdf_by(author="A Reporter", text="Timesheets"))
    page.get_by_label("Upload files").set_input_files(str(document))
    proceed(page)
    # The file names someone: the page shows it, before the reporter goes on.
    heading(page, "Add documents or photos (optional)")
    expect(page.locator(".govuk-summary-list")).to_contain_text("timesheets.pdf")
    expect(page.locator(".govuk-summary-list")).to_contain_text("A Reporter")
    accessible(page)
    proceed(page)

    heading(page, "Have you told anyone about this concern before?")
    accessible(page)
    choose(page, "No, I have not told anyone")
    proceed(page)
    heading(page, "Is raising this concern in the public interest?")
    accessible(page)
    page.get_by_label(
        "I reasonably believe that raising this concern is in the public interest"
    ).check()
    proceed(page)
    heading(page, "How do you work for the council?")
    accessible(page)
    choose(page, "Agency worker")
    proceed(page)
    heading(page, "Do you want to give your name?")
    accessible(page)
    choose(page, "No, stay anonymous")
    proceed(page)

    heading(page, "Check your answers before sending your concern")
    accessible(page)
    page.get_by_role("button", name="Change where did it happen?").click()
    page.get_by_label("Where did it happen? (optional)").fill("The Whitley depot")
    proceed(page)
    heading(page, "Check your answers before sending your concern")
    expect(page.locator(".govuk-summary-list")).to_contain_text("The Whitley depot")
    page.get_by_label("I am raising this concern under the council’s Whistleblowing Policy").check()
    page.get_by_role("button", name="Send concern").click()

    expect(page.locator(".govuk-panel__title")).to_have_text("Concern sent")
    accessible(page)
    code = page.locator("#receipt-code").inner_text().strip()
    assert CODE.match(code), code
    assert code not in page.url

    concern = Concern.objects.get()
    assert concern.route == "chief_internal_auditor"
    auditor = UserFactory(roles=[Role.CHIEF_INTERNAL_AUDITOR], full_name="Stephen Mangan")
    services.acknowledge(
        concern=concern,
        summary="Overtime claimed for shifts not worked",
        message="Please tell us which shifts.",
        version=concern.version,
        actor=auditor,
    )

    page.goto("/whistleblowing/follow/")
    heading(page, "Follow up your concern")
    accessible(page)
    page.get_by_label("Receipt code").fill("ABCD-EFGH-JKMN-PQRS-TVWX")
    proceed(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("does not match a concern")
    accessible(page)
    page.get_by_label("Receipt code").fill(code.lower())
    proceed(page)

    heading(page, "Your concern")
    expect(page.locator("#status")).to_contain_text("It has been acknowledged")
    expect(page.get_by_text("Overtime claimed for shifts not worked")).to_be_visible()
    accessible(page)
    page.get_by_label("Your message").fill("The night shifts in March.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your message has been sent")
    expect(page.get_by_text("The night shifts in March.")).to_be_visible()
    accessible(page)
    reply = concern.entries.get(kind=EntryKind.FROM_REPORTER)
    assert services.entry_content(reply)["text"] == "The night shifts in March."

    page.get_by_role("button", name="Sign out of this case").click()
    heading(page, "Raise a whistleblowing concern")
    page.goto("/whistleblowing/case/")
    heading(page, "Follow up your concern")


def test_a_line_manager_logs_a_concern_the_colleague_follows_signed_in(
    page, signed_in_as, context, live_server
):
    colleague = UserFactory(email="sam.colleague@council.example", full_name="Sam Colleague")
    signed_in_as(Role.OFFICER, full_name="Lee Manager")
    page.goto("/whistleblowing/log/")
    heading(page, "Log a concern raised with you")
    accessible(page)
    page.get_by_role("button", name="Start now").click()
    heading(page, "How was the concern raised with you?")
    accessible(page)
    choose(page, "In person")
    proceed(page)
    choose(page, "Wrongdoing in the council’s work")
    proceed(page)
    choose(page, "Danger to health and safety")
    proceed(page)
    page.get_by_label("What happened?").fill("The depot's fire doors are chained shut.")
    proceed(page)
    for _ in range(5):  # when, where, who, evidence, files
        proceed(page)
    choose(page, "They have not told anyone")
    proceed(page)
    page.get_by_label(
        "The person reasonably believes that raising this concern is in the public interest"
    ).check()
    proceed(page)
    choose(page, "Permanent employee")
    proceed(page)
    heading(page, "Does the person want to give their name?")
    accessible(page)
    choose(page, "Yes")
    proceed(page)
    heading(page, "What email address does the person sign in with?")
    accessible(page)
    page.get_by_label("What email address does the person sign in with?").fill(
        "nobody@council.example"
    )
    proceed(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("There is no account")
    accessible(page)
    page.get_by_label("What email address does the person sign in with?").fill(
        "Sam.Colleague@council.example"
    )
    proceed(page)
    heading(page, "Check the concern before logging it")
    accessible(page)
    page.get_by_label(
        "The person is raising this concern under the council’s Whistleblowing Policy"
    ).check()
    page.get_by_role("button", name="Log the concern").click()
    expect(page.locator(".govuk-panel__title")).to_have_text("Concern logged")
    expect(page.get_by_text("Sam Colleague follows it signed in")).to_be_visible()
    accessible(page)

    concern = Concern.objects.get()
    assert concern.logged_by.full_name == "Lee Manager" and concern.channel == "in_person"
    response = page.goto(f"/whistleblowing/your-concerns/{concern.pk}/")
    assert response.status == 404

    context.clear_cookies()
    client = sign_in(Client(), colleague)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto("/whistleblowing/your-concerns/")
    heading(page, "Your concerns")
    accessible(page)
    page.get_by_role("link", name=concern.reference).click()
    heading(page, "Your concern")
    expect(page.get_by_text("The depot's fire doors are chained shut.")).to_be_attached()
    accessible(page)
