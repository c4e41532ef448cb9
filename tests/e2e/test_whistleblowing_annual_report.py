"""The annual report reaching an Audit and Procurement Committee agenda, in a real browser with
axe (WCAG 2.2 AA) on every page: the Monitoring Officer opens it from the register, reads
last year's figures with the small numbers hidden and the lessons learned, looks at another
year, tries to put it on a meeting without choosing one and on one whose agenda is published
(the clerk's rule refuses it), then puts it on a draft agenda: a new item with a public
report and its PDF."""

import datetime as dt
import re

from playwright.sync_api import expect

from committees.models import AgendaItem, Paper
from organisation.roles import Role
from portal_kit.models import ANY_VERSION
from portal_kit.templatetags.portal_kit import full_day
from portal_kit.time import LONDON
from tests.committees.factories import MeetingFactory, OrganizationFactory
from tests.e2e.test_accessibility import check_with_axe, describe
from tests.factories import UserFactory
from whistleblowing import rules, services

LESSON = "Cash boxes need two keyholders"


def accessible(page):
    violations = check_with_axe(page)["violations"]
    assert not violations, describe(violations, page.url)


def last_year() -> dt.date:
    today = dt.datetime.now(LONDON).date()
    return rules.financial_year(rules.financial_year(today)[0] - dt.timedelta(days=1))[0]


def a_year_of_concerns(start: dt.date) -> None:
    """Last year: six criminal offences, acknowledged and closed with a lesson, and two
    frauds."""
    handler = UserFactory(roles=[Role.MONITORING_OFFICER])
    for n in range(8):
        when = dt.datetime.combine(start + dt.timedelta(days=20 + 30 * n), dt.time(10), LONDON)
        fraud = n >= 6
        concern = services.raise_concern(
            answers=services.Answers(
                ground="fraud" if fraud else "criminal_offence",
                what_happened="Money goes missing from the petty cash tin",
                public_interest=True,
                reporter_kind="permanent",
                under_policy=True,
            ),
            now=when,
        ).concern
        if fraud:
            continue
        concern = services.acknowledge(
            concern=concern,
            summary="Petty cash",
            version=ANY_VERSION,
            actor=handler,
            now=when + dt.timedelta(days=2),
        )
        services.close(
            concern=concern,
            outcome="substantiated",
            findings="Kept inside",
            lessons=LESSON,
            closing_message="Done",
            version=ANY_VERSION,
            actor=handler,
            now=when + dt.timedelta(days=20),
        )


def test_the_annual_report_reaches_an_audit_and_procurement_agenda(page, signed_in_as):
    start = last_year()
    a_year_of_concerns(start)
    committee = OrganizationFactory(name=rules.REPORTED_TO)
    published = MeetingFactory(organizations=[committee], published=True)
    draft = MeetingFactory(organizations=[committee], start=published.start + dt.timedelta(days=14))
    signed_in_as(Role.MONITORING_OFFICER, full_name="Helen Lynch")

    page.goto("/whistleblowing/register/")
    page.get_by_role(
        "link", name="The annual report to the Audit and Procurement Committee"
    ).click()
    name = rules.financial_year_name(start)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Whistleblowing Annual Report {name}"
    )
    main = page.locator("main")
    expect(main).to_contain_text("Concerns received: 8.")
    fraud = page.get_by_role("row", name=re.compile("^Fraud or financial irregularity"))
    expect(fraud).to_contain_text("fewer than 5")
    expect(page.get_by_role("row", name=re.compile("^A criminal offence"))).to_contain_text(
        "5 or more"
    )
    expect(main).to_contain_text(LESSON)
    expect(main).not_to_contain_text("petty cash")
    accessible(page)

    page.get_by_label("Year (1 April to 31 March)").select_option(str(start.year - 1))
    page.get_by_role("button", name="Show this year").click()
    expect(main).to_contain_text("Concerns received: 0.")
    accessible(page)
    page.get_by_label("Year (1 April to 31 March)").select_option(str(start.year))
    page.get_by_role("button", name="Show this year").click()

    page.get_by_role("button", name="Put it on the agenda of a meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Choose the meeting of the Audit and Procurement Committee"
    )
    accessible(page)
    page.get_by_role("button", name="Put the report on this agenda").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the meeting")
    expect(page).to_have_title(re.compile(r"^Error: "))
    accessible(page)

    page.get_by_label(re.compile(re.escape(full_day(published.start)))).check()
    page.get_by_role("button", name="Put the report on this agenda").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "cannot go on a published agenda until it has these approvals"
    )
    accessible(page)
    assert not Paper.objects.exists()

    page.get_by_label(re.compile(re.escape(full_day(draft.start)))).check()
    page.get_by_role("button", name="Put the report on this agenda").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The annual report is on the agenda of the"
    )
    accessible(page)

    item = AgendaItem.objects.get(meeting=draft)
    paper = Paper.objects.get()
    assert item.title == paper.title == f"Whistleblowing Annual Report {name}"
    assert paper.consultations.get().agenda_item == item
    assert paper.documents.get().mime_type == "application/pdf"
