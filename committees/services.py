"""Every change to committee business: one function per business action, each one
transaction, checking its rule before it writes. Error messages are module constants that
forms show and tests reuse.

Changes are recorded in each model's history (django-simple-history); the acting user is
attributed by HistoryRequestMiddleware in requests, or by `_as(actor)` here.
"""

import datetime as dt
import string
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from committees import policies, rules
from committees.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Consultation,
    Decision,
    DecisionKind,
    Declaration,
    ForwardPlanEntry,
    KeyDecisionException,
    Location,
    Meeting,
    MeetingState,
    MinutesCorrection,
    Organization,
    Paper,
    Resolution,
    SignOff,
)
from committees.models.meetings import SCHEDULE_12A_PARAGRAPHS
from governance_portal import pagecache

STALE = (
    "Someone else changed this while you were editing it. Your changes have not been saved: "
    "check the latest version and make them again"
)
END_BEFORE_START = "The meeting must end after it starts"
NO_ORGANIZATION = "Select the committee or decision maker holding the meeting"
MEETING_CANCELLED = "This meeting has been cancelled"
MEETING_PAST = "You cannot publish the agenda of a meeting that has already taken place"
ALREADY_PUBLISHED = "The agenda has already been published"
EMPTY_AGENDA = "Add at least one item to the agenda before publishing it"
LATE_NEEDS_REASON = (
    "The agenda is being published less than five clear working days before the meeting: "
    "enter the reason for urgency"
)
MISSING_SIGN_OFFS = (
    "{title} cannot go on a published agenda until it has these approvals: {missing}"
)
PRIVATE_NEEDS_PARAGRAPH = "Select the paragraph of Schedule 12A that makes this item private"
BAD_PARAGRAPH = "Paragraphs of Schedule 12A are numbered 1 to 7"
URGENT_NEEDS_REASON = "Enter the reason for urgency"
SUB_ITEM_DEPTH = "A sub-item cannot have sub-items of its own"
MINUTES_LOCKED = "The minutes have been approved and cannot be changed. Record a correction instead"
MINUTES_NOT_PUBLISHED = "Publish the minutes before they are approved"
APPROVE_AT_LATER_MEETING = "Minutes are approved at a later meeting of the same decision maker"
SUBSTITUTE_FOR_WHOM = "Say whom the substitute is standing in for"
KEY_DECISION_NOTICE = (
    "This key decision was not on the forward plan 28 clear days before it was taken: "
    "record a general exception or special urgency, with the reason"
)
OFFICER_DECISION_NEEDS_OFFICER = "Enter the name of the officer who took the decision"
ALREADY_CLOSED = "This issue has already been closed"
NOT_OUTSTANDING = "This resolution did not ask for anything to come back"
NOT_ON_THIS_AGENDA = "That item is not on the agenda of this meeting"


def _as(actor, *objects):
    """Attribute the history rows these saves create to `actor`."""
    for obj in objects:
        obj._history_user = actor


def _check_version(model, pk: int, version: int | None):
    """Optimistic locking: refuse a change made to an out-of-date copy, never overwrite."""
    current = model.objects.select_for_update().get(pk=pk)
    if version is not None and current.version != version:
        raise ValidationError(STALE, code="stale")
    return current


def _bump(obj, fields: list[str]):
    """Save a row read with select_for_update (so no one else can move its version on)."""
    obj.version += 1
    obj.save(update_fields=[*fields, "version", "updated_at"])


def _after_change(meeting: Meeting):
    """Keep what the public sees in step: the search index now, the pack after commit."""
    from committees import search, tasks

    # Signals cover saves and deletes; this covers the bulk updates (renumbering, search).
    pagecache.content_changed()
    search.reindex_meeting(meeting)
    if meeting.agenda_published_at is not None and meeting.state != MeetingState.CANCELLED:
        tasks.request_pack_build(meeting)


