"""Every read the whistleblowing pages need, each a fixed number of queries, and never more
rows opened (unsealed) than a page shows: the register opens none."""

import dataclasses
import datetime as dt

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Aggregate, Count, F, FloatField, Func, IntegerField, Q
from django.db.models.functions import TruncDate

from organisation.roles import Role, group_name
from portal_kit.templatetags.portal_kit import clock, day
from portal_kit.time import LONDON
from whistleblowing import receipts, rules, services
from whistleblowing.models import (
    SHARED_KINDS,
    Attachment,
    CaseOpening,
    Concern,
    Entry,
    EntryKind,
    Ground,
    OtherProcedure,
    Outcome,
    Route,
    Status,
    Triage,
)
from whistleblowing.policies import concerns as policy


def concern_for_notice(concern_id: int) -> Concern | None:
    return Concern.objects.select_related("investigator").filter(pk=concern_id).first()


def handlers_to_notify(concern: Concern, *, only_id: int | None = None):
    """Who is told that a case needs them: the appointed investigator, else the holders of
    the role the concern is routed to (the Monitoring Officer also for fraud, since they keep
    the register)."""
    users = get_user_model().objects.filter(is_active=True)
    if only_id is not None:
        return users.filter(pk=only_id)
    if concern.investigator_id:
        return users.filter(pk=concern.investigator_id)
    roles = [Role.MONITORING_OFFICER]
    if concern.route == Route.CHIEF_INTERNAL_AUDITOR:
        roles.append(Role.CHIEF_INTERNAL_AUDITOR)
    return users.filter(groups__name__in=[group_name(role) for role in roles]).distinct()


def register(user, *, filters: dict | None = None):
    """The register's rows the user may see, newest first: no content, nothing unsealed."""
    rows = policy.instances_for(user, "register").select_related("investigator")
    filters = filters or {}
    for field in ("ground", "status", "route"):
        if filters.get(field):
            rows = rows.filter(**{field: filters[field]})
    return rows


@dataclasses.dataclass(frozen=True)
class TimelineEntry:
    entry: Entry
    content: dict
    files: list[tuple[Attachment, dict]]


def timeline(concern: Concern, *, reporter_view: bool) -> list[TimelineEntry]:
    """The case's entries, unsealed (two queries): the reporter sees only what is shared."""
    entries = Entry.objects.filter(concern=concern).select_related("author")
    if reporter_view:
        entries = entries.filter(kind__in=SHARED_KINDS)
    entries = list(entries)
    files: dict[int, list] = {}
    for attachment in Attachment.objects.filter(entry__in=[e.pk for e in entries]):
        files.setdefault(attachment.entry_id, []).append(
            (attachment, services.attachment_about(attachment))
        )
    return [
        TimelineEntry(entry, services.entry_content(entry), files.get(entry.pk, []))
        for entry in entries
    ]


# --- The handlers' pages: the register, a case, the log of its openings ----------------------

REGISTER_PER_PAGE = 50
OPENINGS_PER_PAGE = 50
#: What the register and the case page never load: the links to the reporter.
IDENTITY_FIELDS = ("reporter_tag", "receipt_hash")


def register_page(user, *, filters: dict, page_number, today):
    """A page of the register the user may see, newest first, with the filters applied
    (`overdue`: acknowledgements overdue on `today`): two queries, the count and the rows
    with their handler, whatever the number of concerns; nothing unsealed."""
    rows = register(user, filters=filters).defer(*IDENTITY_FIELDS)
    if filters.get("overdue"):
        rows = rows.acknowledgement_overdue(today)
    return Paginator(rows.order_by("-received_at", "-pk"), REGISTER_PER_PAGE).get_page(page_number)


def register_export(user):
    """Every concern of the register, for the Monitoring Officer's export: one query,
    nothing unsealed (the export's columns are the register's)."""
    return list(
        policy.instances_for(user, "export")
        .select_related("investigator")
        .defer(*IDENTITY_FIELDS)
        .order_by("-received_at", "-pk")
    )


def case_queryset():
    """A concern with what its page shows beside the timeline: who deals with it, who logged
    it, and the concern a complaint of detriment is about (one query)."""
    return Concern.objects.select_related("investigator", "logged_by", "detriment_of").defer(
        *IDENTITY_FIELDS
    )


