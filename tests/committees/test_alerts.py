"""E-mail alerts for a decision maker's new and supplementary papers: double opt-in, one
message per publication per subscriber through a real SMTP server, one-click unsubscribe
(RFC 8058), and every wrong, missing, oversized and hostile input refused with a GOV.UK
error and no change."""

import dataclasses
import datetime as dt
import re
import socket
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from committees import alert_tokens, alerts, services, tasks
from committees.models import (
    Alert,
    AlertDelivery,
    AlertKind,
    AlertSubscription,
    ConsultationRole,
    DocumentKind,
)
from committees.models.alerts import CONFIRM_WITHIN
from committees.views.alerts import UNSUBSCRIBED_SALT
from governance_portal import pagecache
from portal_kit.models import ANY_VERSION
from tests.committees.factories import (
    AgendaItemFactory,
    ConsultationFactory,
    DocumentFactory,
    MeetingFactory,
    OrganizationFactory,
    PaperFactory,
    PrivateAgendaItemFactory,
    PrivatePaperFactory,
    approve_fully,
    minimal_pdf,
)
from tests.committees.permission_rows_alerts import subscription as make_subscription
from tests.security.support import changed_tables, row_counts

pytestmark = pytest.mark.django_db

PORTAL = "https://portal.example"
SCRIPT = services.SCRIPT


@pytest.fixture(autouse=True)
def portal_url(settings):
    settings.PORTAL_URL = PORTAL


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a request or service leaves for after commit (the tasks), as production
    does once the transaction commits."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def subscribe(client, organization, email, committed):
    with committed():
        return client.post(
            reverse("committees:alerts_subscribe", args=[organization.slug]), {"email": email}
        )


def path_of(url: str) -> str:
    assert url.startswith(PORTAL + "/"), url
    return urlsplit(url).path


def link_in(message, name: str) -> str:
    """The path of the portal's link `name` (confirm, unsubscribe) in a received message."""
    found = re.search(rf"{re.escape(PORTAL)}/alerts/{name}/[^\s]+/", message.get_content())
    assert found, message.get_content()
    return path_of(found[0])


def coming_meeting(organization, *, days=30, titles=("Apologies",)):
    meeting = MeetingFactory(organizations=[organization], start=_future(days))
    for n, title in enumerate(titles, start=1):
        AgendaItemFactory(meeting=meeting, position=n, number=str(n), title=title)
    return meeting


def _future(days):
    return (timezone.localtime() + dt.timedelta(days=days)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )


def confirmed(organization, email="resident@example.com"):
    sub = make_subscription(confirmed=True, email=email)
    sub.organization = organization
    sub.save()
    return sub


# --- The journey, through a real SMTP server -------------------------------------------------


