# `random` makes reproducible data, not secrets (S311 is off for all of bench/); the SQL here
# is built from model table names only.
# ruff: noqa: S608
"""Council-scale whistleblowing data for the benchmark: `generate(scale=1, seed=1)`, run by
`python -m bench.volume` after the committees' generator (bench/volume/__init__.py).

At scale 1, 40 concerns a year for 15 years (600), raised over the years up to the anchor
date, each with what the services would have written by then: the reporter's answers, the
acknowledgement, an investigator appointed, the triage decision, messages both ways, notes,
meetings with the reporter, the outcome and the closing message, files given as evidence,
complaints of detriment linked to earlier concerns, and the log of openings. Scale N is N
times as many concerns a year (a fraction gives a tiny register for tests). The recent ones
are in every state (received, acknowledged, under investigation, referred, closed; some
acknowledgements overdue); those closed longer ago than WHISTLEBLOWING_RETENTION_DAYS have
lost their content, as `erase_expired_concerns` leaves them.

Every word is sealed as the services seal it (whistleblowing.sealing, bound to its case and
purpose, under the keys of the environment the benchmark's servers use), so the case pages
open real sealed values. What it leaves out, on purpose:
- Receipt codes: Argon2id takes ~25 ms a code, minutes at scale 10, so a concern followed
  with a code holds 32 random bytes where the hash would be: unique, and opened by no code.
  (The benchmark's submission measures the hashing.)
- History rows (django-simple-history): nobody changed these rows.
- Files: each is a sealed copy of one small PDF (sealing binds it to its entry, so every
  file is written), stored as the services store them.

The same seed and anchor give the same rows, save the nonces of the sealed values (fresh for
each seal, as always). Ids are assigned here, so the tables must start empty; the sequences
are moved past them at the end.
"""

import dataclasses
import datetime as dt
import math
import random
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction

from bench.volume import VolumeError
from organisation.models import User
from organisation.roles import Role, group_name
from portal_kit.time import LONDON
from whistleblowing import rules, sealing
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
    Status,
    Triage,
)

CONCERNS_PER_YEAR = 40
YEARS = 15
INVESTIGATORS_PER_COUNCIL = 8
BATCH = 2000

NOT_EMPTY = (
    "The database already holds whistleblowing concerns: bench.volume fills an empty "
    "database (create a fresh one and migrate it first)"
)

GROUNDS = (
    (Ground.CRIMINAL_OFFENCE, 25),
    (Ground.LEGAL_OBLIGATION, 20),
    (Ground.HEALTH_AND_SAFETY, 18),
    (Ground.ENVIRONMENT, 5),
    (Ground.MISCARRIAGE_OF_JUSTICE, 2),
    (Ground.CONCEALMENT, 3),
    (Ground.FRAUD, 22),
    (Ground.NOT_SURE, 5),
)
CHANNELS = (
    (Channel.ONLINE, 80),
    (Channel.IN_PERSON, 8),
    (Channel.TELEPHONE, 8),
    (Channel.IN_WRITING, 4),
)
TRIAGE = (
    (Triage.INVESTIGATE, 55),
    (Triage.OTHER_PROCEDURE, 15),
    (Triage.REFER_POLICE, 3),
    (Triage.REFER_EXTERNAL_AUDITOR, 3),
    (Triage.REFER_PRESCRIBED_BODY, 4),
    (Triage.NO_FURTHER_ACTION, 20),
)
OUTCOMES = {
    Triage.INVESTIGATE: (
        (Outcome.SUBSTANTIATED, 35),
        (Outcome.PARTLY_SUBSTANTIATED, 30),
        (Outcome.NOT_SUBSTANTIATED, 35),
    ),
    Triage.NO_FURTHER_ACTION: ((Outcome.NO_FURTHER_ACTION, 1),),
}
PLACES = [
    "the highways depot",
    "the Council House",
    "a care home",
    "the central library",
    "a school kitchen",
    "the waste transfer station",
    "the planning office",
    "the housing repairs team",
    "a leisure centre",
    "the parking office",
]
PEOPLE = [
    "a supervisor",
    "the team manager",
    "two drivers",
    "a contractor's site manager",
    "an agency worker",
    "the service's finance officer",
    "a head of service",
    "nobody I can name",
]
WHAT = [
    "Timesheets are signed for hours that were not worked.",
    "Waste is tipped where it should not be.",
    "A safety check is recorded but was never done.",
    "Cash is kept for weeks before it is banked.",
    "Contracts are split to stay under the tender threshold.",
    "Complaints are closed without being looked at to meet a target.",
    "Fuel cards are used for private cars.",
    "Records were changed after an inspection was announced.",
]
LESSONS = [
    "Two people should count and bank cash at every site.",
    "Targets should count visits made, not only cases closed.",
    "Orders under the tender threshold should be checked for splitting.",
    "New starters and agency workers should be told how to raise a concern.",
    "Risk assessments should be reviewed when working hours change.",
    "",
]


