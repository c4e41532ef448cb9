import dataclasses

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Count, Deferrable, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from committees import rules
from committees.models.bodies import Location, Organization, Person
from organisation.models import Directorate
from portal_kit.models import RecordModel, Versioned


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    AGENDA_PUBLISHED = "agenda_published", "Agenda published"
    HELD = "held", "Held"
    MINUTES_APPROVED = "minutes_approved", "Minutes approved"
    CANCELLED = "cancelled", "Cancelled"


class MeetingQuerySet(models.QuerySet):
    def with_titles(self):
        """Each meeting with its decision makers' names, in name order
        (`organization_names`), which `Meeting.title` reads: for lists of meetings, one
        subquery instead of prefetching `organizations`, which builds a related manager, a
        queryset and an instance per meeting and decision maker (a third of the clerk's
        meetings list's time)."""
        names = (
            Organization.objects.filter(meetings=OuterRef("pk"))
            .order_by()
            .values("meetings")
            .annotate(names=ArrayAgg("name", order_by="name"))
            .values("names")
        )
        return self.annotate(organization_names=Subquery(names))


class Meeting(Versioned, RecordModel):
    organizations = models.ManyToManyField(Organization, related_name="meetings")
    name = models.CharField(max_length=250, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True)
    state = models.CharField(
        max_length=20, choices=MeetingState.choices, default=MeetingState.SCHEDULED
    )
    contact_officer = models.ForeignKey(
        "organisation.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    webcast_url = models.URLField(blank=True)
    agenda_published_at = models.DateTimeField(null=True, blank=True)
    # Publication later than five clear working days before needs a recorded reason.
    late_publication_reason = models.TextField(blank=True)
    cancellation_reason = models.TextField(blank=True)
    closed_at = models.TimeField(null=True, blank=True)
    minutes_published_at = models.DateTimeField(null=True, blank=True)
    minutes_approved_at = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="approved_minutes_of"
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        indexes = [models.Index(fields=["start"]), models.Index(fields=["state", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gt=models.F("start")),
                name="meeting_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.title}, {self.start:%-d %B %Y}"

    def get_absolute_url(self):
        return reverse("committees:meeting", args=[self.pk])

    @property
    def title(self) -> str:
        """The meeting's name, or its decision makers' names: from `organization_names` when
        the meeting was read with `Meeting.objects.with_titles()` (lists), else from
        `organizations` (prefetch it)."""
        if self.name:
            return self.name
        if hasattr(self, "organization_names"):
            return " and ".join(self.organization_names or [])
        return " and ".join(o.name for o in self.organizations.all())

    def publication(self, now=None) -> "rules.Publication":
        """Where the agenda stands against the five clear working days (rules.publication),
        as of `now`."""
        now = now or timezone.now()
        return rules.publication(
            meeting_day=timezone.localdate(self.start),
            today=timezone.localdate(now),
            started=self.start <= now,
            published_on=(
                timezone.localdate(self.agenda_published_at) if self.agenda_published_at else None
            ),
            cancelled=self.state == MeetingState.CANCELLED,
        )

    @property
    def is_public_agenda(self) -> bool:
        return self.agenda_published_at is not None and self.state != MeetingState.SCHEDULED

    @property
    def minutes_locked(self) -> bool:
        return self.state == MeetingState.MINUTES_APPROVED


SCHEDULE_12A_PARAGRAPHS = {
    1: "Information relating to any individual",
    2: "Information which is likely to reveal the identity of an individual",
    3: "Information relating to the financial or business affairs of any particular person "
    "(including the authority holding that information)",
    4: "Information relating to any consultations or negotiations, or contemplated "
    "consultations or negotiations, in connection with any labour relations matter",
    5: "Information in respect of which a claim to legal professional privilege could be "
    "maintained in legal proceedings",
    6: "Information which reveals that the authority proposes to give a notice or make an "
    "order or direction under any enactment",
    7: "Information relating to any action taken or to be taken in connection with the "
    "prevention, investigation or prosecution of crime",
}


class AgendaItemQuerySet(models.QuerySet):
    def _keyed(self):
        # Where an item stands on the printed agenda: its own place, or its parent's and then
        # its own for a sub-item (3, 3a, 3b, 4 …).
        return self.annotate(
            agenda_top=Coalesce("parent__position", "position"),
            agenda_sub=Case(
                When(parent__isnull=True, then=Value(0)),
                default=F("position"),
                output_field=models.IntegerField(),
            ),
        )

    def in_agenda_order(self):
        """Items as the agenda prints them: each item followed by its sub-items."""
        return self._keyed().order_by("meeting_id", "agenda_top", "agenda_sub", "pk")

    def with_agenda_order(self):
        """Each item with `agenda_order`, its place (from 1) among all its meeting's items
        in agenda order (as OParl's `order` counts), whatever else the query narrows."""
        before = (
            AgendaItem.objects.filter(meeting=OuterRef("meeting_id"))
            ._keyed()
            .filter(
                Q(agenda_top__lt=OuterRef("agenda_top"))
                | Q(agenda_top=OuterRef("agenda_top"), agenda_sub__lt=OuterRef("agenda_sub"))
            )
            .order_by()
            .values("meeting_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self._keyed().annotate(
            agenda_order=Coalesce(Subquery(before), 0, output_field=models.IntegerField()) + 1
        )


class AgendaItem(Versioned, RecordModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="sub_items"
    )
    position = models.PositiveIntegerField()
    # "3" for items, "a)" for sub-items: set by services.renumber_agenda, never typed.
    number = models.CharField(max_length=10)
    title = models.CharField(max_length=300)
    lead = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    exempt_paragraphs = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(7)]),
        default=list,
        blank=True,
    )
    public_interest_statement = models.TextField(blank=True)
    is_urgent = models.BooleanField(default=False)
    urgency_reason = models.TextField(blank=True)
    is_supplementary = models.BooleanField(default=False)
    minutes_of = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="minutes_items"
    )
    lists_outstanding_issues = models.BooleanField(default=False)
    start_page = models.PositiveIntegerField(null=True, blank=True)
    end_page = models.PositiveIntegerField(null=True, blank=True)
    minutes_text = models.TextField(blank=True)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "position"]
        indexes = [
            # The few private items: what committees.policies.item_is_public looks for.
            models.Index(fields=["id"], condition=Q(is_public=False), name="agendaitem_private")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "parent", "number"],
                name="unique_agenda_number",
                nulls_distinct=False,
                deferrable=Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=Q(is_public=True) | Q(exempt_paragraphs__len__gt=0),
                name="private_item_names_a_paragraph",
            ),
            models.CheckConstraint(
                condition=Q(is_urgent=False) | ~Q(urgency_reason=""),
                name="urgent_item_has_a_reason",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def pages(self) -> str:
        """Where its papers are in the pack: "Pages 7 - 20" (rules.pages_text)."""
        return rules.pages_text(self.start_page, self.end_page)

    @property
    def full_number(self) -> str:
        """As the agenda prints it: "3", or "3a)" for a sub-item (load `parent` with it, or
        build the agenda with agenda_tree, which sets it without a query)."""
        return f"{self.parent.number}{self.number}" if self.parent_id else self.number

    @property
    def exemption_text(self) -> str:
        """Its own exemption in words (rules.exemption_text); empty for a public item."""
        return "" if self.is_public else rules.exemption_text(self.exempt_paragraphs)


def agenda_tree(items) -> list[AgendaItem]:
    """`items` of one meeting (in position order) as the agenda is read: its items, each with
    `children`, its sub-items in order, whose `parent` is set from the same rows (so
    `full_number` costs no query). The one shape of an agenda, for every output."""
    items = list(items)
    by_pk = {item.pk: item for item in items}
    top = []
    for item in items:
        item.children = []
    for item in items:
        parent = by_pk.get(item.parent_id)
        if parent is None:
            top.append(item)
        else:
            item.parent = parent
            parent.children.append(item)
    return top


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Present"
    SUBSTITUTE = "substitute", "Present as substitute"
    IN_ATTENDANCE = "in_attendance", "In attendance"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


#: Who attended, and so may be recorded arriving late or leaving early.
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.SUBSTITUTE, AttendanceStatus.IN_ATTENDANCE)
#: Who may be recorded voting: the members present (substitutes included).
VOTERS = (AttendanceStatus.PRESENT, AttendanceStatus.SUBSTITUTE)


