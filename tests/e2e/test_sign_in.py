"""Signing in and out through the real forms, in a real browser, for every role."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django_otp.oath import totp
from playwright.sync_api import expect

from governance_portal.navigation import NAVIGATION
from organisation.models import User
from organisation.roles import ROLE_SPECS
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory

SIGNED_IN_FOR_EVERYONE = ("Home", "Council structure", "Your account")


def current_code(device) -> str:
    """What the person's authenticator app shows now."""
    code = totp(bytes.fromhex(device.key), step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def expected_navigation(user) -> list[str]:
    """The labels the navigation must show `user`, in order, from the policies."""
    return [item.label for item in NAVIGATION if item.visible(user)]


def menu(page):
    return page.get_by_role("navigation", name="Menu")


def fill_sign_in(page, email: str, password: str):
    page.goto("/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.parametrize("spec", ROLE_SPECS, ids=[spec.role.value for spec in ROLE_SPECS])
def test_every_role_signs_in_sees_its_navigation_and_signs_out(page, live_server, spec):
    user = UserFactory(roles=[spec.role])
    device = TOTPDeviceFactory(user=user) if spec.privileged else None

    fill_sign_in(page, user.email, PASSWORD)
    if spec.privileged:
        # The password alone is not enough: the second factor is asked for before any page.
        expect(page).to_have_url(re.compile(r"/account/two-factor/\?next=(/|%2F)$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter your sign-in code")
        page.get_by_label("Code from your authenticator app").fill(current_code(device))
        page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{live_server.url}/")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Your work")
    expect(main.locator("dt.govuk-summary-list__key")).to_have_text([spec.name])

    # The navigation shows exactly what the policies open to this role, in order.
    expected = expected_navigation(User.objects.get(pk=user.pk))
    for label in SIGNED_IN_FOR_EVERYONE:
        assert label in expected
    assert "Sign in" not in expected
    # Admin only for the roles given model permissions to use there (roles.py).
    assert ("Admin" in expected) == bool(spec.permissions), expected
    expect(menu(page).get_by_role("link")).to_have_text(expected)
    expect(menu(page).get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")

    menu(page).get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    expect(main.get_by_role("heading", level=1)).to_have_text(re.compile(r"Governance Portal$"))
    expect(main).not_to_contain_text("Your work")
    expect(menu(page).get_by_role("link")).to_have_text(expected_navigation(AnonymousUser()))
    expect(menu(page).get_by_role("button", name="Sign out")).to_have_count(0)

    # Signed out for real: a signed-in page sends the visitor to sign in again.
    page.goto("/account/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=(/|%2F)account(/|%2F)$"))


def test_wrong_password_shows_the_error_summary(page, live_server):
    user = UserFactory()

    fill_sign_in(page, user.email, "not-the-password")

    expect(page).to_have_url(f"{live_server.url}/sign-in/")
    expect(page).to_have_title(re.compile(r"^Error: Sign in"))
    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(["Enter a correct email address and password"])
    expect(menu(page).get_by_role("link", name="Sign in")).to_be_visible()
    expect(menu(page).get_by_role("button", name="Sign out")).to_have_count(0)


def test_a_set_up_link_and_the_password_set_up_an_authenticator(page, live_server):
    """The password alone reaches only the page saying how to get a set-up link; the link
    from the e-mail then sets up the app, whose code opens the portal."""
    from organisation.policies import SERVER_CONSOLE
    from organisation.roles import Role
    from tests.factories import issue_set_up_link

    user = UserFactory(roles=[Role.MONITORING_OFFICER])
    fill_sign_in(page, user.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("main")).to_contain_text("Ask an administrator to send a set-up link")
    expect(page.get_by_role("button", name="Start")).to_have_count(0)

    page.goto(issue_set_up_link(user, actor=SERVER_CONSOLE))
    page.get_by_role("button", name="Start").click()
    key = page.locator(".app-secret").inner_text()
    code = f"{totp(bytes.fromhex(key)):06d}"
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()

    # The account page, with the set-up recorded.
    expect(page).to_have_url(f"{live_server.url}/account/")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Two-factor sign-in is set up"
    )
    expect(page.locator(".govuk-table")).to_contain_text("Authenticator app set up")
    page.goto("/")
    expect(page.get_by_role("main").get_by_role("heading", level=1)).to_have_text("Your work")