def _withdraw_packs(meeting_ids) -> None:
    """Something public in these meetings' packs has just been made private or taken off the
    agenda: the packs come down in this transaction (the rebuild follows after commit)."""
    from committees import pack

    pack.withdraw(meeting_ids)


def _locked_if_approved(meeting: Meeting):
    if meeting.state == MeetingState.MINUTES_APPROVED:
        raise ValidationError(MINUTES_LOCKED, code="locked")


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
    actor=None,
) -> Meeting:
    organizations = list(organizations)
    if not organizations:
        raise ValidationError({"organizations": NO_ORGANIZATION})
    if end is not None and end <= start:
        raise ValidationError({"end": END_BEFORE_START})
    meeting = Meeting(
        name=name,
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
    version: int | None,
    actor=None,
) -> Meeting:
    meeting = _check_version(Meeting, meeting.pk, version)
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(MEETING_CANCELLED)
    _locked_if_approved(meeting)
    if end is not None and end <= start:
        raise ValidationError({"end": END_BEFORE_START})
    meeting.start, meeting.end, meeting.location = start, end, location
    _as(actor, meeting)
    _bump(meeting, ["start", "end", "location"])
    _after_change(meeting)
    return meeting


@transaction.atomic
def cancel_meeting(*, meeting: Meeting, reason: str, version: int | None, actor=None) -> Meeting:
    meeting = _check_version(Meeting, meeting.pk, version)
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(MEETING_CANCELLED)
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the meeting is cancelled"})
    meeting.state = MeetingState.CANCELLED
    meeting.cancellation_reason = reason.strip()
    _as(actor, meeting)
    _bump(meeting, ["state", "cancellation_reason"])
    from committees import search

    search.reindex_meeting(meeting)
    return meeting


