"""Every change to committee business, and the only door for one: one function per business
action, keyword-only, each one transaction that checks its rule before it writes.

- The acting person (`actor`) is required by every service: a `User`, or `SCRIPT` for the
  demo, the benchmark and the command line. The history rows the action writes are
  attributed to it (`_as`).
- A change to a record that people edit concurrently (meetings, items, reports) names the
  `version` it was made to (optimistic locking, portal_kit.models.locked_current): a stale
  copy is refused, never saved over. Scripts that hold no copy pass `ANY_VERSION`.
- Every refusal is a `ValidationError` with a `code`; the messages are module constants that
  forms show and tests reuse.
- What the public sees follows every change through one hook, `_in_step`: the page cache's
  content version, the search index and the agenda packs.

Other modules of the app that write (documents, pack, search, tasks) are helpers of these
services and of the background tasks: views and scripts never call them.
"""

import dataclasses
import datetime as dt
import functools
import string
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Q
from django.utils import timezone

from committees import alert_tokens, documents, pack, policies, rules, search, tasks
from committees.models import (
    AgendaItem,
    AgendaPack,
    Alert,
    AlertKind,
    AlertSubscription,
    Attendance,
    AttendanceStatus,
    Consultation,
    Decision,
    DecisionKind,
    Declaration,
    Document,
    ForwardPlanEntry,
    KeyDecisionException,
    Location,
    Meeting,
    MeetingState,
    MinutesCorrection,
    Organization,
    OrganizationType,
    Paper,
    Person,
    PrivatePaperOpening,
    ReaderCapacity,
    Resolution,
    SignOff,
    Vote,
    VoteChoice,
)
from committees.models.alerts import CONFIRM_WITHIN
from committees.models.meetings import ATTENDED, SCHEDULE_12A_PARAGRAPHS, VOTERS
from governance_portal import pagecache
from organisation.accounts import normalise_email
from organisation.models import Directorate
from organisation.policies import SERVER_CONSOLE
from portal_kit.models import locked_current, save_next_version
from portal_kit.templatetags.portal_kit import clock

#: Decision makers whose decisions are executive decisions (the rest take committee ones).
EXECUTIVE_BODIES = (OrganizationType.CABINET, OrganizationType.CABINET_MEMBER)

#: The actor of a script (the demo data, the benchmark, a management command): its changes
#: are recorded without a person.
SCRIPT = SERVER_CONSOLE


END_BEFORE_START = "The meeting must end after it starts"
PAST_MEETING = (
    "The date is in the past. Check it, or if you are recording a meeting that has already "
    "taken place, say so"
)
MINUTES_BEFORE_MEETING = "The meeting has not taken place yet: its minutes cannot be published"
NO_ORGANIZATION = "Select the committee or decision maker holding the meeting"
CANCEL_NEEDS_REASON = "Enter why the meeting is cancelled"
MEETING_PAST = "You cannot publish the agenda of a meeting that has already taken place"
ALREADY_PUBLISHED = "The agenda has already been published"
EMPTY_AGENDA = "Add at least one item to the agenda before publishing it"
LATE_NEEDS_REASON = (
    "The agenda is being published less than five clear working days before the meeting: "
    "enter the reason for urgency"
)
#: Formatted by ValidationError's params (title, missing), so a % in a title stays text.
MISSING_SIGN_OFFS = (
    "%(title)s cannot go on a published agenda until it has these approvals: %(missing)s"
)
PRIVATE_NEEDS_PARAGRAPH = "Select the paragraph of Schedule 12A that makes this item private"
BAD_PARAGRAPH = "Paragraphs of Schedule 12A are numbered 1 to 7"
URGENT_NEEDS_REASON = "Enter the reason for urgency"
SUB_ITEM_DEPTH = "A sub-item cannot have sub-items of its own"
MINUTES_NOT_PUBLISHED = "Publish the minutes before they are approved"
APPROVE_AT_LATER_MEETING = "Minutes are approved at a later meeting of the same decision maker"
SUBSTITUTE_FOR_WHOM = "Say whom the substitute is standing in for"
APPROVED_BEFORE_SENT = "The date it was approved must be the same as or after the date it was sent"
KEY_DECISION_NOTICE = (
    "This key decision was not on the forward plan 28 clear days before it was taken: "
    "record a general exception or special urgency, with the reason"
)
OFFICER_DECISION_NEEDS_OFFICER = "Enter the name of the officer who took the decision"
ALREADY_CLOSED = "This issue has already been closed"
NOT_OUTSTANDING = "This resolution did not ask for anything to come back"
NOT_ON_THIS_AGENDA = "That item is not on the agenda of this meeting"
NO_CORRECTION = "Enter the correction"
NO_CORRECTION_REASON = "Enter the reason for the correction"
REFERENCE_TAKEN = "A report with this reference already exists. Enter a different reference"
PRIVATE_PAPER_NEEDS_PARAGRAPH = (
    "Select the paragraph of Schedule 12A that makes this report private"
)
PARAGRAPHS_NOT_KEPT = (
    "It is public, so the paragraphs of Schedule 12A that were ticked have not been kept"
)
WITHDRAWAL_NEEDS_REASON = "Enter why it is being withdrawn"
REPLACEMENT_NEEDS_REASON = "Enter why the file is being replaced"
REASON_TOO_LONG = "The reason must be 1000 characters or fewer"
SIGN_OFF_WITHDRAWN = "This row of the sign-off table has been withdrawn and cannot be changed"
FILE_WITHDRAWN = "This file has been withdrawn and cannot be replaced or withdrawn again"
#: The longest reason for a withdrawal or replacement (the forms say the same).
REASON_MAX_LENGTH = 1000

NOT_PRESENT_TO_VOTE = (
    "Only members present at the meeting can be recorded as voting: %(name)s was not "
    "recorded as present"
)
BAD_VOTE = "Select for, against or abstained"
TIMES_ONLY_IF_THERE = "Enter times of arrival and departure only for someone who attended"
ARRIVED_BEFORE_START = "The time they arrived must be after the meeting started at %(start)s"
LEFT_BEFORE_START = "The time they left must be after the meeting started at %(start)s"
LEFT_BEFORE_ARRIVED = "The time they left must be after the time they arrived"
AFTER_CLOSE = "The time must be before the meeting closed at %(closed)s"
NO_READER = "Only a signed-in person can open a private paper"


# --- What every service shares ---------------------------------------------------------------


def _refused(message: str, code: str, field: str | None = None) -> ValidationError:
    """A refusal with its code, on `field` if given (the form shows it there)."""
    error = ValidationError(message, code=code)
    return ValidationError({field: error}) if field else error


def _as(actor, *objects) -> None:
    """Attribute the history rows these saves create to `actor` (a script: to nobody)."""
    for obj in objects:
        obj._history_user = None if actor is SCRIPT else actor