def test_subscribe_confirm_alert_and_one_click_unsubscribe(client, smtp_server, committed):
    organization = OrganizationFactory(name="Cabinet Member for Policy and Leadership")
    page = client.get(organization.get_absolute_url())
    subscribe_url = reverse("committees:alerts_subscribe", args=[organization.slug])
    assert f'href="{subscribe_url}"' in page.text

    form = client.get(subscribe_url)
    assert "We keep only your email address" in form.text
    assert "Every alert has a link to unsubscribe" in form.text
    response = subscribe(client, organization, "  Resident@Example.COM ", committed)
    assert response.status_code == 302
    assert response["Location"] == reverse("committees:alerts_requested", args=[organization.slug])
    assert "Check your email" in client.get(response["Location"]).text

    # A confirmation, and nothing else, until it is confirmed.
    assert len(smtp_server) == 1
    confirmation = smtp_server.pop()
    assert confirmation["To"] == "resident@example.com"
    assert "Confirm your email alerts about Cabinet Member" in confirmation["Subject"]
    meeting = coming_meeting(organization, titles=("Apologies", "Code of Corporate Governance"))
    with committed():
        services.publish_agenda(meeting=meeting, actor=SCRIPT)
    assert smtp_server == []

    confirm = link_in(confirmation, "confirm")
    opened = client.get(confirm)  # opening the link (or a mail scanner) changes nothing
    assert opened.status_code == 200 and "Confirm your email alerts" in opened.text
    assert AlertSubscription.objects.get().confirmed_at is None
    response = client.post(confirm)
    assert response.status_code == 302 and response["Location"] == confirm
    assert "You are getting email alerts" in client.get(confirm).text
    assert AlertSubscription.objects.get().confirmed_at is not None

    # Exactly one alert for the next publication, with RFC 8058's headers.
    second = coming_meeting(organization, days=40, titles=("Whistleblowing Policy",))
    with committed():
        services.publish_agenda(meeting=second, actor=SCRIPT)
    assert len(smtp_server) == 1
    alert = smtp_server.pop()
    assert alert["To"] == "resident@example.com"
    assert alert["Subject"].startswith(
        "Agenda published: Cabinet Member for Policy and Leadership, "
    )
    body = alert.get_content()
    assert "1. Whistleblowing Policy" in body
    assert f"{PORTAL}{second.get_absolute_url()}" in body
    unsubscribe = re.fullmatch(
        rf"<({re.escape(PORTAL)}/alerts/unsubscribe/[^>]+/)>", alert["List-Unsubscribe"].strip()
    )
    assert unsubscribe, alert["List-Unsubscribe"].strip()
    assert unsubscribe[1].startswith("https://")
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1] in body

    # A mail client's one-click unsubscribe: no cookies, no CSRF token, no sign-in.
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        path_of(unsubscribe[1]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "You have unsubscribed" in response.text
    assert not AlertSubscription.objects.exists()
    assert not AlertDelivery.objects.exists()

    third = coming_meeting(organization, days=50)
    with committed():
        services.publish_agenda(meeting=third, actor=SCRIPT)
    assert smtp_server == []


def test_the_unsubscribe_link_opens_a_page_with_a_button(client, committed, mailoutbox):
    subscription = confirmed(OrganizationFactory(name="Audit and Procurement Committee"))
    url = reverse(
        "committees:alerts_unsubscribe",
        args=[alert_tokens.make(subscription, alert_tokens.UNSUBSCRIBE)],
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "Unsubscribe from email alerts" in page.text and "resident@example.com" in page.text
    assert AlertSubscription.objects.filter(pk=subscription.pk).exists()

    response = client.post(url)
    assert response.status_code == 302
    assert not AlertSubscription.objects.filter(pk=subscription.pk).exists()
    done = client.get(response["Location"])
    assert "You have unsubscribed" in done.text
    assert "Audit and Procurement Committee" in done.text
    # The link is spent: it says so, and changes nothing.
    again = client.post(url)
    assert again.status_code == 404 and "This link cannot be used" in again.text


# --- No enumeration, no flooding, one spelling ---------------------------------------------------


def test_the_answer_is_the_same_whether_or_not_the_address_is_subscribed(
    client, smtp_server, committed
):
    organization = OrganizationFactory()
    confirmed(organization, "known@example.com")
    known = subscribe(client, organization, "known@example.com", committed)
    unknown = subscribe(Client(), organization, "new@example.com", committed)
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert set(known.cookies) == set(unknown.cookies) == set()
    # The subscriber already confirmed is sent nothing (and keeps the alerts it has).
    assert [m["To"] for m in smtp_server] == ["new@example.com"]
    assert AlertSubscription.objects.get(email="known@example.com").confirmed_at is not None


def test_confirmation_messages_are_limited_per_address_per_day(smtp_server, committed):
    organizations = [OrganizationFactory() for _ in range(3)]
    now = timezone.now()
    for n in range(6):
        with committed():
            services.request_alerts(
                organization=organizations[n % 3],
                email="victim@example.com",
                actor=SCRIPT,
                now=now + dt.timedelta(minutes=n),
            )
    assert len(smtp_server) == services.CONFIRMATIONS_PER_DAY == 3
    # A day later the address may be sent another.
    with committed():
        services.request_alerts(
            organization=organizations[0],
            email="victim@example.com",
            actor=SCRIPT,
            now=now + dt.timedelta(days=1, minutes=10),
        )
    assert len(smtp_server) == 4
    # Each link still confirms its own subscription.
    links = {link_in(m, "confirm") for m in smtp_server}
    assert len(links) == 3


def test_addresses_are_normalised_the_way_sign_in_does(client, mailoutbox, committed):
    organization = OrganizationFactory()
    subscribe(client, organization, " \uff24emo.X@Council.Example ", committed)  # full-width D
    subscribe(client, organization, "demo.x@council.example", committed)
    assert list(AlertSubscription.objects.values_list("email", flat=True)) == [
        "demo.x@council.example"
    ]
    assert [m.to for m in mailoutbox] == [["demo.x@council.example"]] * 2


def test_only_the_address_is_kept(client, mailoutbox, committed):
    organization = OrganizationFactory()
    subscribe(client, organization, "resident@example.com", committed)
    row = AlertSubscription.objects.values().get()
    assert set(row) == {
        "id",
        "email",
        "organization_id",
        "nonce",
        "created_at",
        "confirmed_at",
        "confirmations_sent",
        "last_confirmation_at",
    }
    # No history table keeps it after it is deleted, and no session was started.
    assert not hasattr(AlertSubscription, "history")
    assert "sessionid" not in client.cookies


# --- Expiry --------------------------------------------------------------------------------------


def test_an_unconfirmed_subscription_expires_and_is_deleted(client, mailoutbox, committed):
    organization = OrganizationFactory()
    long_ago = timezone.now() - CONFIRM_WITHIN - dt.timedelta(minutes=1)
    with committed():
        services.request_alerts(
            organization=organization, email="late@example.com", actor=SCRIPT, now=long_ago
        )
    subscription = AlertSubscription.objects.get()
    confirm = reverse(
        "committees:alerts_confirm", args=[alert_tokens.make(subscription, alert_tokens.CONFIRM)]
    )
    before = row_counts()
    for response in (client.get(confirm), client.post(confirm)):
        assert response.status_code == 404
        assert "This link cannot be used" in response.text
    assert not changed_tables(before, row_counts())
    with pytest.raises(ValidationError) as refused:
        services.confirm_alerts(subscription=subscription, actor=SCRIPT)
    assert refused.value.code == "link_unusable"

    assert tasks.forget_unconfirmed_alerts.call() == 1
    assert not AlertSubscription.objects.exists()


def test_anyone_subscribing_clears_expired_requests(mailoutbox, committed):
    long_ago = timezone.now() - CONFIRM_WITHIN - dt.timedelta(hours=1)
    services.request_alerts(
        organization=OrganizationFactory(), email="late@example.com", actor=SCRIPT, now=long_ago
    )
    services.request_alerts(
        organization=OrganizationFactory(), email="new@example.com", actor=SCRIPT
    )
    assert list(AlertSubscription.objects.values_list("email", flat=True)) == ["new@example.com"]


def test_a_worker_deletes_it_when_its_link_expires(settings, committed):
    """With a queue that can defer (the database queue in production), the deletion is
    queued for the moment the link expires."""
    from django_tasks import task_backends

    # Changing the setting resets the backends (django_tasks' setting_changed receiver).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    now = timezone.now()
    with committed():
        services.request_alerts(
            organization=OrganizationFactory(), email="a@example.com", actor=SCRIPT, now=now
        )
    results = task_backends["default"].results
    deferred = [r for r in results if r.task.name == "forget_unconfirmed_alerts"]
    assert [r.task.run_after for r in deferred] == [now + CONFIRM_WITHIN]


# --- One message per publication per subscriber -----------------------------------------------


def test_a_task_run_again_sends_nothing_twice(mailoutbox, committed):
    organization = OrganizationFactory()
    confirmed(organization)
    meeting = coming_meeting(organization)
    with committed():
        services.publish_agenda(meeting=meeting, actor=SCRIPT)
    alert = Alert.objects.get()
    assert alert.kind == AlertKind.AGENDA
    assert len(mailoutbox) == 1
    assert tasks.send_alert.call(alert.pk) == 0
    assert alerts.send(alert.pk) == 0
    assert len(mailoutbox) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertDelivery.objects.create(subscription=AlertSubscription.objects.get(), alert=alert)


def test_a_joint_meeting_sends_one_message_to_an_address(mailoutbox, committed):
    first, second = OrganizationFactory(), OrganizationFactory()
    confirmed(first, "both@example.com")
    confirmed(second, "both@example.com")
    confirmed(second, "one@example.com")
    make_subscription(confirmed=False, email="unconfirmed@example.com")
    meeting = MeetingFactory(organizations=[first, second], start=_future(30))
    AgendaItemFactory(meeting=meeting, title="Joint business")
    with committed():
        services.publish_agenda(meeting=meeting, actor=SCRIPT)
    assert sorted(m.to[0] for m in mailoutbox) == ["both@example.com", "one@example.com"]


def test_nothing_is_recorded_when_no_one_has_subscribed(committed):
    meeting = coming_meeting(OrganizationFactory())
    make_subscription(confirmed=False)
    with committed():
        services.publish_agenda(meeting=meeting, actor=SCRIPT)
    assert not Alert.objects.exists()


def test_a_relay_refusal_is_sent_again_when_the_task_runs_again(settings, committed):
    """A real SMTP server that refuses one recipient once: that delivery is not recorded,
    the task is marked failed, and running it again sends that message only."""
    from aiosmtpd.controller import Controller

    received, refused = [], ["bounce@example.com"]

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address in refused:
                refused.remove(address)
                return "451 Try again later"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            received.append(message_from_bytes(envelope.original_content, policy=policy.default))
            return "250 Message accepted for delivery"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        organization = OrganizationFactory()
        confirmed(organization, "bounce@example.com")
        confirmed(organization, "fine@example.com")
        meeting = coming_meeting(organization)
        with committed():
            services.publish_agenda(meeting=meeting, actor=SCRIPT)
        assert [m["To"] for m in received] == ["fine@example.com"]
        assert list(AlertDelivery.objects.values_list("subscription__email", flat=True)) == [
            "fine@example.com"
        ]
        assert tasks.send_alert.call(Alert.objects.get().pk) == 1
        assert [m["To"] for m in received] == ["fine@example.com", "bounce@example.com"]
    finally:
        controller.stop()


# --- Supplements -------------------------------------------------------------------------------


def published_with_subscriber(committed, mailoutbox):
    organization = OrganizationFactory()
    confirmed(organization)
    meeting = coming_meeting(organization, titles=("Apologies", "Budget"))
    with committed():
        services.publish_agenda(meeting=meeting, actor=SCRIPT)
    mailoutbox.clear()
    meeting.refresh_from_db()
    return meeting


def test_a_supplementary_item_sends_one_message_naming_it(mailoutbox, committed):
    meeting = published_with_subscriber(committed, mailoutbox)
    with committed():
        services.add_agenda_item(
            meeting=meeting,
            details=services.AgendaItemDetails(title="Urgent: flood response"),
            actor=SCRIPT,
        )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject.startswith("Added to the agenda: ")
    assert "3. Urgent: flood response" in message.body
    assert "Apologies" not in message.body and "Budget" not in message.body
    assert Alert.objects.filter(kind=AlertKind.SUPPLEMENT).count() == 1


def test_a_report_added_to_a_published_agenda_sends_one_message(mailoutbox, committed):
    meeting = published_with_subscriber(committed, mailoutbox)
    item = meeting.agenda_items.get(title="Budget")
    paper = approve_fully(PaperFactory(title="Budget Report 2017/18"))
    with committed():
        services.attach_report(item=item, paper=paper, role=ConsultationRole.DECISION, actor=SCRIPT)
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "2. Budget" in body and "Report: Budget Report 2017/18" in body
    assert f"{PORTAL}{paper.get_absolute_url()}" in body
    # Moving it to another item of the same agenda publishes nothing new.
    with committed():
        services.attach_report(
            item=meeting.agenda_items.get(title="Apologies"),
            paper=paper,
            role=ConsultationRole.DECISION,
            actor=SCRIPT,
        )
    assert len(mailoutbox) == 1


def test_a_private_report_added_sends_nothing(mailoutbox, committed):
    meeting = published_with_subscriber(committed, mailoutbox)
    paper = approve_fully(PrivatePaperFactory(title="SECRET bidder prices"))
    with committed():
        services.attach_report(
            item=meeting.agenda_items.get(title="Budget"),
            paper=paper,
            role=ConsultationRole.DECISION,
            actor=SCRIPT,
        )
    assert mailoutbox == []


def test_a_report_made_public_on_a_published_agenda_is_announced(mailoutbox, committed):
    meeting = published_with_subscriber(committed, mailoutbox)
    paper = approve_fully(PrivatePaperFactory(title="Leisure centre contract"))
    with committed():
        services.attach_report(
            item=meeting.agenda_items.get(title="Budget"),
            paper=paper,
            role=ConsultationRole.DECISION,
            actor=SCRIPT,
        )
    assert mailoutbox == []
    details = services.PaperDetails.of(paper)
    details = type(details)(**{**details.__dict__, "is_public": True, "exempt_paragraphs": ()})
    with committed():
        services.update_paper(paper=paper, details=details, version=paper.version, actor=SCRIPT)
    assert len(mailoutbox) == 1
    assert "Report: Leisure centre contract" in mailoutbox[0].body


# --- Later publications: private business made public, new and replacement files ----------------
#
# Through the real SMTP server (tests/conftest.py, aiosmtpd); each would receive nothing
# without its trigger in committees.services (_announce_made_public, _announce_file).


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _received(smtp_server) -> list:
    """The messages received, the list emptied for the next step."""
    messages = list(smtp_server)
    smtp_server.clear()
    return messages


def _pdf(name: str, text: str = "Appendix") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, minimal_pdf(text), content_type="application/pdf")


def _made_public(item):
    item.refresh_from_db()
    details = dataclasses.replace(
        services.AgendaItemDetails.of(item), is_public=True, exempt_paragraphs=()
    )
    return services.update_agenda_item(
        item=item, details=details, version=item.version, actor=SCRIPT
    )


def test_a_private_item_made_public_on_a_published_agenda_is_announced(smtp_server, committed):
    meeting = published_with_subscriber(committed, smtp_server)
    private = PrivateAgendaItemFactory(
        meeting=meeting, position=3, number="3", title="Leisure centre contract"
    )
    sub = AgendaItemFactory(
        meeting=meeting, parent=private, position=1, number="a)", title="Contract terms"
    )
    ConsultationFactory(
        paper=approve_fully(PaperFactory(title="Leisure centre options")), agenda_item=private
    )
    ConsultationFactory(
        paper=approve_fully(PrivatePaperFactory(title="SECRET bidder prices")), agenda_item=sub
    )
    _received(smtp_server)

    with committed():
        _made_public(private)
    (message,) = _received(smtp_server)
    assert message["Subject"].startswith("Added to the agenda: ")
    body = message.get_content()
    assert "added to the published agenda of this meeting, or made public on it" in body
    assert "3. Leisure centre contract" in body
    assert "Report: Leisure centre options" in body
    assert "3a) Contract terms" in body  # public business now its parent is
    assert "Private: exempt" not in body and "SECRET" not in body  # a private report stays so
    assert "Apologies" not in body and "Budget" not in body  # only what was made public
    alert = Alert.objects.get(kind=AlertKind.SUPPLEMENT)
    assert sorted(alert.item_ids) == sorted([private.pk, sub.pk])

    # One alert per publication: the task run again sends nothing more.
    assert tasks.send_alert.call(alert.pk) == 0
    assert smtp_server == []


def test_a_report_is_announced_when_the_private_item_it_is_at_is_made_public(
    smtp_server, committed
):
    meeting = published_with_subscriber(committed, smtp_server)
    item = meeting.agenda_items.get(title="Budget")
    with committed():
        services.update_agenda_item(
            item=item,
            details=services.AgendaItemDetails(
                title="Budget", is_public=False, exempt_paragraphs=(3,)
            ),
            version=item.version,
            actor=SCRIPT,
        )
        services.attach_report(
            item=item,
            paper=approve_fully(PaperFactory(title="Budget Report 2017/18")),
            role=ConsultationRole.DECISION,
            actor=SCRIPT,
        )
    assert smtp_server == []  # made private, then a report at private business: nothing

    with committed():
        _made_public(item)
    (message,) = _received(smtp_server)
    assert "2. Budget" in message.get_content()
    assert "Report: Budget Report 2017/18" in message.get_content()


def test_private_business_kept_private_or_on_a_draft_agenda_sends_nothing(smtp_server, committed):
    meeting = published_with_subscriber(committed, smtp_server)
    private = PrivateAgendaItemFactory(meeting=meeting, position=3, number="3")
    sub = PrivateAgendaItemFactory(
        meeting=meeting, parent=private, position=1, number="a)", title="SECRET sub-item"
    )
    draft = coming_meeting(meeting.organizations.get(), days=45)
    draft_item = PrivateAgendaItemFactory(meeting=draft, position=2, number="2")
    _received(smtp_server)
    with committed():
        # A sub-item made public stays private business while its parent is private.
        _made_public(sub)
        # A private item edited and still private.
        private.refresh_from_db()
        services.update_agenda_item(
            item=private,
            details=dataclasses.replace(
                services.AgendaItemDetails.of(private), title="SECRET renamed"
            ),
            version=private.version,
            actor=SCRIPT,
        )
        # A private item made public on an agenda not yet published.
        _made_public(draft_item)
        # A public item made private.
        budget = meeting.agenda_items.get(title="Budget")
        services.update_agenda_item(
            item=budget,
            details=services.AgendaItemDetails(
                title="Budget", is_public=False, exempt_paragraphs=(1,)
            ),
            version=budget.version,
            actor=SCRIPT,
        )
    assert smtp_server == []
    assert not Alert.objects.filter(kind=AlertKind.SUPPLEMENT).exists()


def test_a_file_added_to_a_public_report_on_a_published_agenda_is_announced(
    smtp_server, committed, media
):
    meeting = published_with_subscriber(committed, smtp_server)
    paper = approve_fully(PaperFactory(title="Budget Report 2017/18"))
    with committed():
        services.attach_report(
            item=meeting.agenda_items.get(title="Budget"),
            paper=paper,
            role=ConsultationRole.DECISION,
            actor=SCRIPT,
        )
    _received(smtp_server)

    with committed():
        document = services.upload_document(
            uploaded_file=_pdf("appendix-2.pdf"),
            kind=DocumentKind.APPENDIX,
            title="Appendix 2: capital programme",
            paper=paper,
            actor=SCRIPT,
        )
    (message,) = _received(smtp_server)
    assert message["Subject"].startswith("Added to the agenda: ")
    body = message.get_content()
    assert "2. Budget" in body
    assert "Report: Budget Report 2017/18" in body
    assert "New file: Appendix 2: capital programme (PDF," in body
    assert f"{PORTAL}{document.get_absolute_url()}" in body
    assert "Apologies" not in body
    alert = Alert.objects.get(document_ids=[document.pk])
    assert alert.kind == AlertKind.SUPPLEMENT
    assert tasks.send_alert.call(alert.pk) == 0 and smtp_server == []


def test_a_replacement_file_is_announced_and_the_withdrawn_one_is_not_shown(
    smtp_server, committed, media
):
    meeting = published_with_subscriber(committed, smtp_server)
    item = meeting.agenda_items.get(title="Budget")
    paper = approve_fully(PaperFactory(title="Budget Report 2017/18"))
    ConsultationFactory(paper=paper, agenda_item=item)
    old = DocumentFactory(paper=paper, kind=DocumentKind.APPENDIX, title="Appendix 1")
    _received(smtp_server)

    with committed():
        new = services.replace_document(
            document=old,
            uploaded_file=_pdf("appendix-1-corrected.pdf", "Corrected"),
            reason="The figures were wrong",
            title="Appendix 1 (corrected)",
            version=old.version,
            actor=SCRIPT,
        )
    (message,) = _received(smtp_server)
    body = message.get_content()
    assert "Report: Budget Report 2017/18" in body
    assert "Replacement file: Appendix 1 (corrected) (PDF," in body
    assert f"{PORTAL}{new.get_absolute_url()}" in body
    assert f"{PORTAL}{old.get_absolute_url()}" not in body
    assert "The figures were wrong" not in body


def test_a_file_the_public_cannot_see_sends_nothing(smtp_server, committed, media):
    meeting = published_with_subscriber(committed, smtp_server)
    budget = meeting.agenda_items.get(title="Budget")
    private_report = approve_fully(PrivatePaperFactory(title="SECRET bidder prices"))
    ConsultationFactory(paper=private_report, agenda_item=budget)
    at_private_item = approve_fully(PaperFactory(title="SECRET at private business"))
    ConsultationFactory(
        paper=at_private_item,
        agenda_item=PrivateAgendaItemFactory(meeting=meeting, position=3, number="3"),
    )
    draft = coming_meeting(meeting.organizations.get(), days=45)
    on_a_draft = approve_fully(PaperFactory(title="On a draft agenda"))
    ConsultationFactory(paper=on_a_draft, agenda_item=draft.agenda_items.get())
    on_no_agenda = PaperFactory(title="On no agenda")
    _received(smtp_server)

    with committed():
        for paper in (private_report, at_private_item, on_a_draft, on_no_agenda):
            services.upload_document(
                uploaded_file=_pdf("secret.pdf"),
                kind=DocumentKind.APPENDIX,
                title="SECRET appendix",
                paper=paper,
                actor=SCRIPT,
            )
        # A meeting's own file (its minutes) is no supplement to an agenda.
        services.upload_document(
            uploaded_file=_pdf("minutes.pdf"),
            kind=DocumentKind.MINUTES,
            title="Minutes",
            meeting=meeting,
            actor=SCRIPT,
        )
        # Nor is a file withdrawn before the message goes.
        public = approve_fully(PaperFactory(title="Budget Report 2017/18"))
        ConsultationFactory(paper=public, agenda_item=budget)
        withdrawn = services.upload_document(
            uploaded_file=_pdf("wrong.pdf"),
            kind=DocumentKind.APPENDIX,
            title="SECRET wrong file",
            paper=public,
            actor=SCRIPT,
        )
        services.withdraw_document(
            document=withdrawn, reason="Wrong file", version=withdrawn.version, actor=SCRIPT
        )
    assert smtp_server == []


def test_items_added_to_a_meeting_already_held_are_not_announced(mailoutbox, committed):
    meeting = published_with_subscriber(committed, mailoutbox)
    meeting.start = timezone.now() - dt.timedelta(hours=1)
    meeting.save(update_fields=["start"])
    with committed():
        services.add_agenda_item(
            meeting=meeting, details=services.AgendaItemDetails(title="Late item"), actor=SCRIPT
        )
    assert mailoutbox == []


# --- Only what is public -----------------------------------------------------------------------


def test_the_message_shows_what_the_public_agenda_shows_and_nothing_more(mailoutbox, committed):
    organization = OrganizationFactory()
    confirmed(organization)
    meeting = MeetingFactory(organizations=[organization], start=_future(30))
    public = AgendaItemFactory(
        meeting=meeting,
        position=1,
        number="1",
        title="Whistleblowing Policy",
        lead="PUBLICLEAD",
        description="PUBLICDESCRIPTION",
    )
    private = PrivateAgendaItemFactory(
        meeting=meeting, position=2, number="2", lead="SECRETLEAD", description="SECRETDESC"
    )
    AgendaItemFactory(meeting=meeting, parent=private, position=1, number="a)", title="SUBTITLE")
    ConsultationFactory(paper=approve_fully(PaperFactory(title="Open report")), agenda_item=public)
    ConsultationFactory(
        paper=approve_fully(PrivatePaperFactory(title="SECRETPAPER")), agenda_item=public
    )
    ConsultationFactory(paper=approve_fully(PaperFactory(title="HIDDENPAPER")), agenda_item=private)
    with committed():
        services.publish_agenda(meeting=meeting, actor=SCRIPT)
    (message,) = mailoutbox
    body = message.body
    assert "1. Whistleblowing Policy" in body and "Report: Open report" in body
    # A private item shows as the public agenda shows it: number, title, exemption.
    assert "2. Exempt report: contract award" in body
    assert "Private: exempt under paragraph 3 of Schedule 12A" in body
    assert "2a) SUBTITLE" in body
    for secret in ("SECRETLEAD", "SECRETDESC", "SECRETPAPER", "HIDDENPAPER", "EXEMPT"):
        assert secret not in body + message.subject
    # Nor is the description of a public item copied into the message.
    assert "PUBLICLEAD" not in body


def test_an_alert_whose_agenda_is_no_longer_public_sends_nothing(mailoutbox, committed):
    organization = OrganizationFactory()
    confirmed(organization)
    meeting = coming_meeting(organization)
    services.publish_agenda(meeting=meeting, actor=SCRIPT)  # its task not yet run
    alert = Alert.objects.get()
    services.cancel_meeting(
        meeting=meeting, reason="No business", version=ANY_VERSION, actor=SCRIPT
    )
    assert alerts.send(alert.pk) == 0
    assert mailoutbox == []


# --- Wrong, missing, oversized and hostile input ----------------------------------------------


HOSTILE_ADDRESSES = [
    ("", "Enter your email address"),
    ("   ", "Enter your email address"),
    ("not an address", "Enter an email address in the correct format"),
    ("resident@", "Enter an email address in the correct format"),
    ("a" * 250 + "@example.com", "Email address must be 254 characters or fewer"),
    ("resident@example.com\r\nBcc: everyone@example.com", "in the correct format"),
    ("resident@example.com\nSubject: free money", "in the correct format"),
    ("resident@example.com%0ABcc:x@example.com", "in the correct format"),
    ("<script>alert(1)</script>@example.com", "in the correct format"),
    ("resident\x00@example.com", "in the correct format"),
    ("resident@example.com, other@example.com", "in the correct format"),
    ('"resident"@example.com <evil@example.com>', "in the correct format"),
]


@pytest.mark.parametrize(("email", "error"), HOSTILE_ADDRESSES)
def test_bad_addresses_get_a_govuk_error_and_change_nothing(
    client, mailoutbox, committed, email, error
):
    organization = OrganizationFactory()
    before = row_counts()
    response = subscribe(client, organization, email, committed)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert 'href="#id_email"' in response.text  # the summary links to the field
    assert 'id="email-error"' in response.text or "govuk-error-message" in response.text
    assert error in response.text
    assert response.text.count(error) >= 2  # in the summary and by the field
    assert "<script>alert(1)</script>" not in response.text
    assert not changed_tables(before, row_counts())
    assert mailoutbox == []


def test_a_post_without_the_field_is_refused(client, mailoutbox):
    organization = OrganizationFactory()
    url = reverse("committees:alerts_subscribe", args=[organization.slug])
    before = row_counts()
    response = client.post(url, {"other": "x"})
    assert response.status_code == 200
    assert "Enter your email address" in response.text
    assert not changed_tables(before, row_counts())


@pytest.mark.parametrize(
    "email", ["a@example.com\r\nBcc: x@example.com", "", "x" * 300, 7, None, "a@b\x00.com"]
)
def test_the_service_refuses_bad_addresses_with_a_code(email):
    with pytest.raises(ValidationError) as refused:
        services.request_alerts(organization=OrganizationFactory(), email=email, actor=SCRIPT)
    codes = {e.code for errors in refused.value.error_dict.values() for e in errors}
    assert codes <= {"required", "invalid", "max_length"} and codes
    assert not AlertSubscription.objects.exists()


def _tokens():
    """Every kind of token that must not open a subscription."""
    subscription = make_subscription(confirmed=False)
    other = make_subscription(confirmed=False, email="other@example.com")
    good = alert_tokens.make(subscription, alert_tokens.CONFIRM)
    pk, mac = good.split("-")
    return {
        "forged signature": f"{pk}-{'0' * 64}",
        "another's signature": f"{other.pk}-{mac}",
        "the unsubscribe token": alert_tokens.make(subscription, alert_tokens.UNSUBSCRIBE),
        "truncated": good[:-1],
        "upper case": good.upper(),
        "no such subscription": f"999999999-{mac}",
        "huge id": f"{2**70}-{mac}",
        "markup": "<img src=x onerror=alert(1)>",
        "sql": "1-' OR 1=1 --",
    }


def test_forged_and_wrong_confirm_tokens_change_nothing(client):
    tokens = _tokens()
    before = row_counts()
    for name, token in tokens.items():
        url = reverse("committees:alerts_confirm", args=[token])
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 404, name
            assert "This link cannot be used" in response.text, name
            assert "<img src=x" not in response.text
    assert not changed_tables(before, row_counts())
    assert not AlertSubscription.objects.filter(confirmed_at__isnull=False).exists()


def test_forged_and_wrong_unsubscribe_tokens_change_nothing():
    subscription = make_subscription(confirmed=True)
    confirm_token = alert_tokens.make(subscription, alert_tokens.CONFIRM)
    pk = confirm_token.split("-")[0]
    client = Client(enforce_csrf_checks=True)
    before = row_counts()
    for token in [confirm_token, f"{pk}-{'f' * 64}", "", "-", f"{pk}-", "1-2-3"]:
        if not token:
            continue
        url = reverse("committees:alerts_unsubscribe", args=[token])
        get = client.get(url)
        post = client.post(
            url,
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        for response in (get, post):
            assert response.status_code == 404, token
            assert "This link cannot be used" in response.text
    assert not changed_tables(before, row_counts())


def test_a_forged_unsubscribed_page_is_refused(client):
    organization = OrganizationFactory(name="Ethics Committee")
    good = signing.dumps(organization.pk, salt=UNSUBSCRIBED_SALT)
    assert (
        "You have unsubscribed"
        in client.get(reverse("committees:alerts_unsubscribed", args=[good])).text
    )
    for done in [good[:-2] + "xx", signing.dumps(organization.pk), "garbage", "1"]:
        response = client.get(reverse("committees:alerts_unsubscribed", args=[done]))
        assert response.status_code == 404
        assert "You have unsubscribed" not in response.text


def test_an_unknown_committee_has_no_subscribe_page(client):
    response = client.post(
        reverse("committees:alerts_subscribe", args=["no-such-committee"]),
        {"email": "a@example.com"},
    )
    assert response.status_code == 404
    assert not AlertSubscription.objects.exists()


# --- Pages, cache and queries ------------------------------------------------------------------


def test_subscribing_leaves_the_page_cache_alone(mailoutbox, committed):
    organization = OrganizationFactory()
    version = pagecache.current_version()
    with committed():
        services.request_alerts(organization=organization, email="a@example.com", actor=SCRIPT)
    subscription = AlertSubscription.objects.get()
    services.confirm_alerts(subscription=subscription, actor=SCRIPT)
    services.end_alerts(subscription=subscription, actor=SCRIPT)
    assert pagecache.current_version() == version


@pytest.mark.parametrize(
    ("page", "queries"),
    [
        ("subscribe", 1),
        ("requested", 1),
        ("confirm", 1),
        ("unsubscribe", 1),
        ("unsubscribed", 1),
        ("unusable", 1),
    ],
)
def test_each_page_costs_a_fixed_number_of_queries(
    client, django_assert_num_queries, page, queries
):
    organization = OrganizationFactory()
    subscription = make_subscription(confirmed=False)
    urls = {
        "subscribe": reverse("committees:alerts_subscribe", args=[organization.slug]),
        "requested": reverse("committees:alerts_requested", args=[organization.slug]),
        "confirm": reverse(
            "committees:alerts_confirm",
            args=[alert_tokens.make(subscription, alert_tokens.CONFIRM)],
        ),
        "unsubscribe": reverse(
            "committees:alerts_unsubscribe",
            args=[alert_tokens.make(subscription, alert_tokens.UNSUBSCRIBE)],
        ),
        "unsubscribed": reverse(
            "committees:alerts_unsubscribed",
            args=[signing.dumps(organization.pk, salt=UNSUBSCRIBED_SALT)],
        ),
        "unusable": reverse("committees:alerts_confirm", args=["1-" + "0" * 64]),
    }
    client.get(urls[page])  # warm the per-process caches (URL shapes, templates)
    with django_assert_num_queries(queries):
        response = client.get(urls[page])
    assert response.status_code == (404 if page == "unusable" else 200)
