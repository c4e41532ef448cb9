"""Whistleblowing concerns: what the register may know in clear, and everything else sealed.

A `Concern` holds only what the Monitoring Officer's register filters and counts (ground,
route, dates, status, triage, outcome, who is appointed): never a word the reporter wrote and
never who they are. Everything said in a case (the reporter's answers, information added,
messages both ways, notes, meetings, outcomes) is an `Entry` whose body is sealed
(whistleblowing/sealing.py) and bound to the case; files are sealed the same way. A named
reporter's account is linked only by a keyed hash (`reporter_tag`); an anonymous reporter's
receipt code only by its Argon2id hash. No address, browser or device is stored anywhere.

Entries and files keep no history (a history table would keep copies of what retention
erases); the concern's own history records who changed its state, never the reporter (the
services attribute the reporter's actions to no one).
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal_kit.models import RecordModel, Versioned
from portal_kit.time import LONDON
from whistleblowing import rules


class Ground(models.TextChoices):
    # Policy paragraph 7, a to f, then the 2007 policy's fraud line and "not sure".
    CRIMINAL_OFFENCE = "criminal_offence", "A criminal offence"
    LEGAL_OBLIGATION = "legal_obligation", "A breach of a legal obligation"
    MISCARRIAGE_OF_JUSTICE = "miscarriage_of_justice", "A miscarriage of justice"
    HEALTH_AND_SAFETY = "health_and_safety", "Danger to health and safety"
    ENVIRONMENT = "environment", "Damage to the environment"
    CONCEALMENT = "concealment", "Deliberately concealing information about any of these"
    FRAUD = rules.FRAUD, "Fraud or financial irregularity"
    NOT_SURE = "not_sure", "I'm not sure"


class Route(models.TextChoices):
    MONITORING_OFFICER = rules.Route.MONITORING_OFFICER, "Monitoring Officer"
    CHIEF_INTERNAL_AUDITOR = rules.Route.CHIEF_INTERNAL_AUDITOR, "Chief Internal Auditor"


class Channel(models.TextChoices):
    ONLINE = "online", "Online form"
    IN_PERSON = "in_person", "In person"
    TELEPHONE = "telephone", "By telephone"
    IN_WRITING = "in_writing", "In writing"


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    INVESTIGATING = "investigating", "Under investigation"
    REFERRED = "referred", "Referred"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.REFERRED)


class Triage(models.TextChoices):
    INVESTIGATE = "investigate", "Investigate under this policy"
    OTHER_PROCEDURE = "other_procedure", "Deal with under another procedure"
    REFER_POLICE = "refer_police", "Refer to the police"
    REFER_EXTERNAL_AUDITOR = "refer_external_auditor", "Refer to the external auditor"
    REFER_PRESCRIBED_BODY = "refer_prescribed_body", "Refer to a prescribed body"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class OtherProcedure(models.TextChoices):
    SAFEGUARDING = "safeguarding", "Safeguarding"
    GRIEVANCE = "grievance", "Grievance"
    DISCIPLINARY = "disciplinary", "Disciplinary"


class Outcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", "Substantiated"
    PARTLY_SUBSTANTIATED = "partly_substantiated", "Partly substantiated"
    NOT_SUBSTANTIATED = "not_substantiated", "Not substantiated"
    DEALT_WITH_ELSEWHERE = "dealt_with_elsewhere", "Dealt with under another procedure or body"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class ConcernQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def acknowledgement_overdue(self, today: dt.date):
        return self.filter(acknowledged_at__isnull=True, acknowledge_due__lt=today)

    def acknowledgement_due_by(self, day: dt.date):
        return self.filter(acknowledged_at__isnull=True, acknowledge_due__lte=day)

    def of_reporter(self, tag: bytes):
        return self.filter(reporter_tag=tag)


class Concern(RecordModel, Versioned):
    ground = models.CharField(max_length=30, choices=Ground.choices)
    route = models.CharField(max_length=30, choices=Route.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.ONLINE)
    anonymous = models.BooleanField()
    received_at = models.DateTimeField(default=timezone.now)
    #: rules.acknowledge_by of the London date received: stored so overdue is one index scan.
    acknowledge_due = models.DateField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    triage = models.CharField(max_length=30, choices=Triage.choices, blank=True)
    other_procedure = models.CharField(max_length=20, choices=OtherProcedure.choices, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="investigated_concerns",
    )
    #: A supervisor, line manager or head of service (policy 12), or a handler, who logged a
    #: concern raised with them in person or by telephone.
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="logged_concerns",
    )
    #: A complaint of detriment or victimisation (policy 23, 25) points to the concern it is
    #: about.
    detriment_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="detriments"
    )
    reporter_tag = models.BinaryField(null=True, blank=True, editable=False)
    receipt_hash = models.BinaryField(null=True, blank=True, editable=False)
    #: When the reporter last wrote without a handler answering since (the register's flag).
    reporter_waiting_since = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    content_erased_at = models.DateTimeField(null=True, blank=True)

    objects = ConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["receipt_hash"],
                name="concern_receipt_unique",
                condition=Q(receipt_hash__isnull=False),
            ),
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(reporter_tag__isnull=True),
                name="concern_anonymous_has_no_reporter",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(status=Status.CLOSED),
                name="concern_closed_at_only_when_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["reporter_tag"], name="concern_reporter_tag"),
            models.Index(fields=["-received_at", "-id"], name="concern_newest"),
            models.Index(
                fields=["acknowledge_due"],
                name="concern_awaiting_ack",
                condition=Q(acknowledged_at__isnull=True),
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return (
            f"WB-{self.received_at.astimezone(LONDON).year}-{self.pk:05d}" if self.pk else "WB-new"
        )

    @property
    def received_on(self) -> dt.date:
        return self.received_at.astimezone(LONDON).date()

    def clock(self, today: dt.date) -> rules.AcknowledgementClock:
        acknowledged = (
            self.acknowledged_at.astimezone(LONDON).date() if self.acknowledged_at else None
        )
        return rules.acknowledgement_clock(self.received_on, acknowledged, today)

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class EntryKind(models.TextChoices):
    REPORT = "report", "Concern raised"
    INFORMATION = "information", "Information added by the reporter"
    FROM_REPORTER = "from_reporter", "Message from the reporter"
    TO_REPORTER = "to_reporter", "Message to the reporter"
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    ASSIGNMENT = "assignment", "Handler appointed"
    TRIAGE = "triage", "Triage decision"
    MEETING = "meeting", "Meeting"
    MEETING_COMMENT = "meeting_comment", "Reporter's comment on a meeting note"
    NOTE = "note", "Investigation note"
    OUTCOME = "outcome", "Outcome"
    CLOSING = "closing", "Closing message"
    REOPENED = "reopened", "Reopened"


#: What the reporter reads of their case (and the handler sees as shared).
SHARED_KINDS = (
    EntryKind.REPORT,
    EntryKind.INFORMATION,
    EntryKind.FROM_REPORTER,
    EntryKind.TO_REPORTER,
    EntryKind.ACKNOWLEDGEMENT,
    EntryKind.MEETING,
    EntryKind.MEETING_COMMENT,
    EntryKind.CLOSING,
)


class Entry(models.Model):
    """One thing said or decided in a case, its words sealed (purpose "entry:<kind>")."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    #: The handler who wrote it; empty for the reporter, whose identity is never linked.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_reporter = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    body = models.BinaryField()
    erased = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["concern", "created_at", "id"], name="entry_timeline")]
        verbose_name_plural = "entries"

    def __str__(self):
        return f"{self.get_kind_display()} ({self.concern_id})"

    @property
    def shared(self) -> bool:
        return self.kind in SHARED_KINDS

    @property
    def purpose(self) -> str:
        return f"entry:{self.kind}"