@dataclasses.dataclass
class Summary:
    scale: float
    seed: int
    anchor: dt.date
    counts: dict
    seconds: float
    phases: dict

    def lines(self) -> list[str]:
        out = [
            f"Generated whistleblowing scale {self.scale:g} (seed {self.seed}, anchor "
            f"{self.anchor}) in {self.seconds:.1f} s"
        ]
        out += [f"  {name}: {count:,}" for name, count in self.counts.items()]
        out += [f"  {name}: {seconds:.1f} s" for name, seconds in self.phases.items()]
        return out


def _evidence_pdf() -> bytes:
    from committees.documents import new_pdf, pdf_safe

    pdf = new_pdf("Evidence")
    pdf.set_creation_date(dt.datetime(2017, 4, 13, tzinfo=dt.UTC))
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 8, pdf_safe("Generated evidence for the benchmark: a page of a log."))
    return bytes(pdf.output())


@dataclasses.dataclass
class Handlers:
    monitoring_officers: list[int]
    auditors: list[int]
    investigators: list[int]


def _handlers(blocks: int) -> Handlers:
    """The people who handle the generated concerns: a Monitoring Officer, a Chief Internal
    Auditor and investigating officers per council's worth (unusable passwords: the
    benchmark signs in with accounts of its own)."""
    specs = []
    for b in range(blocks):
        specs.append((f"bench.wb-monitoring-officer-{b}@volume.example", Role.MONITORING_OFFICER))
        specs.append((f"bench.wb-chief-auditor-{b}@volume.example", Role.CHIEF_INTERNAL_AUDITOR))
        specs += [
            (f"bench.wb-investigator-{b}-{n}@volume.example", Role.INVESTIGATING_OFFICER)
            for n in range(INVESTIGATORS_PER_COUNCIL)
        ]
    unusable = make_password(None)
    existing = set(
        User.objects.filter(email__in=[e for e, _ in specs]).values_list("email", flat=True)
    )
    User.objects.bulk_create(
        [
            User(
                email=email,
                full_name=f"{group_name(role)} {email.split('-')[-1].split('@')[0]}",
                job_title=group_name(role),
                password=unusable,
            )
            for email, role in specs
            if email not in existing
        ]
    )
    ids = dict(User.objects.filter(email__in=[e for e, _ in specs]).values_list("email", "pk"))
    groups = {g.name: g.pk for g in Group.objects.all()}
    Membership = User.groups.through
    Membership.objects.bulk_create(
        [
            Membership(user_id=ids[email], group_id=groups[group_name(role)])
            for email, role in specs
        ],
        ignore_conflicts=True,
    )
    by_role = {role: [ids[e] for e, r in specs if r == role] for _, role in specs}
    return Handlers(
        monitoring_officers=by_role[Role.MONITORING_OFFICER],
        auditors=by_role[Role.CHIEF_INTERNAL_AUDITOR],
        investigators=by_role[Role.INVESTIGATING_OFFICER],
    )