def detriments_of(user, concern: Concern) -> list[Concern]:
    """The complaints of detriment or victimisation (policy 23, 25) linked to the concern that
    the user may open: one query."""
    return list(
        policy.instances_for(user, "open")
        .filter(detriment_of=concern)
        .only("pk", "received_at")
        .order_by("received_at", "pk")
    )


@dataclasses.dataclass(frozen=True)
class CaseEntry:
    """One entry of a case's timeline as its page shows it: what it is, who wrote it, its
    details as (label, value) pairs, its words, and its files with what they are."""

    entry: Entry
    title: str
    by: str
    details: list[tuple[str, str]]
    text: str
    files: list[tuple[Attachment, dict]]


def _label(choices, value) -> str:
    return dict(choices).get(value, value or "")


def _yes_no(value) -> str:
    return "Yes" if value else "No"


def _report_details(content: dict) -> tuple[list[tuple[str, str]], str]:
    raised_before = ", ".join(
        _label(services.RAISED_BEFORE, value) for value in content.get("raised_before", [])
    )
    details = [
        ("What it is about", _label(Ground.choices, content.get("ground"))),
        ("When", content.get("when", "")),
        ("Where", content.get("where", "")),
        ("Who was involved", content.get("who", "")),
        ("Evidence", content.get("evidence", "")),
        ("Raised before with", raised_before),
        ("Who they raised it with", content.get("raised_before_details", "")),
        (
            "Works for the council as",
            _label(services.ReporterKind.CHOICES, content.get("reporter_kind")),
        ),
        ("Named or anonymous", "Anonymous" if content.get("anonymous", True) else "Named"),
        ("Name", content.get("name", "")),
        ("How to contact them", content.get("contact", "")),
        ("Believes it is in the public interest", _yes_no(content.get("public_interest"))),
        ("Raised under the Whistleblowing Policy", _yes_no(content.get("under_policy"))),
    ]
    return details, content.get("what_happened", "")


def _entry_details(entry: Entry, content: dict) -> tuple[list[tuple[str, str]], str]:
    """(details, words) of an entry, by its kind."""
    kind = entry.kind
    if kind == EntryKind.REPORT:
        return _report_details(content)
    if kind == EntryKind.ACKNOWLEDGEMENT:
        return (
            [
                ("Summary", content.get("summary", "")),
                ("Dealt with by", content.get("handler", "")),
            ],
            content.get("text", ""),
        )
    if kind == EntryKind.ASSIGNMENT:
        if "route" in content:
            return [("Passed to", _label(Route.choices, content["route"]))], content.get(
                "reason", ""
            )
        return [("Investigating officer", content.get("investigator", ""))], ""
    if kind == EntryKind.TRIAGE:
        details = [("Decision", _label(Triage.choices, content.get("decision")))]
        if content.get("other_procedure"):
            details.append(
                ("Procedure", _label(OtherProcedure.choices, content["other_procedure"]))
            )
        return details, content.get("reason", "")
    if kind == EntryKind.MEETING:
        on = content.get("on", "")
        details = [
            ("Date", day(dt.date.fromisoformat(on)) if on else ""),
            ("Time", clock(dt.time.fromisoformat(content["at"])) if content.get("at") else ""),
            ("Place", content.get("place", "")),
            ("Away from the workplace", _yes_no(content.get("away_from_workplace"))),
            ("Accompanied by", content.get("companion", "")),
        ]
        return details, content.get("note", "")
    if kind == EntryKind.OUTCOME:
        return (
            [
                ("Outcome", _label(Outcome.choices, content.get("outcome"))),
                ("Lessons learned", content.get("lessons", "")),
            ],
            content.get("findings", ""),
        )
    if kind == EntryKind.REOPENED:
        return [], content.get("reason", "")
    return [], content.get("text", "")


def _by(entry: Entry) -> str:
    if entry.by_reporter:
        return "The reporter"
    if entry.author_id:
        return entry.author.full_name or entry.author.email
    return "The portal"