def _in_step(
    *,
    meetings: Iterable[Meeting] = (),
    papers: Iterable[Paper] = (),
    decisions: Iterable[Decision] = (),
    packs: bool = True,
) -> None:
    """The hook every service calls after a change the public may see: the page cache's
    content version moves (saves move it by signal; this covers bulk updates), the search
    index is rewritten for what changed, and the packs of published agendas are rebuilt
    after commit (`packs=False` for changes no pack shows, such as minutes). A change to
    draft agendas only (policies.draft_meetings) leaves the cached pages: none shows it."""
    meetings, papers, decisions = list(meetings), list(papers), list(decisions)
    meeting_ids = [m.pk for m in meetings]
    drafts_only = bool(meetings) and not papers and not decisions
    pagecache.content_changed(
        unseen_while=(lambda: policies.draft_meetings(meeting_ids)) if drafts_only else None
    )
    for meeting in meetings:
        search.reindex_meeting(meeting)
        published = meeting.agenda_published_at is not None
        if packs and published and meeting.state != MeetingState.CANCELLED:
            tasks.request_pack_build(meeting)
    for paper in papers:
        search.reindex_paper(paper)
    for decision in decisions:
        search.reindex_decision(decision)


def _withdraw_packs(meeting_ids, *, reason: str = pack.WITHDRAWN_REASON) -> None:
    """Something public in these meetings' packs has just been made private or taken off the
    agenda (or a file in them withdrawn): the packs come down in this transaction (the
    rebuild follows after commit)."""
    pack.withdraw(meeting_ids, reason=reason)


def _open_for_change(meeting: Meeting) -> None:
    """Refuse any change to the business of a cancelled meeting, or of one whose minutes are
    approved (policies.MeetingPolicy.closed_to_change: the pages ask the same)."""
    closed = policies.meetings.closed_to_change(meeting)
    if closed:
        raise _refused(closed.message, closed.code)


def _paragraphs_errors(*, is_public: bool, paragraphs: list[int], missing: str) -> dict:
    if not is_public and not paragraphs:
        return {"exempt_paragraphs": ValidationError(missing, code="no_paragraph")}
    if any(p not in SCHEDULE_12A_PARAGRAPHS for p in paragraphs):
        return {"exempt_paragraphs": ValidationError(BAD_PARAGRAPH, code="bad_paragraph")}
    return {}


# --- Meetings -------------------------------------------------------------------------------


@transaction.atomic
def create_meeting(
    *,
    organizations: Iterable[Organization],
    start: dt.datetime,
    end: dt.datetime | None = None,
    location: Location | None = None,
    contact_officer=None,
    webcast_url: str = "",
    name: str = "",
    already_held: bool = False,
    actor,
    now: dt.datetime | None = None,
) -> Meeting:
    """A meeting of one or more decision makers. One dated in the past is refused unless
    the clerk says it has already taken place (recording an earlier meeting), so a mistyped
    year does not go unnoticed."""
    organizations = list(organizations)
    if not organizations:
        raise _refused(NO_ORGANIZATION, "no_organization", "organizations")
    if start < (now or timezone.now()) and not already_held:
        raise _refused(PAST_MEETING, "past_meeting", "already_held")
    if end is not None and end <= start:
        raise _refused(END_BEFORE_START, "end_before_start", "end")
    meeting = Meeting(
        name=name.strip(),
        start=start,
        end=end,
        location=location,
        contact_officer=contact_officer,
        webcast_url=webcast_url,
    )
    _as(actor, meeting)
    meeting.full_clean(exclude=["organizations"])
    meeting.save()
    meeting.organizations.set(organizations)
    return meeting


@transaction.atomic
def reschedule_meeting(
    *,
    meeting: Meeting,
    start: dt.datetime,
    end: dt.datetime | None,
    location: Location | None,
    version,
    actor,
) -> Meeting:
    meeting = locked_current(Meeting, meeting.pk, version)
    _open_for_change(meeting)
    if end is not None and end <= start:
        raise _refused(END_BEFORE_START, "end_before_start", "end")
    meeting.start, meeting.end, meeting.location = start, end, location
    _as(actor, meeting)
    save_next_version(meeting, ["start", "end", "location"])
    _in_step(meetings=[meeting])
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting: Meeting, reason: str, version, actor) -> Meeting:
    meeting = locked_current(Meeting, meeting.pk, version)
    _open_for_change(meeting)
    if not reason.strip():
        raise _refused(CANCEL_NEEDS_REASON, "no_reason", "reason")
    meeting.state = MeetingState.CANCELLED
    meeting.cancellation_reason = reason.strip()
    _as(actor, meeting)
    save_next_version(meeting, ["state", "cancellation_reason"])
    _in_step(meetings=[meeting])
    return meeting