class Builder:
    """Builds the rows in memory, ids assigned in order, every word sealed."""

    def __init__(self, *, rng: random.Random, anchor: dt.date, handlers: Handlers, evidence):
        self.rng = rng
        self.anchor = anchor
        self.now = dt.datetime.combine(anchor, dt.time(9), tzinfo=LONDON)
        self.handlers = handlers
        self.evidence = evidence
        self.retention = dt.timedelta(days=settings.WHISTLEBLOWING_RETENTION_DAYS)
        self.concerns: list[Concern] = []
        self.entries: list[Entry] = []
        self.attachments: list[Attachment] = []
        self.openings: list[CaseOpening] = []
        self.files: list[tuple[str, bytes]] = []
        self.closed: list[Concern] = []

    def pick(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    # --- One concern --------------------------------------------------------------------

    def concern(self, received: dt.datetime, *, stage: str = "") -> None:
        """One concern raised at `received`, and what happened to it until the anchor. The
        newest few stop at a `stage` ("received": not acknowledged; "acknowledged": not yet
        triaged), so the register has concerns awaiting acknowledgement, overdue and
        awaiting a decision at any scale."""
        rng = self.rng
        pk = len(self.concerns) + 1
        ground = self.pick(GROUNDS)
        channel = self.pick(CHANNELS)
        anonymous = rng.random() < 0.55
        fraud = ground == Ground.FRAUD
        director = rng.choice(
            self.handlers.auditors if fraud else self.handlers.monitoring_officers
        )
        detriment_of = None
        if self.closed and rng.random() < 0.02:
            detriment_of = rng.choice(self.closed[-50:])
        received_on = received.astimezone(LONDON).date()
        concern = Concern(
            pk=pk,
            ground=ground,
            route=rules.route_for(ground),
            channel=channel,
            anonymous=anonymous,
            received_at=received,
            acknowledge_due=rules.acknowledge_by(received_on),
            logged_by_id=None if channel == Channel.ONLINE else director,
            detriment_of_id=detriment_of.pk if detriment_of else None,
            receipt_hash=secrets.token_bytes(32),
            created_at=received,
            updated_at=received,
        )
        self.concerns.append(concern)
        events = []  # (when, kind, author id or None, content, files)
        what = rng.choice(WHAT)
        answers = {
            "ground": ground,
            "what_happened": f"{what} It has happened at {rng.choice(PLACES)} "
            f"{rng.randint(2, 30)} times that I know of.",
            "when": f"Since {rng.choice(['January', 'the spring', 'last year', 'the summer'])}",
            "where": rng.choice(PLACES),
            "who": rng.choice(PEOPLE),
            "evidence": "",
            "raised_before": rng.choice([[], ["supervisor"], ["line_manager"]]),
            "raised_before_details": "",
            "public_interest": True,
            "reporter_kind": rng.choice(["permanent", "temporary", "agency", "contractor"]),
            "anonymous": anonymous,
            "name": "" if anonymous else f"Reporter {pk}",
            "contact": "" if anonymous else f"reporter{pk}@volume.example",
            "under_policy": True,
        }
        files = rng.choices([0, 1, 2], weights=[70, 22, 8])[0]
        events.append((received, EntryKind.REPORT, None, answers, files))

        def at(after: dt.datetime, low: float, high: float) -> dt.datetime:
            return after + dt.timedelta(days=rng.uniform(low, high))

        acknowledged = None
        late = rng.random() < 0.12
        ack_at = at(received, 7.5, 20) if late else at(received, 0.2, 6.5)
        if ack_at <= self.now and stage != "received":
            acknowledged = ack_at
            events.append(
                (
                    ack_at,
                    EntryKind.ACKNOWLEDGEMENT,
                    director,
                    {"summary": what, "handler": "The Monitoring Officer", "text": ""},
                    0,
                )
            )
        investigator = None
        triage_value, procedure, outcome, closed_at = "", "", "", None
        last = ack_at
        if acknowledged and rng.random() < 0.55:
            investigator = rng.choice(self.handlers.investigators)
            events.append(
                (ack_at, EntryKind.ASSIGNMENT, director, {"investigator": "An officer"}, 0)
            )
        triage_at = at(ack_at, 0, 6)
        if acknowledged and triage_at <= self.now and stage != "acknowledged":
            triage_value = self.pick(TRIAGE)
            procedure = (
                rng.choice(OtherProcedure.values) if triage_value == Triage.OTHER_PROCEDURE else ""
            )
            events.append(
                (
                    triage_at,
                    EntryKind.TRIAGE,
                    director,
                    {
                        "decision": triage_value,
                        "reason": "Generated.",
                        "other_procedure": procedure,
                    },
                    0,
                )
            )
            last = triage_at
            handler = investigator or director
            for n in range(rng.choices([0, 1, 2, 3, 4], weights=[25, 25, 25, 15, 10])[0]):
                when = at(last, 1, 12)
                if when > self.now:
                    break
                to_reporter = n % 2 == 0
                events.append(
                    (
                        when,
                        EntryKind.TO_REPORTER if to_reporter else EntryKind.FROM_REPORTER,
                        handler if to_reporter else None,
                        {"text": "A question about the dates." if to_reporter else "The answer."},
                        0,
                    )
                )
                last = when
            if triage_value == Triage.INVESTIGATE:
                if rng.random() < 0.2 and at(last, 2, 10) <= self.now:
                    last = at(last, 2, 10)
                    events.append(
                        (
                            last,
                            EntryKind.MEETING,
                            handler,
                            {
                                "on": last.date().isoformat(),
                                "at": "17:30",
                                "place": "A meeting room away from the workplace",
                                "away_from_workplace": True,
                                "companion": "A trade union representative",
                                "note": "Went through the account.",
                            },
                            0,
                        )
                    )
                for _ in range(rng.choices([0, 1, 2, 3], weights=[20, 40, 25, 15])[0]):
                    when = at(last, 1, 20)
                    if when > self.now:
                        break
                    events.append(
                        (
                            when,
                            EntryKind.NOTE,
                            handler,
                            {"text": "Checked the records."},
                            rng.choices([0, 1], weights=[80, 20])[0],
                        )
                    )
                    last = when
            close_at = at(last, 5, 90)
            # Referred concerns mostly close once the other procedure or body has them.
            if close_at <= self.now and (triage_value in OUTCOMES or rng.random() < 0.9):
                outcomes = OUTCOMES.get(triage_value, ((Outcome.DEALT_WITH_ELSEWHERE, 1),))
                outcome = self.pick(outcomes)
                closed_at = close_at
                events.append(
                    (
                        close_at,
                        EntryKind.OUTCOME,
                        director,
                        {
                            "outcome": outcome,
                            "findings": "Generated findings.",
                            "lessons": rng.choice(LESSONS),
                        },
                        0,
                    )
                )
                events.append(
                    (close_at, EntryKind.CLOSING, director, {"text": "The process is complete."}, 0)
                )
        concern.acknowledged_at = acknowledged
        concern.investigator_id = investigator
        concern.triage, concern.other_procedure = triage_value, procedure
        concern.outcome, concern.closed_at = outcome, closed_at
        if closed_at:
            concern.status = Status.CLOSED
        elif triage_value == Triage.INVESTIGATE:
            concern.status = Status.INVESTIGATING
        elif triage_value and triage_value != Triage.NO_FURTHER_ACTION:
            concern.status = Status.REFERRED
        elif acknowledged:
            concern.status = Status.ACKNOWLEDGED
        else:
            concern.status = Status.RECEIVED
        if events[-1][1] == EntryKind.FROM_REPORTER:
            concern.reporter_waiting_since = events[-1][0]
        erased = closed_at is not None and closed_at < self.now - self.retention
        if erased:
            concern.content_erased_at = closed_at + self.retention
            concern.receipt_hash = None
        elif closed_at:
            self.closed.append(concern)
        concern.updated_at = max(e[0] for e in events)
        for when, kind, author, content, n_files in events:
            self.entry(concern, when, kind, author, content, n_files, erased=erased)
        if not erased:
            readers = [director] + ([investigator] if investigator else [])
            for _ in range(rng.randint(1, 6)):
                opened = at(received, 0, max(1.0, (min(self.now, last) - received).days))
                if opened <= self.now:
                    self.openings.append(
                        CaseOpening(
                            pk=len(self.openings) + 1,
                            concern_id=pk,
                            reader_id=rng.choice(readers),
                            kind=OpeningKind.CASE,
                            opened_at=opened,
                        )
                    )

    def entry(self, concern, when, kind, author, content, n_files, *, erased):
        entry = Entry(
            pk=len(self.entries) + 1,
            concern_id=concern.pk,
            kind=kind,
            author_id=author,
            by_reporter=author is None,
            created_at=when,
            erased=erased,
            body=b"",
        )
        if not erased:
            entry.body = sealing.seal_json(content, case_id=concern.pk, purpose=entry.purpose)
        self.entries.append(entry)
        for n in range(n_files):
            attachment = Attachment(
                pk=len(self.attachments) + 1,
                concern_id=concern.pk,
                entry_id=entry.pk,
                created_at=when,
                erased=erased,
                about=b"",
                sealed_file="",
            )
            if not erased:
                about = {
                    "name": f"evidence {n + 1}.pdf",
                    "content_type": "application/pdf",
                    "size": len(self.evidence),
                }
                attachment.about = sealing.seal_json(
                    about, case_id=concern.pk, purpose=attachment.purpose + ":about"
                )
                name = f"whistleblowing/{concern.pk}/{secrets.token_hex(16)}"
                attachment.sealed_file = name
                self.files.append(
                    (
                        name,
                        sealing.seal(self.evidence, case_id=concern.pk, purpose=attachment.purpose),
                    )
                )
            self.attachments.append(attachment)


def _received_times(rng: random.Random, n: int, first: dt.date, anchor: dt.date):
    """`n` moments spread over the days from `first` to the day before `anchor`, in order,
    mostly in working hours."""
    days = (anchor - first).days
    out = []
    for _ in range(n):
        day = first + dt.timedelta(days=rng.randrange(days))
        hour = rng.choices([rng.randint(8, 17), rng.randint(18, 23)], weights=[80, 20])[0]
        out.append(dt.datetime.combine(day, dt.time(hour, rng.randrange(60)), tzinfo=LONDON))
    return sorted(out)


def _reset_sequences(cursor, models) -> None:
    for model in models:
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f'COALESCE((SELECT max(id) FROM "{table}"), 0) + 1, false)'
        )


