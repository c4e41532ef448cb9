"""The whistleblowing services against the real database: what is sealed, who is recorded,
what each action refuses."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import InternalError

from organisation.roles import Role
from portal_kit.models import ANY_VERSION
from tests.factories import UserFactory
from whistleblowing import receipts, services
from whistleblowing.models import CaseOpening, Concern, Entry, EntryKind, Outcome, Route, Status

pytestmark = pytest.mark.django_db

APRIL_10 = dt.datetime(2017, 4, 10, 9, tzinfo=dt.UTC)
WORDS = "The transport depot's fuel cards are used for private cars"


def answers(**changes) -> services.Answers:
    return services.Answers(
        **{
            "ground": "criminal_offence",
            "what_happened": WORDS,
            "when": "Since January",
            "where": "Whitley depot",
            "who": "A supervisor",
            "public_interest": True,
            "reporter_kind": "permanent",
            "anonymous": True,
            "under_policy": True,
            **changes,
        }
    )


def evidence():
    return [services.Evidence("fuel log.pdf", "application/pdf", b"%PDF-1.4 fuel log contents")]


def test_an_anonymous_concern_gets_a_code_that_opens_it_and_nothing_in_clear():
    raised = services.raise_concern(answers=answers(), files=evidence(), now=APRIL_10)
    concern = raised.concern
    assert raised.receipt_code and services.concern_for_code(raised.receipt_code) == concern
    assert services.concern_for_code(receipts.shown(raised.receipt_code).lower()) == concern
    assert concern.route == Route.MONITORING_OFFICER
    assert concern.acknowledge_due == dt.date(2017, 4, 17)
    assert concern.reporter_tag is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM whistleblowing_entry WHERE concern_id = %s", [concern.pk])
        (body,) = cursor.fetchone()
    assert b"fuel" not in bytes(body)
    attachment = concern.attachments.get()
    assert b"fuel" not in attachment.sealed_file.read()
    assert services.attachment_bytes(attachment) == b"%PDF-1.4 fuel log contents"
    assert services.attachment_about(attachment)["name"] == "fuel log.pdf"


def test_a_wrong_code_opens_nothing():
    services.raise_concern(answers=answers(), now=APRIL_10)
    assert services.concern_for_code(receipts.new_code()) is None
    assert services.concern_for_code("not a code") is None


def test_the_reporter_is_recorded_as_nobody_even_when_signed_in():
    officer = UserFactory(roles=[Role.OFFICER])
    concern = services.raise_concern(
        answers=answers(anonymous=False, name="Sam Patel", contact="sam@example.org"),
        reporter=officer,
        now=APRIL_10,
    ).concern
    assert concern.history.get().history_user is None
    assert concern.entries.get().author is None
    assert concern.reporter_tag == receipts.reporter_tag(officer)
    assert bytes(concern.reporter_tag) != str(officer.pk).encode()
    assert list(Concern.objects.of_reporter(receipts.reporter_tag(officer))) == [concern]


def test_an_anonymous_concern_raised_signed_in_keeps_no_link_to_the_account():
    officer = UserFactory(roles=[Role.OFFICER])
    raised = services.raise_concern(answers=answers(), reporter=officer, now=APRIL_10)
    assert raised.concern.reporter_tag is None
    assert raised.receipt_code


def test_fraud_goes_to_the_chief_internal_auditor():
    concern = services.raise_concern(answers=answers(ground="fraud"), now=APRIL_10).concern
    assert concern.route == Route.CHIEF_INTERNAL_AUDITOR


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"ground": "gossip"}, "ground", "required"),
        ({"what_happened": "   "}, "what_happened", "required"),
        ({"what_happened": "x" * 20_001}, "what_happened", "too_long"),
        ({"public_interest": False}, "public_interest", "required"),
        ({"under_policy": False}, "under_policy", "required"),
        ({"reporter_kind": "councillor"}, "reporter_kind", "required"),
        ({"anonymous": False, "contact": "sam@example.org"}, "name", "required"),
        ({"anonymous": False, "name": "Sam"}, "contact", "required"),
        ({"where": "depot\x00"}, "where", "bad_characters"),
        ({"raised_before": ("the_press",)}, "raised_before", "invalid"),
    ],
)
def test_bad_answers_are_refused_and_save_nothing(changes, field, code):
    with pytest.raises(ValidationError) as refused:
        services.raise_concern(answers=answers(**changes), now=APRIL_10)
    assert refused.value.error_dict[field][0].code == code
    assert not Concern.objects.exists() and not Entry.objects.exists()


def test_the_handling_of_a_case_from_acknowledgement_to_reopening():
    officer = UserFactory(roles=[Role.MONITORING_OFFICER], full_name="Helen Lynch")
    investigator = UserFactory(roles=[Role.INVESTIGATING_OFFICER], full_name="Ann Smith")
    raised = services.raise_concern(answers=answers(), now=APRIL_10)
    concern = raised.concern
    services.add_information(concern=concern, text="Also the petty cash", now=APRIL_10)
    concern.refresh_from_db()
    assert concern.reporter_waiting_since == APRIL_10

    concern = services.appoint_investigator(
        concern=concern, investigator=investigator, version=concern.version, actor=officer
    )
    concern = services.acknowledge(
        concern=concern,
        summary="Fuel cards used for private cars",
        version=concern.version,
        actor=officer,
        now=APRIL_10 + dt.timedelta(days=3),
    )
    assert concern.status == Status.ACKNOWLEDGED and concern.reporter_waiting_since is None
    assert concern.clock(dt.date(2017, 5, 1)).wording == "Acknowledged on time, after 3 days"
    with pytest.raises(ValidationError) as twice:
        services.acknowledge(concern=concern, summary="x", version=concern.version, actor=officer)
    assert twice.value.code == "already_acknowledged"
    with pytest.raises(ValidationError) as stale:
        services.triage(
            concern=concern, decision="investigate", reason="r", version=1, actor=officer
        )
    assert stale.value.code == "stale"
    concern = services.triage(
        concern=concern,
        decision="investigate",
        reason="Credible",
        version=concern.version,
        actor=officer,
    )
    assert concern.status == Status.INVESTIGATING
    services.add_note(concern=concern, text="Checked the logs", actor=investigator)
    concern = services.close(
        concern=concern,
        outcome=Outcome.SUBSTANTIATED,
        findings="Cards were shared",
        lessons="Fuel cards need a named holder",
        closing_message="Your concern has been investigated and action taken",
        version=concern.version,
        actor=officer,
    )
    assert concern.status == Status.CLOSED and concern.closed_at
    # A reporter who writes after the close can be answered without reopening the case.
    services.add_information(concern=concern, text="I disagree with the outcome")
    answered = services.message_reporter(concern=concern, text="Noted", actor=officer)
    assert answered.kind == EntryKind.TO_REPORTER
    concern.refresh_from_db()
    assert concern.reporter_waiting_since is None
    with pytest.raises(ValidationError) as closed:
        services.add_note(concern=concern, text="more", actor=officer)
    assert closed.value.code == "closed"
    concern = services.reopen(
        concern=concern, reason="New evidence", version=concern.version, actor=officer
    )
    assert concern.status == Status.INVESTIGATING and concern.closed_at is None
    shared = [e.kind for e in concern.entries.all() if e.shared]
    assert EntryKind.NOTE not in shared and EntryKind.ACKNOWLEDGEMENT in shared
    assert {h.history_user for h in concern.history.all()} == {None, officer}


def test_another_procedure_tells_the_reporter():
    officer = UserFactory(roles=[Role.MONITORING_OFFICER])
    concern = services.raise_concern(answers=answers(), now=APRIL_10).concern
    with pytest.raises(ValidationError) as missing:
        services.triage(
            concern=concern,
            decision="other_procedure",
            reason="r",
            version=ANY_VERSION,
            actor=officer,
        )
    assert missing.value.error_dict["other_procedure"][0].code == "required"
    services.triage(
        concern=concern,
        decision="other_procedure",
        other_procedure="safeguarding",
        reason="A child at risk",
        version=ANY_VERSION,
        actor=officer,
    )
    told = concern.entries.get(kind=EntryKind.TO_REPORTER)
    assert "safeguarding procedure" in services.entry_content(told)["text"]


def test_retention_erases_content_and_keeps_the_counts():
    officer = UserFactory(roles=[Role.MONITORING_OFFICER])
    raised = services.raise_concern(answers=answers(), files=evidence(), now=APRIL_10)
    services.close(
        concern=raised.concern,
        outcome=Outcome.NOT_SUBSTANTIATED,
        findings="",
        lessons="",
        closing_message="Closed",
        version=ANY_VERSION,
        actor=officer,
        now=APRIL_10 + dt.timedelta(days=30),
    )
    assert (
        services.erase_expired_content(retention_days=365, now=APRIL_10 + dt.timedelta(days=100))
        == 0
    )
    assert (
        services.erase_expired_content(retention_days=365, now=APRIL_10 + dt.timedelta(days=400))
        == 1
    )
    concern = Concern.objects.get()
    assert concern.content_erased_at and concern.outcome == Outcome.NOT_SUBSTANTIATED
    assert all(e.erased and not bytes(e.body) for e in concern.entries.all())
    assert concern.attachments.get().erased
    assert services.concern_for_code(raised.receipt_code) is None
    assert not concern.history.filter(receipt_hash__isnull=False).exists()


def test_retention_leaves_no_link_to_a_named_reporter_in_the_history():
    officer = UserFactory(roles=[Role.MONITORING_OFFICER])
    reporter = UserFactory(roles=[Role.OFFICER])
    concern = services.raise_concern(
        answers=answers(anonymous=False, name="Sam Patel", contact="sam@example.org"),
        reporter=reporter,
        now=APRIL_10,
    ).concern
    services.close(
        concern=concern,
        outcome=Outcome.NOT_SUBSTANTIATED,
        findings="",
        lessons="",
        closing_message="Closed",
        version=ANY_VERSION,
        actor=officer,
        now=APRIL_10 + dt.timedelta(days=30),
    )
    assert concern.history.filter(reporter_tag__isnull=False).count() == 2
    services.erase_expired_content(retention_days=365, now=APRIL_10 + dt.timedelta(days=400))
    assert not concern.history.filter(reporter_tag__isnull=False).exists()
    assert not Concern.objects.of_reporter(receipts.reporter_tag(reporter)).exists()


def test_the_log_of_openings_cannot_be_changed():
    officer = UserFactory(roles=[Role.MONITORING_OFFICER])
    concern = services.raise_concern(answers=answers(), now=APRIL_10).concern
    services.record_opening(concern=concern, reader=officer)
    opening = CaseOpening.objects.get()
    for change in (
        lambda: CaseOpening.objects.filter(pk=opening.pk).update(kind="file"),
        opening.delete,
    ):
        with pytest.raises(InternalError), transaction.atomic():
            change()
    assert CaseOpening.objects.count() == 1


def test_resealing_moves_every_value_to_the_new_key(settings):
    import base64

    from whistleblowing import sealing

    raised = services.raise_concern(answers=answers(), files=evidence(), now=APRIL_10)
    ring = sealing.current_secrets()
    old_id, old_key = next(iter(ring.keys.items()))
    settings.WHISTLEBLOWING_KEYS = (
        f"{sealing.new_key_text(old_id + 1)},{old_id}:{base64.b64encode(old_key).decode()}"
    )
    settings.WHISTLEBLOWING_PEPPER = ring.pepper.decode()
    sealing.current_secrets.cache_clear()
    try:
        assert services.reseal_all() == 3  # the report, the file's description and its bytes
        assert services.reseal_all() == 0
        settings.WHISTLEBLOWING_KEYS = settings.WHISTLEBLOWING_KEYS.split(",")[0]
        sealing.current_secrets.cache_clear()
        attachment = raised.concern.attachments.get()
        assert services.attachment_bytes(attachment).startswith(b"%PDF")
        assert services.entry_content(raised.concern.entries.get())["what_happened"] == WORDS
    finally:
        sealing.current_secrets.cache_clear()


def test_a_named_reporter_without_an_account_follows_with_a_code():
    raised = services.raise_concern(
        answers=answers(anonymous=False, name="Jo Agency", contact="07700 900123"), now=APRIL_10
    )
    assert raised.receipt_code and raised.concern.reporter_tag is None
    assert not raised.concern.anonymous
