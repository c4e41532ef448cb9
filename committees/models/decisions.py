from django.db import models
from django.db.models import Q
from django.urls import reverse

from committees.models.bodies import Organization
from committees.models.meetings import AgendaItem, Meeting
from committees.models.papers import Paper
from portal_kit.models import RecordModel


class ForwardPlanEntry(RecordModel):
    """A key decision on the forward plan: published at least 28 clear days before it is
    taken."""

    title = models.CharField(max_length=300)
    decision_maker = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    expected_date = models.DateField()
    summary = models.TextField(blank=True)
    documents = models.TextField(blank=True)
    wards_affected = models.CharField(max_length=200, blank=True)
    contact = models.CharField(max_length=200, blank=True)
    paper = models.ForeignKey(Paper, on_delete=models.SET_NULL, null=True, blank=True)
    first_published_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["expected_date", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("committees:forward_plan") + f"#entry-{self.pk}"


class DecisionKind(models.TextChoices):
    EXECUTIVE = "executive", "Executive decision"
    COMMITTEE = "committee", "Committee decision"
    OFFICER = "officer", "Officer decision"


class KeyDecisionException(models.TextChoices):
    NONE = "", "Not needed"
    GENERAL_EXCEPTION = "general_exception", "General exception"
    SPECIAL_URGENCY = "special_urgency", "Special urgency"


class Decision(RecordModel):
    """The decisions register: executive decisions from minutes, and officer decisions recorded
    under the Openness of Local Government Bodies Regulations 2014."""

    kind = models.CharField(max_length=20, choices=DecisionKind.choices)
    title = models.CharField(max_length=300)
    decision_maker = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    officer_name = models.CharField(max_length=150, blank=True)
    officer_title = models.CharField(max_length=200, blank=True)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    paper = models.ForeignKey(Paper, on_delete=models.SET_NULL, null=True, blank=True)
    date = models.DateField()
    decision = models.TextField()
    reasons = models.TextField(blank=True)
    alternatives_rejected = models.TextField(blank=True)
    conflicts_of_interest = models.TextField(blank=True)
    is_key = models.BooleanField(default=False)
    forward_plan_entry = models.ForeignKey(
        ForwardPlanEntry, on_delete=models.SET_NULL, null=True, blank=True
    )
    key_decision_exception = models.CharField(
        max_length=20, choices=KeyDecisionException.choices, blank=True
    )
    exception_reason = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)

    class Meta:
        ordering = ["-date", "title"]
        indexes = [models.Index(fields=["-date"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="officer") | ~Q(officer_name=""),
                name="officer_decision_names_the_officer",
            ),
            models.CheckConstraint(
                condition=Q(key_decision_exception="") | ~Q(exception_reason=""),
                name="key_decision_exception_has_a_reason",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("committees:decision", args=[self.pk])
