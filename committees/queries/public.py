"""Every read the public committee pages and feeds need, shaped so that each page costs a fixed
number of SQL queries whatever the number of meetings, items, reports or files.

Who may see what is not decided here: views pass in querysets already narrowed (and, for
agenda items, annotated) by committees.policies (`visible(user, ...)`), and these functions
shape them. Private business reaches a page only as an item's title and its Schedule 12A
paragraphs: `agenda()` copies nothing else of a private item into what it returns.
"""

import datetime as dt
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from committees import policies, rules
from committees.models import (
    AgendaItem,
    AgendaPack,
    AlertSubscription,
    Attendance,
    AttendanceStatus,
    Consultation,
    Decision,
    DecisionKind,
    Declaration,
    Document,
    ForwardPlanEntry,
    Meeting,
    MeetingState,
    Membership,
    Organization,
    Paper,
    Person,
    Post,
    Resolution,
    SignOff,
    Vote,
    agenda_tree,
    vote_tally,
)

#: What a page listing files leaves in the database: a file's extracted text (~11 KB a file
#: in the demo and the benchmark's data) is for search (committees/search.py), never shown.
PAGE_DEFERS = ("text",)

# --- Meetings -------------------------------------------------------------------------------


def meeting_list(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Meetings as lists show them (title, date, place, state): two queries for any number."""
    return meetings.select_related("location").prefetch_related(
        Prefetch("organizations", queryset=Organization.objects.order_by("name"))
    )


def upcoming_meetings(meetings: QuerySet[Meeting], *, now: dt.datetime | None = None):
    """Meetings from now on, soonest first (cancelled ones too: the page tags them)."""
    now = now or timezone.now()
    return meeting_list(meetings.filter(start__gte=now)).order_by("start", "pk")


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of the month and of the next, in Europe/London."""
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    zone = timezone.get_default_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=zone),
        dt.datetime.combine(following, dt.time.min, tzinfo=zone),
    )


@dataclass
class CalendarDay:
    date: dt.date
    meetings: list = field(default_factory=list)


def month_meetings(meetings: QuerySet[Meeting], year: int, month: int) -> list[CalendarDay]:
    """The days of the month (Europe/London) that have meetings, each with its meetings in
    order: two queries."""
    start, end = month_bounds(year, month)
    days: dict[dt.date, CalendarDay] = {}
    rows = meeting_list(meetings.filter(start__gte=start, start__lt=end)).order_by("start", "pk")
    for meeting in rows:
        day = timezone.localdate(meeting.start)
        days.setdefault(day, CalendarDay(day)).meetings.append(meeting)
    return list(days.values())


@dataclass(slots=True)
class CalendarMeeting:
    """What an iCalendar event shows of a meeting."""

    pk: int
    title: str  # as Meeting.title
    start: dt.datetime
    end: dt.datetime | None
    state: str
    version: int
    updated_at: dt.datetime
    cancellation_reason: str
    location: str | None  # as str(Location)


_LOCATION_PARTS = ["room", "street_address", "locality", "postal_code"]


def calendar_meetings(
    meetings: QuerySet[Meeting], *, organization: Organization | None = None, since=None
) -> list[CalendarMeeting]:
    """Meetings for an iCalendar feed, soonest first: one query, and plain rows rather than
    model instances (a feed holds thousands of meetings)."""
    if organization is not None:
        meetings = meetings.filter(organizations=organization)
    if since is not None:
        meetings = meetings.filter(start__gte=since)
    names = (
        Organization.objects.filter(meetings=OuterRef("pk"))
        .order_by()
        .values("meetings")
        .annotate(names=ArrayAgg("name", order_by="name"))
        .values("names")
    )
    rows = (
        meetings.annotate(organization_names=Subquery(names))
        .order_by("start", "pk")
        .values_list(
            "pk",
            "name",
            "organization_names",
            "start",
            "end",
            "state",
            "version",
            "updated_at",
            "cancellation_reason",
            "location_id",
            *(f"location__{part}" for part in _LOCATION_PARTS),
        )
    )
    return [_calendar_meeting(*row) for row in rows]


