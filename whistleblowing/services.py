"""Every change to a whistleblowing concern, and the only door for one: one function per
action of the Whistleblowing Policy, keyword-only, each one transaction that checks before it
writes, every refusal a `ValidationError` with a `code`.

- Words are sealed here and nowhere else (`_entry`), bound to their case and kind.
- The reporter is never an actor: what they do is attributed to no one (`REPORTER`), in the
  history and in the entries (`by_reporter`), whether they are signed in or not.
- Handlers' changes to the concern name the `version` they were made to (optimistic locking).
- E-mail follows a change through `_notify` once the transaction commits, and says only that
  a case needs attention: never a word of it.
"""

import dataclasses
import datetime as dt
import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from committees import services as committee_services
from organisation.policies import SERVER_CONSOLE, has_role
from organisation.roles import Role
from portal_kit.models import ANY_VERSION, locked_current, save_next_version
from portal_kit.time import LONDON
from whistleblowing import receipts, rules, sealing
from whistleblowing.models import (
    Attachment,
    CaseOpening,
    Channel,
    Concern,
    Entry,
    EntryKind,
    Ground,
    OpeningKind,
    OtherProcedure,
    Outcome,
    Route,
    Status,
    Triage,
)

if TYPE_CHECKING:
    from committees.models import AgendaItem, Document, Paper

SCRIPT = SERVER_CONSOLE
#: Notes and messages add to a case without changing the concern's own fields, so two
#: handlers writing at once never refuse each other: they lock the row but check no version.
ADDS_ONLY = ANY_VERSION


class _Reporter:
    def __repr__(self):
        return "REPORTER"


#: The actor of everything a reporter does: nobody, in every record.
REPORTER = _Reporter()

MAX_TEXT = 20_000
MAX_SHORT = 500
MAX_FILES = 10

NO_GROUND = "Select what your concern is about"
NO_ACCOUNT = "Say what happened"
TOO_LONG = "%(label)s must be %(limit)s characters or fewer"
NOT_PUBLIC_INTEREST = (
    "Confirm that you reasonably believe raising this concern is in the public interest"
)
NOT_UNDER_POLICY = "Confirm that you are raising this concern under the Whistleblowing Policy"
NO_REPORTER_KIND = "Select how you work for the council"
NAMED_NEEDS_NAME = "Enter your name, or choose to raise the concern anonymously"
NAMED_NEEDS_CONTACT = "Enter how we can contact you, or choose to raise the concern anonymously"
TOO_MANY_FILES = "You can attach up to %(limit)s files"
EMPTY_MESSAGE = "Enter your message"
NO_SUMMARY = "Enter a summary of the concern for the acknowledgement"
ALREADY_ACKNOWLEDGED = "This concern has already been acknowledged"
NOT_AN_INVESTIGATOR = "Select an investigating officer"
NO_TRIAGE = "Select what will happen to the concern"
NO_TRIAGE_REASON = "Enter the reason for this decision"
NO_PROCEDURE = "Select the procedure the concern will be dealt with under"
NO_OUTCOME = "Select the outcome"
NO_CLOSING_MESSAGE = "Enter the message telling the reporter the process is complete"
ALREADY_CLOSED = "This concern is already closed"
NOT_CLOSED = "Only a closed concern can be reopened"
NO_REOPEN_REASON = "Enter why the concern is being reopened"
CLOSED_CASE = "This concern is closed. Reopen it first"
ERASED = "This concern's content has been erased under the retention policy"
NO_MEETING_DATE = "Enter the date of the meeting"
NO_PLACE = "Enter where the meeting is held"
NOT_A_MEETING = "That is not a meeting of this case"
NOT_LOGGER = "Only a signed-in officer can log a concern on someone's behalf"
BAD_CHANNEL = "Select how the concern was raised with you"
NO_ROUTE = "Select who deals with the concern"
SAME_ROUTE = "The concern is already with them"


def _refused(message: str, code: str, field: str | None = None, **params) -> ValidationError:
    error = ValidationError(message, code=code, params=params or None)
    return ValidationError({field: error}) if field else error


def _history_as(actor, *objects) -> None:
    for obj in objects:
        obj._history_user = None if actor in (SCRIPT, REPORTER) else actor