class Attendance(RecordModel):
    """Who was at a meeting: members (with substitutes) and officers by directorate."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True)
    officer_name = models.CharField(max_length=150, blank=True)
    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, null=True, blank=True)
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices)
    capacity = models.CharField(max_length=150, blank=True)
    substitute_for = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Times on the meeting's day, London time, for someone who arrived late or left early.
    arrived_at = models.TimeField(null=True, blank=True)
    left_at = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "status", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | ~Q(officer_name=""),
                name="attendance_names_someone",
            ),
            models.CheckConstraint(
                condition=~Q(status="substitute") | Q(substitute_for__isnull=False),
                name="substitute_says_for_whom",
            ),
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True)
                | Q(left_at__isnull=True)
                | Q(left_at__gt=models.F("arrived_at")),
                name="attendance_left_after_arriving",
            ),
        ]

    def __str__(self):
        return f"{self.person or self.officer_name}: {self.get_status_display()}"


class Declaration(RecordModel):
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="declarations"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT)
    interest = models.CharField(
        max_length=30,
        choices=[
            ("disclosable_pecuniary", "Disclosable pecuniary interest"),
            ("other", "Other interest"),
        ],
    )
    description = models.TextField()

    def __str__(self):
        return f"{self.person}: {self.get_interest_display()}"


class Resolution(RecordModel):
    """A numbered resolution in an item's minute. One that asks for something to come back
    stays an outstanding issue until a later item closes it."""

    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="resolutions"
    )
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField()
    requests_follow_up = models.BooleanField(default=False)
    closed_by = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="closed_issues"
    )

    class Meta:
        ordering = ["agenda_item", "number", "pk"]
        indexes = [
            models.Index(
                fields=["requests_follow_up"],
                condition=Q(requests_follow_up=True, closed_by__isnull=True),
                name="outstanding_issues_idx",
            )
        ]

    def __str__(self):
        return f"{self.number or ''} {self.text[:60]}".strip()

    @property
    def is_outstanding(self) -> bool:
        return self.requests_follow_up and self.closed_by_id is None


class VoteChoice(models.TextChoices):
    FOR = "for", "For"
    AGAINST = "against", "Against"
    ABSTAINED = "abstained", "Abstained"


class Vote(RecordModel):
    """How a member present voted on an item, where the vote was a recorded (named) one."""

    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=10, choices=VoteChoice.choices)

    class Meta:
        ordering = ["agenda_item", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agenda_item", "person"], name="one_vote_per_member")
        ]

    def __str__(self):
        return f"{self.person}: {self.get_choice_display()}"


@dataclasses.dataclass(frozen=True)
class VoteCount:
    """One line of a recorded vote: "For", its total and who (short names, as minutes write
    them)."""

    label: str
    names: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.names)


def vote_tally(votes) -> list[VoteCount]:
    """`votes` (with `person` loaded) as the minutes give them: for, against, abstained, each
    with its total and names in alphabetical order; empty if nobody's vote was recorded."""
    votes = list(votes)
    if not votes:
        return []
    return [
        VoteCount(
            label,
            tuple(
                v.person.name
                for v in sorted(
                    (v for v in votes if v.choice == choice),
                    key=lambda v: (v.person.family_name, v.person.given_name, v.person_id),
                )
            ),
        )
        for choice, label in VoteChoice.choices
    ]