def case_timeline(concern: Concern) -> list[CaseEntry]:
    """The case's whole timeline as the handler's page shows it (queries.timeline: two
    queries, every entry and every file's description unsealed, no file's bytes)."""
    rows = []
    for item in timeline(concern, reporter_view=False):
        details, text = _entry_details(item.entry, item.content)
        rows.append(
            CaseEntry(
                entry=item.entry,
                title=item.entry.get_kind_display(),
                by=_by(item.entry),
                details=[(label, value) for label, value in details if value],
                text=text,
                files=item.files,
            )
        )
    return rows


def attachment_for_download(pk: int) -> Attachment | None:
    """A file not erased: one query."""
    return Attachment.objects.filter(pk=pk, erased=False).first()


def investigators():
    """Who may be appointed to investigate: the active holders of the Investigating Officer
    role, by name."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=group_name(Role.INVESTIGATING_OFFICER))
        .order_by("full_name", "pk")
        .distinct()
    )


def openings(concern: Concern, page_number):
    """Who opened the case, or one of its files, and when, newest first: two queries a
    page."""
    rows = CaseOpening.objects.filter(concern=concern).select_related("reader", "attachment")
    return Paginator(rows.order_by("-opened_at", "-pk"), OPENINGS_PER_PAGE).get_page(page_number)


def reporter_concerns(user):
    """A signed-in named reporter's own concerns."""
    return Concern.objects.of_reporter(receipts.reporter_tag(user))


def counts_by(queryset, field: str) -> dict[str, int]:
    return dict(queryset.values_list(field).annotate(n=Count("pk")).order_by())


def overdue_count(queryset, today) -> int:
    return queryset.filter(Q(acknowledged_at__isnull=True, acknowledge_due__lt=today)).count()


# --- The annual report (policy 29) -----------------------------------------------------------


