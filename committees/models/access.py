from django.conf import settings
from django.db import models
from django.utils import timezone

from committees.models.papers import Document, Paper


class ReaderCapacity(models.TextChoices):
    MEMBER = "member", "Member of the decision maker"
    GOVERNANCE_SERVICES = "governance_services", "Governance Services"


class PrivatePaperOpening(models.Model):
    """One opening of a private (Schedule 12A) report or of one of its files: who, which,
    when, and nothing the reader typed. Written once by services.record_private_opening and
    never changed or removed (a trigger in its migration refuses UPDATE and DELETE); no
    history, and the page cache does not watch it (committees.apps): reading changes
    nothing the public sees."""

    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField(max_length=30, choices=ReaderCapacity.choices)
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["-opened_at", "-id"], name="private_opening_newest")]

    def __str__(self):
        return f"{self.reader} opened {self.document or self.paper}"
