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

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from organisation.roles import Role
from tests.factories import DirectorateFactory, ServiceFactory, TOTPDeviceFactory

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


def start_two_factor_set_up(page, directorate):
    page.goto("/account/two-factor/set-up/")
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".app-qr svg")).to_be_visible()


def history_of(page, directorate):
    page.goto(f"/organisation/directorates/{directorate.pk}/history/")
    expect(page.locator(".govuk-table__body .govuk-table__row")).to_have_count(2)


def history_refused(page, directorate):
    response = page.goto(f"/organisation/directorates/{directorate.pk}/history/")
    assert response.status == 403


def unknown_page(page, directorate):
    response = page.goto("/no-such-page/")
    assert response.status == 404


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
                "two-factor-set-up-start",
                go("/account/two-factor/set-up/"),
                "Set up two-factor sign-in",
            ),
            PageCase(
                "two-factor-set-up-qr-code", start_two_factor_set_up, "Set up two-factor sign-in"
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
        "monitoring-officer-before-code",
        Role.MONITORING_OFFICER,
        [PageCase("two-factor-code", go("/"), "Enter your sign-in code")],
        before_second_factor=True,
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
        if visitor.before_second_factor:
            TOTPDeviceFactory(user=user)

    for case in visitor.pages:
        with subtests.test(msg=case.id):
            case.visit(page, directorate)
            # The page meant, not a redirect to sign in or an error page.
            expect(page.get_by_role("heading", level=1)).to_have_text(case.heading)

            violations = check_with_axe(page)["violations"]

            if violations:
                pytest.fail(describe(violations, page.url))
