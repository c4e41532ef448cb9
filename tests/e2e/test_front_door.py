"""A member of the public meets the council through the home page, in a real browser: lands
there, searches (a mistake first), opens the next meeting, a committee, a councillor and the
decisions register, and reads how to attend a meeting and film it. axe checks every page on
the way for WCAG 2.2 AA failures.

On the demo data (`load_demo`), which has meetings to come: the Audit and Procurement
Committee's, its agenda published, and the Cabinet Member's, its agenda still a draft."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from committees.models import Meeting
from tests.e2e.test_accessibility import check_with_axe, describe

CMPL = "Cabinet Member for Policy and Leadership"
AUDIT = "Audit and Procurement Committee"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", stdout=io.StringIO())


def accessible(page):
    violations = check_with_axe(page)["violations"]
    assert not violations, describe(violations, page.url)


def heading(page):
    return page.get_by_role("heading", level=1)


def main(page):
    return page.get_by_role("main")


def test_a_member_of_the_public_finds_their_way_from_the_home_page(page, demo):
    # The committee's next meeting, whose agenda is published (the whistleblowing demo adds a
    # later one with a draft agenda, for the annual report).
    audit_meeting = Meeting.objects.filter(
        organizations__name=AUDIT, start__gt=timezone.now(), agenda_published_at__isnull=False
    ).get()
    draft = Meeting.objects.filter(organizations__name=CMPL, start__gt=timezone.now()).get()

    # The home page: the next meetings, soonest first, the Audit committee's at their head.
    page.goto("/")
    expect(heading(page)).to_have_text("Coventry City Council Governance Portal")
    next_meetings = page.locator("#next-meetings + ul .app-meeting")
    expect(next_meetings).to_have_count(3)
    expect(next_meetings.first).to_contain_text(AUDIT)
    expect(next_meetings.nth(1)).to_contain_text(CMPL)
    expect(next_meetings.nth(2)).to_contain_text(AUDIT)
    expect(page.locator("#latest-decisions + ul")).to_contain_text(
        "Information Management Strategy Update"
    )
    expect(page.locator("#new-reports + ul")).to_contain_text("Code of Corporate Governance")
    accessible(page)

    # A search with nothing in it: a GOV.UK error, then a real one.
    search = page.get_by_role("search")
    search.get_by_role("button", name="Search").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what you are looking for")
    accessible(page)
    page.goto("/")
    page.get_by_label("Search agendas, reports, minutes and decisions").fill("whistleblowing")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(page).to_have_title(re.compile("^whistleblowing – Search"))
    expect(page.locator(".app-search-results > li").first).to_be_visible()
    accessible(page)

    # The next meeting: its published agenda.
    page.goto("/")
    next_meetings.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{audit_meeting.pk}/$"))
    expect(heading(page)).to_have_text(AUDIT)
    expect(page.locator(".app-agenda-item").first).to_contain_text("Apologies")
    expect(main(page)).to_contain_text("Annual Governance Statement")
    accessible(page)

    # A committee from the home page: its next meeting first, the agenda still to come.
    page.goto("/")
    page.locator("#committees + ul").get_by_role("link", name=CMPL).click()
    expect(heading(page)).to_have_text(CMPL)
    card = page.locator("#next-meeting")
    expect(card).to_contain_text("Next meeting")
    expect(card).to_contain_text("To be published by")
    expect(card.get_by_role("link").first).to_have_attribute("href", draft.get_absolute_url())
    accessible(page)

    # A councillor on it, and the committees they sit on.
    main(page).get_by_role("link", name="Councillor G Duggins").first.click()
    expect(heading(page)).to_have_text("Councillor G Duggins")
    expect(main(page)).to_contain_text(f"{CMPL}: Cabinet Member")
    accessible(page)

    # The decisions register, from the home page.
    page.goto("/")
    page.get_by_role("link", name="The decisions register").click()
    expect(heading(page)).to_have_text("Decisions")
    expect(main(page)).to_contain_text("Information Management Strategy Update")
    accessible(page)

    # How to attend, and how to film and report: the law behind it, and its limits.
    page.goto("/")
    page.get_by_role("link", name="Attend a meeting").click()
    expect(heading(page)).to_have_text("Take part in a meeting")
    expect(page).to_have_url(re.compile(r"/meetings/taking-part/#attend$"))
    expect(page.locator("#attend")).to_be_in_viewport()
    page.get_by_role("navigation", name="Contents").get_by_role(
        "link", name="Film, photograph, record and report on a meeting"
    ).click()
    expect(page.locator("#filming")).to_be_in_viewport()
    expect(main(page)).to_contain_text("Openness of Local Government Bodies Regulations 2014")
    expect(main(page)).to_contain_text("You do not need permission.")
    accessible(page)
