"""Who may see or do what with committee business.

The public sees every meeting's date and place; an agenda, its reports and their files once
the agenda is published; minutes once published; public decisions. Private business (exempt
under Schedule 12A) shows only as its item title and paragraph number: its papers, files and
exempt minutes are refused with the same 404 as something that does not exist.
Governance Services see and change everything here. A councillor, signed in with a second
factor, also reads the reports (private ones included) and files taken at their committees'
published agendas (member_step); every opening of a private paper is logged.
"""

import datetime as dt
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from committees import alert_tokens, rules
from committees.models import (
    AgendaItem,
    AlertSubscription,
    Consultation,
    Decision,
    Document,
    Meeting,
    MeetingState,
    Membership,
    Organization,
    Paper,
    Person,
    PrivatePaperOpening,
    SignOff,
)
from organisation.policies import Action, Policy, has_role, is_signed_in
from organisation.roles import Role

MANAGERS = (Role.GOVERNANCE_SERVICES,)


def manages_committees(user) -> bool:
    return has_role(user, *MANAGERS)


# --- What the public may see: one rule per kind of record ---------------------------------------
#
# Each rule is a condition on the record's own row, written once here; `at`, where given, asks
# it of a related row instead ("agenda_item__"). Every public output (pages, file and pack
# downloads, search, feeds, OParl, the pack's contents) filters or annotates with these, never
# with conditions of its own, so no two outputs can disagree. tests/security/
# test_visibility_walk.py reads every public output for private and draft records of every kind.


def agenda_published(at: str = "") -> Q:
    """A meeting whose agenda the public may read."""
    return Q(**{f"{at}agenda_published_at__isnull": False})


def minutes_published(at: str = "") -> Q:
    """A meeting whose minutes the public may read."""
    return Q(**{f"{at}minutes_published_at__isnull": False})


def item_listed(at: str = "") -> Q:
    """An agenda item the public may see listed: its number, title and (if private) the
    Schedule 12A paragraphs that exempt it. Every item of a published agenda, or of
    published minutes."""
    return agenda_published(f"{at}meeting__") | minutes_published(f"{at}meeting__")


def public_business(at: str = "") -> Q:
    """An agenda item that is public business. A private (Schedule 12A) item makes its
    sub-items private with it, whatever they say of themselves; they are then exempt under
    its paragraphs (see exemption_paragraphs). This shape joins the parent: for the items of
    one meeting. For "the item a row points to" across a register, see item_is_public."""
    return Q(**{f"{at}is_public": True}) & (
        Q(**{f"{at}parent__isnull": True}) | Q(**{f"{at}parent__is_public": True})
    )


def item_is_public(item: OuterRef) -> Q:
    """public_business for the agenda item `item` points to (a reference to its primary key;
    no item at all passes): two anti-joins on the few private items (the partial index
    agendaitem_private), where a join to every item and its parent made the planner hash the
    whole agenda, three times slower at council scale. test_policies checks that the two
    shapes agree."""
    return ~Q(Exists(AgendaItem.objects.filter(pk=item, is_public=False))) & ~Q(
        Exists(AgendaItem.objects.filter(pk=item, parent__is_public=False))
    )


def item_open(at: str = "") -> Q:
    """An agenda item whose content the public may see: its lead and description and the
    reports taken there. Public business on a published agenda."""
    return agenda_published(f"{at}meeting__") & public_business(at)


def minute_open(at: str = "") -> Q:
    """An agenda item whose minute (text, resolutions, declarations) the public may read:
    public business in published minutes."""
    return minutes_published(f"{at}meeting__") & public_business(at)


def _step_place_open() -> Q:
    """A step (Consultation) at a meeting whose agenda is published, not at private business.
    A step's meeting is its item's meeting (services.attach_report, the only door)."""
    return agenda_published("meeting__") & item_is_public(OuterRef("agenda_item_id"))


