"""axe-core finds no WCAG 2.2 AA failures on any type of page.

Each test is one visitor (anonymous, or signed in with a role that may see the pages) going
through their pages; each page is a subtest of its own, so every failing page is reported,
not just the first. (One test per page would cost a browser context and a database flush
each, for no more coverage.)

axe is put into the page by Playwright's page.evaluate, which runs over the DevTools protocol
and is not subject to the page's Content-Security-Policy: the pages are checked under the
portal's real, strict CSP (bypass_csp stays False). test_frontend.py proves that axe does
report failures there.
"""

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from committees import services
from committees.models import Decision, Meeting, Organization, Paper, Person
from organisation.models import User
from organisation.policies import SERVER_CONSOLE
from organisation.roles import Role
from tests.committees.factories import AgendaItemFactory, ForwardPlanEntryFactory, MeetingFactory
from tests.factories import (
    DirectorateFactory,
    ServiceFactory,
    TOTPDeviceFactory,
    UserFactory,
    issue_set_up_link,
)

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]}
axe = Axe()


def check_with_axe(page: Page) -> dict:
    page.wait_for_load_state("load")  # the page as a visitor meets it, after its scripts ran
    response = axe.run(page, options=AXE_OPTIONS).response
    assert response["testEngine"]["name"] == "axe-core"
    return response


def describe(violations: list[dict], url: str) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    at {target}: {summary}")
    return "\n".join(lines)


# --- How to reach each page: each takes (page, directorate) and leaves the browser there ---


def go(path: str) -> Callable:
    def visit(page, directorate):
        return page.goto(path)

    return visit


def submit_empty_sign_in(page, directorate):
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")


def signed_in_user() -> User:
    """The visitor's account: the only one a test of this module makes, bar the demo's."""
    return User.objects.latest("pk")


def open_set_up_link(page, directorate):
    page.goto(issue_set_up_link(signed_in_user(), actor=SERVER_CONSOLE))
    expect(page.get_by_role("button", name="Start")).to_be_visible()


def start_two_factor_set_up(page, directorate):
    open_set_up_link(page, directorate)
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".app-qr svg")).to_be_visible()


def submit_a_wrong_replacement_code(page, directorate):
    page.goto("/account/two-factor/set-up/")
    page.get_by_label("Code from your current authenticator app").fill("12345")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the code as 6 digits")


def account_with_a_two_factor_record(page, directorate):
    issue_set_up_link(signed_in_user(), actor=SERVER_CONSOLE)
    page.goto("/account/")
    expect(page.locator(".govuk-table")).to_contain_text("Set-up link sent")


def history_of(page, directorate):
    page.goto(f"/organisation/directorates/{directorate.pk}/history/")
    expect(page.locator(".govuk-table__body .govuk-table__row")).to_have_count(2)


def history_refused(page, directorate):
    response = page.goto(f"/organisation/directorates/{directorate.pk}/history/")
    assert response.status == 403


def unknown_page(page, directorate):
    response = page.goto("/no-such-page/")
    assert response.status == 404


# --- Committee pages, on the demo data (Coventry as in April 2017) ---------------------------

CMPL = "Cabinet Member for Policy and Leadership"
CMPL_SLUG = "cabinet-member-for-policy-and-leadership"


def demo() -> Organization:
    """The Cabinet Member for Policy and Leadership, loading the demo data (about five seconds)
    the first time a test asks: once per visitor, as each test starts with an empty database.
    Also a meeting three days ahead with an agenda not yet published (late to publish), so the
    upcoming-meetings lists and the publish page have something to show, and an entry on the
    forward plan."""
    cmpl = Organization.objects.filter(slug=CMPL_SLUG).first()
    if cmpl is None:
        call_command("load_demo", stdout=io.StringIO())
        cmpl = Organization.objects.get(slug=CMPL_SLUG)
        start = (timezone.localtime() + dt.timedelta(days=3)).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        soon = MeetingFactory(organizations=[cmpl], start=start, location=None)
        AgendaItemFactory(meeting=soon, position=1, number="1", title="Apologies")
        ForwardPlanEntryFactory(
            decision_maker=cmpl,
            title="Annual Governance Statement 2016/17",
            summary="Approval of the Annual Governance Statement.",
            paper=Paper.objects.get(reference="CMPL-2017-04-13-04"),
        )
    return cmpl