class Median(Aggregate):
    """PostgreSQL's median (the 50th percentile, interpolated) of a number."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _london_days(start: str, end: str) -> Func:
    """Whole calendar days, London time, from the moment `start` to the moment `end`."""
    return Func(
        TruncDate(end, tzinfo=LONDON),
        TruncDate(start, tzinfo=LONDON),
        template="(%(expressions)s)",
        arg_joiner=" - ",
        output_field=IntegerField(),
    )


def _london_midnight(on: dt.date) -> dt.datetime:
    return dt.datetime.combine(on, dt.time(), tzinfo=LONDON)


def _between(field: str, first: dt.date, last: dt.date) -> Q:
    """`field`, a moment, falls on a London day from `first` to `last`."""
    return Q(
        **{
            f"{field}__gte": _london_midnight(first),
            f"{field}__lt": _london_midnight(last + dt.timedelta(days=1)),
        }
    )


@dataclasses.dataclass(frozen=True)
class ReportRow:
    label: str
    shown: str


@dataclasses.dataclass(frozen=True)
class ReportTable:
    """One breakdown of the annual report: its rows as the committee reads them (small
    numbers hidden, rules.shown_breakdown) and the total they add up to."""

    caption: str
    heading: str
    rows: list[ReportRow]
    total: ReportRow


@dataclasses.dataclass(frozen=True)
class AnnualReport:
    """What the annual report to the Audit and Procurement Committee says (policy 29): only
    counts as the committee may read them and the lessons learned, never a name or a word of
    a concern. Concerns received in the year are counted by ground, quarter, how they were
    raised, who dealt with them and where they stand; concerns concluded (closed) in the
    year by outcome, with the lessons learned from them."""

    year_start: dt.date
    year_end: dt.date
    as_at: dt.date
    received: str
    detriments: str
    acknowledged_on_time: str
    median_days_to_acknowledge: str
    concluded: str
    median_days_to_close: str
    received_tables: list[ReportTable]
    acknowledgement_table: ReportTable
    outcome_table: ReportTable
    lessons: list[str]
    #: The lessons come from fewer than 5 concerns: the page asks the Monitoring Officer to
    #: check that none could point to a case.
    lessons_from_few: bool

    @property
    def year_name(self) -> str:
        return rules.financial_year_name(self.year_start)

    @property
    def complete(self) -> bool:
        """The year has ended (else the report counts to `as_at`)."""
        return self.as_at > self.year_end

    @property
    def title(self) -> str:
        return f"Whistleblowing Annual Report {self.year_name}"


def _table(caption: str, heading: str, labelled_counts: list[tuple[str, int]]) -> ReportTable:
    counts = [n for _, n in labelled_counts]
    shown = rules.shown_breakdown(counts)
    rows = [ReportRow(label, text) for (label, _), text in zip(labelled_counts, shown, strict=True)]
    return ReportTable(caption, heading, rows, ReportRow("Total", rules.shown_count(sum(counts))))


def annual_report(year_start: dt.date, *, today: dt.date) -> AnnualReport:
    """The annual report for the council's year from `year_start` (1 April), as at `today`:
    two queries, whatever the number of concerns (the counts and medians in one, the lessons
    learned in the other; only the lessons are unsealed)."""
    first, last = rules.financial_year(year_start)
    received = _between("received_at", first, last)
    concluded = Q(status=Status.CLOSED) & _between("closed_at", first, last)
    acknowledged = received & Q(acknowledged_at__isnull=False)
    on_time = acknowledged & Q(acknowledged_day__lte=F("acknowledge_due"))
    quarters = rules.financial_quarters(first)
    counts = {
        "received": Count("pk", filter=received),
        "detriments": Count("pk", filter=received & Q(detriment_of__isnull=False)),
        "acknowledged": Count("pk", filter=acknowledged),
        "on_time": Count("pk", filter=on_time),
        "median_acknowledge": Median("days_to_acknowledge", filter=acknowledged),
        "concluded": Count("pk", filter=concluded),
        "median_close": Median("days_to_close", filter=concluded),
        **{f"ground:{g}": Count("pk", filter=received & Q(ground=g)) for g in Ground.values},
        **{f"status:{s}": Count("pk", filter=received & Q(status=s)) for s in Status.values},
        **{f"route:{r}": Count("pk", filter=received & Q(route=r)) for r in Route.values},
        **{f"outcome:{o}": Count("pk", filter=concluded & Q(outcome=o)) for o in Outcome.values},
        "anonymous": Count("pk", filter=received & Q(anonymous=True)),
        **{
            f"quarter:{n}": Count("pk", filter=received & _between("received_at", a, b))
            for n, (_, a, b) in enumerate(quarters)
        },
    }
    figures = (
        Concern.objects.filter(received | concluded)
        .annotate(
            acknowledged_day=TruncDate("acknowledged_at", tzinfo=LONDON),
            days_to_acknowledge=_london_days("received_at", "acknowledged_at"),
            days_to_close=_london_days("received_at", "closed_at"),
        )
        .aggregate(**counts)
    )
    n_received, n_acknowledged = figures["received"], figures["acknowledged"]
    acknowledgement = _table(
        "Written acknowledgements of the concerns received (within 7 days: policy 21)",
        "Acknowledgement",
        [
            ("Acknowledged within 7 days", figures["on_time"]),
            ("Acknowledged after 7 days", n_acknowledged - figures["on_time"]),
            ("Not yet acknowledged", n_received - n_acknowledged),
        ],
    )
    lessons, from_concerns = _lessons(first, last)
    return AnnualReport(
        year_start=first,
        year_end=last,
        as_at=today,
        received=rules.shown_count(n_received),
        # Beside the number received, as one of two counts adding up to it.
        detriments=rules.shown_breakdown(
            [figures["detriments"], n_received - figures["detriments"]]
        )[0],
        acknowledged_on_time=acknowledgement.rows[0].shown,
        median_days_to_acknowledge=rules.shown_median(
            figures["median_acknowledge"], n_acknowledged
        ),
        concluded=rules.shown_count(figures["concluded"]),
        median_days_to_close=rules.shown_median(figures["median_close"], figures["concluded"]),
        received_tables=[
            _table(
                "Concerns received, by what they were about",
                "What the concern was about",
                [(label, figures[f"ground:{g}"]) for g, label in Ground.choices],
            ),
            _table(
                "Concerns received, by quarter",
                "Quarter",
                [(name, figures[f"quarter:{n}"]) for n, (name, _, _) in enumerate(quarters)],
            ),
            _table(
                "Concerns received, named or anonymous",
                "How the concern was raised",
                [
                    ("Named", n_received - figures["anonymous"]),
                    ("Anonymous", figures["anonymous"]),
                ],
            ),
            _table(
                "Concerns received, by who dealt with them",
                "Dealt with by",
                [(label, figures[f"route:{r}"]) for r, label in Route.choices],
            ),
            _table(
                f"Concerns received, where they stood on {day(today)}",
                "Status",
                [(label, figures[f"status:{s}"]) for s, label in Status.choices],
            ),
        ],
        acknowledgement_table=acknowledgement,
        outcome_table=_table(
            "Concerns concluded in the year, by outcome",
            "Outcome",
            [(label, figures[f"outcome:{o}"]) for o, label in Outcome.choices],
        ),
        lessons=lessons,
        lessons_from_few=0 < from_concerns < rules.SMALL_NUMBER,
    )


def _lessons(first: dt.date, last: dt.date) -> tuple[list[str], int]:
    """The lessons learned recorded when the concerns concluded in the year were closed (the
    last closing of each), unsealed here and for this only: each lesson once, in alphabetical
    order, tied to no concern. Also how many concerns they come from."""
    outcomes = (
        Entry.objects.filter(
            Q(concern__status=Status.CLOSED) & _between("concern__closed_at", first, last),
            kind=EntryKind.OUTCOME,
            erased=False,
        )
        .order_by("concern_id", "-created_at", "-pk")
        .distinct("concern_id")
        .only("pk", "concern_id", "kind", "body", "erased")
    )
    lessons = set()
    from_concerns = 0
    for entry in outcomes:
        lesson = " ".join(services.entry_content(entry).get("lessons", "").split())
        if lesson:
            lessons.add(lesson)
            from_concerns += 1
    return sorted(lessons, key=str.casefold), from_concerns


# --- The reporter's side: their own case -----------------------------------------------------


def reporter_case(case_id) -> Concern | None:
    """The case a reporter's session names (whistleblowing.policies.reporter_access decides
    whether they may follow it), in one query."""
    if not isinstance(case_id, int):
        return None
    return Concern.objects.filter(pk=case_id).first()


def reporter_concern_for_account(pk: int, user) -> Concern | None:
    """A signed-in named reporter's concern `pk`, or None if it is not theirs (one query)."""
    return reporter_concerns(user).filter(pk=pk).first()


