"""The whistleblowing demo (`load_demo`): a concern in every state, dated from the day of
loading, the demo accounts of the roles seeing what their roles should, one anonymous
receipt code printed (and stored nowhere but as its hash), and last year's concerns for the
annual report."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from organisation.demo import demo_email
from organisation.models import User
from organisation.roles import Role
from portal_kit.time import LONDON
from whistleblowing import demo, queries, receipts, rules, services
from whistleblowing.models import Concern, Entry, EntryKind, Outcome, Route, Status
from whistleblowing.policies import concerns as policy

pytestmark = pytest.mark.django_db(transaction=False)
CODE = re.compile(r"receipt code ((?:[0-9A-Z]{4}-){4}[0-9A-Z]{4})")


@pytest.fixture(scope="module")
def printed(django_db_setup, django_db_blocker):
    """`load_demo` once for the module (rolled back after its last test), and what it
    printed."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(printed, db):
    return printed


def account(role) -> User:
    return User.objects.get(email=demo_email(role))


def today() -> dt.date:
    return timezone.now().astimezone(LONDON).date()


def test_a_concern_in_every_state(loaded):
    this_year = Concern.objects.filter(received_at__gte=timezone.now() - dt.timedelta(days=150))
    statuses = set(this_year.values_list("status", flat=True))
    assert statuses == {s.value for s in Status}
    clocks = {c.clock(today()).state for c in this_year.filter(acknowledged_at__isnull=True)}
    assert {rules.ClockState.DUE, rules.ClockState.DUE_SOON, rules.ClockState.OVERDUE} <= clocks
    acknowledged = [c.clock(today()) for c in this_year.filter(acknowledged_at__isnull=False)]
    assert any(c.state is rules.ClockState.MET for c in acknowledged)
    assert this_year.filter(triage="other_procedure", status=Status.REFERRED).exists()
    assert this_year.filter(status=Status.CLOSED, outcome=Outcome.PARTLY_SUBSTANTIATED).exists()
    assert {True, False} == set(this_year.values_list("anonymous", flat=True))


def test_messages_a_meeting_files_and_a_complaint_of_detriment(loaded):
    kinds = set(Entry.objects.values_list("kind", flat=True))
    for kind in (
        EntryKind.TO_REPORTER,
        EntryKind.FROM_REPORTER,
        EntryKind.INFORMATION,
        EntryKind.MEETING,
        EntryKind.MEETING_COMMENT,
        EntryKind.NOTE,
        EntryKind.OUTCOME,
        EntryKind.CLOSING,
    ):
        assert kind in kinds, kind
    assert Concern.objects.filter(attachments__isnull=False).distinct().count() >= 3
    detriment = Concern.objects.get(detriment_of__isnull=False)
    assert detriment.detriment_of.status == Status.CLOSED


def test_the_fraud_concern_is_the_chief_internal_auditors(loaded):
    cia = account(Role.CHIEF_INTERNAL_AUDITOR)
    fraud = Concern.objects.get(ground=rules.FRAUD, status=Status.INVESTIGATING)
    assert fraud.route == Route.CHIEF_INTERNAL_AUDITOR and fraud.investigator == cia
    assert fraud.history.filter(history_user=cia).exists()
    seen = policy.instances_for(cia, "register")
    assert set(seen.values_list("route", flat=True)) == {Route.CHIEF_INTERNAL_AUDITOR}
    assert fraud in seen


def test_each_demo_account_sees_what_its_role_should(loaded):
    mo = account(Role.MONITORING_OFFICER)
    io_account = account(Role.INVESTIGATING_OFFICER)
    officer = account(Role.OFFICER)
    assert policy.instances_for(mo, "register").count() == Concern.objects.count()
    mine = policy.instances_for(io_account, "register")
    assert mine.count() == 2 and set(mine.values_list("investigator", flat=True)) == {io_account.pk}
    assert policy.instances_for(officer, "register").count() == 0
    assert policy.instances_for(account(Role.AUDITOR), "register").count() == 0
    raised = queries.reporter_concerns(officer)
    assert raised.count() == 2 and not raised.filter(anonymous=True).exists()
    for role in (Role.MONITORING_OFFICER, Role.CHIEF_INTERNAL_AUDITOR, Role.INVESTIGATING_OFFICER):
        user = account(role)
        assert user.needs_two_factor
        assert user.totpdevice_set.filter(confirmed=True).exists(), role


def test_one_anonymous_receipt_code_is_printed_and_opens_the_demo_concern(loaded):
    (code,) = CODE.findall(loaded)
    concern = services.concern_for_code(code)
    assert concern is not None and concern.anonymous and concern.status == Status.ACKNOWLEDGED
    report = concern.entries.get(kind=EntryKind.REPORT)
    assert services.entry_content(report)["what_happened"] == demo.TRY_WHAT_HAPPENED
    normalised = receipts.normalised(code)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM whistleblowing_concern WHERE receipt_hash = %s",
            [receipts.code_hash(normalised)],
        )
        assert cursor.fetchone() == (1,)
        cursor.execute(
            "SELECT count(*) FROM whistleblowing_concern WHERE encode(receipt_hash, 'escape') "
            "LIKE %s",
            [f"%{normalised}%"],
        )
        assert cursor.fetchone() == (0,)


def test_a_second_load_gives_a_new_code_and_changes_nothing_else(loaded):
    (first,) = CODE.findall(loaded)
    before = sorted(Concern.objects.values_list("pk", "status", "version"))
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    (second,) = CODE.findall(out.getvalue())
    assert second != first
    assert services.concern_for_code(first) is None
    assert services.concern_for_code(second).pk in {pk for pk, _, _ in before}
    assert sorted(Concern.objects.values_list("pk", "status", "version")) == before


def test_the_clocks_are_kept_going_when_the_demo_is_loaded_again_later(loaded):
    later = timezone.now() + dt.timedelta(days=9)
    count = Concern.objects.count()
    demo.load(now=later)
    assert Concern.objects.count() == count + 2
    day = later.astimezone(LONDON).date()
    states = {c.clock(day).state for c in Concern.objects.filter(acknowledged_at__isnull=True)}
    assert {rules.ClockState.DUE, rules.ClockState.DUE_SOON} <= states


def test_last_years_annual_report_has_figures_and_lessons(loaded):
    start = rules.financial_year(rules.financial_year(today())[0] - dt.timedelta(days=1))[0]
    report = queries.annual_report(start, today=today())
    # Eight raised last year, seven concluded (more if this year's reach back into it).
    assert int(report.received) >= 8 and int(report.concluded) >= 7
    assert {lesson for *_, lesson in demo.LAST_YEAR if lesson} <= set(report.lessons)
    assert not report.lessons_from_few
    meetings = services.report_meetings()
    assert any(m.agenda_published_at is None for m in meetings)


def test_the_annual_report_goes_on_the_demo_meeting(loaded):
    start = rules.financial_year(rules.financial_year(today())[0] - dt.timedelta(days=1))[0]
    meeting = next(m for m in services.report_meetings() if m.agenda_published_at is None)
    placed = services.place_annual_report(
        year_start=start, meeting=meeting, actor=account(Role.MONITORING_OFFICER)
    )
    assert placed.item.meeting_id == meeting.pk
