"""Committee business as people really meet it, in a real browser: a Governance Services
clerk preparing and publishing an agenda through the /manage/ forms, and a member of the
public finding a published meeting, its reports pack and its calendar entry.

Both journeys start from the demo data (`load_demo`: Coventry City Council as in April 2017),
loaded once per test. The test settings build agenda packs with the immediate task backend,
so a pack is built during the request that publishes the agenda.
"""

import datetime as dt
import io
import itertools
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect
from pypdf import PdfReader

from committees.models import AgendaPack, Meeting, PackStatus
from organisation.roles import Role
from portal_kit.time import LONDON
from tests.e2e.test_sign_in import current_code, fill_sign_in, menu
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory

CMPL = "Cabinet Member for Policy and Leadership"
PLACE_REPORT = "Report of the Deputy Chief Executive (Place)"
ROOM = "Committee Room 2, Council House, Earl Street, Coventry, CV1 5RR"
CODE_REPORT = "CMPL-2017-04-13-04: Code of Corporate Governance"


@pytest.fixture
def demo(transactional_db):
    """The demo council, committees and the seed's meetings (several seconds to load)."""
    call_command("load_demo", stdout=io.StringIO())


def a_thursday_weeks_ahead(weeks: int = 4) -> dt.date:
    """A Thursday some weeks from today: far enough ahead to publish the agenda in time."""
    day = timezone.localdate() + dt.timedelta(weeks=weeks)
    return day + dt.timedelta(days=(3 - day.weekday()) % 7)


def item_headings(page):
    """The agenda items' headings on the Governance Services meeting page, in page order."""
    return page.locator("#agenda ~ .govuk-summary-card .govuk-summary-card__title")


def add_item(page, title, *, lead="", minutes_of=None, lists_outstanding_issues=False):
    """Fill in and save the add-item form the browser is on; back on the meeting page."""
    page.get_by_label("Title", exact=True).fill(title)
    if lead:
        page.get_by_label("Lead (optional)").fill(lead)
    if minutes_of:
        page.get_by_label("Minutes of an earlier meeting (optional)").select_option(
            label=minutes_of
        )
    if lists_outstanding_issues:
        page.get_by_label("This item lists the outstanding issues").check()
    page.get_by_role("button", name="Save item").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CMPL)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(" added")


def add_top_item(page, title, **kwargs):
    page.get_by_role("button", name="Add an item").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an agenda item")
    add_item(page, title, **kwargs)


