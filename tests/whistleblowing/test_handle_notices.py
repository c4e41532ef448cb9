"""E-mail about whistleblowing cases, through a real SMTP server (aiosmtpd): handlers are told
that a case needs them (new, passed to them, the reporter wrote, appointed, an acknowledgement
due soon or overdue) and named reporters that something waits for them, each with the
reference (handlers only) and a link, and never a word of the case or who raised it. The
reminders (send_whistleblowing_reminders) go once before the acknowledgement falls due and
once when it is overdue, however often the command runs."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from organisation.roles import Role
from portal_kit.models import ANY_VERSION
from tests.whistleblowing.handle_support import (
    APRIL_10,
    REPORTER_CONTACT,
    REPORTER_NAME,
    WORDS,
    monitoring_officer,
    named,
    person,
    raise_concern,
)
from whistleblowing import rules, services
from whistleblowing.models import Concern

pytestmark = pytest.mark.django_db

PORTAL = "https://portal.example"
#: What no message may carry: the concern's words and details, and the reporter.
SECRETS = (WORDS, "Quillfeather", "Whitley", "supervisor", "Since January", REPORTER_NAME)


@pytest.fixture(autouse=True)
def portal_url(settings):
    settings.PORTAL_URL = PORTAL


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a service leaves for after its commit (the notices), as production does."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def assert_says_nothing(message):
    text = f"{message['Subject']}\n{message.get_content()}"
    for secret in SECRETS:
        assert secret not in text, (secret, text)


def to(messages) -> list[str]:
    return sorted(message["To"] for message in messages)


def test_a_new_concern_tells_the_monitoring_officer_with_a_link_only(smtp_server, committed):
    mo = monitoring_officer(email="mo@council.example")
    person(Role.CHIEF_INTERNAL_AUDITOR, email="cia@council.example")
    with committed():
        concern = raise_concern()
    assert to(smtp_server) == ["mo@council.example"]
    message = smtp_server[0]
    assert concern.reference in message["Subject"]
    assert f"{PORTAL}/whistleblowing/register/{concern.pk}/" in message.get_content()
    assert_says_nothing(message)
    assert mo.email == message["To"]


def test_a_fraud_concern_tells_the_chief_internal_auditor_and_the_monitoring_officer(
    smtp_server, committed
):
    monitoring_officer(email="mo@council.example")
    person(Role.CHIEF_INTERNAL_AUDITOR, email="cia@council.example")
    person(Role.INVESTIGATING_OFFICER, email="io@council.example")
    with committed():
        raise_concern(ground="fraud")
    assert to(smtp_server) == ["cia@council.example", "mo@council.example"]
    for message in smtp_server:
        assert_says_nothing(message)


def test_an_appointment_tells_the_investigator_and_then_they_hear_of_the_reporter(
    smtp_server, committed
):
    mo = monitoring_officer(email="mo@council.example")
    investigator = person(Role.INVESTIGATING_OFFICER, email="io@council.example")
    concern = raise_concern()
    with committed():
        services.appoint_investigator(
            concern=concern, investigator=investigator, version=ANY_VERSION, actor=mo
        )
    assert to(smtp_server) == ["io@council.example"]
    assert "appointed to investigate" in smtp_server.pop()["Subject"]
    with committed():
        services.add_information(concern=concern, text=f"{WORDS} and more", now=APRIL_10)
    assert to(smtp_server) == ["io@council.example"]
    message = smtp_server.pop()
    assert "the reporter has written" in message["Subject"]
    assert_says_nothing(message)


def test_a_named_reporter_is_told_something_waits_and_an_anonymous_one_nothing(
    smtp_server, committed
):
    mo = monitoring_officer(email="mo@council.example")
    reporter = person(Role.OFFICER, full_name=REPORTER_NAME, email="sq@council.example")
    known = services.raise_concern(answers=named(), reporter=reporter, now=APRIL_10).concern
    anonymous = raise_concern()
    with committed():
        services.message_reporter(concern=known, text=f"About {WORDS}", actor=mo)
        services.message_reporter(concern=anonymous, text=f"About {WORDS}", actor=mo)
    assert to(smtp_server) == [REPORTER_CONTACT]
    message = smtp_server[0]
    assert f"{PORTAL}/whistleblowing/your-concerns/" in message.get_content()
    assert known.reference not in message.get_content()
    assert "whistleblowing" not in message["Subject"].lower()
    assert_says_nothing(message)


# --- Reminders ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "acknowledged", "reminded", "today", "expected"),
    [
        # Received 10 April: due by 17 April, reminded from the 15th.
        ((4, 10), None, None, (4, 14), None),
        ((4, 10), None, None, (4, 15), rules.Reminder.DUE_SOON),
        ((4, 10), None, None, (4, 17), rules.Reminder.DUE_SOON),
        ((4, 10), None, (4, 15), (4, 16), None),
        ((4, 10), None, (4, 15), (4, 18), rules.Reminder.OVERDUE),
        ((4, 10), None, (4, 17), (4, 18), rules.Reminder.OVERDUE),
        ((4, 10), None, None, (4, 30), rules.Reminder.OVERDUE),
        ((4, 10), None, (4, 18), (4, 19), None),
        ((4, 10), None, (4, 18), (5, 30), None),
        ((4, 10), (4, 12), None, (4, 30), None),
    ],
)
def test_the_reminder_rule(received, acknowledged, reminded, today, expected):
    def day(pair):
        return dt.date(2017, *pair) if pair else None

    assert rules.reminder_due(day(received), day(acknowledged), day(reminded), day(today)) == (
        expected
    )


def _days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def _remind() -> str:
    out = io.StringIO()
    call_command("send_whistleblowing_reminders", stdout=out)
    return out.getvalue()


def test_reminders_go_once_before_and_once_when_overdue(smtp_server, committed):
    mo = monitoring_officer(email="mo@council.example")
    soon = raise_concern(now=_days_ago(6))
    late = raise_concern(now=_days_ago(9))
    raise_concern(now=_days_ago(1))
    done = raise_concern(now=_days_ago(9))
    services.acknowledge(concern=done, summary="s", version=ANY_VERSION, actor=mo)
    closed = raise_concern(now=_days_ago(9))
    services.close(
        concern=closed,
        outcome="no_further_action",
        findings="",
        lessons="",
        closing_message="Not for this policy",
        version=ANY_VERSION,
        actor=mo,
    )
    with committed():
        assert _remind() == "2 reminders queued\n"
    subjects = sorted(message["Subject"] for message in smtp_server)
    assert subjects == [
        f"Whistleblowing concern {soon.reference}: acknowledgement due soon",
        f"Whistleblowing concern {late.reference}: acknowledgement overdue",
    ]
    for message in smtp_server:
        assert_says_nothing(message)
    smtp_server.clear()

    with committed():
        assert _remind() == "0 reminders queued\n"
    assert smtp_server == []

    # Three days on, the first is overdue too: one more, and still none for the other.
    with committed():
        assert services.remind_acknowledgements(now=timezone.now() + dt.timedelta(days=3)) == 1
    assert [m["Subject"] for m in smtp_server] == [
        f"Whistleblowing concern {soon.reference}: acknowledgement overdue"
    ]
    assert Concern.objects.get(pk=soon.pk).reminded_at > Concern.objects.get(pk=late.pk).reminded_at


def test_an_appointed_investigator_is_reminded_instead(smtp_server, committed):
    mo = monitoring_officer(email="mo@council.example")
    investigator = person(Role.INVESTIGATING_OFFICER, email="io@council.example")
    concern = raise_concern(now=_days_ago(8))
    services.appoint_investigator(
        concern=concern, investigator=investigator, version=ANY_VERSION, actor=mo
    )
    with committed():
        services.remind_acknowledgements()
    assert to(smtp_server) == ["io@council.example"]


# --- The other commands ---------------------------------------------------------------------


def test_erase_expired_concerns_uses_the_retention_setting(settings):
    settings.WHISTLEBLOWING_RETENTION_DAYS = 30
    mo = monitoring_officer()
    old = raise_concern()
    services.close(
        concern=old,
        outcome="substantiated",
        findings=WORDS,
        lessons="",
        closing_message="Done",
        version=ANY_VERSION,
        actor=mo,
        now=_days_ago(31),
    )
    recent = raise_concern()
    services.close(
        concern=recent,
        outcome="substantiated",
        findings=WORDS,
        lessons="",
        closing_message="Done",
        version=ANY_VERSION,
        actor=mo,
        now=_days_ago(29),
    )
    out = io.StringIO()
    call_command("erase_expired_concerns", stdout=out)
    assert out.getvalue() == "1 concern erased (closed over 30 days ago)\n"
    assert Concern.objects.get(pk=old.pk).content_erased_at
    assert not Concern.objects.get(pk=recent.pk).content_erased_at


def test_reseal_concerns_moves_values_onto_the_first_key(settings):
    import base64

    from whistleblowing import sealing

    raise_concern()
    ring = sealing.current_secrets()
    old_id, old_key = next(iter(ring.keys.items()))
    settings.WHISTLEBLOWING_KEYS = (
        f"{sealing.new_key_text(old_id + 1)},{old_id}:{base64.b64encode(old_key).decode()}"
    )
    settings.WHISTLEBLOWING_PEPPER = ring.pepper.decode()
    sealing.current_secrets.cache_clear()
    try:
        out = io.StringIO()
        call_command("reseal_concerns", stdout=out)
        assert out.getvalue() == "1 value resealed under the current key\n"
        out = io.StringIO()
        call_command("reseal_concerns", stdout=out)
        assert out.getvalue() == "0 values resealed under the current key\n"
    finally:
        sealing.current_secrets.cache_clear()
