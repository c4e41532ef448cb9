"""Every read Governance Services' own pages need, shaped so each page costs a fixed number of
SQL queries whatever the number of meetings, items, reports or people.

Titles of meetings come from their decision makers (`Meeting.title`): the meetings lists
read their names with `Meeting.objects.with_titles()`, the other reads prefetch
`organizations`. Choice lists for forms are evaluated once here and handed to forms as plain
(value, label) pairs, so a formset of many rows does not repeat the same query per row.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from committees import policies
from committees.models import (
    AgendaItem,
    AgendaPack,
    Attendance,
    Consultation,
    Decision,
    Declaration,
    Document,
    ForwardPlanEntry,
    Location,
    Meeting,
    MeetingState,
    Membership,
    MinutesCorrection,
    Organization,
    PackStatus,
    Paper,
    Person,
    PrivatePaperOpening,
    Resolution,
    SignOff,
    Vote,
    agenda_tree,
    vote_tally,
)
from committees.models.meetings import VOTERS
from organisation.models import Directorate

MEETINGS_PER_PAGE = 25
RECENT_MEETINGS = 20
RECENT_DAYS = 90
REPORTS_PER_PAGE = 50
ISSUES_PER_PAGE = 50
DECISIONS_SHOWN = 50


def _with_titles(queryset):
    return queryset.prefetch_related(
        Prefetch("organizations", queryset=Organization.objects.order_by("name"))
    )


def _item_count():
    """Counted per meeting shown, not grouped over every meeting the filter matches."""
    items = (
        AgendaItem.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(items), 0)


# --- Meetings -------------------------------------------------------------------------------


def upcoming_meetings(page_number, *, now=None):
    """Meetings from now on, soonest first, a page at a time: two queries."""
    now = now or timezone.now()
    queryset = (
        Meeting.objects.filter(start__gte=now)
        .with_titles()
        .select_related("location")
        .annotate(item_count=_item_count())
        .order_by("start", "pk")
    )
    return Paginator(queryset, MEETINGS_PER_PAGE).get_page(page_number)


def recent_meetings(*, now=None):
    """Meetings of the last 90 days, latest first: one query."""
    now = now or timezone.now()
    return list(
        Meeting.objects.filter(start__lt=now, start__gte=now - dt.timedelta(days=RECENT_DAYS))
        .with_titles()
        .select_related("location")
        .annotate(item_count=_item_count())
        .order_by("-start", "-pk")[:RECENT_MEETINGS]
    )


def meeting_for_manage():
    """The meeting with what its heading and summary show (the minutes page adds the title
    of the meeting that approved them: `minutes`)."""
    return _with_titles(
        Meeting.objects.select_related("location", "contact_officer", "minutes_approved_at")
    )


def agenda(meeting: Meeting) -> list[AgendaItem]:
    """The meeting's items in order, each with `children` (its sub-items), `reports` (its
    consultations with their papers, annotated for policies.published_lacking) and the
    meeting whose minutes it presents, titled: three queries."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .prefetch_related(
            Prefetch(
                "consultations",
                queryset=policies.with_approvals_due(
                    Consultation.objects.select_related("paper")
                ).order_by("paper__title"),
                to_attr="reports",
            ),
            Prefetch("minutes_of", queryset=Meeting.objects.with_titles()),
        )
        .order_by("position", "pk")
    )
    return _tree(items)


def agenda_shortfalls(items) -> list["Shortfall"]:
    """The reports on the agenda `items` (as `agenda` reads them) that lack approvals while
    the agenda is published (policies.published_lacking): no query."""
    return shortfalls(c for item in items for i in [item, *item.children] for c in i.reports)


@dataclass(frozen=True)
class Shortfall:
    """A report on a published agenda that lacks approvals (policies.published_lacking):
    `step` is where it is on the agenda (its Consultation), `missing` the approvals it lacks,
    in words."""

    step: Consultation
    missing: tuple[str, ...]

    @property
    def approvals_text(self) -> str:
        """The approvals in words: "this approval: Legal", "these approvals: Finance and Legal"."""
        if len(self.missing) == 1:
            return f"this approval: {self.missing[0]}"
        return f"these approvals: {', '.join(self.missing[:-1])} and {self.missing[-1]}"


def shortfalls(steps) -> list[Shortfall]:
    """Of `steps` (Consultations annotated by policies.with_approvals_due), those that put a
    report lacking approvals on a published agenda: no query."""
    labels = dict(SignOff.Category.choices)
    found = []
    for step in steps:
        missing = policies.published_lacking(step)
        if missing:
            found.append(Shortfall(step, tuple(labels.get(c, c) for c in missing)))
    return found