@transaction.atomic
def publish_agenda(
    *, meeting: Meeting, actor=None, late_reason: str = "", now: dt.datetime | None = None
) -> Meeting:
    """Open the agenda and its reports to the public. Refused for a past, cancelled or empty
    meeting, or while a report lacks its approvals; publishing less than five clear working
    days before the meeting needs a reason for urgency, which the agenda then shows."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    now = now or timezone.now()
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(MEETING_CANCELLED)
    if meeting.agenda_published_at is not None:
        raise ValidationError(ALREADY_PUBLISHED)
    if meeting.start <= now:
        raise ValidationError(MEETING_PAST)
    items = list(meeting.agenda_items.all())
    if not items:
        raise ValidationError(EMPTY_AGENDA)
    _check_sign_offs(Paper.objects.filter(consultations__agenda_item__meeting=meeting))
    today = timezone.localdate(now)
    meeting_day = timezone.localdate(meeting.start)
    if rules.is_late_publication(today, meeting_day) and not late_reason.strip():
        raise ValidationError({"late_reason": LATE_NEEDS_REASON}, code="late")
    meeting.agenda_published_at = now
    meeting.late_publication_reason = (
        late_reason.strip() if rules.is_late_publication(today, meeting_day) else ""
    )
    meeting.state = MeetingState.AGENDA_PUBLISHED
    _as(actor, meeting)
    _bump(meeting, ["agenda_published_at", "late_publication_reason", "state"])
    _mark_first_published(Paper.objects.filter(consultations__meeting=meeting), now)
    _after_change(meeting)
    return meeting


def _mark_first_published(papers, now: dt.datetime) -> int:
    """Stamp the papers among `papers` that the public can see for the first time
    (policies.paper_open). A stamp is never moved: republication keeps the first."""
    return Paper.objects.filter(
        pk__in=policies.papers.public(papers.filter(first_published_at__isnull=True)).values("pk")
    ).update(first_published_at=now)


def _check_sign_offs(papers):
    papers = list(papers.prefetch_related("sign_offs").distinct())
    problems = []
    for paper in papers:
        approved = {s.category for s in paper.sign_offs.all() if s.approved_on is not None}
        missing = rules.missing_sign_offs(approved)
        if missing:
            problems.append(MISSING_SIGN_OFFS.format(title=paper.title, missing=", ".join(missing)))
    if problems:
        raise ValidationError(problems, code="sign_off")


# --- The agenda -----------------------------------------------------------------------------


def _validate_item(*, is_public, exempt_paragraphs, is_urgent, urgency_reason):
    errors = {}
    if not is_public and not exempt_paragraphs:
        errors["exempt_paragraphs"] = PRIVATE_NEEDS_PARAGRAPH
    if any(p not in SCHEDULE_12A_PARAGRAPHS for p in exempt_paragraphs):
        errors["exempt_paragraphs"] = BAD_PARAGRAPH
    if is_urgent and not urgency_reason.strip():
        errors["urgency_reason"] = URGENT_NEEDS_REASON
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_agenda_item(
    *,
    meeting: Meeting,
    title: str,
    lead: str = "",
    description: str = "",
    parent: AgendaItem | None = None,
    is_public: bool = True,
    exempt_paragraphs: list[int] | None = None,
    public_interest_statement: str = "",
    is_urgent: bool = False,
    urgency_reason: str = "",
    minutes_of: Meeting | None = None,
    lists_outstanding_issues: bool = False,
    actor=None,
) -> AgendaItem:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(MEETING_CANCELLED)
    _locked_if_approved(meeting)
    exempt_paragraphs = sorted(set(exempt_paragraphs or [])) if not is_public else []
    _validate_item(
        is_public=is_public,
        exempt_paragraphs=exempt_paragraphs,
        is_urgent=is_urgent,
        urgency_reason=urgency_reason,
    )
    if parent is not None and (parent.meeting_id != meeting.pk or parent.parent_id is not None):
        raise ValidationError({"parent": SUB_ITEM_DEPTH})
    siblings = meeting.agenda_items.filter(parent=parent)
    position = (siblings.aggregate(m=Max("position"))["m"] or 0) + 1
    item = AgendaItem(
        meeting=meeting,
        parent=parent,
        position=position,
        number=f"new-{position}",
        title=title.strip(),
        lead=lead.strip(),
        description=description.strip(),
        is_public=is_public,
        exempt_paragraphs=exempt_paragraphs,
        public_interest_statement=public_interest_statement.strip(),
        is_urgent=is_urgent,
        urgency_reason=urgency_reason.strip(),
        is_supplementary=meeting.agenda_published_at is not None,
        minutes_of=minutes_of,
        lists_outstanding_issues=lists_outstanding_issues,
    )
    _as(actor, item)
    item.full_clean(exclude=["number"])
    item.save()
    renumber_agenda(meeting, actor=actor)
    item.refresh_from_db()
    _after_change(meeting)
    return item


@transaction.atomic
def update_agenda_item(*, item: AgendaItem, version: int | None, actor=None, **fields):
    item = _check_version(AgendaItem, item.pk, version)
    _locked_if_approved(item.meeting)
    was_public = item.is_public
    allowed = {
        "title",
        "lead",
        "description",
        "is_public",
        "exempt_paragraphs",
        "public_interest_statement",
        "is_urgent",
        "urgency_reason",
        "minutes_of",
        "lists_outstanding_issues",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Cannot change {sorted(unknown)} here")
    for name, value in fields.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    if item.is_public:
        item.exempt_paragraphs = []
    _validate_item(
        is_public=item.is_public,
        exempt_paragraphs=item.exempt_paragraphs,
        is_urgent=item.is_urgent,
        urgency_reason=item.urgency_reason,
    )
    _as(actor, item)
    _bump(item, list(fields) + (["exempt_paragraphs"] if "is_public" in fields else []))
    if was_public and not item.is_public:
        _withdraw_packs([item.meeting_id])
    _after_change(item.meeting)
    return item


@transaction.atomic
def move_agenda_item(*, item: AgendaItem, direction: str, actor=None) -> AgendaItem:
    """Swap the item with its neighbour ("up" or "down"); the whole agenda is renumbered."""
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    _locked_if_approved(item.meeting)
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
    renumber_agenda(item.meeting, actor=actor)
    _after_change(item.meeting)
    item.refresh_from_db()
    return item


@transaction.atomic
def remove_agenda_item(*, item: AgendaItem, actor=None) -> None:
    meeting = item.meeting
    _locked_if_approved(meeting)
    _as(actor, item)
    item.delete()
    renumber_agenda(meeting, actor=actor)
    _withdraw_packs([meeting.pk])
    _after_change(meeting)


def renumber_agenda(meeting: Meeting, *, actor=None) -> None:
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
    actor=None,
) -> Consultation:
    """Put a report on an agenda item (a step of its journey). On an agenda already published
    the report must have its approvals first."""
    meeting = item.meeting
    _locked_if_approved(meeting)
    if meeting.agenda_published_at is not None:
        _check_sign_offs(Paper.objects.filter(pk=paper.pk))
    if Consultation.objects.filter(paper=paper, meeting=meeting).exclude(agenda_item=item):
        _withdraw_packs([meeting.pk])  # the report leaves the item the pack has it under
    consultation, _ = Consultation.objects.update_or_create(
        paper=paper,
        meeting=meeting,
        defaults={
            "agenda_item": item,
            "organization": meeting.organizations.order_by("pk").first(),
            "role": role,
            "recommendation": recommendation.strip(),
        },
    )
    if meeting.agenda_published_at is not None:
        _mark_first_published(Paper.objects.filter(pk=paper.pk), timezone.now())
    _after_change(meeting)
    from committees import search

    search.reindex_paper(paper)
    return consultation


@transaction.atomic
def record_sign_off(*, paper: Paper, actor=None, **fields) -> SignOff:
    sign_off = SignOff(paper=paper, **fields)
    _as(actor, sign_off)
    sign_off.full_clean()
    sign_off.save()
    return sign_off


# --- Reports --------------------------------------------------------------------------------

REFERENCE_TAKEN = "A report with this reference already exists. Enter a different reference"
PRIVATE_PAPER_NEEDS_PARAGRAPH = (
    "Select the paragraph of Schedule 12A that makes this report private"
)
PAPER_FIELDS = {
    "reference",
    "title",
    "paper_type",
    "date",
    "author_name",
    "author_job_title",
    "author_directorate",
    "author_directorate_id",
    "author_telephone",
    "author_email",
    "approving_director",
    "cabinet_member",
    "wards_affected",
    "key_decision",
    "scrutiny_consideration",
    "other_bodies",
    "going_to_council",
    "executive_summary",
    "background_papers",
    "is_public",
    "exempt_paragraphs",
}


def _clean_paper(paper: Paper) -> None:
    errors = {}
    if not paper.is_public and not paper.exempt_paragraphs:
        errors["exempt_paragraphs"] = PRIVATE_PAPER_NEEDS_PARAGRAPH
    if any(p not in SCHEDULE_12A_PARAGRAPHS for p in paper.exempt_paragraphs):
        errors["exempt_paragraphs"] = BAD_PARAGRAPH
    if Paper.objects.filter(reference__iexact=paper.reference).exclude(pk=paper.pk).exists():
        errors["reference"] = REFERENCE_TAKEN
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_paper(*, actor=None, **fields) -> Paper:
    """A new report with the metadata of the council's report template."""
    unknown = set(fields) - PAPER_FIELDS
    if unknown:
        raise TypeError(f"Cannot set {sorted(unknown)} here")
    paper = Paper(**{k: v.strip() if isinstance(v, str) else v for k, v in fields.items()})
    if paper.is_public:
        paper.exempt_paragraphs = []
    paper.exempt_paragraphs = sorted(set(paper.exempt_paragraphs))
    _clean_paper(paper)
    _as(actor, paper)
    paper.full_clean(validate_unique=False, validate_constraints=False)
    paper.save()
    return paper


