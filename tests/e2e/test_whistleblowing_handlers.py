"""The whistleblowing register and a case in a real browser, axe (WCAG 2.2 AA) on every page
on the way: the Monitoring Officer finds an overdue concern in the register, opens it,
acknowledges it (after putting an error right), appoints an investigating officer, decides
to investigate, records a meeting, adds a note with evidence, closes it and reads who opened
it; the investigator then sees only that case, without the Monitoring Officer's buttons; a
fraud concern reaches the Chief Internal Auditor and nobody else's register."""

import datetime as dt
import re

from playwright.sync_api import expect

from organisation.roles import Role
from tests.committees.factories import minimal_pdf
from tests.e2e.test_accessibility import check_with_axe, describe
from tests.factories import UserFactory
from tests.whistleblowing.handle_support import WORDS, evidence, raise_concern
from whistleblowing import services
from whistleblowing.models import Concern, EntryKind, Status

APRIL_10 = dt.datetime(2017, 4, 10, 9, tzinfo=dt.UTC)


def accessible(page):
    violations = check_with_axe(page)["violations"]
    assert not violations, describe(violations, page.url)


def heading(page, text):
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(re.escape(text)))


def succeeded(page, message):
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(message)


def press(page, name):
    page.get_by_role("button", name=name).click()


def action(page, name):
    page.get_by_role("button", name=name).click()


def test_the_monitoring_officer_handles_a_concern_from_register_to_close(
    page, signed_in_as, tmp_path
):
    concern = raise_concern(files=evidence(), now=APRIL_10)
    services.add_information(concern=concern, text="Also the petty cash", now=APRIL_10)
    UserFactory(roles=[Role.INVESTIGATING_OFFICER], full_name="Ann Smith", job_title="Auditor")
    signed_in_as(Role.MONITORING_OFFICER, full_name="Helen Lynch")

    page.goto("/")
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Whistleblowing register"
    ).click()
    heading(page, "Whistleblowing register")
    expect(page.locator(".govuk-table")).to_contain_text("Overdue")
    expect(page.locator(".govuk-table")).to_contain_text("Reporter waiting")
    expect(page.locator("body")).not_to_contain_text(WORDS)
    accessible(page)
    page.get_by_label("Only acknowledgements that are overdue").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".govuk-table")).to_contain_text(concern.reference)
    accessible(page)
    page.get_by_role("link", name=concern.reference).click()

    heading(page, concern.reference)
    expect(page.locator("main")).to_contain_text(WORDS)
    expect(page.locator("main")).to_contain_text("Acknowledgement overdue by")
    accessible(page)

    action(page, "Acknowledge")
    heading(page, "Acknowledge the concern")
    accessible(page)
    press(page, "Send the acknowledgement")
    expect(page.locator(".govuk-error-summary")).to_contain_text(services.NO_SUMMARY)
    expect(page).to_have_title(re.compile(r"^Error: "))
    accessible(page)
    page.get_by_label("Summary of the concern").fill("Fuel cards used for private cars")
    press(page, "Send the acknowledgement")
    succeeded(page, "Acknowledgement sent")
    accessible(page)

    action(page, "Appoint an investigating officer")
    heading(page, "Appoint an investigating officer")
    accessible(page)
    page.get_by_label("Ann Smith, Auditor").check()
    press(page, "Appoint")
    succeeded(page, "Ann Smith appointed")

    action(page, "Decide what happens")
    heading(page, "Decide what happens to the concern")
    accessible(page)
    page.get_by_label("Investigate under this policy").check()
    page.get_by_label("The reason for the decision").fill("Credible and specific")
    press(page, "Record the decision")
    succeeded(page, "Decision recorded")

    action(page, "Record a meeting")
    heading(page, "Record a meeting with the reporter")
    accessible(page)
    page.get_by_label("Day").fill("20")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year").fill("2017")
    page.get_by_label("Time (optional)").fill("2pm")
    page.get_by_label("Where").fill("Central Library")
    page.get_by_label("Away from the reporter's normal place of work, as they asked").check()
    page.get_by_label("Accompanied by (optional)").fill("Unison representative")
    press(page, "Record the meeting")
    succeeded(page, "Meeting recorded")
    expect(page.locator("main")).to_contain_text("Unison representative")

    action(page, "Add a note or evidence")
    heading(page, "Add an investigation note")
    accessible(page)
    statement = tmp_path / "statement.pdf"
    statement.write_bytes(minimal_pdf("Fuel card statement"))
    page.get_by_label("Note", exact=True).fill("Statements obtained")
    page.get_by_label("Evidence (optional)").set_input_files(str(statement))
    press(page, "Add the note")
    succeeded(page, "Note added")
    expect(page.get_by_role("link", name="statement.pdf")).to_be_visible()

    action(page, "Close the concern")
    heading(page, "Close the concern")
    accessible(page)
    page.get_by_label("Substantiated", exact=True).check()
    page.get_by_label("Lessons learned (optional)").fill("Fuel cards need a named holder")
    page.get_by_label("Message to the reporter").fill("Action has been taken. Thank you.")
    press(page, "Close the concern")
    succeeded(page, "Concern closed")
    expect(page.get_by_role("button", name="Reopen the concern")).to_be_visible()
    accessible(page)

    page.get_by_role("link", name="Who has opened this case").click()
    heading(page, "Who opened this case")
    expect(page.locator(".govuk-table")).to_contain_text("Helen Lynch")
    accessible(page)

    concern.refresh_from_db()
    assert concern.status == Status.CLOSED
    assert concern.entries.filter(kind=EntryKind.MEETING).exists()


def test_an_investigator_sees_only_their_case_and_only_their_buttons(page, signed_in_as):
    mine = raise_concern(now=APRIL_10)
    other = raise_concern(ground="environment", now=APRIL_10)
    investigator = signed_in_as(Role.INVESTIGATING_OFFICER)
    mo = UserFactory(roles=[Role.MONITORING_OFFICER])
    services.appoint_investigator(
        concern=mine, investigator=investigator, version=mine.version, actor=mo
    )

    page.goto("/whistleblowing/register/")
    heading(page, "Whistleblowing register")
    expect(page.locator(".govuk-table")).to_contain_text(mine.reference)
    expect(page.locator("main")).not_to_contain_text(other.reference)
    accessible(page)
    page.get_by_role("link", name=mine.reference).click()
    heading(page, mine.reference)
    expect(page.get_by_role("button", name="Acknowledge")).to_be_visible()
    expect(page.get_by_role("button", name="Close the concern")).to_have_count(0)
    expect(page.get_by_role("link", name="Who has opened this case")).to_have_count(0)
    accessible(page)
    response = page.goto(f"/whistleblowing/register/{other.pk}/")
    assert response.status == 404


def test_a_fraud_concern_reaches_the_chief_internal_auditor(page, signed_in_as):
    fraud = raise_concern(ground="fraud", now=APRIL_10)
    other = raise_concern(now=APRIL_10)
    signed_in_as(Role.CHIEF_INTERNAL_AUDITOR)
    page.goto("/whistleblowing/register/")
    expect(page.locator(".govuk-table")).to_contain_text(fraud.reference)
    expect(page.locator(".govuk-table")).to_contain_text("Chief Internal Auditor")
    expect(page.locator("main")).not_to_contain_text(other.reference)
    expect(page.get_by_role("link", name="Download the register (CSV)")).to_have_count(0)
    page.get_by_role("link", name=fraud.reference).click()
    heading(page, fraud.reference)
    accessible(page)
    assert Concern.objects.get(pk=fraud.pk).openings.count() == 1