def _sealed_file_name(instance, filename):
    # The name is random: what the reporter called the file is sealed in `about`.
    return f"whistleblowing/{instance.concern_id}/{filename}"


class Attachment(models.Model):
    """A file given as evidence: its bytes sealed in storage (purpose "file:<id>"), its
    name, type and size sealed in `about`."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="attachments")
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="attachments")
    sealed_file = models.FileField(upload_to=_sealed_file_name, max_length=200)
    about = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    erased = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"File {self.pk} of {self.concern_id}"

    @property
    def purpose(self) -> str:
        return f"file:{self.entry_id}"


class OpeningKind(models.TextChoices):
    CASE = "case", "Case"
    FILE = "file", "File"
    EXPORT = "export", "Register export"
    REPORT = "annual_report", "Annual report"


class CaseOpening(models.Model):
    """One opening of a case (or a file, or the register's export) by a handler: who, what,
    when. Written by services.record_opening and never changed or removed (a trigger in the
    migration refuses UPDATE and DELETE). Reporters' own readings are not logged: the log
    would say when a reporter came back."""

    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, null=True, blank=True, related_name="openings"
    )
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=OpeningKind.choices)
    attachment = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["concern", "-opened_at"], name="opening_by_case")]

    def __str__(self):
        return f"{self.reader} opened {self.concern_id} ({self.kind})"
