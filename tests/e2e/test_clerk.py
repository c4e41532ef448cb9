"""The clerk's way through (issue 10), in a real browser, with axe on every page: correct and
withdraw a report's sign-offs, withdraw and replace its files (and the public no longer sees
the withdrawn ones), create a report from an agenda item and come back to it, meet the
refusal to publish a report without its approvals and follow its link to the report, and
download the pack from the meeting page.

It starts from the demo data (`load_demo`); the test settings build agenda packs with the
immediate task backend, so a pack is built during the request that publishes the agenda.
"""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from committees.models import AgendaPack, Organization, Paper
from organisation.roles import Role
from tests.committees.factories import AgendaItemFactory, MeetingFactory, minimal_pdf
from tests.e2e.test_accessibility import check_with_axe, describe
from tests.e2e.test_committees import CMPL, a_thursday_weeks_ahead
from tests.helpers import at

CODE = "CMPL-2017-04-13-04"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=io.StringIO())


def accessible(page, heading: str):
    """The page meant (its heading), with no WCAG 2.2 AA failures."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    violations = check_with_axe(page)["violations"]
    assert not violations, describe(violations, page.url)


def banner(page):
    return page.locator(".govuk-notification-banner")


def error_summary(page):
    return page.locator(".govuk-error-summary")


def test_the_clerks_way_through(page, browser, live_server, demo, signed_in_as, tmp_path):
    signed_in_as(Role.GOVERNANCE_SERVICES, full_name="Suzanne Bennett")
    report = Paper.objects.get(reference=CODE)
    title = report.title
    page.goto(f"/manage/reports/{report.pk}/")
    accessible(page, title)

    # Correct a sign-off: the finance approval was given on the 11th, not the 10th.
    page.get_by_role("link", name="Correct the sign-off of Paul Jennings").click()
    accessible(page, "Correct the sign-off of Paul Jennings")
    approved = page.get_by_role("group", name="Date approved (optional)")
    expect(approved.get_by_label("Day")).to_have_value("10")
    approved.get_by_label("Day").fill("11")
    page.get_by_role("button", name="Save the correction").click()
    accessible(page, title)
    expect(banner(page)).to_contain_text("Sign-off of Paul Jennings corrected")
    finance = page.locator("tr", has_text="Paul Jennings")
    expect(finance).to_contain_text("11 March 2017")

    # Withdraw one: first without a reason (a GOV.UK error), then with one.
    page.get_by_role("link", name="Withdraw the sign-off of Cllr George Duggins").click()
    accessible(page, "Withdraw Cllr George Duggins from the sign-off table")
    page.get_by_role("button", name="Withdraw from the sign-off table").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(error_summary(page)).to_contain_text("Enter why it is being withdrawn")
    accessible(page, "Withdraw Cllr George Duggins from the sign-off table")
    page.get_by_label("Why is it being withdrawn?").fill("The Cabinet Member had not seen it")
    page.get_by_role("button", name="Withdraw from the sign-off table").click()
    accessible(page, title)
    members = page.locator("tr", has_text="Cllr George Duggins")
    expect(members).to_contain_text("Withdrawn")
    expect(members).to_contain_text("by Suzanne Bennett: The Cabinet Member had not seen it.")
    expect(members.get_by_role("link", name=re.compile("^Correct"))).to_have_count(0)
    members.get_by_role("link", name="History of the sign-off of Cllr George Duggins").click()
    accessible(page, "History of Approver: Members, Cllr George Duggins")
    expect(page.locator(".govuk-table")).to_contain_text(
        "Withdrawal reason: “” to “The Cabinet Member had not seen it”"
    )
    page.get_by_role("link", name="Back").click()

    # Withdraw the appendix, and replace the report's own file with a corrected one.
    appendix = "Appendix 1: Code of Corporate Governance"
    page.get_by_role("link", name=f"Withdraw {appendix}").click()
    accessible(page, f"Withdraw the file {appendix}")
    page.get_by_label("Why is it being withdrawn?").fill("It is the 2016 version")
    page.get_by_role("button", name="Withdraw the file").click()
    accessible(page, title)
    expect(banner(page)).to_contain_text(f"{appendix} withdrawn")
    expect(page.locator("tr", has_text=appendix)).to_contain_text("It is the 2016 version")

    page.get_by_role("link", name=f"Replace {title}", exact=True).click()
    accessible(page, f"Replace the file {title}")
    corrected = tmp_path / "corrected.pdf"
    corrected.write_bytes(minimal_pdf("The corrected Code of Corporate Governance"))
    page.get_by_label("Upload the corrected file").set_input_files(corrected)
    page.get_by_label("Why is it being replaced?").fill("Paragraph 4 was wrong")
    page.get_by_role("button", name="Replace the file").click()
    accessible(page, title)
    expect(banner(page)).to_contain_text(f"{title} replaced by the corrected file")
    expect(page.get_by_text(f"Replaced by {title} on")).to_be_visible()

    # The public sees the corrected file and not the withdrawn ones, nor the withdrawn approval.
    public = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    public.goto(f"/reports/{report.pk}/")
    accessible(public, title)
    main = public.get_by_role("main")
    expect(main).not_to_contain_text(appendix)
    expect(main).not_to_contain_text("Cllr George Duggins")
    expect(main.get_by_role("link", name=title, exact=True)).to_have_count(1)
    public.context.close()

    # A new report, created from an item's "Attach a report" page, and back to the item.
    day = a_thursday_weeks_ahead(6)
    meeting = MeetingFactory(
        organizations=[Organization.objects.get(name=CMPL)],
        start=at(day.year, day.month, day.day),
        end=None,
    )
    item = AgendaItemFactory(meeting=meeting, position=1, number="1", title="Annual review")
    page.goto(f"/manage/meetings/{meeting.pk}/")
    accessible(page, CMPL)
    page.get_by_role("link", name="Attach a report to item 1").click()
    accessible(page, "Attach a report to item 1")
    page.get_by_role("link", name="Create a new report for this item").click()
    accessible(page, "Create a report")
    page.get_by_role("button", name="Create the report and attach it").click()
    expect(error_summary(page)).to_contain_text("Enter the report's reference")
    expect(error_summary(page)).to_contain_text(
        "Select what the meeting is asked to do with the report"
    )
    accessible(page, "Create a report")
    page.get_by_label("Reference").fill("CMPL-NEW-01")
    page.get_by_label("Title", exact=True).fill("Annual Governance Statement")
    page.get_by_label("Type of paper").fill("Report")
    date = page.get_by_role("group", name="Date of the report")
    date.get_by_label("Day").fill("1")
    date.get_by_label("Month").fill("4")
    date.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Author's name").fill("Adrian West")
    page.get_by_label("For decision").check()
    page.get_by_role("button", name="Create the report and attach it").click()
    accessible(page, CMPL)
    expect(banner(page)).to_contain_text("Report created and attached to item 1")
    expect(page).to_have_url(re.compile(rf"/manage/meetings/{meeting.pk}/#item-{item.pk}$"))
    card = page.locator(f"#item-{item.pk}")
    expect(card.get_by_role("link", name="Annual Governance Statement")).to_be_visible()

    # Publishing is refused: the new report has no approvals. The refusal links to it.
    page.get_by_role("button", name="Publish the agenda").click()
    accessible(page, "Publish the agenda")
    page.get_by_role("button", name="Publish the agenda").click()
    refusal = error_summary(page).get_by_role(
        "link",
        name="Annual Governance Statement cannot go on a published agenda until it has these "
        "approvals: finance, legal, director, members",
    )
    expect(refusal).to_be_visible()
    accessible(page, "Publish the agenda")
    refusal.click()
    new_report = Paper.objects.get(reference="CMPL-NEW-01")
    expect(page).to_have_url(re.compile(rf"/manage/reports/{new_report.pk}/#sign-off$"))
    accessible(page, "Annual Governance Statement")

    # The approvals are added to its sign-off table; then the agenda is published.
    for category, name in [
        ("Finance", "Paul Jennings"),
        ("Legal", "Helen Lynch"),
        ("Director", "Barry Hastie"),
        ("Members", "Cllr George Duggins"),
    ]:
        page.get_by_role("link", name="Add to the sign-off table").click()
        page.get_by_role("radio", name="Approver").check()
        page.get_by_label("Approval (approvers only)").select_option(label=category)
        page.get_by_label("Name", exact=True).fill(name)
        approved = page.get_by_role("group", name="Date approved (optional)")
        approved.get_by_label("Day").fill("2")
        approved.get_by_label("Month").fill("4")
        approved.get_by_label("Year").fill(str(day.year))
        page.get_by_role("button", name="Add to the sign-off table").click()
        expect(banner(page)).to_contain_text("Added to the sign-off table")
    accessible(page, "Annual Governance Statement")

    page.goto(f"/manage/meetings/{meeting.pk}/publish/")
    page.get_by_role("button", name="Publish the agenda").click()
    accessible(page, CMPL)
    expect(banner(page)).to_contain_text("Agenda published")

    # The pack, built while publishing, is offered on the meeting page and downloads.
    pack = AgendaPack.objects.published_for(meeting).get()
    link = page.get_by_role("link", name=re.compile(r"^Download the agenda pack"))
    expect(link).to_contain_text(f"(PDF, {pack.page_count} page")
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / "pack.pdf"
    download.value.save_as(saved)
    assert len(PdfReader(saved).pages) == pack.page_count