def _calendar_meeting(
    pk, name, organization_names, start, end, state, version, updated_at, reason, location, *place
) -> CalendarMeeting:
    return CalendarMeeting(
        pk=pk,
        title=name or " and ".join(organization_names or []),
        start=start,
        end=end,
        state=state,
        version=version,
        updated_at=updated_at,
        cancellation_reason=reason,
        location=None if location is None else ", ".join(part for part in place if part),
    )


def meeting_detail(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.select_related("location", "contact_officer").prefetch_related(
        Prefetch("organizations", queryset=Organization.objects.order_by("name"))
    )


@dataclass
class AgendaEntry:
    """One agenda item as a public page may show it. A private item carries only its number,
    title and exemption: everything else stays empty."""

    pk: int
    number: str
    full_number: str
    title: str
    is_public: bool
    shows_content: bool
    minute_open: bool = False
    exemption: str = ""
    lead: str = ""
    description: str = ""
    pages: str = ""
    is_urgent: bool = False
    urgency_reason: str = ""
    is_supplementary: bool = False
    minutes_of: Meeting | None = None
    lists_outstanding_issues: bool = False
    minutes_text: str = ""
    consultations: list = field(default_factory=list)
    resolutions: list = field(default_factory=list)
    declarations: list = field(default_factory=list)
    votes: list = field(default_factory=list)
    sub_items: list = field(default_factory=list)

    @property
    def has_minute(self) -> bool:
        return bool(self.minutes_text or self.resolutions or self.declarations)


def _entry(item: AgendaItem) -> AgendaEntry:
    """`item` as annotated by policies.agenda_items.visible."""
    entry = AgendaEntry(
        pk=item.pk,
        number=item.number,
        full_number=item.full_number,
        title=item.title,
        is_public=item.public_business,
        shows_content=item.content_open,
        minute_open=item.minute_open,
        exemption="" if item.public_business else rules.exemption_text(item.exemption or []),
        pages=item.pages,
    )
    if entry.shows_content:
        entry.lead = item.lead
        entry.description = item.description
        entry.is_supplementary = item.is_supplementary
        entry.minutes_of = item.minutes_of
        entry.lists_outstanding_issues = item.lists_outstanding_issues
        entry.consultations = item.public_consultations
    if entry.shows_content or entry.minute_open:
        # The agenda says an item is urgent business; the minutes say so too, with the reason.
        entry.is_urgent = item.is_urgent
        entry.urgency_reason = item.urgency_reason
    if entry.minute_open:
        entry.minutes_text = item.minutes_text
        entry.resolutions = getattr(item, "minute_resolutions", [])
        entry.declarations = getattr(item, "minute_declarations", [])
        entry.votes = vote_tally(getattr(item, "minute_votes", []))
    return entry


def agenda(
    meeting: Meeting,
    *,
    items: QuerySet[AgendaItem],
    consultations: QuerySet[Consultation],
    documents: QuerySet[Document],
    with_minutes: bool,
) -> list[AgendaEntry]:
    """The meeting's agenda as a tree of entries (items with their sub-items), each with the
    reports taken there and their files; with the minutes, also each item's declarations and
    resolutions. `items` (annotated by policies.agenda_items.visible), `consultations` and
    `documents` are what the visitor may see. Three queries (six with minutes: resolutions,
    declarations and recorded votes)."""
    prefetches = [
        Prefetch(
            "consultations",
            queryset=consultations.filter(meeting=meeting)
            .select_related("paper")
            .prefetch_related(
                Prefetch(
                    # The prefetch asks for the files of these consultations' papers only.
                    "paper__documents",
                    queryset=documents.defer(*PAGE_DEFERS).order_by("kind", "position", "pk"),
                    to_attr="public_documents",
                )
            )
            .order_by("pk"),
            to_attr="public_consultations",
        )
    ]
    if with_minutes:
        prefetches += [
            Prefetch(
                "resolutions",
                queryset=Resolution.objects.order_by("number", "pk"),
                to_attr="minute_resolutions",
            ),
            Prefetch(
                "declarations",
                queryset=Declaration.objects.select_related("person").order_by("pk"),
                to_attr="minute_declarations",
            ),
            Prefetch(
                "votes", queryset=Vote.objects.select_related("person"), to_attr="minute_votes"
            ),
        ]
    rows = (
        items.filter(meeting=meeting)
        .select_related("minutes_of")
        .prefetch_related(*prefetches)
        .order_by("position", "pk")
    )
    tree = []
    for item in agenda_tree(rows):
        entry = _entry(item)
        entry.sub_items = [_entry(child) for child in item.children]
        tree.append(entry)
    return tree


def flatten(entries: list[AgendaEntry]) -> list[AgendaEntry]:
    return [e for entry in entries for e in [entry, *entry.sub_items]]


@dataclass
class AttendanceRecord:
    members: list = field(default_factory=list)
    in_attendance: list = field(default_factory=list)
    apologies: list = field(default_factory=list)
    officers: "OrderedDict[str, list]" = field(default_factory=OrderedDict)

    def __bool__(self):
        return bool(self.members or self.in_attendance or self.apologies or self.officers)


def attendance(meeting: Meeting) -> AttendanceRecord:
    """Members present (substitutes say for whom), others in attendance, apologies, and
    officers by directorate: one query."""
    record = AttendanceRecord()
    officers = defaultdict(list)
    rows = (
        Attendance.objects.filter(meeting=meeting)
        .select_related("person", "substitute_for", "directorate")
        .order_by("pk")
    )
    for row in rows:
        if row.status == AttendanceStatus.APOLOGIES:
            record.apologies.append(row)
        elif row.status == AttendanceStatus.ABSENT:
            continue
        elif row.person_id is None:
            officers[row.directorate.name if row.directorate else "Other officers"].append(row)
        elif row.status == AttendanceStatus.IN_ATTENDANCE:
            record.in_attendance.append(row)
        else:
            record.members.append(row)
    record.members.sort(key=lambda a: a.status == AttendanceStatus.SUBSTITUTE)
    record.officers = OrderedDict(sorted(officers.items()))
    return record


def meeting_decisions(meeting: Meeting, decisions: QuerySet[Decision]) -> QuerySet[Decision]:
    return decisions.filter(meeting=meeting).select_related("decision_maker").order_by("pk")


def meeting_documents(meeting: Meeting, documents: QuerySet[Document]) -> QuerySet[Document]:
    """The meeting's own files (its minutes, supplements), not those of its reports."""
    return (
        Document.objects.filter(
            pk__in=documents.filter(meeting=meeting, paper__isnull=True).values("pk")
        )
        .defer(*PAGE_DEFERS)
        .order_by("kind", "position", "pk")
    )


def ready_pack(meeting: Meeting) -> AgendaPack | None:
    """The meeting's published agenda reports pack (AgendaPack.objects.published_for)."""
    return AgendaPack.objects.published_for(meeting).first()


# --- Committees and councillors -------------------------------------------------------------


def committees() -> QuerySet[Organization]:
    return Organization.objects.order_by("name")


def committee_detail(*, today: dt.date | None = None) -> QuerySet[Organization]:
    """A committee with its current members (chair first) and posts: three queries."""
    today = today or timezone.localdate()
    return Organization.objects.select_related("parent").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.current_on(today)
            .in_role_order()
            .select_related("person", "substitute_for"),
            to_attr="current_members",
        ),
        Prefetch(
            "posts",
            queryset=Post.objects.current_on(today).select_related("holder"),
            to_attr="current_posts",
        ),
    )