def report_shortfalls(paper: Paper) -> list[Shortfall]:
    """Where the report lacks approvals on a published agenda (policies.published_lacking),
    soonest meeting first, each meeting titled: two queries."""
    return shortfalls(
        policies.with_approvals_due(Consultation.objects.filter(paper=paper))
        .select_related("paper", "meeting")
        .prefetch_related(
            Prefetch("meeting__organizations", queryset=Organization.objects.order_by("name"))
        )
        .order_by("meeting__start", "pk")
    )


def _tree(items):
    """agenda_tree, with where each item stands among its siblings (for the move buttons)."""
    top = agenda_tree(items)
    for siblings in [top, *(item.children for item in top)]:
        for position, item in enumerate(siblings):
            item.is_first = position == 0
            item.is_last = position == len(siblings) - 1
    return top


# A build still queued this long after it was asked for has died with its worker (or none
# runs); one being built whose heartbeat (`updated_at`, written every few seconds of work by
# committees.pack) has been silent this long has died mid-build. Builds take seconds.
STALLED_AFTER = dt.timedelta(minutes=15)
SILENT_AFTER = dt.timedelta(minutes=2)
STALLED = "The build stopped without finishing. Rebuild the pack."


def latest_pack(meeting: Meeting, *, with_other_published: bool = False) -> AgendaPack | None:
    """The newest build, shown as failed if its worker died (nothing is written here); with
    `with_other_published`, also `other_published`: whether an earlier build is still
    published (what the pack's own page says when the build failed)."""
    packs = AgendaPack.objects.filter(meeting=meeting)
    if with_other_published:
        packs = packs.annotate(
            other_published=Exists(
                AgendaPack.objects.filter(meeting=meeting, status=PackStatus.READY).exclude(
                    pk=OuterRef("pk")
                )
            )
        )
    pack = packs.order_by("-created_at", "-pk").first()
    return _as_shown(pack) if pack is not None else None


def _as_shown(pack: AgendaPack) -> AgendaPack:
    """The build, shown as failed if its worker died."""
    now = timezone.now()
    if (
        pack.status == PackStatus.QUEUED
        and (pack.started_at or pack.created_at) < now - STALLED_AFTER
    ) or (
        pack.status == PackStatus.BUILDING
        and max(pack.updated_at, pack.started_at or pack.created_at) < now - SILENT_AFTER
    ):
        pack.status, pack.error = PackStatus.FAILED, STALLED
    return pack


def latest_and_ready_pack(meeting: Meeting) -> tuple[AgendaPack | None, AgendaPack | None]:
    """The newest build (as latest_pack shows it) and the published pack, the newest ready
    one (AgendaPack.objects.published_for), which may be the same build or an earlier one:
    one query."""
    newest = AgendaPack.objects.filter(meeting=meeting).order_by("-created_at", "-pk")
    ready = AgendaPack.objects.published_for(meeting)
    rows = list(
        AgendaPack.objects.filter(
            Q(pk=Subquery(newest.values("pk")[:1])) | Q(pk=Subquery(ready.values("pk")[:1]))
        ).order_by("-created_at", "-pk")
    )
    if not rows:
        return None, None
    published = next(
        (p for p in rows if p.status == PackStatus.READY and not p.is_supplement), None
    )
    return _as_shown(rows[0]), published


def ready_pack(meeting: Meeting) -> AgendaPack | None:
    """The meeting's published pack, to download."""
    return AgendaPack.objects.published_for(meeting).first()


def items_of(meeting: Meeting):
    """The meeting's items, in agenda order (for choosing one)."""
    return (
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("parent")
        .order_by("parent_id", "position", "pk")
    )


def item_of(meeting: Meeting, pk: int) -> AgendaItem:
    """One of the meeting's items (the pk comes from a choice list of them)."""
    return AgendaItem.objects.get(meeting=meeting, pk=pk)


def resolutions_of(item: AgendaItem) -> list[Resolution]:
    return list(Resolution.objects.filter(agenda_item=item).order_by("number", "pk"))


def agenda_item_for_manage():
    return AgendaItem.objects.select_related("meeting", "parent").prefetch_related(
        Prefetch("meeting__organizations", queryset=Organization.objects.order_by("name"))
    )


def earlier_meetings(meeting: Meeting, *, now=None):
    """Meetings of the same decision makers that took place before this one, latest first
    (whose minutes an item may present): never one still to come."""
    return _with_titles(
        Meeting.objects.filter(
            organizations__in=meeting.organizations.all(),
            start__lt=min(meeting.start, now or timezone.now()),
        )
        .exclude(state=MeetingState.CANCELLED)
        .distinct()
        .order_by("-start", "-pk")
    )