@transaction.atomic
def publish_agenda(
    *, meeting: Meeting, actor, late_reason: str = "", now: dt.datetime | None = None
) -> Meeting:
    """Open the agenda and its reports to the public. Refused for a past, cancelled or empty
    meeting, or while a report lacks its approvals; publishing less than five clear working
    days before the meeting needs a reason for urgency, which the agenda then shows."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    now = now or timezone.now()
    _open_for_change(meeting)
    publication = meeting.publication(now)
    if publication.published_on is not None:
        raise _refused(ALREADY_PUBLISHED, "already_published")
    if publication.past:
        raise _refused(MEETING_PAST, "past")
    if not meeting.agenda_items.exists():
        raise _refused(EMPTY_AGENDA, "empty_agenda")
    _check_sign_offs(Paper.objects.filter(consultations__agenda_item__meeting=meeting))
    if publication.late and not late_reason.strip():
        raise _refused(LATE_NEEDS_REASON, "late", "late_reason")
    meeting.agenda_published_at = now
    meeting.late_publication_reason = late_reason.strip() if publication.late else ""
    meeting.state = MeetingState.AGENDA_PUBLISHED
    _as(actor, meeting)
    save_next_version(meeting, ["agenda_published_at", "late_publication_reason", "state"])
    _mark_first_published(Paper.objects.filter(consultations__meeting=meeting), now)
    _in_step(meetings=[meeting])
    _announce(meeting, AlertKind.AGENDA, now=now)
    return meeting


def _mark_first_published(papers, now: dt.datetime) -> int:
    """Stamp the papers among `papers` that the public can see for the first time
    (policies.paper_open). A stamp is never moved: republication keeps the first."""
    return Paper.objects.filter(
        pk__in=policies.papers.public(papers.filter(first_published_at__isnull=True)).values("pk")
    ).update(first_published_at=now)


def _check_sign_offs(papers) -> None:
    """Refuse, naming each report (params: `paper`, its primary key), while a report lacks
    the approvals the council requires (policies.missing_approvals: approved rows of its
    sign-off table that have not been withdrawn)."""
    papers = list(
        papers.annotate(approved=policies.approvals(OuterRef("pk")))
        .distinct()
        .order_by("title", "pk")
    )
    problems = []
    for paper in papers:
        missing = policies.missing_approvals(paper.approved)
        if missing:
            problems.append(
                ValidationError(
                    MISSING_SIGN_OFFS,
                    code="sign_off",
                    params={"title": paper.title, "missing": ", ".join(missing), "paper": paper.pk},
                )
            )
    if problems:
        raise ValidationError(problems)


@transaction.atomic
def rebuild_pack(*, meeting: Meeting, actor) -> AgendaPack:
    """Ask for the meeting's agenda pack to be built again (after a file was replaced, or a
    failed build was put right); the build runs in the background."""
    return tasks.request_pack_build(meeting)


# --- The agenda -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AgendaItemDetails:
    """What Governance Services write about an agenda item (the form builds it)."""

    title: str
    lead: str = ""
    description: str = ""
    is_public: bool = True
    exempt_paragraphs: tuple[int, ...] = ()
    public_interest_statement: str = ""
    is_urgent: bool = False
    urgency_reason: str = ""
    minutes_of: Meeting | None = None
    lists_outstanding_issues: bool = False

    @classmethod
    def of(cls, item: AgendaItem) -> "AgendaItemDetails":
        """The item's details as they are now (to change some with dataclasses.replace)."""
        return cls(**{f.name: getattr(item, f.name) for f in dataclasses.fields(cls)})

    def cleaned(self) -> "AgendaItemDetails":
        """Text trimmed; paragraphs only for a private item, each once, in order; a reason
        for urgency only for an urgent one."""
        return dataclasses.replace(
            self,
            title=self.title.strip(),
            lead=self.lead.strip(),
            description=self.description.strip(),
            exempt_paragraphs=() if self.is_public else tuple(sorted(set(self.exempt_paragraphs))),
            public_interest_statement=self.public_interest_statement.strip(),
            urgency_reason=self.urgency_reason.strip() if self.is_urgent else "",
        )

    @property
    def paragraphs_not_kept(self) -> bool:
        """Paragraphs of Schedule 12A were given for a public item: they are not kept, and
        the confirmation says so (PARAGRAPHS_NOT_KEPT)."""
        return self.is_public and bool(self.exempt_paragraphs)

    def errors(self) -> dict:
        errors = _paragraphs_errors(
            is_public=self.is_public,
            paragraphs=list(self.exempt_paragraphs),
            missing=PRIVATE_NEEDS_PARAGRAPH,
        )
        if self.is_urgent and not self.urgency_reason:
            errors["urgency_reason"] = ValidationError(URGENT_NEEDS_REASON, code="no_reason")
        return errors

    def write_to(self, item: AgendaItem) -> list[str]:
        """Set the item's fields; returns the names of those written."""
        names = [f.name for f in dataclasses.fields(self)]
        for name in names:
            value = getattr(self, name)
            setattr(item, name, list(value) if name == "exempt_paragraphs" else value)
        return names


@transaction.atomic
def add_agenda_item(
    *,
    meeting: Meeting,
    details: AgendaItemDetails,
    parent: AgendaItem | None = None,
    actor,
) -> AgendaItem:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _open_for_change(meeting)
    details = details.cleaned()
    errors = details.errors()
    if parent is not None and (parent.meeting_id != meeting.pk or parent.parent_id is not None):
        errors["parent"] = ValidationError(SUB_ITEM_DEPTH, code="sub_item_depth")
    if errors:
        raise ValidationError(errors)
    siblings = meeting.agenda_items.filter(parent=parent)
    position = (siblings.aggregate(m=Max("position"))["m"] or 0) + 1
    item = AgendaItem(
        meeting=meeting,
        parent=parent,
        position=position,
        number=f"new-{position}",
        is_supplementary=meeting.agenda_published_at is not None,
    )
    details.write_to(item)
    _as(actor, item)
    item.full_clean(exclude=["number"])
    item.save()
    _renumber_agenda(meeting, actor=actor)
    item.refresh_from_db()
    _in_step(meetings=[meeting])
    if item.is_supplementary:
        _announce(meeting, AlertKind.SUPPLEMENT, items=[item.pk])
    return item


@transaction.atomic
def update_agenda_item(
    *, item: AgendaItem, details: AgendaItemDetails, version, actor
) -> AgendaItem:
    item = locked_current(AgendaItem, item.pk, version)
    _open_for_change(item.meeting)
    was_public = item.is_public
    details = details.cleaned()
    errors = details.errors()
    if errors:
        raise ValidationError(errors)
    fields = details.write_to(item)
    _as(actor, item)
    save_next_version(item, fields)
    if was_public and not item.is_public:
        _withdraw_packs([item.meeting_id])
    _in_step(meetings=[item.meeting])
    if item.is_public and not was_public:
        _announce_made_public(item)
    return item


def _announce_made_public(item: AgendaItem) -> None:
    """A private item has just been made public: if that opens it to the public on a
    published agenda (policies.item_open), with its sub-items that are public business now
    their parent is, subscribers hear of them as of a supplementary item."""
    opened = list(
        AgendaItem.objects.filter(
            policies.item_open(), Q(pk=item.pk) | Q(parent=item.pk)
        ).values_list("pk", flat=True)
    )
    if opened:
        _announce(item.meeting, AlertKind.SUPPLEMENT, items=opened)


@transaction.atomic
def move_agenda_item(*, item: AgendaItem, direction: str, actor) -> AgendaItem:
    """Swap the item with its neighbour ("up" or "down"); the whole agenda is renumbered."""
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    _open_for_change(item.meeting)
    siblings = list(
        AgendaItem.objects.filter(meeting=item.meeting_id, parent=item.parent_id).order_by(
            "position"
        )
    )
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in {"up", "down"} or not 0 <= other < len(siblings):
        return item
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        AgendaItem.objects.filter(pk=sibling.pk).update(position=position)
    _renumber_agenda(item.meeting, actor=actor)
    _in_step(meetings=[item.meeting])
    item.refresh_from_db()
    return item


@transaction.atomic
def remove_agenda_item(*, item: AgendaItem, actor) -> None:
    meeting = item.meeting
    _open_for_change(meeting)
    _as(actor, item)
    item.delete()
    _renumber_agenda(meeting, actor=actor)
    _withdraw_packs([meeting.pk])
    _in_step(meetings=[meeting])


def _renumber_agenda(meeting: Meeting, *, actor) -> None:
    """Number items 1, 2, 3… in order and sub-items a), b), c)…; positions close up. The
    unique number constraint is deferred, so the swap in between is allowed."""
    items = list(meeting.agenda_items.order_by("parent_id", "position", "pk"))
    top = [i for i in items if i.parent_id is None]
    by_parent: dict[int, list[AgendaItem]] = {}
    for i in items:
        if i.parent_id is not None:
            by_parent.setdefault(i.parent_id, []).append(i)
    changed = []
    for position, item in enumerate(sorted(top, key=lambda i: i.position), start=1):
        changed += _renumbered(item, position, str(position))
        for sub_position, sub in enumerate(by_parent.get(item.pk, []), start=1):
            changed += _renumbered(sub, sub_position, f"{_letter(sub_position)})")
    for item in changed:
        _as(actor, item)
        item.save(update_fields=["position", "number", "updated_at"])


def _renumbered(item, position, number):
    if item.position == position and item.number == number:
        return []
    item.position, item.number = position, number
    return [item]