def next_meeting(upcoming) -> Meeting | None:
    """The first of `upcoming` (meetings soonest first) that is not cancelled."""
    return next((m for m in upcoming if m.state != MeetingState.CANCELLED), None)


def committee_meetings(
    meetings: QuerySet[Meeting],
    organization: Organization,
    *,
    upcoming: bool,
    now: dt.datetime | None = None,
) -> QuerySet[Meeting]:
    now = now or timezone.now()
    meetings = meetings.filter(organizations=organization)
    if upcoming:
        return meeting_list(meetings.filter(start__gte=now)).order_by("start", "pk")
    return meeting_list(meetings.filter(start__lt=now)).order_by("-start", "-pk")


def councillors() -> QuerySet[Person]:
    return Person.objects.order_by("family_name", "given_name", "pk")


def councillor_detail(*, today: dt.date | None = None) -> QuerySet[Person]:
    """A councillor with the memberships they hold today (`current_memberships`, in role
    order as committee pages list members, then by committee), those that have ended
    (`past_memberships`, the latest first) and their posts: four queries."""
    today = today or timezone.localdate()
    return Person.objects.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.current_on(today)
            .in_role_order()
            .select_related("organization", "substitute_for")
            .order_by("role_order", "organization__name", "pk"),
            to_attr="current_memberships",
        ),
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(end_date__lt=today)
            .select_related("organization")
            .order_by("-end_date", "organization__name", "pk"),
            to_attr="past_memberships",
        ),
        Prefetch(
            "posts",
            queryset=Post.objects.select_related("organization").order_by("-start_date", "title"),
        ),
    )