def later_meetings(meeting: Meeting):
    """Meetings of the same decision makers after this one, soonest first (at which its
    minutes may be approved)."""
    return _with_titles(
        Meeting.objects.filter(
            organizations__in=meeting.organizations.all(), start__gt=meeting.start
        )
        .exclude(state=MeetingState.CANCELLED)
        .distinct()
        .order_by("start", "pk")
    )


# --- Minutes --------------------------------------------------------------------------------


def minutes(meeting: Meeting) -> dict:
    """Everything the minutes page shows: attendance, items with their minute, resolutions
    and declarations, corrections, and the title of the meeting that approved them. Six
    queries (seven once approved)."""
    if meeting.minutes_approved_at is not None:
        prefetch_related_objects(
            [meeting.minutes_approved_at],
            Prefetch("organizations", queryset=Organization.objects.order_by("name")),
        )
    attendance = list(
        Attendance.objects.filter(meeting=meeting)
        .select_related("person", "directorate", "substitute_for")
        .order_by("status", "directorate__name", "pk")
    )
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .prefetch_related(
            Prefetch(
                "resolutions",
                queryset=Resolution.objects.select_related(
                    "closed_by__meeting", "closed_by__parent"
                ).order_by("number", "pk"),
            ),
            Prefetch(
                "declarations",
                queryset=Declaration.objects.select_related("person").order_by("pk"),
            ),
            Prefetch("votes", queryset=Vote.objects.select_related("person"), to_attr="vote_rows"),
        )
        .order_by("position", "pk")
    )
    for item in items:
        item.tally = vote_tally(item.vote_rows)
    corrections = list(
        MinutesCorrection.objects.filter(meeting=meeting)
        .select_related("agenda_item__parent", "made_by")
        .order_by("created_at", "pk")
    )
    return {"attendance": attendance, "items": _tree(items), "corrections": corrections}


def attendance_rows(meeting: Meeting) -> list[dict]:
    """The recorded attendance as form rows; or, before any is recorded, the decision
    makers' current members, marked present."""
    rows = [
        {
            "person": a.person_id,
            "officer_name": a.officer_name,
            "directorate": a.directorate_id,
            "status": a.status,
            "capacity": a.capacity,
            "substitute_for": a.substitute_for_id,
            "arrived_at": f"{a.arrived_at:%H:%M}" if a.arrived_at else "",
            "left_at": f"{a.left_at:%H:%M}" if a.left_at else "",
        }
        for a in Attendance.objects.filter(meeting=meeting).order_by("status", "pk")
    ]
    if rows:
        return rows
    day = timezone.localdate(meeting.start)
    members = (
        Membership.objects.filter(organization__meetings=meeting)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=day))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .exclude(role="substitute")
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "pk")
    )
    seen = set()
    for membership in members:
        if membership.person_id not in seen:
            seen.add(membership.person_id)
            rows.append({"person": membership.person_id, "status": "present"})
    return rows


def voters(meeting: Meeting) -> list[tuple[int, str]]:
    """(primary key, name) of each member recorded as present at the meeting (substitutes
    included), who may be recorded voting (VOTERS), in name order: one query."""
    rows = (
        Attendance.objects.filter(meeting=meeting, person__isnull=False, status__in=VOTERS)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "person_id")
    )
    seen = {}
    for row in rows:
        seen.setdefault(row.person_id, row.person.name)
    return list(seen.items())


def votes_of(item: AgendaItem) -> dict[int, str]:
    """How each member was recorded voting on the item ({person's primary key: choice})."""
    return dict(Vote.objects.filter(agenda_item=item).values_list("person_id", "choice"))


OPENINGS_PER_PAGE = 50


def private_openings(page_number):
    """The log of openings of private papers, newest first, with the reader, report and
    file: two queries a page."""
    rows = PrivatePaperOpening.objects.select_related("reader", "paper", "document").order_by(
        "-opened_at", "-pk"
    )
    return Paginator(rows, OPENINGS_PER_PAGE).get_page(page_number)


def person_choices() -> list[tuple[int, str]]:
    return [(p.pk, p.name) for p in Person.objects.order_by("family_name", "given_name", "pk")]


def directorate_choices() -> list[tuple[int, str]]:
    return [(d.pk, d.name) for d in directorates()]


def directorates():
    return Directorate.objects.order_by("name")


def people_by_pk(pks) -> dict[int, Person]:
    return Person.objects.in_bulk([pk for pk in pks if pk])


def directorates_by_pk(pks) -> dict[int, Directorate]:
    return Directorate.objects.in_bulk([pk for pk in pks if pk])