def _letter(n: int) -> str:
    letters = string.ascii_lowercase
    return letters[n - 1] if n <= 26 else letters[(n - 1) // 26 - 1] + letters[(n - 1) % 26]


@transaction.atomic
def attach_report(
    *,
    item: AgendaItem,
    paper: Paper,
    role: str,
    recommendation: str = "",
    actor,
) -> Consultation:
    """Put a report on an agenda item (a step of its journey). On an agenda already published
    the report must have its approvals first."""
    meeting = item.meeting
    _open_for_change(meeting)
    if meeting.agenda_published_at is not None:
        _check_sign_offs(Paper.objects.filter(pk=paper.pk))
    consultation = Consultation.objects.filter(paper=paper, meeting=meeting).first()
    # New on this agenda (not moved from another of its items): subscribers hear of it.
    newly_on_agenda = consultation is None or consultation.agenda_item_id is None
    if consultation is not None and consultation.agenda_item_id != item.pk:
        _withdraw_packs([meeting.pk])  # the report leaves the item the pack has it under
    consultation = consultation or Consultation(paper=paper, meeting=meeting)
    consultation.agenda_item = item
    consultation.organization = meeting.organizations.order_by("pk").first()
    consultation.role = role
    consultation.recommendation = recommendation.strip()
    _as(actor, consultation)
    consultation.full_clean(validate_unique=False)
    consultation.save()
    if meeting.agenda_published_at is not None:
        _mark_first_published(Paper.objects.filter(pk=paper.pk), timezone.now())
    _in_step(meetings=[meeting], papers=[paper])
    if newly_on_agenda:
        _announce(meeting, AlertKind.SUPPLEMENT, papers=[paper.pk])
    return consultation


# --- Reports --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PaperDetails:
    """What the council's report template records about a report (the form builds it)."""

    reference: str
    title: str
    date: dt.date
    author_name: str
    paper_type: str = "Report"
    author_job_title: str = ""
    author_directorate: Directorate | None = None
    author_telephone: str = ""
    author_email: str = ""
    approving_director: str = ""
    cabinet_member: str = ""
    wards_affected: str = ""
    key_decision: bool = False
    scrutiny_consideration: str = ""
    other_bodies: str = ""
    going_to_council: str = ""
    executive_summary: str = ""
    background_papers: str = ""
    is_public: bool = True
    exempt_paragraphs: tuple[int, ...] = ()

    @classmethod
    def of(cls, paper: Paper) -> "PaperDetails":
        """The report's details as they are now (to change some with dataclasses.replace)."""
        return cls(**{f.name: getattr(paper, f.name) for f in dataclasses.fields(cls)})

    @property
    def paragraphs_not_kept(self) -> bool:
        """As AgendaItemDetails.paragraphs_not_kept, for a public report."""
        return self.is_public and bool(self.exempt_paragraphs)

    def cleaned(self) -> "PaperDetails":
        """Text trimmed; paragraphs only for a private report, each once, in order."""
        trimmed = {
            f.name: getattr(self, f.name).strip()
            for f in dataclasses.fields(self)
            if isinstance(getattr(self, f.name), str)
        }
        paragraphs = () if self.is_public else tuple(sorted(set(self.exempt_paragraphs)))
        return dataclasses.replace(self, **trimmed, exempt_paragraphs=paragraphs)

    def write_to(self, paper: Paper) -> list[str]:
        names = [f.name for f in dataclasses.fields(self)]
        for name in names:
            value = getattr(self, name)
            setattr(paper, name, list(value) if name == "exempt_paragraphs" else value)
        return names


def _clean_paper(paper: Paper) -> None:
    errors = _paragraphs_errors(
        is_public=paper.is_public,
        paragraphs=paper.exempt_paragraphs,
        missing=PRIVATE_PAPER_NEEDS_PARAGRAPH,
    )
    if Paper.objects.filter(reference__iexact=paper.reference).exclude(pk=paper.pk).exists():
        errors["reference"] = ValidationError(REFERENCE_TAKEN, code="reference_taken")
    if errors:
        raise ValidationError(errors)
    paper.full_clean(validate_unique=False, validate_constraints=False)


@transaction.atomic
def create_paper(
    *,
    details: PaperDetails,
    actor,
    item: AgendaItem | None = None,
    role: str = "",
    recommendation: str = "",
) -> Paper:
    """A new report with the metadata of the council's report template; with `item`, put on
    that agenda item at once (attach_report, with `role` and `recommendation`). Refused
    whole, nothing created, if it cannot go there (a published agenda needs its approvals
    first)."""
    paper = Paper()
    details.cleaned().write_to(paper)
    _clean_paper(paper)
    _as(actor, paper)
    paper.save()
    if item is not None:
        attach_report(item=item, paper=paper, role=role, recommendation=recommendation, actor=actor)
    return paper


@transaction.atomic
def update_paper(*, paper: Paper, details: PaperDetails, version, actor) -> Paper:
    """Change a report's metadata; refused for an out-of-date copy. Public pages, search and
    the packs of published agendas that carry it are brought up to date."""
    paper = locked_current(Paper, paper.pk, version)
    was_public = paper.is_public
    fields = details.cleaned().write_to(paper)
    _clean_paper(paper)
    _as(actor, paper)
    save_next_version(paper, fields)
    if was_public and not paper.is_public:
        _withdraw_packs(
            Consultation.objects.filter(paper=paper).values_list("meeting_id", flat=True)
        )
    if paper.is_public and paper.first_published_at is None:
        now = timezone.now()
        if _mark_first_published(Paper.objects.filter(pk=paper.pk), now):
            paper.first_published_at = now
    meetings = Meeting.objects.filter(consultations__paper=paper).distinct()
    _in_step(meetings=meetings, papers=[paper])
    if paper.is_public and not was_public:
        for meeting in meetings:
            _announce(meeting, AlertKind.SUPPLEMENT, papers=[paper.pk])
    return paper


def upload_document(
    *,
    uploaded_file,
    kind: str,
    title: str,
    paper: Paper | None = None,
    meeting: Meeting | None = None,
    actor,
) -> Document:
    """Add a file to a report (or a meeting's own, such as its minutes), after its type,
    size and content are checked from its bytes (committees.documents). It goes last among
    the report's files of its kind; the report's search entry and the packs that carry it
    follow. If the change is not committed, the stored file is removed again."""
    owner = {"paper": paper} if paper is not None else {"meeting": meeting}
    document = None
    try:
        with transaction.atomic():
            position = (
                Document.objects.filter(**owner, kind=kind).aggregate(m=Max("position"))["m"] or 0
            ) + 1
            document = documents.store_document(
                uploaded_file=uploaded_file,
                paper=paper,
                meeting=meeting,
                kind=kind,
                title=title,
                position=position,
                actor=None if actor is SCRIPT else actor,
            )
            if paper is not None:
                meetings = Meeting.objects.filter(consultations__paper=paper).distinct()
                _in_step(meetings=meetings, papers=[paper])
                _announce_file(document)
            else:
                _in_step(meetings=[meeting], packs=False)
    except BaseException:
        if document is not None:  # its row went with the rollback (or a failed COMMIT)
            document.file.delete(save=False)
        raise
    return document


def _last_sign_off_position(paper_id: int, kind: str) -> int:
    rows = SignOff.objects.filter(paper_id=paper_id, kind=kind)
    return (rows.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def record_sign_off(
    *,
    paper: Paper,
    kind: str,
    name: str,
    category: str = "",
    title: str = "",
    directorate_or_organisation: str = "",
    sent_on: dt.date | None = None,
    approved_on: dt.date | None = None,
    actor,
) -> SignOff:
    """A row of the report's sign-off table (who saw it, when it was sent and approved),
    last among the rows of its kind."""
    if sent_on and approved_on and approved_on < sent_on:
        raise _refused(APPROVED_BEFORE_SENT, "approved_before_sent", "approved_on")
    sign_off = SignOff(
        paper=paper,
        kind=kind,
        category=category,
        name=name.strip(),
        title=title.strip(),
        directorate_or_organisation=directorate_or_organisation.strip(),
        sent_on=sent_on,
        approved_on=approved_on,
        position=_last_sign_off_position(paper.pk, kind),
    )
    _as(actor, sign_off)
    sign_off.full_clean()
    sign_off.save()
    return sign_off


@transaction.atomic
def correct_sign_off(
    *,
    sign_off: SignOff,
    kind: str,
    name: str,
    category: str = "",
    title: str = "",
    directorate_or_organisation: str = "",
    sent_on: dt.date | None = None,
    approved_on: dt.date | None = None,
    version,
    actor,
) -> SignOff:
    """Put a row of the sign-off table right (its history keeps what it said before);
    publication counts it as corrected. A withdrawn row cannot be changed, and a stale copy
    is refused."""
    sign_off = locked_current(SignOff, sign_off.pk, version)
    if sign_off.withdrawn_at is not None:
        raise _refused(SIGN_OFF_WITHDRAWN, "withdrawn")
    if sent_on and approved_on and approved_on < sent_on:
        raise _refused(APPROVED_BEFORE_SENT, "approved_before_sent", "approved_on")
    if kind != sign_off.kind:
        sign_off.position = _last_sign_off_position(sign_off.paper_id, kind)
    sign_off.kind = kind
    sign_off.category = category
    sign_off.name = name.strip()
    sign_off.title = title.strip()
    sign_off.directorate_or_organisation = directorate_or_organisation.strip()
    sign_off.sent_on, sign_off.approved_on = sent_on, approved_on
    _as(actor, sign_off)
    sign_off.full_clean()
    save_next_version(
        sign_off,
        [
            "kind",
            "category",
            "name",
            "title",
            "directorate_or_organisation",
            "sent_on",
            "approved_on",
            "position",
        ],
    )
    _in_step(packs=False)
    return sign_off


WITHDRAWN_FIELDS = ["withdrawn_at", "withdrawn_by", "withdrawal_reason"]


def _withdrawal(record, *, reason: str, actor, already: str, missing: str) -> dict:
    """Refuse a record already withdrawn; the errors of the reason given, if any ({} when it
    will do). The record is marked withdrawn (by `actor`, now, for `reason`) only when the
    caller saves it."""
    if record.withdrawn_at is not None:
        raise _refused(already, "withdrawn")
    reason = reason.strip()
    if not reason:
        return {"reason": ValidationError(missing, code="no_reason")}
    if len(reason) > REASON_MAX_LENGTH:
        return {"reason": ValidationError(REASON_TOO_LONG, code="reason_too_long")}
    record.withdrawn_at = timezone.now()
    record.withdrawn_by = None if actor is SCRIPT else actor
    record.withdrawal_reason = reason
    _as(actor, record)
    return {}


@transaction.atomic
def withdraw_sign_off(*, sign_off: SignOff, reason: str, version, actor) -> SignOff:
    """Withdraw a row of the sign-off table, saying why: it stays on Governance Services'
    page, marked withdrawn, leaves the public sign-off table (policies.not_withdrawn) and no
    longer counts as an approval (_check_sign_offs)."""
    sign_off = locked_current(SignOff, sign_off.pk, version)
    errors = _withdrawal(
        sign_off,
        reason=reason,
        actor=actor,
        already=SIGN_OFF_WITHDRAWN,
        missing=WITHDRAWAL_NEEDS_REASON,
    )
    if errors:
        raise ValidationError(errors)
    sign_off._change_reason = "Withdrawn"
    save_next_version(sign_off, WITHDRAWN_FIELDS)
    _in_step(packs=False)
    return sign_off


def _meetings_carrying(document: Document):
    """The meetings whose packs may carry the file: a report's, every meeting taking the
    report; a meeting's own minutes, the meetings whose items present them."""
    if document.paper_id is not None:
        return Meeting.objects.filter(consultations__paper_id=document.paper_id).distinct()
    return Meeting.objects.filter(agenda_items__minutes_of_id=document.meeting_id).distinct()


def _announce_file(document: Document) -> None:
    """A file has just been added to a report (or replaced one of its files): the
    subscribers of each meeting taking the report hear of it, once its agenda is published
    (_announce). Whether the message shows it (a public report at public business, the file
    not withdrawn) is decided when it is sent. A meeting's own files (its minutes) are no
    supplement to an agenda."""
    if document.paper_id is None:
        return
    for meeting in _meetings_carrying(document):
        _announce(meeting, AlertKind.SUPPLEMENT, documents=[document.pk])


def _file_withdrawn(document: Document) -> None:
    """A file has just been withdrawn (or replaced): the packs that may carry it come down in
    this transaction, and the hook rebuilds them and the report's search entry."""
    meetings = list(_meetings_carrying(document))
    if document.mime_type == documents.PDF:
        _withdraw_packs([m.pk for m in meetings], reason=pack.FILE_WITHDRAWN_REASON)
    if document.paper_id is not None:
        _in_step(meetings=meetings, papers=[document.paper])
    else:
        _in_step(meetings=[document.meeting], packs=False)
        _in_step(meetings=meetings)


@transaction.atomic
def withdraw_document(*, document: Document, reason: str, version, actor) -> Document:
    """Withdraw a file, saying why: it leaves every public output and the next pack
    (policies.not_withdrawn), and stays on Governance Services' pages, marked withdrawn."""
    document = locked_current(Document, document.pk, version)
    errors = _withdrawal(
        document,
        reason=reason,
        actor=actor,
        already=FILE_WITHDRAWN,
        missing=WITHDRAWAL_NEEDS_REASON,
    )
    if errors:
        raise ValidationError(errors)
    document._change_reason = "Withdrawn"
    save_next_version(document, WITHDRAWN_FIELDS)
    _file_withdrawn(document)
    return document


def replace_document(
    *, document: Document, uploaded_file, reason: str, title: str = "", version, actor
) -> Document:
    """Correct a file by uploading its replacement, checked as every upload is: the new file
    takes the old one's place (its kind and position, and its title unless another is
    given); the old one is withdrawn for `reason`, marked replaced by the new. Returns the
    new file. If the change is not committed, the stored file is removed again."""
    replacement = None
    try:
        with transaction.atomic():
            document = locked_current(Document, document.pk, version)
            errors = _withdrawal(
                document,
                reason=reason,
                actor=actor,
                already=FILE_WITHDRAWN,
                missing=REPLACEMENT_NEEDS_REASON,
            )
            if errors:  # the file's own errors are shown beside the reason's
                try:
                    documents.validate_and_read(uploaded_file)
                except ValidationError as error:
                    errors["file"] = error
                raise ValidationError(errors)
            replacement = documents.store_document(
                uploaded_file=uploaded_file,
                paper=document.paper,
                meeting=document.meeting,
                kind=document.kind,
                title=title.strip() or document.title,
                position=document.position,
                actor=None if actor is SCRIPT else actor,
            )
            document.replaced_by = replacement
            document._change_reason = "Replaced"
            save_next_version(document, [*WITHDRAWN_FIELDS, "replaced_by"])
            _file_withdrawn(document)
            _announce_file(replacement)
    except BaseException:
        if replacement is not None:  # its row went with the rollback (or a failed COMMIT)
            replacement.file.delete(save=False)
        raise
    return replacement


# --- Minutes --------------------------------------------------------------------------------


@transaction.atomic
def record_attendance(*, meeting: Meeting, entries: list[dict], version, actor) -> list[Attendance]:
    """Replace the meeting's attendance: members present (and substitutes, for whom), in
    attendance, apologies, absent, and officers by directorate, with the times someone who
    attended arrived late or left early (attendance_time_errors). Refused if someone else has
    changed the meeting since `version` was read."""
    meeting = locked_current(Meeting, meeting.pk, version)
    _open_for_change(meeting)
    rows = []
    for entry in entries:
        if entry.get("status") == AttendanceStatus.SUBSTITUTE and not entry.get("substitute_for"):
            raise _refused(SUBSTITUTE_FOR_WHOM, "substitute_for_whom", "substitute_for")
        errors = attendance_time_errors(
            status=entry.get("status"),
            arrived_at=entry.get("arrived_at"),
            left_at=entry.get("left_at"),
            meeting=meeting,
        )
        if errors:
            raise ValidationError(errors)
        row = Attendance(meeting=meeting, **entry)
        row.full_clean(exclude=["meeting"])
        rows.append(row)
    meeting.attendance.all().delete()
    for row in rows:
        _as(actor, row)
        row.save()
    _as(actor, meeting)
    save_next_version(meeting, [])
    return rows


def attendance_time_errors(*, status, arrived_at, left_at, meeting: Meeting) -> dict:
    """What is wrong with the times someone arrived and left (each optional; times of the
    meeting's day, London time): given only for someone who attended, after the meeting
    started, before it closed (if that is recorded), and leaving after arriving. The
    attendance form asks the same, to put each error on its row."""
    errors = {}
    if arrived_at is None and left_at is None:
        return errors
    if status not in ATTENDED:
        field = "arrived_at" if arrived_at is not None else "left_at"
        return {field: ValidationError(TIMES_ONLY_IF_THERE, code="times_not_attended")}
    start = timezone.localtime(meeting.start).time().replace(second=0, microsecond=0)
    closed = meeting.closed_at
    if arrived_at is not None:
        if arrived_at <= start:
            errors["arrived_at"] = ValidationError(
                ARRIVED_BEFORE_START, code="before_start", params={"start": clock(start)}
            )
        elif closed is not None and arrived_at >= closed:
            errors["arrived_at"] = ValidationError(
                AFTER_CLOSE, code="after_close", params={"closed": clock(closed)}
            )
    if left_at is not None:
        if left_at <= start:
            errors["left_at"] = ValidationError(
                LEFT_BEFORE_START, code="before_start", params={"start": clock(start)}
            )
        elif arrived_at is not None and left_at <= arrived_at:
            errors["left_at"] = ValidationError(LEFT_BEFORE_ARRIVED, code="left_before_arrived")
        elif closed is not None and left_at >= closed:
            errors["left_at"] = ValidationError(
                AFTER_CLOSE, code="after_close", params={"closed": clock(closed)}
            )
    return errors


@transaction.atomic
def record_declaration(
    *, item: AgendaItem, person, interest: str, description: str, actor
) -> Declaration:
    _open_for_change(item.meeting)
    declaration = Declaration(
        agenda_item=item, person=person, interest=interest, description=description.strip()
    )
    _as(actor, declaration)
    declaration.full_clean()
    declaration.save()
    return declaration


@transaction.atomic
def record_minute(
    *,
    item: AgendaItem,
    minutes_text: str,
    resolutions: list[dict] | None = None,
    votes: dict[int, str] | None = None,
    version,
    actor,
) -> AgendaItem:
    """An item's minute and its numbered resolutions (each {text, requests_follow_up}).
    Resolutions as they are recorded already (or None) are left alone, so an issue a later
    meeting closed stays closed. Where the vote was a recorded one, `votes` says how each
    member present voted ({person's primary key: VoteChoice}; empty: no recorded vote; None:
    left as recorded): members present only (_check_votes)."""
    item = locked_current(AgendaItem, item.pk, version)
    _open_for_change(item.meeting)
    if votes is not None:
        _check_votes(item, votes)
    item.minutes_text = minutes_text.strip()
    _as(actor, item)
    save_next_version(item, ["minutes_text"])
    typed = [
        {"text": r["text"].strip(), "requests_follow_up": bool(r.get("requests_follow_up"))}
        for r in resolutions or []
    ]
    recorded = [
        {"text": r.text, "requests_follow_up": r.requests_follow_up}
        for r in item.resolutions.order_by("number", "pk")
    ]
    if resolutions is not None and typed != recorded:
        item.resolutions.all().delete()
        numbered = len(typed) > 1
        for number, resolution in enumerate(typed, start=1):
            row = Resolution(agenda_item=item, number=number if numbered else None, **resolution)
            _as(actor, row)
            row.full_clean()
            row.save()
        _decision_of_minute(item, actor=actor)
    if votes is not None:
        _record_votes(item, votes, actor=actor)
    _in_step(meetings=[item.meeting], packs=False)
    return item


def _check_votes(item: AgendaItem, votes: dict[int, str]) -> None:
    """Refuse a vote for or against anything but for, against or abstained, or by anyone
    not recorded as a member present at the item's meeting (VOTERS)."""
    if any(choice not in VoteChoice.values for choice in votes.values()):
        raise _refused(BAD_VOTE, "bad_vote", "votes")
    present = set(
        Attendance.objects.filter(
            meeting_id=item.meeting_id, person__isnull=False, status__in=VOTERS
        ).values_list("person_id", flat=True)
    )
    strangers = [pk for pk in votes if pk not in present]
    if strangers:
        person = Person.objects.filter(pk__in=strangers).order_by("pk").first()
        raise ValidationError(
            {
                "votes": ValidationError(
                    NOT_PRESENT_TO_VOTE,
                    code="not_present",
                    params={"name": person.name if person else "someone"},
                )
            }
        )


def _record_votes(item: AgendaItem, votes: dict[int, str], *, actor) -> None:
    recorded = dict(item.votes.values_list("person_id", "choice"))
    if recorded == votes:
        return
    item.votes.all().delete()
    for person_id, choice in sorted(votes.items()):
        row = Vote(agenda_item=item, person_id=person_id, choice=choice)
        _as(actor, row)
        row.save()


def _decision_of_minute(item: AgendaItem, *, actor) -> None:
    """The decisions register holds every decision: what an item's minute resolved is its
    decision, linked to the minute, kept in step with its resolutions (public with the
    minutes: policies.decision_open). An executive decision for a cabinet or cabinet member,
    a committee decision otherwise."""
    resolutions = list(item.resolutions.order_by("number", "pk"))
    decision = Decision.objects.filter(
        agenda_item=item, kind__in=(DecisionKind.EXECUTIVE, DecisionKind.COMMITTEE)
    ).first()
    if not resolutions:
        if decision is not None:
            _as(actor, decision)
            decision.delete()
        return
    meeting = item.meeting
    maker = meeting.organizations.order_by("pk").first()
    executive = maker is not None and maker.organization_type in EXECUTIVE_BODIES
    decision = decision or Decision(agenda_item=item, meeting=meeting)
    decision.kind = DecisionKind.EXECUTIVE if executive else DecisionKind.COMMITTEE
    decision.title = item.title
    decision.decision_maker = maker
    decision.date = timezone.localdate(meeting.start)
    decision.decision = "\n".join(
        f"{r.number}. {r.text}" if r.number else r.text for r in resolutions
    )
    decision.paper = Paper.objects.filter(consultations__agenda_item=item).order_by("pk").first()
    _as(actor, decision)
    decision.full_clean()
    decision.save()
    _in_step(decisions=[decision])


@transaction.atomic
def publish_minutes(
    *, meeting: Meeting, closed_at: dt.time | None, actor, now: dt.datetime | None = None
) -> Meeting:
    """Open the meeting's minutes to the public: once it has taken place."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    now = now or timezone.now()
    _open_for_change(meeting)
    if meeting.start > now:
        raise _refused(MINUTES_BEFORE_MEETING, "not_held")
    meeting.closed_at = closed_at
    meeting.minutes_published_at = meeting.minutes_published_at or now
    meeting.state = MeetingState.HELD
    _as(actor, meeting)
    save_next_version(meeting, ["closed_at", "minutes_published_at", "state"])
    _in_step(meetings=[meeting], packs=False)
    return meeting


@transaction.atomic
def approve_minutes(*, meeting: Meeting, at_meeting: Meeting, actor) -> Meeting:
    """Minutes are approved at a later meeting of the same decision maker; from then on they
    are locked and change only by a recorded correction."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _open_for_change(meeting)
    if meeting.minutes_published_at is None:
        raise _refused(MINUTES_NOT_PUBLISHED, "minutes_not_published")
    shared = set(meeting.organizations.values_list("pk", flat=True)) & set(
        at_meeting.organizations.values_list("pk", flat=True)
    )
    if at_meeting.start <= meeting.start or not shared:
        raise _refused(APPROVE_AT_LATER_MEETING, "not_later_meeting", "at_meeting")
    meeting.state = MeetingState.MINUTES_APPROVED
    meeting.minutes_approved_at = at_meeting
    _as(actor, meeting)
    save_next_version(meeting, ["state", "minutes_approved_at"])
    return meeting


@transaction.atomic
def correct_minutes(
    *, meeting: Meeting, correction: str, reason: str, actor, item: AgendaItem | None = None
) -> MinutesCorrection:
    errors = {}
    if not correction.strip():
        errors["correction"] = ValidationError(NO_CORRECTION, code="no_correction")
    if not reason.strip():
        errors["reason"] = ValidationError(NO_CORRECTION_REASON, code="no_reason")
    if item is not None and item.meeting_id != meeting.pk:
        errors["item"] = ValidationError(NOT_ON_THIS_AGENDA, code="not_on_agenda")
    if errors:
        raise ValidationError(errors)
    row = MinutesCorrection(
        meeting=meeting,
        agenda_item=item,
        correction=correction.strip(),
        reason=reason.strip(),
        made_by=None if actor is SCRIPT else actor,
    )
    _as(actor, row)
    row.save()
    return row


@transaction.atomic
def close_outstanding_issue(*, resolution: Resolution, closed_by: AgendaItem, actor):
    resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
    if not resolution.requests_follow_up:
        raise _refused(NOT_OUTSTANDING, "not_outstanding")
    if resolution.closed_by_id is not None:
        raise _refused(ALREADY_CLOSED, "already_closed")
    resolution.closed_by = closed_by
    _as(actor, resolution)
    resolution.save(update_fields=["closed_by", "updated_at"])
    return resolution


# --- Private papers ---------------------------------------------------------------------------


def record_private_opening(
    *, paper: Paper, document: Document | None = None, actor
) -> PrivatePaperOpening:
    """Log that `actor` has opened a private report (or `document`, one of its files): who,
    which, when, and nothing they typed. Pages call it once the policy has let them serve the
    paper (policies.member_paper for councillors). The log is never changed; nothing public
    changes, so nothing is kept in step."""
    if actor is SCRIPT or not getattr(actor, "is_authenticated", False):
        raise _refused(NO_READER, "no_reader")
    capacity = (
        ReaderCapacity.GOVERNANCE_SERVICES
        if policies.manages_committees(actor)
        else ReaderCapacity.MEMBER
    )
    return PrivatePaperOpening.objects.create(
        reader=actor, capacity=capacity, paper=paper, document=document
    )


# --- Decisions and the forward plan ----------------------------------------------------------


@transaction.atomic
def record_decision(
    *,
    kind: str,
    title: str,
    date: dt.date,
    decision: str,
    reasons: str = "",
    alternatives_rejected: str = "",
    conflicts_of_interest: str = "",
    decision_maker: Organization | None = None,
    officer_name: str = "",
    officer_title: str = "",
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    paper: Paper | None = None,
    is_public: bool = True,
    is_key: bool = False,
    forward_plan_entry: ForwardPlanEntry | None = None,
    key_decision_exception: str = KeyDecisionException.NONE,
    exception_reason: str = "",
    actor,
) -> Decision:
    """An executive, committee or officer decision for the register. A key decision needs
    28 clear days on the forward plan, or a recorded general exception or special urgency."""
    if kind == DecisionKind.OFFICER and not officer_name.strip():
        raise _refused(OFFICER_DECISION_NEEDS_OFFICER, "no_officer", "officer_name")
    if is_key:
        noticed = forward_plan_entry is not None and rules.forward_plan_in_time(
            forward_plan_entry.first_published_on, date
        )
        if not noticed and (not key_decision_exception or not exception_reason.strip()):
            raise _refused(KEY_DECISION_NOTICE, "key_decision_notice", "key_decision_exception")
    row = Decision(
        kind=kind,
        title=title.strip(),
        date=date,
        decision=decision.strip(),
        reasons=reasons.strip(),
        alternatives_rejected=alternatives_rejected.strip(),
        conflicts_of_interest=conflicts_of_interest.strip(),
        decision_maker=decision_maker,
        officer_name=officer_name.strip(),
        officer_title=officer_title.strip(),
        meeting=meeting,
        agenda_item=agenda_item,
        paper=paper,
        is_public=is_public,
        is_key=is_key,
        forward_plan_entry=forward_plan_entry,
        key_decision_exception=key_decision_exception,
        exception_reason=exception_reason.strip(),
    )
    _as(actor, row)
    row.full_clean()
    row.save()
    _in_step(decisions=[row])
    return row


@transaction.atomic
def add_forward_plan_entry(
    *,
    title: str,
    decision_maker: Organization,
    expected_date: dt.date,
    summary: str = "",
    documents: str = "",
    wards_affected: str = "",
    contact: str = "",
    paper: Paper | None = None,
    first_published_on: dt.date | None = None,
    actor,
) -> ForwardPlanEntry:
    """A key decision on the forward plan, first published today unless said otherwise."""
    entry = ForwardPlanEntry(
        title=title.strip(),
        decision_maker=decision_maker,
        expected_date=expected_date,
        summary=summary.strip(),
        documents=documents.strip(),
        wards_affected=wards_affected.strip(),
        contact=contact.strip(),
        paper=paper,
        first_published_on=first_published_on or timezone.localdate(),
    )
    _as(actor, entry)
    entry.full_clean()
    entry.save()
    return entry


# --- E-mail alerts -----------------------------------------------------------------------------

#: Confirmation messages an address is sent in a day at most, over all its subscriptions.
CONFIRMATIONS_PER_DAY = 3
EMAIL_MISSING = "Enter your email address"
EMAIL_INVALID = "Enter an email address in the correct format, like name@example.com"
EMAIL_TOO_LONG = "Email address must be 254 characters or fewer"
ALERT_LINK_UNUSABLE = (
    "This link has expired or has already been used. Subscribe again from the committee's page"
)


def _announce(
    meeting: Meeting, kind: str, *, items=(), papers=(), documents=(), now=None
) -> Alert | None:
    """Tell the subscribers of the meeting's decision makers about a publication: an agenda
    published, or, on an agenda published for a meeting still to come, items or reports
    added or made public, or files added to its reports. One alert and one task, after
    commit; what the message shows is decided when it is sent (committees/alerts.py).
    Nothing is recorded when no one has subscribed."""
    now = now or timezone.now()
    # Asked of the stored meeting, not the caller's copy (which may predate publication).
    subscribed = AlertSubscription.objects.filter(
        confirmed_at__isnull=False,
        organization__meetings=meeting.pk,
        organization__meetings__agenda_published_at__isnull=False,
        organization__meetings__start__gt=now,
    )
    if not subscribed.exists():
        return None
    alert = Alert.objects.create(
        meeting=meeting,
        kind=kind,
        item_ids=list(items),
        paper_ids=list(papers),
        document_ids=list(documents),
        created_at=now,
    )
    transaction.on_commit(functools.partial(tasks.send_alert.enqueue, alert.pk))
    return alert


def _checked_address(email) -> str:
    address = normalise_email(email if isinstance(email, str) else "")
    if not address:
        raise _refused(EMAIL_MISSING, "required", "email")
    if len(address) > 254:
        raise _refused(EMAIL_TOO_LONG, "max_length", "email")
    try:
        validate_email(address)  # no line breaks, so nothing can be added to the headers
    except ValidationError:
        raise _refused(EMAIL_INVALID, "invalid", "email") from None
    return address


@transaction.atomic
def request_alerts(
    *, organization: Organization, email: str, actor, now: dt.datetime | None = None
) -> None:
    """Subscribe an address to the decision maker's alerts, once its owner confirms through
    the link e-mailed to it (nothing else is sent before). The caller learns nothing of
    whether it was subscribed already: a confirmed subscription is left as it is and sent
    nothing; an unconfirmed one is sent its link again. No address is sent more than
    CONFIRMATIONS_PER_DAY confirmation messages in 24 hours, however many decision makers it
    is offered. Only the address is kept; an unconfirmed one is deleted after
    CONFIRM_WITHIN (by a deferred task, and on every request)."""
    address = _checked_address(email)
    now = now or timezone.now()
    AlertSubscription.objects.filter(
        confirmed_at__isnull=True, created_at__lte=now - CONFIRM_WITHIN
    ).delete()
    # One request for an address at a time, so that two cannot both pass the daily limit.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"alerts:{address}"]
        )
    subscription, created = AlertSubscription.objects.get_or_create(
        email=address,
        organization=organization,
        defaults={"nonce": alert_tokens.new_nonce(), "created_at": now},
    )
    if subscription.confirmed_at is not None:
        return
    day_ago = now - dt.timedelta(days=1)
    sent = sum(
        AlertSubscription.objects.filter(
            email=address, last_confirmation_at__gt=day_ago
        ).values_list("confirmations_sent", flat=True)
    )
    if sent < CONFIRMATIONS_PER_DAY:
        if (
            subscription.last_confirmation_at is None
            or subscription.last_confirmation_at <= day_ago
        ):
            subscription.confirmations_sent = 0  # counts only the last day's
        subscription.confirmations_sent += 1
        subscription.last_confirmation_at = now
        subscription.save(update_fields=["confirmations_sent", "last_confirmation_at"])
        transaction.on_commit(
            functools.partial(tasks.send_alert_confirmation.enqueue, subscription.pk)
        )
    if created and tasks.forget_unconfirmed_alerts.get_backend().supports_defer:
        expiry = tasks.forget_unconfirmed_alerts.using(run_after=now + CONFIRM_WITHIN)
        transaction.on_commit(expiry.enqueue)


def _current_subscription(subscription: AlertSubscription, now) -> AlertSubscription:
    current = AlertSubscription.objects.select_for_update().filter(pk=subscription.pk).first()
    if current is None or current.expired(now):
        raise _refused(ALERT_LINK_UNUSABLE, "link_unusable")
    return current


@transaction.atomic
def confirm_alerts(
    *, subscription: AlertSubscription, actor, now: dt.datetime | None = None
) -> AlertSubscription:
    """Start a subscription whose owner has followed its confirmation link (confirming
    twice changes nothing). Refused once the link has expired."""
    now = now or timezone.now()
    subscription = _current_subscription(subscription, now)
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now
        subscription.save(update_fields=["confirmed_at"])
    return subscription


@transaction.atomic
def end_alerts(*, subscription: AlertSubscription, actor) -> Organization:
    """Unsubscribe: the subscription and the record of what it was sent are deleted (an
    alert being sent to it at this moment finishes first). Returns its decision maker."""
    subscription = _current_subscription(subscription, timezone.now())
    organization = subscription.organization
    subscription.delete()
    return organization