@transaction.atomic
def update_paper(*, paper: Paper, version: int | None, actor=None, **fields) -> Paper:
    """Change a report's metadata; refused for an out-of-date copy. Public pages, search and
    the packs of published agendas that carry it are brought up to date."""
    unknown = set(fields) - PAPER_FIELDS
    if unknown:
        raise TypeError(f"Cannot change {sorted(unknown)} here")
    paper = _check_version(Paper, paper.pk, version)
    was_public = paper.is_public
    for name, value in fields.items():
        setattr(paper, name, value.strip() if isinstance(value, str) else value)
    if paper.is_public:
        paper.exempt_paragraphs = []
    paper.exempt_paragraphs = sorted(set(paper.exempt_paragraphs))
    _clean_paper(paper)
    paper.full_clean(validate_unique=False, validate_constraints=False)
    _as(actor, paper)
    _bump(paper, sorted(set(fields) | {"exempt_paragraphs"}))
    if was_public and not paper.is_public:
        _withdraw_packs(
            Consultation.objects.filter(paper=paper).values_list("meeting_id", flat=True)
        )
    if paper.is_public and paper.first_published_at is None:
        now = timezone.now()
        if _mark_first_published(Paper.objects.filter(pk=paper.pk), now):
            paper.first_published_at = now
    from committees import search

    search.reindex_paper(paper)
    for meeting in Meeting.objects.filter(consultations__paper=paper).distinct():
        _after_change(meeting)
    return paper