def step_in_public() -> Q:
    """A step of a report's journey (Consultation) taken in public: the report is public and
    the item it is taken at, if any, is public business (the agenda pack's rule)."""
    return Q(paper__is_public=True) & item_is_public(OuterRef("agenda_item_id"))


def step_open() -> Q:
    """A step of a report's journey the public may see: taken in public, at a meeting whose
    agenda is published. A step at a draft agenda or a private item stays hidden even when
    the report is public through another meeting."""
    return Q(paper__is_public=True) & _step_place_open()


def paper_open(paper: OuterRef | F) -> Q:
    """A report (`paper`, a reference to its primary key) is taken at one open step at least
    (one is enough, though others are at drafts or private items); the report must also be
    public, which the caller checks on its own row.

    An EXISTS rather than a join: a join repeats the report once per meeting (needing
    DISTINCT), and `pk IN (SELECT DISTINCT ...)` makes PostgreSQL build the whole set of
    public reports before it can use a single one."""
    return Q(Exists(Consultation.objects.filter(_step_place_open(), paper=paper)))


def decision_open() -> Q:
    """A decision the public may see: marked public, and, if taken at a meeting's item, an
    item of public business whose minutes are published (a decision from the minutes is
    public with them, never from a draft, and private business stays private in the
    register too)."""
    return (
        Q(is_public=True)
        & item_is_public(OuterRef("agenda_item_id"))
        & (
            Q(agenda_item__isnull=True)
            | Q(agenda_item__meeting__minutes_published_at__isnull=False)
        )
    )


def not_withdrawn(at: str = "") -> Q:
    """A file or a row of a sign-off table that has not been withdrawn. A withdrawn file
    leaves every public output (pages, downloads, search, feeds, OParl) and the next pack; a
    withdrawn sign-off leaves the public sign-off table. Governance Services still see both,
    marked withdrawn."""
    return Q(**{f"{at}withdrawn_at__isnull": True})


def member_step(user, day: dt.date | None = None) -> Q | None:
    """A step of a report's journey (Consultation) whose report the signed-in councillor
    `user` (the Person linked to the account, Person.user) may read however private: taken
    at an item of a meeting whose agenda is published, of a decision maker the councillor is
    a member of on `day` (today by default; Membership.objects.current_on). Only with a
    second factor given in this session, as for Governance Services: exempt business is
    never opened with a password alone. None for anyone else (anonymous visitors, accounts
    that are not a councillor's are then simply not matched): outputs add nothing.

    The one rule for councillors reading private papers: `member_paper` asks it of a report,
    the paper, file and journey policies use those, and every opening is logged
    (services.record_private_opening)."""
    if not is_signed_in(user) or not _verified(user):
        return None
    sits_on = Membership.objects.current_on(day or timezone.localdate()).filter(
        person__user=user, organization__meetings=OuterRef("meeting_id")
    )
    return agenda_published("meeting__") & Q(agenda_item__isnull=False) & Q(Exists(sits_on))


def member_paper(user, paper: OuterRef | F, day: dt.date | None = None) -> Q | None:
    """A report (`paper`, a reference to its primary key) taken at one step at least that
    `user` may read as a councillor (member_step); None as member_step."""
    step = member_step(user, day)
    if step is None:
        return None
    return Q(Exists(Consultation.objects.filter(step, paper=paper)))


def _exempt_paper(paper: OuterRef, at: str) -> Q:
    """A report (`paper`, a reference to its primary key; `at` the way to its row) exempt
    under Schedule 12A that the public may not see: private itself, or taken at a step not
    in public (step_in_public), and not open (paper_open). A draft report is not exempt."""
    exempt = Q(**{f"{at}is_public": False}) | Q(
        Exists(Consultation.objects.filter(~step_in_public(), paper=paper))
    )
    return exempt & ~Q(paper_open(paper), **{f"{at}is_public": True})


def _verified(user) -> bool:
    # django-otp's middleware sets is_verified on the signed-in person.
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