def outstanding_issues(page_number):
    """Resolutions that asked for something to come back and are not yet closed, oldest
    meeting first: three queries."""
    queryset = (
        Resolution.objects.filter(requests_follow_up=True, closed_by__isnull=True)
        .select_related("agenda_item__meeting", "agenda_item__parent")
        .prefetch_related(
            Prefetch(
                "agenda_item__meeting__organizations",
                queryset=Organization.objects.order_by("name"),
            )
        )
        .order_by("agenda_item__meeting__start", "agenda_item__position", "number", "pk")
    )
    return Paginator(queryset, ISSUES_PER_PAGE).get_page(page_number)


def resolution_for_manage():
    return Resolution.objects.select_related(
        "agenda_item__meeting", "agenda_item__parent"
    ).prefetch_related(
        Prefetch(
            "agenda_item__meeting__organizations", queryset=Organization.objects.order_by("name")
        )
    )


def closing_items(resolution: Resolution):
    """Items of later meetings of the same decision makers, which may close the issue."""
    meeting = resolution.agenda_item.meeting
    return (
        AgendaItem.objects.filter(
            meeting__organizations__in=meeting.organizations.all(),
            meeting__start__gt=meeting.start,
        )
        .select_related("meeting", "parent")
        .prefetch_related(
            Prefetch("meeting__organizations", queryset=Organization.objects.order_by("name"))
        )
        .distinct()
        .order_by("meeting__start", "position", "pk")
    )


# --- Reports --------------------------------------------------------------------------------


def reports(page_number):
    """Reports, newest first, with how many files they have (withdrawn ones not counted):
    two queries."""
    queryset = Paper.objects.annotate(
        document_count=Count("documents", filter=policies.not_withdrawn("documents__"))
    ).order_by("-date", "title", "pk")
    return Paginator(queryset, REPORTS_PER_PAGE).get_page(page_number)


def report_for_manage():
    return Paper.objects.select_related("author_directorate").prefetch_related(
        # A file's extracted text (~11 KB) is for search, never shown on the page.
        Prefetch(
            "documents",
            queryset=Document.objects.select_related("withdrawn_by", "replaced_by")
            .defer("text", "replaced_by__text")
            .order_by("kind", "position", "pk"),
        ),
        Prefetch(
            "sign_offs",
            queryset=SignOff.objects.select_related("withdrawn_by").order_by(
                "kind", "position", "pk"
            ),
        ),
        Prefetch(
            "consultations",
            queryset=policies.with_approvals_due(
                Consultation.objects.select_related("meeting", "agenda_item__parent")
            ).order_by("meeting__start"),
        ),
        Prefetch("consultations__meeting__organizations", queryset=Organization.objects.all()),
    )


def sign_off_for_manage():
    return SignOff.objects.select_related("paper")


def document_for_manage():
    """A file with what its pages show of it and of its report or meeting."""
    return Document.objects.select_related("paper", "meeting", "withdrawn_by").defer("text")


def papers_for_choice():
    return Paper.objects.order_by("-date", "title", "pk")


# --- Decisions and the forward plan ----------------------------------------------------------


def recent_decisions():
    return list(
        Decision.objects.select_related("decision_maker").order_by("-date", "-pk")[:DECISIONS_SHOWN]
    )


def forward_plan(*, today=None):
    today = today or timezone.localdate()
    return list(
        ForwardPlanEntry.objects.filter(expected_date__gte=today)
        .select_related("decision_maker", "paper")
        .order_by("expected_date", "title", "pk")
    )


def forward_plan_entries_for_choice():
    return ForwardPlanEntry.objects.select_related("decision_maker").order_by(
        "-expected_date", "title"
    )


# --- Choices for forms -----------------------------------------------------------------------


def organizations():
    return Organization.objects.order_by("name")


def locations():
    return Location.objects.order_by("room", "pk")


def contact_officers():
    return get_user_model().objects.filter(is_active=True).order_by("full_name", "pk")


# --- For other apps' reports ------------------------------------------------------------------


def upcoming_meetings_of(name: str, *, now=None):
    """The meetings from now on of the decision maker called `name` whose business can still
    change (not cancelled, minutes not approved), soonest first, titled: one query. Another
    app places its report on one of their agendas through the services (the whistleblowing
    annual report, on the Audit and Procurement Committee's)."""
    now = now or timezone.now()
    return (
        Meeting.objects.filter(organizations__name__iexact=name, start__gte=now)
        .exclude(state__in=[MeetingState.CANCELLED, MeetingState.MINUTES_APPROVED])
        .with_titles()
        .order_by("start", "pk")
    )