def split_current(rows, today: dt.date | None = None) -> tuple[list, list]:
    """Rows with start/end dates split into (current, past); future ones count as current."""
    today = today or timezone.localdate()
    current, past = [], []
    for row in rows:
        (past if row.end_date is not None and row.end_date < today else current).append(row)
    return current, past


# --- Reports --------------------------------------------------------------------------------


def paper_detail(
    documents: QuerySet[Document], consultations: QuerySet[Consultation]
) -> QuerySet[Paper]:
    """A report with its files, sign-off table and journey (each step of it the visitor may
    see, in date order): four queries."""
    return Paper.objects.select_related("author_directorate").prefetch_related(
        Prefetch(
            "documents",
            # The prefetch narrows `documents` to this report's files before the policy's
            # conditions apply, so their cost does not grow with the whole register.
            queryset=documents.defer(*PAGE_DEFERS).order_by("kind", "position", "pk"),
            to_attr="public_documents",
        ),
        Prefetch(
            "sign_offs",
            # A withdrawn row is no longer part of the table the public reads.
            queryset=SignOff.objects.filter(policies.not_withdrawn()).order_by(
                "kind", "position", "pk"
            ),
            to_attr="sign_off_rows",
        ),
        Prefetch(
            "consultations",
            queryset=consultations.select_related(
                "meeting", "organization", "agenda_item"
            ).order_by("meeting__start", "pk"),
            to_attr="journey",
        ),
    )


def feed_papers(
    papers: QuerySet[Paper],
    consultations: QuerySet[Consultation],
    *,
    organization: Organization | None = None,
    limit: int = 50,
) -> QuerySet[Paper]:
    """The newest `limit` of `papers`, by when they were first published, and with an
    `organization`, those taken at one of its meetings in one of `consultations` (both as
    the visitor may see them): one query, read newest first from the index on
    `first_published_at`."""
    rows = papers.filter(first_published_at__isnull=False)
    if organization is not None:
        rows = rows.filter(
            Exists(consultations.filter(paper=OuterRef("pk"), meeting__organizations=organization))
        )
    return rows.order_by("-first_published_at", "-pk")[:limit]


# --- Decisions and the forward plan ---------------------------------------------------------

REGISTER_KINDS = (DecisionKind.EXECUTIVE, DecisionKind.COMMITTEE, DecisionKind.OFFICER)
OFFICER_DECISIONS = "officer"


def decisions_register(
    decisions: QuerySet[Decision],
    *,
    decision_maker: Organization | str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Decision]:
    """Executive and officer decisions, newest first. `decision_maker` is a committee or
    OFFICER_DECISIONS. One query a page (with its count)."""
    rows = decisions.filter(kind__in=REGISTER_KINDS)
    if decision_maker == OFFICER_DECISIONS:
        rows = rows.filter(kind=DecisionKind.OFFICER)
    elif decision_maker is not None:
        rows = rows.filter(decision_maker=decision_maker)
    if date_from is not None:
        rows = rows.filter(date__gte=date_from)
    if date_to is not None:
        rows = rows.filter(date__lte=date_to)
    return rows.select_related("decision_maker").order_by("-date", "-pk")


def decision_makers() -> QuerySet[Organization]:
    """Those with decisions on the register, for the filter."""
    return Organization.objects.filter(
        Exists(Decision.objects.filter(decision_maker=OuterRef("pk"), kind__in=REGISTER_KINDS))
    ).order_by("name")


