"""Browser tests: Debian's chromium, driven by Playwright, against pytest-django's live server.

Every test here is marked `e2e` (`-m "not e2e"` leaves them out); the whole folder is
skipped, with one reason, where no chromium is installed. Playwright never downloads a
browser: it launches the system one.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from organisation.roles import Role
from tests.conftest import sign_in
from tests.factories import UserFactory

HERE = Path(__file__).resolve().parent
NO_CHROMIUM = "chromium not found: install Debian's chromium to run the browser tests"

# Flags for running as root on a machine without network access: without the
# background-networking ones chromium waits on services it cannot reach.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the marker
def pytest_collection_modifyitems(config, items):
    # Hooks in a conftest see every collected item: touch only this folder's.
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package", autouse=True)
def _chromium_installed():
    """Skips the whole folder, with one reason (shown by `-ra`), before any database,
    server or browser is set up."""
    if chromium_path() is None:
        pytest.skip(NO_CHROMIUM)


@pytest.fixture(scope="package")
def browser(_chromium_installed):
    """One chromium for every browser test (each test gets a fresh context of its own).

    Package scope rather than session scope: the fixture lives exactly as long as the tests
    in this folder run, so Playwright's event loop is gone again before the rest of the
    suite runs (a running loop would make Django refuse sync ORM calls and async_to_sync).
    """
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread (in a greenlet)
    # while the browser is open, so Django would see "an async context" and raise
    # SynchronousOnlyOperation from the ORM calls the tests make (factories, the
    # transactional_db flush). The tests really are synchronous, so we allow it, and only
    # while the browser is open.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def context(browser, live_server, transactional_db):
    # bypass_csp stays False: the pages run under the portal's real Content-Security-Policy.
    ctx = browser.new_context(base_url=live_server.url, bypass_csp=False, locale="en-GB")
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def signed_in_as(context, live_server):
    """signed_in_as(Role.AUDITOR) -> a new user with that role, already signed in in the
    browser (privileged roles with two-factor passed unless verified=False). For pages whose
    sign-in is not what the test is about: the session comes from Django's test client, not
    the sign-in form."""

    def make(role: Role, *, verified: bool | None = None, **kwargs):
        user = UserFactory(roles=[role], **kwargs)
        client = sign_in(Client(), user, verified=verified)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        return user

    return make