def _text(value: str, *, label: str, field: str, limit: int = MAX_TEXT, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise _refused(required, "required", field)
    if len(value) > limit:
        raise _refused(TOO_LONG, "too_long", field, label=label, limit=f"{limit:,}")
    if "\x00" in value:
        raise _refused(
            "%(label)s contains characters that are not allowed",
            "bad_characters",
            field,
            label=label,
        )
    return value


def _entry(concern: Concern, kind: str, content: dict, *, actor, now: dt.datetime) -> Entry:
    entry = Entry(
        concern=concern,
        kind=kind,
        author=None if actor in (SCRIPT, REPORTER) else actor,
        by_reporter=actor is REPORTER,
        created_at=now,
        body=b"",
    )
    entry.body = sealing.seal_json(content, case_id=concern.pk, purpose=entry.purpose)
    entry.save()
    return entry


def entry_content(entry: Entry) -> dict:
    """The words of an entry (what `_entry` sealed), or {} once erased."""
    if entry.erased or not entry.body:
        return {}
    return sealing.open_json(entry.body, case_id=entry.concern_id, purpose=entry.purpose)


# --- Files ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Evidence:
    """A file the reporter or a handler gives, already checked (its type from its bytes)."""

    name: str
    content_type: str
    data: bytes


def _attach(concern: Concern, entry: Entry, files: list[Evidence], now) -> list[Attachment]:
    made = []
    for evidence in files:
        attachment = Attachment(concern=concern, entry=entry, created_at=now, about=b"")
        about = {
            "name": evidence.name,
            "content_type": evidence.content_type,
            "size": len(evidence.data),
        }
        attachment.about = sealing.seal_json(
            about, case_id=concern.pk, purpose=attachment.purpose + ":about"
        )
        sealed = sealing.seal(evidence.data, case_id=concern.pk, purpose=attachment.purpose)
        attachment.sealed_file.save(secrets.token_hex(16), ContentFile(sealed), save=False)
        attachment.save()
        made.append(attachment)
    return made


def attachment_about(attachment: Attachment) -> dict:
    if attachment.erased:
        return {}
    return sealing.open_json(
        attachment.about, case_id=attachment.concern_id, purpose=attachment.purpose + ":about"
    )


def attachment_bytes(attachment: Attachment) -> bytes:
    with attachment.sealed_file.open("rb") as handle:
        sealed = handle.read()
    return sealing.open_bytes(sealed, case_id=attachment.concern_id, purpose=attachment.purpose)


# --- Raising a concern ----------------------------------------------------------------------


class ReporterKind:
    CHOICES = (
        ("permanent", "Permanent employee"),
        ("temporary", "Temporary employee"),
        ("agency", "Agency worker"),
        ("seconded", "Seconded to or from another organisation"),
        ("contractor", "Contractor working for the council"),
    )
    VALUES = frozenset(value for value, _ in CHOICES)


RAISED_BEFORE = (
    ("supervisor", "My supervisor"),
    ("line_manager", "My line manager"),
    ("head_of_service", "My head of service"),
    ("someone_else", "Someone else"),
)


@dataclasses.dataclass(frozen=True)
class Answers:
    """What the reporter answered, as the check-your-answers page shows it."""

    ground: str
    what_happened: str
    when: str = ""
    where: str = ""
    who: str = ""
    evidence: str = ""
    raised_before: tuple[str, ...] = ()
    raised_before_details: str = ""
    public_interest: bool = False
    reporter_kind: str = ""
    anonymous: bool = True
    name: str = ""
    contact: str = ""
    under_policy: bool = False

    def sealed_form(self) -> dict:
        return dataclasses.asdict(self) | {"raised_before": list(self.raised_before)}


#: The answers written in words: (field, label for errors, longest allowed, required message).
TEXT_ANSWERS = (
    ("what_happened", "What happened", MAX_TEXT, NO_ACCOUNT),
    ("when", "When it happened", MAX_SHORT, ""),
    ("where", "Where it happened", MAX_SHORT, ""),
    ("who", "Who was involved", MAX_TEXT, ""),
    ("evidence", "The evidence", MAX_TEXT, ""),
    ("raised_before_details", "Who you raised it with", MAX_SHORT, ""),
    ("name", "Your name", 200, ""),
    ("contact", "How to contact you", MAX_SHORT, ""),
)


def _checked(answers: Answers) -> Answers:
    """The answers tidied, or every fault in them at once (a ValidationError by field)."""
    errors = {}
    texts = {}
    for name, label, limit, required in TEXT_ANSWERS:
        try:
            texts[name] = _text(
                getattr(answers, name), label=label, field=name, limit=limit, required=required
            )
        except ValidationError as error:
            errors.update(error.error_dict)
            texts[name] = ""
    if answers.ground not in Ground.values:
        errors["ground"] = [_refused(NO_GROUND, "required")]
    shorts = texts
    if not set(answers.raised_before) <= {value for value, _ in RAISED_BEFORE}:
        errors["raised_before"] = [_refused("Select who you raised it with", "invalid")]
    if not answers.public_interest:
        errors["public_interest"] = [_refused(NOT_PUBLIC_INTEREST, "required")]
    if answers.reporter_kind not in ReporterKind.VALUES:
        errors["reporter_kind"] = [_refused(NO_REPORTER_KIND, "required")]
    if not answers.anonymous:
        if not shorts["name"]:
            errors.setdefault("name", [_refused(NAMED_NEEDS_NAME, "required")])
        if not shorts["contact"]:
            errors.setdefault("contact", [_refused(NAMED_NEEDS_CONTACT, "required")])
    if not answers.under_policy:
        errors["under_policy"] = [_refused(NOT_UNDER_POLICY, "required")]
    if errors:
        raise ValidationError(errors)
    if answers.anonymous:
        shorts["name"] = shorts["contact"] = ""
    return dataclasses.replace(answers, **texts)


@dataclasses.dataclass(frozen=True)
class Raised:
    concern: Concern
    #: Shown once, to a reporter who does not follow the case signed in (or to the officer
    #: logging the concern for them); never stored.
    receipt_code: str | None


def raise_concern(
    *,
    answers: Answers,
    files: list[Evidence] = (),
    reporter=None,
    logged_by=None,
    channel: str = Channel.ONLINE,
    detriment_of: Concern | None = None,
    now: dt.datetime | None = None,
) -> Raised:
    """Record a concern. `reporter` is the named reporter's account (a named concern raised
    signed in, or logged on their behalf); an anonymous concern gets a receipt code instead.
    `logged_by` is the officer who logged one raised with them in person or by telephone."""
    now = now or timezone.now()
    answers = _checked(answers)
    if len(files) > MAX_FILES:
        raise _refused(TOO_MANY_FILES, "too_many_files", "files", limit=MAX_FILES)
    if logged_by is not None and not getattr(logged_by, "is_authenticated", False):
        raise _refused(NOT_LOGGER, "not_logger")
    if channel not in Channel.values or (logged_by is not None and channel == Channel.ONLINE):
        raise _refused(BAD_CHANNEL, "bad_channel", "channel")
    received_on = now.astimezone(LONDON).date()
    # A named reporter without an account here (a contractor, an agency worker) follows
    # their case with a code too; one signed in follows it with their account.
    follows_signed_in = reporter is not None and not answers.anonymous
    code = None if follows_signed_in else receipts.new_code()
    with transaction.atomic():
        concern = Concern(
            ground=answers.ground,
            route=rules.route_for(answers.ground),
            channel=channel,
            anonymous=answers.anonymous,
            received_at=now,
            acknowledge_due=rules.acknowledge_by(received_on),
            logged_by=logged_by,
            detriment_of=detriment_of,
            reporter_tag=receipts.reporter_tag(reporter) if follows_signed_in else None,
            receipt_hash=receipts.code_hash(code) if code else None,
        )
        _history_as(logged_by or REPORTER, concern)
        concern.save()
        entry = _entry(concern, EntryKind.REPORT, answers.sealed_form(), actor=REPORTER, now=now)
        _attach(concern, entry, list(files), now)
        _notify_handlers(concern, "new")
    return Raised(concern, code)


def concern_for_code(text: str) -> Concern | None:
    """The case a receipt code opens, or None (also for anything that cannot be a code,
    which is refused before hashing). The caller throttles (receipts.attempt_allowed)."""
    code = receipts.normalised(text)
    if code is None:
        return None
    return Concern.objects.filter(receipt_hash=receipts.code_hash(code)).first()


NOT_A_SCRIPT = "Only a script replaces a receipt code"
NO_CODE = "This concern is not followed with a receipt code"


def replace_receipt_code(*, concern: Concern, actor) -> str:
    """A new receipt code for a concern followed with one, returned once and never stored;
    the old code no longer opens it. For scripts only (the demo prints a code to try on every
    `make run`): nobody can show a handler that they raised an anonymous concern, so no page
    offers it."""
    if actor is not SCRIPT:
        raise _refused(NOT_A_SCRIPT, "not_allowed")
    code = receipts.new_code()
    with transaction.atomic():
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        if concern.receipt_hash is None or concern.content_erased_at:
            raise _refused(NO_CODE, "no_code")
        concern.receipt_hash = receipts.code_hash(code)
        _history_as(SCRIPT, concern)
        concern.save(update_fields=["receipt_hash", "updated_at"])
    return code


def _open_to_reporter(concern: Concern) -> None:
    if concern.content_erased_at:
        raise _refused(ERASED, "erased")


def add_information(
    *, concern: Concern, text: str, files: list[Evidence] = (), now: dt.datetime | None = None
) -> Entry:
    """The reporter adds information or replies: a message from the reporter."""
    now = now or timezone.now()
    text = _text(text, label="Your message", field="text", required=EMPTY_MESSAGE)
    if len(files) > MAX_FILES:
        raise _refused(TOO_MANY_FILES, "too_many_files", "files", limit=MAX_FILES)
    with transaction.atomic():
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        _open_to_reporter(concern)
        entry = _entry(
            concern,
            EntryKind.INFORMATION if files else EntryKind.FROM_REPORTER,
            {"text": text},
            actor=REPORTER,
            now=now,
        )
        _attach(concern, entry, list(files), now)
        if concern.reporter_waiting_since is None:
            concern.reporter_waiting_since = now
            _history_as(REPORTER, concern)
            concern.save(update_fields=["reporter_waiting_since", "updated_at"])
        _notify_handlers(concern, "reporter_wrote")
    return entry


def comment_on_meeting(*, concern: Concern, meeting: Entry, text: str, now=None) -> Entry:
    now = now or timezone.now()
    text = _text(text, label="Your comment", field="text", required=EMPTY_MESSAGE)
    if meeting.concern_id != concern.pk or meeting.kind != EntryKind.MEETING:
        raise _refused(NOT_A_MEETING, "not_a_meeting")
    with transaction.atomic():
        concern = Concern.objects.select_for_update().get(pk=concern.pk)
        _open_to_reporter(concern)
        entry = _entry(
            concern,
            EntryKind.MEETING_COMMENT,
            {"text": text, "meeting": meeting.pk},
            actor=REPORTER,
            now=now,
        )
        if concern.reporter_waiting_since is None:
            concern.reporter_waiting_since = now
            _history_as(REPORTER, concern)
            concern.save(update_fields=["reporter_waiting_since", "updated_at"])
        _notify_handlers(concern, "reporter_wrote")
    return entry


# --- Handling -------------------------------------------------------------------------------


def _for_change(concern: Concern, version, *, allow_closed=False) -> Concern:
    current = locked_current(Concern, concern.pk, version)
    if current.content_erased_at:
        raise _refused(ERASED, "erased")
    if not allow_closed and current.status == Status.CLOSED:
        raise _refused(CLOSED_CASE, "closed")
    return current


def _answered(concern: Concern, now) -> list[str]:
    """A handler wrote to the reporter: the reporter no longer waits."""
    if concern.reporter_waiting_since is not None:
        concern.reporter_waiting_since = None
        return ["reporter_waiting_since"]
    return []


def handler_name(concern: Concern) -> str:
    """Who is dealing with the concern, as the acknowledgement names them (policy 21)."""
    if concern.investigator_id:
        return concern.investigator.full_name or "an investigating officer"
    return f"the {concern.get_route_display()}"


def acknowledge(
    *, concern: Concern, summary: str, message: str = "", version, actor, now=None
) -> Concern:
    """The written acknowledgement (policy 21): received, a summary, who deals with it."""
    now = now or timezone.now()
    summary = _text(summary, label="The summary", field="summary", required=NO_SUMMARY)
    message = _text(message, label="The message", field="message")
    with transaction.atomic():
        concern = _for_change(concern, version)
        if concern.acknowledged_at:
            raise _refused(ALREADY_ACKNOWLEDGED, "already_acknowledged")
        _entry(
            concern,
            EntryKind.ACKNOWLEDGEMENT,
            {"summary": summary, "handler": handler_name(concern), "text": message},
            actor=actor,
            now=now,
        )
        concern.acknowledged_at = now
        if concern.status == Status.RECEIVED:
            concern.status = Status.ACKNOWLEDGED
        _history_as(actor, concern)
        save_next_version(concern, ["acknowledged_at", "status", *_answered(concern, now)])
        _notify_reporter(concern)
    return concern


def appoint_investigator(*, concern: Concern, investigator, version, actor, now=None) -> Concern:
    now = now or timezone.now()
    if investigator is None or not has_role(
        investigator,
        Role.INVESTIGATING_OFFICER,
        Role.MONITORING_OFFICER,
        Role.CHIEF_INTERNAL_AUDITOR,
    ):
        raise _refused(NOT_AN_INVESTIGATOR, "not_an_investigator", "investigator")
    with transaction.atomic():
        concern = _for_change(concern, version)
        concern.investigator = investigator
        _entry(
            concern,
            EntryKind.ASSIGNMENT,
            {"investigator": investigator.full_name or investigator.email},
            actor=actor,
            now=now,
        )
        _history_as(actor, concern)
        save_next_version(concern, ["investigator"])
        _notify_handlers(concern, "appointed", only=investigator)
    return concern


def reroute(*, concern: Concern, route: str, reason: str, version, actor, now=None) -> Concern:
    """Pass the concern between the Monitoring Officer and the Chief Internal Auditor."""
    now = now or timezone.now()
    if route not in Route.values:
        raise _refused(NO_ROUTE, "required", "route")
    reason = _text(reason, label="The reason", field="reason", required=NO_TRIAGE_REASON)
    with transaction.atomic():
        concern = _for_change(concern, version)
        if concern.route == route:
            raise _refused(SAME_ROUTE, "same_route", "route")
        concern.route = route
        _entry(
            concern, EntryKind.ASSIGNMENT, {"route": route, "reason": reason}, actor=actor, now=now
        )
        _history_as(actor, concern)
        save_next_version(concern, ["route"])
        _notify_handlers(concern, "new")
    return concern


TELL_REPORTER_OTHER_PROCEDURE = (
    "Your concern will be dealt with under the council's {procedure} procedure rather than the "
    "Whistleblowing Policy (paragraph 5 of the policy)."
)


def triage(
    *,
    concern: Concern,
    decision: str,
    reason: str,
    other_procedure: str = "",
    version,
    actor,
    now=None,
) -> Concern:
    """The handler's decision on what happens next, with its reason (internal). A concern
    dealt with under another procedure is told so (policy 5)."""
    now = now or timezone.now()
    if decision not in Triage.values:
        raise _refused(NO_TRIAGE, "required", "decision")
    reason = _text(reason, label="The reason", field="reason", required=NO_TRIAGE_REASON)
    if decision == Triage.OTHER_PROCEDURE and other_procedure not in OtherProcedure.values:
        raise _refused(NO_PROCEDURE, "required", "other_procedure")
    if decision != Triage.OTHER_PROCEDURE:
        other_procedure = ""
    with transaction.atomic():
        concern = _for_change(concern, version)
        concern.triage, concern.other_procedure = decision, other_procedure
        if decision == Triage.INVESTIGATE:
            concern.status = Status.INVESTIGATING
        elif decision != Triage.NO_FURTHER_ACTION:
            concern.status = Status.REFERRED
        _entry(
            concern,
            EntryKind.TRIAGE,
            {"decision": decision, "reason": reason, "other_procedure": other_procedure},
            actor=actor,
            now=now,
        )
        fields = ["triage", "other_procedure", "status"]
        if decision == Triage.OTHER_PROCEDURE:
            label = OtherProcedure(other_procedure).label.lower()
            _entry(
                concern,
                EntryKind.TO_REPORTER,
                {"text": TELL_REPORTER_OTHER_PROCEDURE.format(procedure=label)},
                actor=actor,
                now=now,
            )
            fields += _answered(concern, now)
            _notify_reporter(concern)
        _history_as(actor, concern)
        save_next_version(concern, fields)
    return concern


@dataclasses.dataclass(frozen=True)
class MeetingDetails:
    """A meeting with the reporter (policy 20)."""

    on: dt.date | None
    at: dt.time | None = None
    place: str = ""
    away_from_workplace: bool = False
    companion: str = ""
    note: str = ""


def record_meeting(*, concern: Concern, details: MeetingDetails, version, actor, now=None) -> Entry:
    now = now or timezone.now()
    if details.on is None:
        raise _refused(NO_MEETING_DATE, "required", "on")
    place = _text(
        details.place, label="The place", field="place", limit=MAX_SHORT, required=NO_PLACE
    )
    companion = _text(details.companion, label="The companion", field="companion", limit=MAX_SHORT)
    note = _text(details.note, label="The note", field="note")
    with transaction.atomic():
        concern = _for_change(concern, version)
        entry = _entry(
            concern,
            EntryKind.MEETING,
            {
                "on": details.on.isoformat(),
                "at": details.at.strftime("%H:%M") if details.at else "",
                "place": place,
                "away_from_workplace": details.away_from_workplace,
                "companion": companion,
                "note": note,
            },
            actor=actor,
            now=now,
        )
        _history_as(actor, concern)
        save_next_version(concern, _answered(concern, now))
        _notify_reporter(concern)
    return entry


def add_note(*, concern: Concern, text: str, files: list[Evidence] = (), actor, now=None) -> Entry:
    """An investigation note or evidence: internal, never shown to the reporter."""
    now = now or timezone.now()
    text = _text(text, label="The note", field="text", required="Enter the note")
    if len(files) > MAX_FILES:
        raise _refused(TOO_MANY_FILES, "too_many_files", "files", limit=MAX_FILES)
    with transaction.atomic():
        concern = _for_change(concern, ADDS_ONLY)
        entry = _entry(concern, EntryKind.NOTE, {"text": text}, actor=actor, now=now)
        _attach(concern, entry, list(files), now)
    return entry


def message_reporter(*, concern: Concern, text: str, actor, now=None) -> Entry:
    now = now or timezone.now()
    text = _text(text, label="The message", field="text", required=EMPTY_MESSAGE)
    with transaction.atomic():
        concern = _for_change(concern, ADDS_ONLY, allow_closed=True)
        entry = _entry(concern, EntryKind.TO_REPORTER, {"text": text}, actor=actor, now=now)
        fields = _answered(concern, now)
        if fields:
            _history_as(actor, concern)
            concern.save(update_fields=[*fields, "updated_at"])
        _notify_reporter(concern)
    return entry


def close(
    *,
    concern: Concern,
    outcome: str,
    findings: str,
    lessons: str,
    closing_message: str,
    version,
    actor,
    now=None,
) -> Concern:
    """Close with the outcome and findings (internal), the lessons learned (for the annual
    report, without names) and the message to the reporter (policy 22)."""
    now = now or timezone.now()
    if outcome not in Outcome.values:
        raise _refused(NO_OUTCOME, "required", "outcome")
    findings = _text(findings, label="The findings", field="findings")
    lessons = _text(lessons, label="The lessons learned", field="lessons")
    closing_message = _text(
        closing_message,
        label="The closing message",
        field="closing_message",
        required=NO_CLOSING_MESSAGE,
    )
    with transaction.atomic():
        concern = _for_change(concern, version)
        _entry(
            concern,
            EntryKind.OUTCOME,
            {"outcome": outcome, "findings": findings, "lessons": lessons},
            actor=actor,
            now=now,
        )
        _entry(concern, EntryKind.CLOSING, {"text": closing_message}, actor=actor, now=now)
        concern.status, concern.outcome, concern.closed_at = Status.CLOSED, outcome, now
        _history_as(actor, concern)
        save_next_version(concern, ["status", "outcome", "closed_at", *_answered(concern, now)])
        _notify_reporter(concern)
    return concern


def reopen(*, concern: Concern, reason: str, version, actor, now=None) -> Concern:
    now = now or timezone.now()
    reason = _text(reason, label="The reason", field="reason", required=NO_REOPEN_REASON)
    with transaction.atomic():
        concern = _for_change(concern, version, allow_closed=True)
        if concern.status != Status.CLOSED:
            raise _refused(NOT_CLOSED, "not_closed")
        _entry(concern, EntryKind.REOPENED, {"reason": reason}, actor=actor, now=now)
        concern.status, concern.outcome, concern.closed_at = Status.INVESTIGATING, "", None
        _history_as(actor, concern)
        save_next_version(concern, ["status", "outcome", "closed_at"])
    return concern


def record_opening(
    *, concern: Concern | None, reader, kind: str = OpeningKind.CASE, attachment=None
) -> None:
    """Log that a handler opened a case, a file of it, the export or the annual report."""
    CaseOpening.objects.create(concern=concern, reader=reader, kind=kind, attachment=attachment)


# --- Reminders -----------------------------------------------------------------------------


def remind_acknowledgements(*, now: dt.datetime | None = None) -> int:
    """Remind the handlers of every open concern whose written acknowledgement (policy 21)
    falls due soon or is overdue (rules.reminder_due): once before it falls due and once more
    when it is overdue, never twice for the same (Concern.reminded_at), so the command that
    calls this may run as often as it likes. Returns how many reminders were queued."""
    now = now or timezone.now()
    today = now.astimezone(LONDON).date()
    candidates = Concern.objects.open().filter(
        acknowledged_at__isnull=True,
        content_erased_at__isnull=True,
        acknowledge_due__lte=today + dt.timedelta(days=rules.REMIND_DAYS_BEFORE),
    )
    sent = 0
    for pk in candidates.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            concern = Concern.objects.select_for_update().filter(pk=pk).first()
            if concern is None or concern.acknowledged_at or not concern.is_open:
                continue
            reminded = (
                concern.reminded_at.astimezone(LONDON).date() if concern.reminded_at else None
            )
            reminder = rules.reminder_due(concern.received_on, None, reminded, today)
            if reminder is None:
                continue
            concern.reminded_at = now
            _history_as(SCRIPT, concern)
            concern.save(update_fields=["reminded_at", "updated_at"])
            _notify_handlers(concern, reminder.value)
        sent += 1
    return sent


# --- Housekeeping ---------------------------------------------------------------------------


def erase_expired_content(*, retention_days: int, now: dt.datetime | None = None) -> int:
    """Erase the words and files of concerns closed longer ago than the retention period;
    their dates, ground, status and outcome stay. Returns how many concerns were erased."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days)
    erased = 0
    for concern in Concern.objects.filter(
        status=Status.CLOSED, closed_at__lt=cutoff, content_erased_at__isnull=True
    ):
        with transaction.atomic():
            for attachment in Attachment.objects.filter(concern=concern, erased=False):
                attachment.sealed_file.delete(save=False)
                attachment.about, attachment.erased, attachment.sealed_file = b"", True, ""
                attachment.save(update_fields=["about", "erased", "sealed_file"])
            Entry.objects.filter(concern=concern).update(body=b"", erased=True)
            concern.content_erased_at = now
            concern.receipt_hash = None
            concern.reporter_tag = None
            _history_as(SCRIPT, concern)
            concern.save(
                update_fields=["content_erased_at", "receipt_hash", "reporter_tag", "updated_at"]
            )
            # The history keeps copies of the links to the reporter: they go too.
            concern.history.update(receipt_hash=None, reporter_tag=None)
        erased += 1
    return erased


def reseal_all(*, batch: int = 500) -> int:
    """Move every sealed value onto the current key (after a new key is put first in
    WHISTLEBLOWING_KEYS). Returns how many values were resealed."""
    moved = 0
    for entry in Entry.objects.filter(erased=False).iterator(chunk_size=batch):
        if entry.body and sealing.needs_resealing(entry.body):
            entry.body = sealing.reseal(entry.body, case_id=entry.concern_id, purpose=entry.purpose)
            entry.save(update_fields=["body"])
            moved += 1
    for attachment in Attachment.objects.filter(erased=False).iterator(chunk_size=batch):
        purpose = attachment.purpose
        if sealing.needs_resealing(attachment.about):
            attachment.about = sealing.reseal(
                attachment.about, case_id=attachment.concern_id, purpose=purpose + ":about"
            )
            attachment.save(update_fields=["about"])
            moved += 1
        with attachment.sealed_file.open("rb") as handle:
            sealed = handle.read()
        if sealing.needs_resealing(sealed):
            fresh = sealing.reseal(sealed, case_id=attachment.concern_id, purpose=purpose)
            old_name = attachment.sealed_file.name
            attachment.sealed_file.save(secrets.token_hex(16), ContentFile(fresh), save=True)
            attachment.sealed_file.storage.delete(old_name)
            moved += 1
    return moved


# --- The annual report (policy 29) ---------------------------------------------------------

NOT_MONITORING_OFFICER = "Only the Monitoring Officer makes the annual report"
YEAR_NOT_BEGUN = "Choose a year that has begun"
NOT_A_REPORT_MEETING = "Choose a meeting of the %(committee)s that is still to come"
ALREADY_PLACED = "The whistleblowing annual report for %(year)s is already on this meeting's agenda"


@dataclasses.dataclass(frozen=True)
class PlacedReport:
    """Where the annual report went: the committees app's report, agenda item and file."""

    paper: "Paper"
    item: "AgendaItem"
    document: "Document"


def report_meetings(*, now: dt.datetime | None = None):
    """The meetings the annual report may go to: the Audit and Procurement Committee's to
    come (policy 27 and 29), through the committees app's queries."""
    from committees.queries import manage as committee_queries

    return committee_queries.upcoming_meetings_of(rules.REPORTED_TO, now=now)


def place_annual_report(
    *, year_start: dt.date, meeting, actor, now: dt.datetime | None = None
) -> PlacedReport:
    """Put the annual report for the council's year from `year_start` on `meeting`'s agenda
    (a meeting of the Audit and Procurement Committee still to come), through the committees
    app's services, as Governance Services would: a new agenda item, a public report on it
    and the report's PDF (whistleblowing.report_pdf). The clerk's rules apply: an agenda
    already published takes the report only once it has its approvals, so it is refused
    there, whole. Opening the lessons learned is logged as an opening of the annual
    report."""
    from committees.models import ConsultationRole, DocumentKind
    from portal_kit.templatetags.portal_kit import full_day
    from whistleblowing import queries, report_pdf

    now = now or timezone.now()
    today = now.astimezone(LONDON).date()
    if actor is not SCRIPT and not has_role(actor, Role.MONITORING_OFFICER):
        raise _refused(NOT_MONITORING_OFFICER, "not_allowed")
    first, _ = rules.financial_year(year_start)
    if first > today:
        raise _refused(YEAR_NOT_BEGUN, "year_not_begun", "year")
    meeting = report_meetings(now=now).filter(pk=getattr(meeting, "pk", None)).first()
    if meeting is None:
        raise _refused(
            NOT_A_REPORT_MEETING, "not_a_report_meeting", "meeting", committee=rules.REPORTED_TO
        )
    report = queries.annual_report(first, today=today)
    meeting_day = meeting.start.astimezone(LONDON).date()
    pdf = report_pdf.render(report, meeting_line=f"{meeting.title}, {full_day(meeting_day)}")
    author = "" if actor is SCRIPT else (actor.full_name or "")
    with transaction.atomic():
        if actor is not SCRIPT:
            record_opening(concern=None, reader=actor, kind=OpeningKind.REPORT)
        item = committee_services.add_agenda_item(
            meeting=meeting,
            details=committee_services.AgendaItemDetails(
                title=report.title, lead=report_pdf.AUTHOR
            ),
            actor=actor,
        )
        try:
            paper = committee_services.create_paper(
                details=committee_services.PaperDetails(
                    reference=f"WB-AR-{first.year}-{meeting_day:%Y%m%d}",
                    title=report.title,
                    date=meeting_day,
                    author_name=author or "Monitoring Officer",
                    author_job_title="Monitoring Officer",
                    wards_affected="Not applicable",
                    executive_summary=report_pdf.purpose(report),
                    is_public=True,
                ),
                item=item,
                role=ConsultationRole.NOTING,
                recommendation=report_pdf.RECOMMENDATION,
                actor=actor,
            )
        except ValidationError as error:
            taken = getattr(error, "error_dict", {}).get("reference", [])
            if any(e.code == "reference_taken" for e in taken):
                raise _refused(
                    ALREADY_PLACED, "already_placed", "meeting", year=report.year_name
                ) from None
            raise
        document = committee_services.upload_document(
            uploaded_file=SimpleUploadedFile(
                f"whistleblowing-annual-report-{report.year_name.replace('/', '-')}.pdf",
                pdf,
                content_type="application/pdf",
            ),
            kind=DocumentKind.REPORT,
            title=report.title,
            paper=paper,
            actor=actor,
        )
    return PlacedReport(paper=paper, item=item, document=document)


# --- Notices --------------------------------------------------------------------------------


def _notify_handlers(concern: Concern, reason: str, *, only=None) -> None:
    from whistleblowing import tasks

    concern_id, only_id = concern.pk, getattr(only, "pk", None)
    transaction.on_commit(lambda: tasks.notify_handlers.enqueue(concern_id, reason, only_id))


def _notify_reporter(concern: Concern) -> None:
    if concern.anonymous:
        return  # an anonymous reporter is told nothing: they come back with their code
    from whistleblowing import tasks

    concern_id = concern.pk
    transaction.on_commit(lambda: tasks.notify_reporter.enqueue(concern_id))


def contact_address(concern: Concern) -> str:
    """The e-mail address a named reporter gave, if what they gave is one."""
    from django.core.validators import validate_email

    report = concern.entries.filter(kind=EntryKind.REPORT).first()
    contact = entry_content(report).get("contact", "") if report else ""
    try:
        validate_email(contact)
    except ValidationError:
        return ""
    return contact


__all__ = [
    "REPORTER",
    "SCRIPT",
    "Answers",
    "Evidence",
    "MeetingDetails",
    "PlacedReport",
    "Raised",
    "acknowledge",
    "add_information",
    "add_note",
    "appoint_investigator",
    "close",
    "comment_on_meeting",
    "concern_for_code",
    "erase_expired_content",
    "message_reporter",
    "place_annual_report",
    "raise_concern",
    "record_meeting",
    "record_opening",
    "remind_acknowledgements",
    "reopen",
    "replace_receipt_code",
    "reroute",
    "reseal_all",
    "triage",
]