def generate(
    *,
    scale: float,
    seed: int = 1,
    anchor: dt.date | None = None,
    jobs: int = 1,
    vacuum: bool = False,
    log: Callable[[str], None] = lambda line: None,
) -> Summary:
    """Fill the (empty) whistleblowing tables with `scale` councils' worth of concerns over
    15 years. Returns what was written and how long each phase took."""
    if not scale > 0:
        raise VolumeError("The scale must be more than 0")
    from django.utils import timezone

    anchor = anchor or timezone.localdate()
    if Concern.objects.exists() or Entry.objects.exists():
        raise VolumeError(NOT_EMPTY)
    started = time.perf_counter()
    phases: dict[str, float] = {}

    def phase(name):
        now = time.perf_counter()
        phases[name] = now - phase.last
        phase.last = now
        log(f"{name}: {phases[name]:.1f} s")

    phase.last = started
    rng = random.Random(f"whistleblowing:{seed}")
    handlers = _handlers(math.ceil(scale))
    builder = Builder(rng=rng, anchor=anchor, handlers=handlers, evidence=_evidence_pdf())
    total = max(1, round(CONCERNS_PER_YEAR * YEARS * scale))
    first = anchor - dt.timedelta(days=round(YEARS * 365.25))
    times = _received_times(rng, total, first, anchor)
    tail = max(1, round(3 * scale))
    for n, received in enumerate(times):
        left = len(times) - n
        builder.concern(
            received,
            stage="received" if left <= tail else "acknowledged" if left <= 2 * tail else "",
        )
    phase("concerns built and sealed")
    for name, content in builder.files:
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:
            raise VolumeError(f"Could not store {name} (stored as {saved})")
    phase("sealed files stored")
    with transaction.atomic():
        Concern.objects.bulk_create(builder.concerns, batch_size=BATCH)
        Entry.objects.bulk_create(builder.entries, batch_size=BATCH)
        Attachment.objects.bulk_create(builder.attachments, batch_size=BATCH)
        CaseOpening.objects.bulk_create(builder.openings, batch_size=BATCH)
        with connection.cursor() as cursor:
            _reset_sequences(cursor, (Concern, Entry, Attachment, CaseOpening))
    phase("rows written")
    if vacuum and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            for model in (Concern, Entry, Attachment, CaseOpening):
                cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
        phase("vacuum and analyse")
    counts = {
        "whistleblowing concerns": len(builder.concerns),
        "concern entries (sealed)": sum(1 for e in builder.entries if not e.erased),
        "concern entries (erased)": sum(1 for e in builder.entries if e.erased),
        "concern files": sum(1 for a in builder.attachments if not a.erased),
        "case openings": len(builder.openings),
        "whistleblowing handlers": len(handlers.monitoring_officers)
        + len(handlers.auditors)
        + len(handlers.investigators),
    }
    return Summary(
        scale=scale,
        seed=seed,
        anchor=anchor,
        counts=counts,
        seconds=time.perf_counter() - started,
        phases=phases,
    )