# --- Minutes --------------------------------------------------------------------------------


@transaction.atomic
def record_attendance(
    *, meeting: Meeting, entries: list[dict], version: int | None = None, actor=None
) -> list[Attendance]:
    """Replace the meeting's attendance: members present (and substitutes, for whom), in
    attendance, apologies, absent, and officers by directorate. Refused if someone else has
    changed the meeting since `version` was read."""
    meeting = _check_version(Meeting, meeting.pk, version)
    _locked_if_approved(meeting)
    rows = []
    for entry in entries:
        if entry.get("status") == AttendanceStatus.SUBSTITUTE and not entry.get("substitute_for"):
            raise ValidationError({"substitute_for": SUBSTITUTE_FOR_WHOM})
        row = Attendance(meeting=meeting, **entry)
        row.full_clean(exclude=["meeting"])
        rows.append(row)
    meeting.attendance.all().delete()
    for row in rows:
        _as(actor, row)
        row.save()
    _as(actor, meeting)
    _bump(meeting, [])
    return rows


@transaction.atomic
def record_declaration(*, item: AgendaItem, person, interest: str, description: str, actor=None):
    _locked_if_approved(item.meeting)
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
    version: int | None = None,
    actor=None,
) -> AgendaItem:
    """An item's minute and its numbered resolutions (each {text, requests_follow_up})."""
    item = _check_version(AgendaItem, item.pk, version)
    _locked_if_approved(item.meeting)
    item.minutes_text = minutes_text.strip()
    _as(actor, item)
    _bump(item, ["minutes_text"])
    if resolutions is not None:
        item.resolutions.all().delete()
        numbered = len(resolutions) > 1
        for number, resolution in enumerate(resolutions, start=1):
            row = Resolution(
                agenda_item=item,
                number=number if numbered else None,
                text=resolution["text"].strip(),
                requests_follow_up=bool(resolution.get("requests_follow_up")),
            )
            _as(actor, row)
            row.full_clean()
            row.save()
    if item.meeting.minutes_published_at is not None:
        from committees import search

        search.reindex_meeting(item.meeting)
    return item


@transaction.atomic
def publish_minutes(*, meeting: Meeting, closed_at: dt.time | None, actor=None) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _locked_if_approved(meeting)
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(MEETING_CANCELLED)
    meeting.closed_at = closed_at
    meeting.minutes_published_at = meeting.minutes_published_at or timezone.now()
    meeting.state = MeetingState.HELD
    _as(actor, meeting)
    _bump(meeting, ["closed_at", "minutes_published_at", "state"])
    from committees import search

    search.reindex_meeting(meeting)
    return meeting


