"""E-mail alerts in a real browser: a member of the public subscribes from a committee's page,
confirms through the link the real SMTP server received, gets the alert when the agenda is
published, and unsubscribes through the alert's link. axe checks every page on the way
(WCAG 2.2 AA), the error and the spent link included."""

import datetime as dt
import re
from urllib.parse import urlsplit

from django.utils import timezone
from playwright.sync_api import expect

from committees import services
from committees.models import AlertSubscription
from tests.committees.factories import AgendaItemFactory, MeetingFactory, OrganizationFactory
from tests.e2e.test_accessibility import check_with_axe, describe


def accessible(page):
    violations = check_with_axe(page)["violations"]
    assert not violations, describe(violations, page.url)


def link(message, name: str) -> str:
    found = re.search(rf"https?://\S+/alerts/{name}/\S+/", message.get_content())
    assert found, message.get_content()
    return urlsplit(found[0]).path


def test_subscribe_confirm_and_unsubscribe(page, live_server, smtp_server, settings):
    settings.PORTAL_URL = live_server.url
    committee = OrganizationFactory(name="Audit and Procurement Committee")
    page.goto(committee.get_absolute_url())
    page.get_by_role("link", name="Email alerts for new agendas and papers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Get email alerts")
    accessible(page)

    page.get_by_label("Email address").fill("resident@")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter an email address in the correct format"
    )
    expect(page).to_have_title(re.compile(r"^Error: "))
    accessible(page)
    page.locator(".govuk-error-summary a").click()
    expect(page.get_by_label("Email address")).to_be_focused()

    page.get_by_label("Email address").fill("Resident@Example.com")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    accessible(page)

    assert len(smtp_server) == 1
    page.goto(link(smtp_server.pop(), "confirm"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email alerts")
    accessible(page)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are getting email alerts")
    accessible(page)

    start = (timezone.localtime() + dt.timedelta(days=30)).replace(hour=14, minute=0)
    meeting = MeetingFactory(organizations=[committee], start=start)
    AgendaItemFactory(meeting=meeting, title="Annual Governance Statement")
    services.publish_agenda(meeting=meeting, actor=services.SCRIPT)
    assert len(smtp_server) == 1
    alert = smtp_server.pop()
    assert "Annual Governance Statement" in alert.get_content()

    unsubscribe = link(alert, "unsubscribe")
    page.goto(unsubscribe)
    expect(page.get_by_role("heading", level=1)).to_have_text("Unsubscribe from email alerts")
    accessible(page)
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have unsubscribed")
    accessible(page)
    assert not AlertSubscription.objects.exists()

    page.goto(unsubscribe)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    accessible(page)
