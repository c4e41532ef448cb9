"""The pages run under the portal's strict Content-Security-Policy, and the checks the other
browser tests rely on really work there."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.test_accessibility import AXE_OPTIONS


def test_pages_run_under_the_strict_csp_without_errors(page):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    scripts = []
    page.on("response", lambda r: scripts.append(r) if r.url.endswith((".js", ".mjs")) else None)

    response = page.goto("/sign-in/")

    policy = response.headers["content-security-policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'nonce-" in script_src
    assert "unsafe-inline" not in script_src
    assert "unsafe-eval" not in script_src
    # The module ran (it sets js-enabled): it and GOV.UK Frontend, which it imports, are
    # allowed by the nonce and 'self'.
    expect(page.locator("body")).to_contain_class("js-enabled")
    loaded = {r.url.rsplit("/", 1)[-1] for r in scripts if r.ok}
    assert {"portal.mjs", "govuk-frontend.min.js"} <= loaded
    assert problems == []


def test_axe_reports_violations_under_the_strict_csp(page):
    """A guard against a false green: axe, put in by page.evaluate, runs despite the CSP and
    does report a failure when there is one."""
    page.goto("/cookies/")
    page.evaluate(
        """() => {
            const p = document.createElement("p");
            p.textContent = "Too pale to read";
            p.style.color = "#c8c8c8";
            document.querySelector("main").append(p);
        }"""
    )

    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]

    assert [v["id"] for v in violations] == ["color-contrast"]


def test_govuk_frontend_initialises_and_focuses_the_error_summary(page):
    page.goto("/sign-in/")
    page.get_by_role("button", name="Sign in").click()

    body = page.locator("body")
    expect(body).to_contain_class("js-enabled")  # portal.mjs has run
    assert "govuk-frontend-supported" in body.get_attribute("class")
    expect(page.locator(".govuk-error-summary")).to_be_focused(timeout=1000)