def decision_detail(decisions: QuerySet[Decision], papers: QuerySet[Paper]) -> QuerySet[Decision]:
    """A decision with its decision maker, meeting, report (`paper_is_visible` says whether
    the visitor may open it) and forward plan entry: two queries."""
    return (
        decisions.select_related(
            "decision_maker",
            "meeting",
            "paper",
            "agenda_item__parent",
            "forward_plan_entry",
        )
        .prefetch_related(
            Prefetch("meeting__organizations", queryset=Organization.objects.order_by("name"))
        )
        .annotate(paper_is_visible=Exists(papers.filter(pk=OuterRef("paper_id"))))
    )


def forward_plan(papers: QuerySet[Paper], *, today: dt.date | None = None):
    """Key decisions expected from today on, soonest first: one query a page."""
    today = today or timezone.localdate()
    return (
        ForwardPlanEntry.objects.filter(expected_date__gte=today)
        .select_related("decision_maker")
        .annotate(paper_is_visible=Exists(papers.filter(pk=OuterRef("paper_id"))))
        .order_by("expected_date", "title", "pk")
    )


def outstanding_issues(meeting: Meeting) -> list[Resolution]:
    """What earlier meetings of the same decision makers asked to come back and no later item
    has closed: the "Outstanding Issues" item lists them. Open minutes only
    (policies.minute_open); one query."""
    # An EXISTS rather than a join to the decision makers, which repeated a resolution per
    # decision maker shared and needed DISTINCT: half the time to plan, at every scale.
    same_decision_makers = Meeting.organizations.through.objects.filter(
        meeting=OuterRef("agenda_item__meeting"),
        organization__in=meeting.organizations.values("pk"),
    )
    return list(
        Resolution.objects.filter(
            policies.minute_open("agenda_item__"),
            Exists(same_decision_makers),
            requests_follow_up=True,
            closed_by__isnull=True,
            agenda_item__meeting__start__lt=meeting.start,
        )
        .select_related("agenda_item__meeting", "agenda_item__parent")
        .order_by("agenda_item__meeting__start", "agenda_item__position", "number")
    )


# --- The home page ----------------------------------------------------------------------------

#: How many meetings, decisions and reports the home page lists of each.
FRONT_DOOR_ROWS = 5


@dataclass
class FrontDoor:
    """What the home page lists for a visitor: the next meetings, the latest decisions, the
    newest reports and the committees sitting now."""

    next_meetings: list[Meeting]
    latest_decisions: list[Decision]
    new_papers: list[Paper]
    committees: list[Organization]


def current_committees(organizations: QuerySet[Organization], *, today: dt.date):
    """Decision makers that have not been wound up by `today`, by name."""
    return organizations.filter(Q(end_date__isnull=True) | Q(end_date__gte=today)).order_by("name")


def front_door(user, *, now: dt.datetime | None = None, rows: int = FRONT_DOOR_ROWS) -> FrontDoor:
    """The home page's lists, each narrowed to what `user` may see by its policy (meetings,
    decisions, reports and the steps that make them public, committees): five queries."""
    now = now or timezone.now()
    meetings = policies.meetings.visible(user, Meeting.objects.all())
    decisions = policies.decisions.visible(user, Decision.objects.all())
    papers = policies.papers.visible(user, Paper.objects.all())
    consultations = policies.consultations.visible(user, Consultation.objects.all())
    organizations = policies.organizations.visible(user, Organization.objects.all())
    return FrontDoor(
        next_meetings=list(upcoming_meetings(meetings, now=now)[:rows]),
        latest_decisions=list(decisions_register(decisions)[:rows]),
        new_papers=list(feed_papers(papers, consultations, limit=rows)),
        committees=list(current_committees(organizations, today=timezone.localdate(now))),
    )


# --- E-mail alerts --------------------------------------------------------------------------


def alert_organizations() -> QuerySet[Organization]:
    """Decision makers as the alert pages name them."""
    return Organization.objects.only("pk", "name", "slug")


def alert_subscriptions() -> QuerySet[AlertSubscription]:
    """Subscriptions as the confirm and unsubscribe pages read them (one by its link's
    token: policies.alert_subscriptions.by_token), with their decision maker: one query."""
    return AlertSubscription.objects.select_related("organization")
