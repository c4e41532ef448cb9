"""axe-core finds no WCAG 2.2 AA failures on any type of page.

axe is put into the page through Playwright's page.evaluate, which runs over the DevTools
protocol and is not subject to the page's Content-Security-Policy: the pages are checked
under the portal's real, strict CSP (bypass_csp stays False).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from organisation.roles import Role
from tests.factories import DirectorateFactory, ServiceFactory, TOTPDeviceFactory

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
axe = Axe()


def directorate_with_history():
    directorate = DirectorateFactory(name="Adults and Housing", description="Care and homes.")
    ServiceFactory(directorate=directorate, name="Housing options")
    directorate.description = "Adult social care and housing."
    directorate.save()
    return directorate


# --- How to reach each page ---------------------------------------------------------------
# Each takes (page, signed_in_as) and leaves the browser on the page to check.


def home_signed_in(page, signed_in_as):
    signed_in_as(Role.ADMINISTRATOR)
    page.goto("/")


def sign_in_with_errors(page, signed_in_as):
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")


def signed_in_page(path: str, role: Role = Role.OFFICER):
    def visit(page, signed_in_as):
        signed_in_as(role)
        page.goto(path)

    return visit


def two_factor_qr_code(page, signed_in_as):
    signed_in_as(Role.OFFICER)
    page.goto("/account/two-factor/set-up/")
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".app-qr svg")).to_be_visible()


def two_factor_code(page, signed_in_as):
    user = signed_in_as(Role.MONITORING_OFFICER, verified=False)
    TOTPDeviceFactory(user=user)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/account/two-factor/\?next="))


def council_structure(page, signed_in_as):
    directorate_with_history()
    signed_in_as(Role.OFFICER)
    page.goto("/organisation/")


def directorate_history(page, signed_in_as):
    directorate = directorate_with_history()
    signed_in_as(Role.AUDITOR)
    page.goto(f"/organisation/directorates/{directorate.pk}/history/")
    expect(page.locator(".govuk-table__body .govuk-table__row")).to_have_count(2)


def not_found(page, signed_in_as):
    response = page.goto("/no-such-page/")
    assert response.status == 404


def forbidden(page, signed_in_as):
    directorate = directorate_with_history()
    signed_in_as(Role.OFFICER)
    response = page.goto(f"/organisation/directorates/{directorate.pk}/history/")
    assert response.status == 403


def anonymous_page(path: str):
    def visit(page, signed_in_as):
        page.goto(path)

    return visit


@dataclass(frozen=True)
class PageCase:
    id: str
    visit: Callable
    heading: str


PAGES = [
    PageCase("home-anonymous", anonymous_page("/"), "Coventry City Council Governance Portal"),
    PageCase("home-signed-in", home_signed_in, "Your work"),
    PageCase("sign-in", anonymous_page("/sign-in/"), "Sign in"),
    PageCase("sign-in-errors", sign_in_with_errors, "Sign in"),
    PageCase("password-reset", anonymous_page("/password-reset/"), "Reset your password"),
    PageCase("password-reset-sent", anonymous_page("/password-reset/sent/"), "Check your email"),
    PageCase("account", signed_in_page("/account/"), "Your account"),
    PageCase("password-change", signed_in_page("/account/password/"), "Change your password"),
    PageCase(
        "two-factor-start",
        signed_in_page("/account/two-factor/set-up/"),
        "Set up two-factor sign-in",
    ),
    PageCase("two-factor-qr-code", two_factor_qr_code, "Set up two-factor sign-in"),
    PageCase("two-factor-code", two_factor_code, "Enter your sign-in code"),
    PageCase("council-structure", council_structure, "Council structure"),
    PageCase("directorate-history", directorate_history, "Adults and Housing"),
    PageCase("accessibility", anonymous_page("/accessibility/"), "Accessibility statement"),
    PageCase("cookies", anonymous_page("/cookies/"), "Cookies"),
    PageCase("not-found", not_found, "Page not found"),
    PageCase("forbidden", forbidden, "You do not have access to this page"),
]


def describe(violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} "
            f"<{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}: {node.get('failureSummary', '')!s}".rstrip())
    return "\n".join(lines)


@pytest.mark.parametrize("case", PAGES, ids=[case.id for case in PAGES])
def test_page_has_no_wcag_violations(page, signed_in_as, case):
    case.visit(page, signed_in_as)
    # The page meant, not a redirect to sign in or an error page.
    expect(page.get_by_role("heading", level=1)).to_have_text(case.heading)

    results = axe.run(page, options=AXE_OPTIONS)

    response = results.response
    assert response["testEngine"]["name"] == "axe-core"
    assert response["violations"] == [], describe(response["violations"])