#: How a row of a meeting's business reaches its meeting, for draft_business.
_MEETING_OF = {
    "committees.AgendaItem": lambda row: Q(pk=row.meeting_id),
    "committees.Consultation": lambda row: Q(pk=row.meeting_id),
    "committees.Attendance": lambda row: Q(pk=row.meeting_id),
    "committees.Resolution": lambda row: Q(agenda_items=row.agenda_item_id),
    "committees.Declaration": lambda row: Q(agenda_items=row.agenda_item_id),
    "committees.Vote": lambda row: Q(agenda_items=row.agenda_item_id),
}


def draft_meetings(meeting_ids) -> bool:
    """Every one of these meetings has neither its agenda nor its minutes published, so no
    public output shows their business (item_listed; the steps, minutes and decisions there
    all need one or the other)."""
    meeting_ids = list(meeting_ids)
    return (
        bool(meeting_ids)
        and not Meeting.objects.filter(
            agenda_published() | minutes_published(), pk__in=meeting_ids
        ).exists()
    )


def draft_business(row) -> bool:
    """`row` (an item, a step, an attendance, a resolution or a declaration) belongs to a
    meeting whose agenda and minutes are both unpublished: no public page shows it, so the
    page cache lets its writes pass (pagecache.content_changed asks again on commit). No for
    any other row, or one whose meeting is gone: those writes always move the cache on."""
    meeting_of = _MEETING_OF.get(row._meta.label)
    if meeting_of is None:
        return False
    return (
        Meeting.objects.filter(meeting_of(row))
        .exclude(agenda_published() | minutes_published())
        .exists()
    )


# --- Approvals: what counts, and a published report that lacks them -----------------------------


def approvals(paper: OuterRef | F) -> ArraySubquery:
    """The categories of a report's approvals (`paper`, a reference to its primary key): the
    rows of its sign-off table approved and not withdrawn (not_withdrawn). What counts is
    written here once: an agenda is not published, nor a report put on a published one,
    while a required approval is missing (services._check_sign_offs), and Governance
    Services are warned when a report already on a published agenda comes to lack one
    (published_lacking)."""
    return ArraySubquery(
        SignOff.objects.filter(not_withdrawn(), paper=paper, approved_on__isnull=False)
        .order_by()
        .values("category")
    )


def missing_approvals(approved) -> list[str]:
    """The approvals the council requires (rules.missing_sign_offs) that are not among
    `approved`, a report's approvals as `approvals` reads them."""
    return rules.missing_sign_offs(set(approved or ()))


def with_approvals_due(steps: QuerySet) -> QuerySet:
    """Each step of a report's journey (Consultation) annotated for published_lacking:
    `paper_approvals`, its report's (approvals), and `on_published_agenda`, whether it puts
    the report on the published agenda of its meeting (at an item of it)."""
    return steps.annotate(
        paper_approvals=approvals(OuterRef("paper_id")),
        on_published_agenda=_boolean(agenda_published("meeting__") & Q(agenda_item__isnull=False)),
    )


def published_lacking(step) -> list[str]:
    """The approvals the report of `step` (annotated by with_approvals_due) lacks, if the step
    puts it on a published agenda; nothing otherwise. The one rule of "a published report
    lacking approvals": publication checks approvals first, but a sign-off withdrawn or
    corrected afterwards can leave such a report short, and the clerk's pages and
    confirmations say so while it lasts."""
    return missing_approvals(step.paper_approvals) if step.on_published_agenda else []