class MinutesCorrection(RecordModel):
    """The only way to change approved minutes: a recorded correction."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="corrections")
    agenda_item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, null=True, blank=True)
    correction = models.TextField()
    reason = models.TextField()
    made_by = models.ForeignKey("organisation.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["meeting", "created_at"]

    def __str__(self):
        return f"Correction to {self.meeting}"


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be built"
    BUILDING = "building", "Being built"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"
    #: Taken down because something in it was made private or removed (pack.withdraw).
    WITHDRAWN = "withdrawn", "Withdrawn"


class AgendaPackQuerySet(models.QuerySet):
    def published_for(self, meeting, *, supplement: bool = False):
        """The meeting's published pack: its newest build that is ready (one query with
        `.first()`). A failed build leaves the previous one published; a withdrawn one is
        not."""
        return self.filter(
            meeting=meeting, is_supplement=supplement, status=PackStatus.READY
        ).order_by("-created_at", "-pk")


class AgendaPack(RecordModel):
    """One build of a meeting's agenda reports pack. The newest ready one is published; a
    failed build leaves the previous one in place."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="packs")
    is_supplement = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=PackStatus.choices, default=PackStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="packs/", blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = AgendaPackQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "-created_at"]
        indexes = [models.Index(fields=["meeting", "status", "-created_at"])]

    def __str__(self):
        return f"Pack for {self.meeting_id} ({self.get_status_display()})"
