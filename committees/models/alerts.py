"""E-mail alerts: the public subscribe to a decision maker's new and supplementary papers.

These rows hold personal data (an e-mail address) and nothing else about anyone, so they are
not RecordModels: a history table would keep every address after its owner has left. An
unsubscribe deletes the subscription (with its deliveries); an unconfirmed one is deleted
once its confirmation link has expired. No page shows them, so they do not move the page
cache's content version (committees/apps.py).
"""

import datetime as dt

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone

from committees.models.bodies import Organization
from committees.models.meetings import Meeting

#: How long a confirmation link works; an unconfirmed subscription is then deleted.
CONFIRM_WITHIN = dt.timedelta(days=3)


class AlertSubscription(models.Model):
    """One address's alerts for one decision maker: sent nothing until confirmed."""

    #: Normalised as sign-in does (organisation.accounts.normalise_email).
    email = models.EmailField(max_length=254)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="alert_subscriptions"
    )
    #: Random; the links' tokens are HMACs of it (committees/alert_tokens.py), never stored.
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    #: The flood limit on confirmation messages (services.request_alerts): how many were
    #: sent since the count last restarted, and when the last one was.
    confirmations_sent = models.PositiveSmallIntegerField(default=0)
    last_confirmation_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email", "organization"], name="one_alert_per_address")
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(confirmed_at__isnull=True),
                name="alert_unconfirmed",
            ),
            models.Index(
                fields=["organization", "email"],
                condition=Q(confirmed_at__isnull=False),
                name="alert_confirmed",
            ),
        ]

    def __str__(self):
        return f"Alerts for {self.organization_id}"

    def expired(self, now: dt.datetime) -> bool:
        """Unconfirmed past CONFIRM_WITHIN: its link no longer works, and it is deleted."""
        return self.confirmed_at is None and self.created_at <= now - CONFIRM_WITHIN


class AlertKind(models.TextChoices):
    AGENDA = "agenda", "Agenda published"
    SUPPLEMENT = "supplement", "Supplementary item, report or file"


class Alert(models.Model):
    """One publication to tell subscribers about: a meeting's agenda, or what was added to
    an agenda already published or made public on it: items, reports, and files of its
    reports. Which of them the message shows is decided when it is sent, by the visibility
    policies."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    item_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    paper_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    #: Files added to (or replacing files of) reports already on the agenda.
    document_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.get_kind_display()} ({self.meeting_id})"


class AlertDelivery(models.Model):
    """An alert sent to a subscriber: unique, so a task run twice never sends twice."""

    subscription = models.ForeignKey(
        AlertSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "alert"], name="one_delivery_each")
        ]

    def __str__(self):
        return f"Alert {self.alert_id} to {self.subscription_id}"


#: Rows no public page shows: their writes leave the page cache alone.
NOT_ON_PAGES = (AlertSubscription, Alert, AlertDelivery)