def _boolean(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def exemption_paragraphs() -> Case:
    """The Schedule 12A paragraphs that exempt an item: its own, or, for a sub-item made
    private by its parent, the parent's."""
    return Case(
        When(is_public=False, then=F("exempt_paragraphs")),
        default=F("parent__exempt_paragraphs"),
    )


# --- The policies ----------------------------------------------------------------------------


MEETING_CANCELLED = "This meeting has been cancelled"
MINUTES_LOCKED = "The minutes have been approved and cannot be changed. Record a correction instead"


class Closed(NamedTuple):
    """Why a record can no longer be changed: a code for services and tests, words for pages."""

    code: str
    message: str


class CommitteeBusinessPolicy(Policy):
    """Governance Services' own pages: building agendas, publishing, minutes."""

    model = Meeting

    def can(self, user, action):
        return manages_committees(user)


class PublicRecordPolicy(Policy):
    """Anyone may view (what they see is `visible`); Governance Services may also change."""

    def can(self, user, action):
        return action == "view" or manages_committees(user)

    def public(self, queryset: QuerySet) -> QuerySet:
        """The rows as the public sees them, whoever asks (the search index, the feeds, OParl,
        the services stamping first publication)."""
        return self.visible(None, queryset)


class MeetingPolicy(PublicRecordPolicy):
    """Every meeting is public (its date, place and state); what it contains is decided by
    the item, paper and document policies."""

    model = Meeting

    def closed_to_change(self, meeting) -> Closed | None:
        """Why the meeting's business (its date, agenda, attendance and minutes) can no
        longer change, whoever asks: it was cancelled, or its minutes were approved at a
        later meeting (they are locked; corrections are recorded instead). The services
        refuse with this, and Governance Services' pages offer no change for the same
        reason."""
        if meeting.state == MeetingState.CANCELLED:
            return Closed("cancelled", MEETING_CANCELLED)
        if meeting.state == MeetingState.MINUTES_APPROVED:
            return Closed("locked", MINUTES_LOCKED)
        return None

    def refusal(self, user, action, obj=None):
        closed = obj is not None and action == Action.MANAGE and self.closed_to_change(obj)
        return closed.message if closed else super().refusal(user, action, obj)

    def can_see_agenda(self, user, meeting) -> bool:
        """The public sees an agenda once it is published; Governance Services while they
        build it."""
        return meeting.agenda_published_at is not None or manages_committees(user)


class OrganizationPolicy(PublicRecordPolicy):
    """Committees and other decision makers: public, with their members."""

    model = Organization


class PersonPolicy(PublicRecordPolicy):
    """Councillors: public, with their memberships and posts."""

    model = Person


class AgendaItemPolicy(PublicRecordPolicy):
    """The items of published agendas (Governance Services: every item), each annotated
    with what the visitor may see of it, so that no output decides for itself:
    `public_business` and `exemption` (paragraphs) for everyone, `content_open` (item_open)
    and `minute_open` (minute_open) as they apply to the visitor."""

    model = AgendaItem

    def with_business(self, queryset: QuerySet) -> QuerySet:
        """Each item annotated `public_business` and `exemption`, whoever asks."""
        return queryset.annotate(
            public_business=_boolean(public_business()), exemption=exemption_paragraphs()
        )

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        queryset = self.with_business(queryset)
        if manages_committees(user):
            return queryset.annotate(content_open=Value(True), minute_open=Value(True))
        return queryset.filter(item_listed()).annotate(
            content_open=_boolean(item_open()), minute_open=_boolean(minute_open())
        )


class PaperPolicy(PublicRecordPolicy):
    """The public sees a public report once it is taken at an open step (paper_open); a
    councillor also the reports of their committees' meetings, private ones included
    (member_paper)."""

    model = Paper

    hide_existence = True

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        if manages_committees(user):
            return queryset
        public = Q(paper_open(OuterRef("pk")), is_public=True)
        member = member_paper(user, OuterRef("pk"))
        return queryset.filter(public if member is None else public | member)

    def in_private(self, queryset: QuerySet) -> QuerySet:
        """Each report annotated `in_private`: exempt under Schedule 12A, so whoever opens
        it reads private business and the opening is logged (_exempt_paper)."""
        return queryset.annotate(in_private=_boolean(_exempt_paper(OuterRef("pk"), "")))


class ConsultationPolicy(PublicRecordPolicy):
    """The steps of reports' journeys the public may see (step_open); a councillor also the
    steps at their committees' meetings (member_step)."""

    model = Consultation

    hide_existence = True

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        if manages_committees(user):
            return queryset
        member = member_step(user)
        return queryset.filter(step_open() if member is None else step_open() | member)


class DocumentPolicy(PublicRecordPolicy):
    """A report's files go with the report (paper_open); a meeting's own files (minutes)
    with the publication of its minutes; a withdrawn file with neither (not_withdrawn). A
    councillor also sees the files of the reports they may read (member_paper)."""

    model = Document

    hide_existence = True

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        if manages_committees(user):
            return queryset
        paper_files = Q(paper_open(OuterRef("paper_id")), paper__is_public=True)
        member = member_paper(user, OuterRef("paper_id"))
        # A CASE rather than an OR: PostgreSQL splits such an OR and costs the EXISTS in it
        # as if run once per file, an estimate so high that it compiles the count with JIT.
        return queryset.filter(
            not_withdrawn(),
            Case(
                When(
                    paper__isnull=True,
                    then=Q(meeting__minutes_published_at__isnull=False),
                ),
                default=paper_files if member is None else paper_files | member,
                output_field=BooleanField(),
            ),
        )

    def in_private(self, queryset: QuerySet) -> QuerySet:
        """Each file annotated `in_private`: a file of a report exempt under Schedule 12A
        (_exempt_paper), so whoever opens it reads private business and the opening is
        logged. A meeting's own files (its minutes) are no report's."""
        return queryset.annotate(
            in_private=Case(
                When(paper__isnull=True, then=Value(False)),
                default=_exempt_paper(OuterRef("paper_id"), "paper__"),
                output_field=BooleanField(),
            )
        )


class DecisionPolicy(PublicRecordPolicy):
    """The decisions register: public decisions not taken at private business."""

    model = Decision
    hide_existence = True

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        if manages_committees(user):
            return queryset
        return queryset.filter(decision_open())


class PrivateOpeningsPolicy(Policy):
    """The log of openings of private papers: Governance Services and the Monitoring Officer
    read it; nobody changes it (services.record_private_opening only adds to it)."""

    model = PrivatePaperOpening

    def can(self, user, action):
        return action == Action.VIEW and has_role(
            user, Role.GOVERNANCE_SERVICES, Role.MONITORING_OFFICER
        )


class AlertSubscriptionPolicy(Policy):
    """E-mail alerts. Anyone may ask for a decision maker's alerts, signed in or not. A
    subscription is confirmed or ended by whoever holds a token of its links (e-mailed to
    its address: committees/alert_tokens.py), never by signing in, and nobody lists them:
    not even Governance Services see who subscribes."""

    model = AlertSubscription
    hide_existence = True
    ACTIONS = frozenset({"subscribe", "confirm", "unsubscribe"})

    def can(self, user, action):
        return action in self.ACTIONS

    def visible(self, user, queryset: QuerySet) -> QuerySet:
        return queryset.none()

    def by_token(self, queryset: QuerySet, token: str, purpose: str):
        """The subscription among `queryset` that `token` opens for `purpose`, or None (a
        forged, mistyped or outdated token, or one for another purpose)."""
        pk = alert_tokens.subscription_id(token)
        found = queryset.filter(pk=pk).first() if pk is not None else None
        return found if found is not None and alert_tokens.matches(found, token, purpose) else None


committee_business = CommitteeBusinessPolicy()
meetings = MeetingPolicy()
organizations = OrganizationPolicy()
people = PersonPolicy()
agenda_items = AgendaItemPolicy()
papers = PaperPolicy()
consultations = ConsultationPolicy()
documents = DocumentPolicy()
decisions = DecisionPolicy()
private_openings = PrivateOpeningsPolicy()
alert_subscriptions = AlertSubscriptionPolicy()