@transaction.atomic
def approve_minutes(*, meeting: Meeting, at_meeting: Meeting, actor=None) -> Meeting:
    """Minutes are approved at a later meeting of the same decision maker; from then on they
    are locked and change only by a recorded correction."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _locked_if_approved(meeting)
    if meeting.minutes_published_at is None:
        raise ValidationError(MINUTES_NOT_PUBLISHED)
    shared = set(meeting.organizations.values_list("pk", flat=True)) & set(
        at_meeting.organizations.values_list("pk", flat=True)
    )
    if at_meeting.start <= meeting.start or not shared:
        raise ValidationError({"at_meeting": APPROVE_AT_LATER_MEETING})
    meeting.state = MeetingState.MINUTES_APPROVED
    meeting.minutes_approved_at = at_meeting
    _as(actor, meeting)
    _bump(meeting, ["state", "minutes_approved_at"])
    return meeting


@transaction.atomic
def correct_minutes(
    *, meeting: Meeting, correction: str, reason: str, actor, item: AgendaItem | None = None
) -> MinutesCorrection:
    errors = {}
    if not correction.strip():
        errors["correction"] = "Enter the correction"
    if not reason.strip():
        errors["reason"] = "Enter the reason for the correction"
    if item is not None and item.meeting_id != meeting.pk:
        errors["item"] = NOT_ON_THIS_AGENDA
    if errors:
        raise ValidationError(errors)
    row = MinutesCorrection(
        meeting=meeting,
        agenda_item=item,
        correction=correction.strip(),
        reason=reason.strip(),
        made_by=actor,
    )
    _as(actor, row)
    row.save()
    return row


@transaction.atomic
def close_outstanding_issue(*, resolution: Resolution, closed_by: AgendaItem, actor=None):
    resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
    if not resolution.requests_follow_up:
        raise ValidationError(NOT_OUTSTANDING)
    if resolution.closed_by_id is not None:
        raise ValidationError(ALREADY_CLOSED)
    resolution.closed_by = closed_by
    _as(actor, resolution)
    resolution.save(update_fields=["closed_by", "updated_at"])
    return resolution


# --- Decisions and the forward plan ----------------------------------------------------------


@transaction.atomic
def record_decision(
    *,
    kind: str,
    title: str,
    date: dt.date,
    decision: str,
    actor=None,
    is_key: bool = False,
    forward_plan_entry: ForwardPlanEntry | None = None,
    key_decision_exception: str = KeyDecisionException.NONE,
    exception_reason: str = "",
    **fields,
) -> Decision:
    """An executive, committee or officer decision for the register. A key decision needs
    28 clear days on the forward plan, or a recorded general exception or special urgency."""
    if kind == DecisionKind.OFFICER and not fields.get("officer_name", "").strip():
        raise ValidationError({"officer_name": OFFICER_DECISION_NEEDS_OFFICER})
    if is_key:
        noticed = forward_plan_entry is not None and rules.forward_plan_in_time(
            forward_plan_entry.first_published_on, date
        )
        if not noticed and (not key_decision_exception or not exception_reason.strip()):
            raise ValidationError({"key_decision_exception": KEY_DECISION_NOTICE})
    row = Decision(
        kind=kind,
        title=title.strip(),
        date=date,
        decision=decision.strip(),
        is_key=is_key,
        forward_plan_entry=forward_plan_entry,
        key_decision_exception=key_decision_exception,
        exception_reason=exception_reason.strip(),
        **fields,
    )
    _as(actor, row)
    row.full_clean()
    row.save()
    from committees import search

    search.reindex_decision(row)
    return row


@transaction.atomic
def add_forward_plan_entry(*, actor=None, **fields) -> ForwardPlanEntry:
    entry = ForwardPlanEntry(**fields)
    entry.first_published_on = entry.first_published_on or timezone.localdate()
    _as(actor, entry)
    entry.full_clean()
    entry.save()
    return entry