@dataclasses.dataclass(frozen=True)
class ReporterItem:
    """One thing the reporter reads in their case, in order; a meeting carries the reporter's
    comments on its note."""

    entry: Entry
    content: dict
    files: list
    comments: list


@dataclasses.dataclass(frozen=True)
class ReporterCase:
    concern: Concern
    #: What the reporter answered when raising it (the REPORT entry), with its files.
    report: TimelineEntry | None
    acknowledgement: dict
    items: list[ReporterItem]
    meetings: list[ReporterItem]


def reporter_case_page(concern: Concern) -> ReporterCase:
    """Everything a reporter reads of their case (what is shared with them, never the
    handlers' notes, triage or outcome), unsealed: two queries whatever its length."""
    shared = timeline(concern, reporter_view=True)
    comments: dict[int, list] = {}
    for item in shared:
        if item.entry.kind == EntryKind.MEETING_COMMENT:
            comments.setdefault(item.content.get("meeting"), []).append(item)
    report = next((i for i in shared if i.entry.kind == EntryKind.REPORT), None)
    acknowledgement = next(
        (i.content for i in shared if i.entry.kind == EntryKind.ACKNOWLEDGEMENT), {}
    )
    items = [
        ReporterItem(i.entry, i.content, i.files, comments.get(i.entry.pk, []))
        for i in shared
        if i.entry.kind not in (EntryKind.REPORT, EntryKind.MEETING_COMMENT)
    ]
    meetings = [i for i in items if i.entry.kind == EntryKind.MEETING]
    return ReporterCase(concern, report, acknowledgement, items, meetings)


def reporter_concern_list(user) -> list[Concern]:
    """A signed-in named reporter's concerns, newest first, for their list (one query, nothing
    unsealed)."""
    return list(reporter_concerns(user))


def reporter_meeting(concern: Concern, pk: int) -> Entry | None:
    """A meeting of the reporter's case, for their comment on its note (one query)."""
    return Entry.objects.filter(concern=concern, pk=pk, kind=EntryKind.MEETING).first()


def reporter_report(concern: Concern) -> dict:
    """What the reporter answered when raising the case (one query), or {} once erased."""
    report = Entry.objects.filter(concern=concern, kind=EntryKind.REPORT).first()
    return services.entry_content(report) if report else {}