def test_clerk_creates_builds_and_publishes_an_agenda(page, demo, live_server):
    clerk = UserFactory(roles=[Role.GOVERNANCE_SERVICES])
    device = TOTPDeviceFactory(user=clerk)
    day = a_thursday_weeks_ahead()

    # Sign in through the real form, with the code from the clerk's authenticator app
    # (Governance Services see exempt business: a privileged role), and reach their pages.
    fill_sign_in(page, clerk.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{live_server.url}/")
    menu(page).get_by_role("link", name="Manage meetings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage meetings")

    # Create the meeting: a mistake first (no decision maker, no date), then put right.
    meetings_before = Meeting.objects.count()
    page.get_by_role("button", name="Create a meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a meeting")
    page.get_by_role("button", name="Create meeting").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the committee or decision maker holding the meeting")
    expect(summary).to_contain_text("Enter the date of the meeting")
    assert Meeting.objects.count() == meetings_before

    page.get_by_label(CMPL).check()
    date = page.get_by_role("group", name="Date of the meeting")
    date.get_by_label("Day").fill(str(day.day))
    date.get_by_label("Month").fill(str(day.month))
    date.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Start time").fill("2pm")
    page.get_by_label("End time (optional)").fill("3:30pm")
    page.get_by_label("Location (optional)").select_option(label=ROOM)
    page.get_by_role("button", name="Create meeting").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Meeting created")
    expect(page.get_by_role("heading", level=1)).to_have_text(CMPL)
    expect(page.locator(".govuk-body-l")).to_have_text(f"{day:%A} {day.day} {day:%B %Y} at 2:00 pm")
    expect(page.get_by_text("The agenda has no items yet.")).to_be_visible()
    meeting = Meeting.objects.get(start__date=day, organizations__name=CMPL)
    assert timezone.localtime(meeting.start) == dt.datetime(
        day.year, day.month, day.day, 14, tzinfo=LONDON
    )

    # The agenda as in the seed, added out of order so that a move renumbers it.
    add_top_item(page, "Apologies")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Item 1 added")
    add_top_item(page, "Declarations of Interest")
    add_top_item(page, "Minutes")
    page.get_by_role("link", name="Add a sub-item to item 3").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a sub-item to item 3")
    add_item(
        page,
        "To agree the minutes from the meeting held on 13 April 2017",
        minutes_of=f"{CMPL}, 13 April 2017",
    )
    page.get_by_role("link", name="Add a sub-item to item 3").click()
    add_item(page, "Matters Arising")
    add_top_item(page, "Outstanding Issues", lists_outstanding_issues=True)
    add_top_item(page, "Code of Corporate Governance", lead=PLACE_REPORT)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Item 5 added")
    expect(item_headings(page).nth(5)).to_have_text("4 Outstanding Issues")
    expect(item_headings(page).nth(6)).to_have_text("5 Code of Corporate Governance")

    page.get_by_role("button", name="Move up item 5").click()
    expect(item_headings(page)).to_have_text(
        [
            "1 Apologies",
            "2 Declarations of Interest",
            "3 Minutes",
            "3a) To agree the minutes from the meeting held on 13 April 2017",
            "3b) Matters Arising",
            "4 Code of Corporate Governance",
            "5 Outstanding Issues",
        ]
    )
    add_top_item(page, "Any Other Items of Public Business")
    expect(item_headings(page).last).to_have_text("6 Any Other Items of Public Business")

    # The demo's Code of Corporate Governance report goes with item 4.
    page.get_by_role("link", name="Attach a report to item 4").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Attach a report to item 4")
    page.get_by_label("Report", exact=True).select_option(label=CODE_REPORT)
    page.get_by_label("For decision").check()
    page.get_by_label("Recommendation (optional)").fill(
        f"The {CMPL} is recommended to approve the attached Code of Corporate Governance."
    )
    page.get_by_role("button", name="Attach report").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Report attached to item 4")
    code_item = page.locator(".govuk-summary-card", has=page.get_by_role("heading", name="4 Code"))
    expect(code_item).to_contain_text(PLACE_REPORT)
    expect(code_item.get_by_role("link", name="Code of Corporate Governance")).to_be_visible()

    # Published in time: the page names the deadline and asks for no reason for urgency.
    page.get_by_role("button", name="Publish the agenda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish the agenda")
    expect(page.locator(".govuk-inset-text")).to_contain_text("Publish the agenda by")
    expect(page.get_by_label("Reason for urgency")).to_have_count(0)
    page.get_by_role("button", name="Publish the agenda").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("Agenda published")
    expect(page.locator(".govuk-summary-list__row", has_text="State")).to_contain_text(
        "Agenda published"
    )
    expect(page.get_by_role("button", name="Publish the agenda")).to_have_count(0)

    # The pack was built during the publishing request; the status page says so.
    page.get_by_role("link", name="Pack status").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda pack")
    status = page.locator(".govuk-summary-list__row", has_text="Status").locator("dd")
    if status.inner_text() != "Ready":  # a build still running: the page refreshes itself
        page.reload()
    expect(status).to_have_text("Ready")
    pack = AgendaPack.objects.get(meeting=meeting)
    assert pack.status == PackStatus.READY
    expect(page.locator(".govuk-summary-list__row", has_text="Pages").locator("dd")).to_have_text(
        str(pack.page_count)
    )

    # Back on the meeting page, the items carry their pages in the pack.
    page.get_by_role("link", name="Back to the meeting").click()
    expect(
        code_item.locator(".govuk-summary-list__row", has_text="Pages in the pack")
    ).to_contain_text(re.compile(r"Pages \d+ - \d+"))

    # The public page of the meeting now has the agenda as built, and the pack to download.
    page.goto(meeting.get_absolute_url())
    entries = agenda_entries(page)
    assert [title for title, _ in entries] == [
        "1. Apologies",
        "2. Declarations of Interest",
        "3. Minutes",
        "a) To agree the minutes from the meeting held on 13 April 2017",
        "b) Matters Arising",
        "4. Code of Corporate Governance",
        "5. Outstanding Issues",
        "6. Any Other Items of Public Business",
    ]
    ranges = {title: page_range(pages) for title, pages in entries if pages}
    assert list(ranges) == ["4. Code of Corporate Governance"]
    first, last = ranges["4. Code of Corporate Governance"]
    assert 1 < first < last == pack.page_count  # after the agenda, to the end of the pack
    expect(
        page.get_by_role("link", name=re.compile("^Download the agenda reports pack"))
    ).to_contain_text(f"(PDF, {pack.page_count} pages, ")


def agenda_entries(page):
    """(number and title, page range) of each item on the public meeting page, in order."""
    rows = []
    for entry in page.locator(".app-agenda-item").all():
        heading = " ".join(entry.get_by_role("heading").first.inner_text().split())
        pages = entry.locator("p", has_text=re.compile(r"^Pages? \d"))
        rows.append((heading, pages.inner_text() if pages.count() else ""))
    return rows


def page_range(text: str) -> tuple[int, int]:
    """ "Pages 5 - 14" -> (5, 14); "Page 3" -> (3, 3)."""
    numbers = [int(n) for n in re.fullmatch(r"Pages? (\d+)(?: - (\d+))?", text).groups() if n]
    return numbers[0], numbers[-1]


def test_public_finds_the_meeting_downloads_its_pack_and_adds_it_to_a_calendar(page, demo):
    april = Meeting.objects.get(start=dt.datetime(2017, 4, 13, 14, tzinfo=LONDON))

    # From the home page, through the committee, to its past meeting of 13 April 2017.
    page.goto("/")
    menu(page).get_by_role("link", name="Meetings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upcoming meetings")
    page.get_by_role("main").get_by_role("link", name="Committees").click()
    page.get_by_role("link", name=CMPL).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CMPL)
    page.locator(".app-meeting", has_text="13 April 2017").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{april.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(CMPL)

    # The calendar for April 2017 leads to the same meeting.
    page.goto("/meetings/2017/4/")
    expect(page.get_by_role("heading", level=1)).to_have_text("April 2017")
    day = page.get_by_role("heading", name="Thursday 13 April 2017")
    expect(day).to_be_visible()
    expect(page.locator(".app-meeting", has_text="13 April 2017")).to_have_count(1)
    page.locator(".app-meeting", has_text="13 April 2017").get_by_role("link", name=CMPL).click()
    expect(page).to_have_url(re.compile(rf"/meetings/{april.pk}/$"))

    # And so does a search for "whistleblowing": the report's item on that day's agenda.
    menu(page).get_by_role("link", name="Meetings").click()
    page.get_by_role("main").get_by_role("link", name="Search").click()
    page.get_by_label("Search for").fill("whistleblowing")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_title(re.compile("^whistleblowing – Search"))
    results = page.locator(".app-search-results > li")
    item_result = results.filter(has_text=re.compile(r"Agenda item\s+13 April 2017"))
    expect(item_result).to_have_count(1)
    expect(item_result.get_by_role("link")).to_have_text(
        "Review of the Council's Whistleblowing Policy"
    )
    item_result.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{april.pk}/#item-\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(CMPL)

    # The agenda as published: items numbered in order, sub-items (a) and (b), and the page
    # ranges of the reports pack beside the items that have papers in it.
    entries = agenda_entries(page)
    assert [title for title, _ in entries] == [
        "1. Apologies",
        "2. Declarations of Interest",
        "3. Minutes",
        "a) To agree the minutes from the meeting held on 28 July, 2016",
        "b) Matters Arising",
        "4. Code of Corporate Governance",
        "5. Review of the Council's Whistleblowing Policy",
        "6. Information Management Strategy Update - Information Risk Policy",
        "7. Outstanding Issues",
        "8. Any Other Items of Public Business",
    ]
    ranges = {title: page_range(pages) for title, pages in entries if pages}
    # Item 3 is the 28 July 2016 minutes, its sub-item a); items 4-6 each have a report.
    assert list(ranges) == [entries[i][0] for i in (2, 3, 5, 6, 7)]
    assert ranges[entries[2][0]] == ranges[entries[3][0]]
    spans = [ranges[entries[i][0]] for i in (2, 5, 6, 7)]
    assert spans[0][0] > 1  # after the agenda itself
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start == end + 1, spans  # the papers follow each other, no gaps or overlaps

    # The pack: a real PDF with as many pages as the link says, whose pages are those the
    # agenda gives: each item's range starts with its paper.
    link = page.get_by_role("link", name=re.compile("^Download the agenda reports pack"))
    shown = int(re.search(r"\(PDF, (\d+) pages, ", link.inner_text())[1])
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"agenda-reports-pack-2017-04-13-meeting-{april.pk}.pdf"
    with open(download.path(), "rb") as file:
        pdf_bytes = file.read()
    assert pdf_bytes.startswith(b"%PDF")
    pdf = PdfReader(io.BytesIO(pdf_bytes))
    assert len(pdf.pages) == shown == spans[-1][1]
    # It opens with the agenda, giving the same page ranges as the meeting page.
    agenda = " ".join(pdf.pages[0].extract_text().split())
    assert agenda.startswith(f"Coventry City Council {CMPL} Time and Date 2.00 pm on Thursday")
    first, last = spans[1]
    assert f"4. Code of Corporate Governance (Pages {first} - {last})" in agenda
    first_pages = {
        "Minutes of the meeting held on 28 July 2016": spans[0][0],
        "Code of Corporate Governance": spans[1][0],
        "Review of the Council's Whistleblowing Policy": spans[2][0],
        "Information Management Strategy Update": spans[3][0],
    }
    for title, number in first_pages.items():
        assert " ".join(pdf.pages[number - 1].extract_text().split()).startswith(title)

    # Add to calendar: an iCalendar file with the meeting at 2 pm London time.
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("^Add to calendar")).click()
    download = info.value
    assert download.suggested_filename == f"meeting-{april.pk}.ics"
    with open(download.path(), "rb") as file:
        calendar = Calendar.from_ical(file.read())
    [event] = calendar.walk("VEVENT")
    start = event["DTSTART"]
    assert start.dt == dt.datetime(2017, 4, 13, 14, 0, tzinfo=LONDON)
    assert start.params["TZID"] == "Europe/London"
    assert str(start.dt.tzinfo) == "Europe/London"
    assert str(event["SUMMARY"]) == CMPL
    assert str(event["LOCATION"]).startswith("Committee Room 2")
    assert str(event["URL"]).endswith(f"/meetings/{april.pk}/")