def meeting_on(day: dt.date) -> Meeting:
    demo()
    return Meeting.objects.get(organizations__slug=CMPL_SLUG, start__date=day)


def april_2017() -> Meeting:
    return meeting_on(dt.date(2017, 4, 13))


def july_2016() -> Meeting:
    return meeting_on(dt.date(2016, 7, 28))


def unpublished_meeting() -> Meeting:
    """The meeting three days ahead (the demo's own draft is six weeks ahead)."""
    demo()
    return (
        Meeting.objects.filter(agenda_published_at__isnull=True, start__gt=timezone.now())
        .order_by("start")
        .first()
    )


def code_report() -> Paper:
    demo()
    return Paper.objects.get(reference="CMPL-2017-04-13-04")


VOTE_MEETING = "Extraordinary meeting on the budget"


def recorded_vote_meeting() -> Meeting:
    """A meeting of the demo's decision maker held last week, its minutes published: one
    member arrived late, another left early, and its item's vote was a recorded one. Made
    through the services, once per test."""
    cmpl = demo()
    meeting = Meeting.objects.filter(name=VOTE_MEETING).first()
    if meeting is not None:
        return meeting
    start = (timezone.localtime() - dt.timedelta(days=7)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    meeting = MeetingFactory(organizations=[cmpl], start=start, name=VOTE_MEETING, published=True)
    late, early, steady = Person.objects.order_by("family_name", "pk")[:3]
    meeting = services.record_attendance(
        meeting=meeting,
        entries=[
            {"person": late, "status": "present", "arrived_at": dt.time(14, 35)},
            {"person": early, "status": "present", "left_at": dt.time(15, 10)},
            {"person": steady, "status": "present"},
        ],
        version=meeting.version,
        actor=SERVER_CONSOLE,
    )[0].meeting
    item = AgendaItemFactory(meeting=meeting, position=1, number="1", title="Budget")
    services.record_minute(
        item=item,
        minutes_text="The committee considered the budget.",
        resolutions=[{"text": "Approves the budget."}],
        votes={late.pk: "for", early.pk: "against", steady.pk: "abstained"},
        version=item.version,
        actor=SERVER_CONSOLE,
    )
    services.publish_minutes(meeting=meeting, closed_at=dt.time(16), actor=SERVER_CONSOLE)
    return meeting


def recorded_vote_item_minute() -> str:
    return f"/manage/items/{recorded_vote_meeting().agenda_items.get().pk}/minute/"


def attendance_with_a_time_error(page, directorate):
    page.goto(f"/manage/meetings/{recorded_vote_meeting().pk}/minutes/attendance/")
    page.locator("#id_attendance-0-arrived_at").fill("1pm")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("after the meeting started")


def private_openings_log(page, directorate):
    services.record_private_opening(
        paper=code_report(), actor=UserFactory(roles=[Role.GOVERNANCE_SERVICES])
    )
    page.goto("/manage/private-papers/openings/")


def go_demo(path: Callable[[], str]) -> Callable:
    """A page of the demo data, at the path `path()` gives once the demo is loaded."""

    def visit(page, directorate):
        demo()
        return page.goto(path())

    return visit


def search_with_an_error(page, directorate):
    page.goto("/search/")
    page.get_by_label("Search for").fill("whistleblowing")
    page.get_by_label("From").fill("31/2/2017")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be a real date")


def submit_empty(path: Callable[[], str], button: str, error: str) -> Callable:
    """A form sent back with its errors: `button` pressed with nothing filled in."""

    def visit(page, directorate):
        demo()
        page.goto(path())
        page.get_by_role("button", name=button).click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(error)

    return visit


@dataclass(frozen=True)
class PageCase:
    id: str
    visit: Callable
    heading: str


@dataclass(frozen=True)
class Visitor:
    id: str
    role: Role | None
    pages: list[PageCase]
    # A privileged person between password and code: signed in, second factor not given.
    before_second_factor: bool = False
    # With an authenticator app set up (before the second factor is given).
    has_app: bool = True


HOME_ANONYMOUS = "Coventry City Council Governance Portal"

VISITORS = [
    Visitor(
        "anonymous",
        None,
        [
            PageCase("home", go("/"), HOME_ANONYMOUS),
            PageCase("sign-in", go("/sign-in/"), "Sign in"),
            PageCase("sign-in-with-errors", submit_empty_sign_in, "Sign in"),
            PageCase("password-reset", go("/password-reset/"), "Reset your password"),
            PageCase("password-reset-sent", go("/password-reset/sent/"), "Check your email"),
            PageCase("accessibility", go("/accessibility/"), "Accessibility statement"),
            PageCase("cookies", go("/cookies/"), "Cookies"),
            PageCase("not-found", unknown_page, "Page not found"),
        ],
    ),
    Visitor(
        "officer",
        Role.OFFICER,
        [
            PageCase("home", go("/"), "Your work"),
            PageCase("account", go("/account/"), "Your account"),
            PageCase("password-change", go("/account/password/"), "Change your password"),
            PageCase(
                "account-with-a-two-factor-record",
                account_with_a_two_factor_record,
                "Your account",
            ),
            PageCase(
                "two-factor-replace",
                go("/account/two-factor/set-up/"),
                "Replace your authenticator app",
            ),
            PageCase(
                "two-factor-replace-with-an-error",
                submit_a_wrong_replacement_code,
                "Replace your authenticator app",
            ),
            PageCase(
                "two-factor-set-up-link-start", open_set_up_link, "Replace your authenticator app"
            ),
            PageCase(
                "two-factor-set-up-qr-code",
                start_two_factor_set_up,
                "Replace your authenticator app",
            ),
            PageCase(
                "two-factor-link-cannot-be-used",
                go(f"/account/two-factor/link/{'0' * 64}/"),
                "The set-up link cannot be used",
            ),
            PageCase("council-structure", go("/organisation/"), "Council structure"),
            PageCase("forbidden", history_refused, "You do not have access to this page"),
        ],
    ),
    Visitor(
        "administrator",
        Role.ADMINISTRATOR,
        [
            PageCase("home", go("/"), "Your work"),
            PageCase("council-structure", go("/organisation/"), "Council structure"),
            PageCase("directorate-history", history_of, "Adults and Housing"),
        ],
    ),
    Visitor(
        "public-committees",
        None,
        [
            PageCase(
                "home-with-meetings-decisions-and-reports", go_demo(lambda: "/"), HOME_ANONYMOUS
            ),
            PageCase(
                "taking-part", go_demo(lambda: "/meetings/taking-part/"), "Take part in a meeting"
            ),
            PageCase("meetings", go_demo(lambda: "/meetings/"), "Upcoming meetings"),
            PageCase("calendar-month", go_demo(lambda: "/meetings/2017/4/"), "April 2017"),
            PageCase(
                "minutes-with-a-recorded-vote-and-late-arrivals",
                go_demo(lambda: f"/meetings/{recorded_vote_meeting().pk}/"),
                VOTE_MEETING,
            ),
            PageCase(
                "committee-list",
                go_demo(lambda: "/committees/"),
                "Committees and decision makers",
            ),
            PageCase("committee", go_demo(lambda: f"/committees/{CMPL_SLUG}/"), CMPL),
            PageCase(
                "meeting-agenda-and-minutes",
                go_demo(lambda: july_2016().get_absolute_url()),
                CMPL,
            ),
            PageCase(
                "meeting-published-agenda", go_demo(lambda: april_2017().get_absolute_url()), CMPL
            ),
            PageCase(
                "meeting-agenda-to-come",
                go_demo(lambda: unpublished_meeting().get_absolute_url()),
                CMPL,
            ),
            PageCase(
                "report",
                go_demo(lambda: code_report().get_absolute_url()),
                "Code of Corporate Governance",
            ),
            PageCase("decisions-register", go_demo(lambda: "/decisions/"), "Decisions"),
            PageCase(
                "decision",
                go_demo(
                    lambda: Decision.objects.get(
                        title="Information Management Strategy Update"
                    ).get_absolute_url()
                ),
                "Information Management Strategy Update",
            ),
            PageCase("forward-plan", go_demo(lambda: "/forward-plan/"), "Forward plan"),
            PageCase("councillors", go_demo(lambda: "/councillors/"), "Councillors"),
            PageCase(
                "councillor",
                go_demo(lambda: "/councillors/george-duggins/"),
                "Councillor G Duggins",
            ),
            PageCase("search-with-results", go_demo(lambda: "/search/?q=whistleblowing"), "Search"),
            PageCase("search-with-an-error", search_with_an_error, "Search"),
        ],
    ),
    Visitor(
        "governance-services",
        Role.GOVERNANCE_SERVICES,
        [
            PageCase("manage-meetings", go_demo(lambda: "/manage/"), "Manage meetings"),
            PageCase(
                "create-meeting", go_demo(lambda: "/manage/meetings/new/"), "Create a meeting"
            ),
            PageCase(
                "create-meeting-with-errors",
                submit_empty(
                    lambda: "/manage/meetings/new/",
                    "Create meeting",
                    "Enter the date of the meeting",
                ),
                "Create a meeting",
            ),
            PageCase(
                "manage-meeting", go_demo(lambda: f"/manage/meetings/{april_2017().pk}/"), CMPL
            ),
            PageCase(
                "add-item-with-an-error",
                submit_empty(
                    lambda: f"/manage/meetings/{unpublished_meeting().pk}/items/new/",
                    "Save item",
                    "Enter the title of the item",
                ),
                "Add an agenda item",
            ),
            PageCase(
                "publish-late",
                go_demo(lambda: f"/manage/meetings/{unpublished_meeting().pk}/publish/"),
                "Publish the agenda",
            ),
            PageCase(
                "pack-status",
                go_demo(lambda: f"/manage/meetings/{april_2017().pk}/pack/"),
                "Agenda pack",
            ),
            PageCase(
                "minutes",
                go_demo(lambda: f"/manage/meetings/{july_2016().pk}/minutes/"),
                "Minutes",
            ),
            PageCase(
                "attendance",
                go_demo(lambda: f"/manage/meetings/{july_2016().pk}/minutes/attendance/"),
                "Record attendance",
            ),
            PageCase(
                "item-minute-with-a-recorded-vote",
                go_demo(recorded_vote_item_minute),
                "Minute of item 1",
            ),
            PageCase(
                "attendance-with-a-time-error", attendance_with_a_time_error, "Record attendance"
            ),
            PageCase("private-openings", private_openings_log, "Openings of private papers"),
            PageCase("reports", go_demo(lambda: "/manage/reports/"), "Reports"),
            PageCase(
                "manage-report",
                go_demo(lambda: f"/manage/reports/{code_report().pk}/"),
                "Code of Corporate Governance",
            ),
            PageCase(
                "report-edit",
                go_demo(lambda: f"/manage/reports/{code_report().pk}/edit/"),
                "Edit the report",
            ),
            PageCase(
                "report-upload",
                go_demo(lambda: f"/manage/reports/{code_report().pk}/documents/new/"),
                "Upload a file",
            ),
            PageCase(
                "manage-decisions",
                go_demo(lambda: "/manage/decisions/"),
                "Decisions and the forward plan",
            ),
            PageCase(
                "meeting-history",
                go_demo(lambda: f"/manage/meetings/{april_2017().pk}/history/"),
                f"History of {CMPL}",
            ),
        ],
    ),
    Visitor(
        "monitoring-officer-before-code",
        Role.MONITORING_OFFICER,
        [PageCase("two-factor-code", go("/"), "Enter your sign-in code")],
        before_second_factor=True,
    ),
    Visitor(
        "siro-without-an-app",
        Role.SIRO,
        [
            PageCase("two-factor-set-up-link-needed", go("/"), "Set up two-factor sign-in"),
            PageCase("two-factor-set-up-start", open_set_up_link, "Set up two-factor sign-in"),
            PageCase(
                "two-factor-set-up-qr-code", start_two_factor_set_up, "Set up two-factor sign-in"
            ),
        ],
        before_second_factor=True,
        has_app=False,
    ),
]


@pytest.mark.parametrize("visitor", VISITORS, ids=[visitor.id for visitor in VISITORS])
def test_every_page_has_no_wcag_violations(page, signed_in_as, subtests, visitor):
    directorate = DirectorateFactory(name="Adults and Housing", description="Care and homes.")
    ServiceFactory(directorate=directorate, name="Housing options")
    directorate.description = "Adult social care and housing."
    directorate.save()  # a change, so the history has two entries
    if visitor.role is not None:
        user = signed_in_as(visitor.role, verified=not visitor.before_second_factor)
        if visitor.before_second_factor and visitor.has_app:
            TOTPDeviceFactory(user=user)

    for case in visitor.pages:
        with subtests.test(msg=case.id):
            case.visit(page, directorate)
            # The page meant, not a redirect to sign in or an error page.
            expect(page.get_by_role("heading", level=1)).to_have_text(case.heading)

            violations = check_with_axe(page)["violations"]

            if violations:
                pytest.fail(describe(violations, page.url))
