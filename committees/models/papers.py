from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.urls import reverse

from committees import rules
from committees.models.bodies import Organization
from committees.models.meetings import AgendaItem, Meeting
from organisation.models import Directorate
from portal_kit.models import RecordModel, Versioned


class Paper(Versioned, RecordModel):
    """A report (OParl Paper), with the metadata of the council's report template."""

    reference = models.CharField(max_length=50, unique=True)
    title = models.CharField(max_length=300)
    paper_type = models.CharField(max_length=50, default="Report")
    date = models.DateField()
    author_name = models.CharField(max_length=150)
    author_job_title = models.CharField(max_length=200, blank=True)
    author_directorate = models.ForeignKey(
        Directorate, on_delete=models.PROTECT, null=True, blank=True
    )
    author_telephone = models.CharField(max_length=50, blank=True)
    author_email = models.EmailField(blank=True)
    approving_director = models.CharField(max_length=200, blank=True)
    cabinet_member = models.CharField(max_length=200, blank=True)
    wards_affected = models.CharField(max_length=200, blank=True)
    key_decision = models.BooleanField(default=False)
    scrutiny_consideration = models.TextField(blank=True)
    other_bodies = models.TextField(blank=True)
    going_to_council = models.CharField(max_length=200, blank=True)
    executive_summary = models.TextField(blank=True)
    background_papers = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    exempt_paragraphs = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    #: When the public could first see it (public, on a published agenda): set once by the
    #: services and never moved; the Atom feeds are ordered by it. Empty until then.
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-date", "title"]
        indexes = [
            models.Index(
                models.F("first_published_at").desc(),
                models.F("id").desc(),
                condition=Q(first_published_at__isnull=False),
                name="paper_first_published",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_public=True) | Q(exempt_paragraphs__len__gt=0),
                name="private_paper_names_a_paragraph",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("committees:report", args=[self.pk])

    @property
    def exemption_text(self) -> str:
        """Its exemption in words (rules.exemption_text); empty for a public report."""
        return "" if self.is_public else rules.exemption_text(self.exempt_paragraphs)


class DocumentKind(models.TextChoices):
    REPORT = "report", "Report"
    APPENDIX = "appendix", "Appendix"
    BACKGROUND = "background", "Background paper"
    MINUTES = "minutes", "Minutes"
    SUPPLEMENT = "supplement", "Supplement"


class Withdrawable(models.Model):
    """A record that is corrected or withdrawn rather than deleted: a withdrawn one stays,
    for Governance Services, with when, by whom and why (policies.not_withdrawn decides what
    it still counts for)."""

    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Editable (in no form: services only) so that its history shows the reason given.
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Document(Versioned, Withdrawable, RecordModel):
    """A file (OParl File): PDF or Word, stored under a random name, with its size, checksum,
    page count and extracted text. A corrected file is replaced (the new one `replaced_by`),
    never overwritten."""

    paper = models.ForeignKey(
        Paper, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    title = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="documents/")
    original_name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    replaced_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    class Meta:
        ordering = ["paper", "kind", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(paper__isnull=False) | Q(meeting__isnull=False),
                name="document_belongs_somewhere",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("committees:document", args=[self.pk])


class SignOffKind(models.TextChoices):
    CONTRIBUTOR = "contributor", "Contributor"
    APPROVER = "approver", "Approver"


class SignOff(Versioned, Withdrawable, RecordModel):
    """A row of the report's sign-off table: who saw it, when it was sent and approved. A
    withdrawn row no longer counts as an approval (services._check_sign_offs)."""

    class Category(models.TextChoices):
        FINANCE = "finance", "Finance"
        LEGAL = "legal", "Legal"
        DIRECTOR = "director", "Director"
        MEMBERS = "members", "Members"
        OTHER = "other", "Other"

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="sign_offs")
    kind = models.CharField(max_length=20, choices=SignOffKind.choices)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    name = models.CharField(max_length=150)
    title = models.CharField(max_length=200, blank=True)
    directorate_or_organisation = models.CharField(max_length=200, blank=True)
    sent_on = models.DateField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["paper", "kind", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_on__isnull=True)
                | Q(sent_on__isnull=True)
                | Q(approved_on__gte=models.F("sent_on")),
                name="approved_after_sent",
            )
        ]

    def __str__(self):
        return f"{self.get_category_display() or self.get_kind_display()}: {self.name}"


class ConsultationRole(models.TextChoices):
    NOTING = "noting", "For noting"
    RECOMMENDATION = "recommendation", "For recommendation"
    DECISION = "decision", "For decision"


class Consultation(RecordModel):
    """One step of a report's journey: the meeting that takes it, with what it is asked to do
    and what it did (OParl Consultation)."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="consultations")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="consultations")
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="consultations"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=ConsultationRole.choices)
    recommendation = models.TextField(blank=True)
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["paper", "meeting__start"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "meeting"], name="one_consultation_per_meeting"
            )
        ]

    def __str__(self):
        return f"{self.paper} at {self.organization}"

    @property
    def authoritative(self) -> bool:
        return self.role == ConsultationRole.DECISION
