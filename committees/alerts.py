"""E-mail alerts, written and sent: the confirmation message of a subscription, and one
message per alert (a published agenda, or supplementary items, reports and files: added to
the published agenda, or made public on it) to each confirmed subscriber. A helper of
committees.services and committees.tasks: nothing else calls it.

What a message says of the meeting is what its public page shows, read through the
visibility policies when the message is sent (not when the alert was raised): a private
item appears as its number, title and exemption, as on the public agenda; a private report,
or one at private business, not at all, nor its files; a withdrawn file not at all. An
alert whose meeting's agenda is no longer public, or that has nothing public left to
announce, sends nothing.

Each delivery is a row unique per subscription and alert, written in the transaction that
sends the message, with the subscription locked: a task run twice, or by two workers at
once, sends each message once. If the relay refuses a message, its row goes with the
rollback, so running the task again sends what was not sent.
"""

import datetime as dt
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from committees import alert_tokens, policies
from committees.models import (
    AgendaItem,
    Alert,
    AlertDelivery,
    AlertKind,
    AlertSubscription,
    Consultation,
    Document,
    Meeting,
    MeetingState,
)
from committees.models.alerts import CONFIRM_WITHIN
from committees.queries import public as queries

logger = logging.getLogger(__name__)

#: RFC 8058 one-click unsubscribe: the body a mail client posts.
ONE_CLICK = "List-Unsubscribe=One-Click"


def link(name: str, *args) -> str:
    return f"{settings.PORTAL_URL}{reverse(name, args=args)}"


def _subject(template: str, context: dict) -> str:
    return " ".join(render_to_string(template, context).split())


def _context(**context) -> dict:
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "portal_url": settings.PORTAL_URL,
        **context,
    }


# --- Unconfirmed subscriptions ---------------------------------------------------------------


def forget_unconfirmed(now: dt.datetime | None = None) -> int:
    """Delete the subscriptions whose confirmation link has expired; returns how many."""
    now = now or timezone.now()
    deleted, _ = AlertSubscription.objects.filter(
        confirmed_at__isnull=True, created_at__lte=now - CONFIRM_WITHIN
    ).delete()
    return deleted


def send_confirmation(subscription_id: int, now: dt.datetime | None = None) -> str:
    """E-mail the subscription's confirmation link, unless it has been confirmed, ended or
    has expired since it was asked for."""
    now = now or timezone.now()
    subscription = (
        AlertSubscription.objects.select_related("organization").filter(pk=subscription_id).first()
    )
    if subscription is None or subscription.confirmed_at is not None:
        return "skipped"
    if subscription.expired(now):
        return "expired"
    context = _context(
        organization=subscription.organization,
        confirm_url=link("committees:alerts_confirm", alert_tokens.make(subscription, "confirm")),
        expires_at=subscription.created_at + CONFIRM_WITHIN,
    )
    EmailMessage(
        subject=_subject("committees/email/alert_confirm_subject.txt", context),
        body=render_to_string("committees/email/alert_confirm.txt", context),
        to=[subscription.email],
        headers={"Auto-Submitted": "auto-generated"},
    ).send()
    return "sent"


# --- What an alert says ----------------------------------------------------------------------


def _numbered(entry, parent=None) -> str:
    """As the agenda prints it: "3." for an item, "3a)" for a sub-item."""
    return f"{parent.number}{entry.number}" if parent is not None else f"{entry.number}."


def _line(entry, number: str, consultations) -> dict:
    """One item as the message shows it: what the public agenda shows, and no more."""
    return {
        "number": number,
        "title": entry.title,
        "exemption": entry.exemption,
        "reports": [
            {
                "title": c.paper.title,
                "url": link("committees:report", c.paper_id),
                "files": [
                    {"document": d, "url": link("committees:document", d.pk)}
                    for d in c.paper.public_documents
                ],
            }
            for c in consultations
        ],
    }


def _new_files(alert: Alert):
    """The files the alert announces, as the public may see them now (each marked
    `replaces` if it took the place of a withdrawn one); none for any other alert."""
    files = policies.documents.public(Document.objects.all())
    if not alert.document_ids:
        return files.none()
    return files.filter(pk__in=alert.document_ids).annotate(
        replaces=Exists(Document.objects.filter(replaced_by=OuterRef("pk")))
    )


def content(alert: Alert, meeting: Meeting) -> list[dict]:
    """The items (with their reports) the alert announces, as the public sees them now: the
    whole public agenda for a published agenda; for a supplement, the items added or made
    public, the items carrying the reports added or made public (with those reports only),
    and the items carrying the reports the files were added to (with those reports and
    files only)."""
    entries = queries.agenda(
        meeting,
        items=policies.agenda_items.public(AgendaItem.objects.all()),
        consultations=policies.consultations.public(Consultation.objects.all()),
        documents=_new_files(alert),
        with_minutes=False,
    )
    new_items, new_papers = set(alert.item_ids), set(alert.paper_ids)
    lines = []
    for entry in entries:
        for sub, parent in [(entry, None), *((s, entry) for s in entry.sub_items)]:
            if alert.kind == AlertKind.AGENDA or sub.pk in new_items:
                shown = sub.consultations
            else:
                shown = [
                    c
                    for c in sub.consultations
                    if c.paper_id in new_papers or c.paper.public_documents
                ]
                if not shown:
                    continue
            lines.append(_line(sub, _numbered(sub, parent), shown))
    return lines


def _meeting(alert: Alert, now: dt.datetime) -> Meeting | None:
    """The alert's meeting if its agenda is public, it is not cancelled and it is still to
    come: otherwise there is nothing to tell anyone."""
    return (
        queries.meeting_detail(Meeting.objects.filter(policies.agenda_published()))
        .exclude(state=MeetingState.CANCELLED)
        .filter(pk=alert.meeting_id, start__gt=now)
        .first()
    )


def recipients(alert: Alert, meeting: Meeting):
    """Confirmed subscribers to any of the meeting's decision makers, one subscription per
    address (an address subscribed to two decision makers of a joint meeting gets one
    message), leaving out addresses this alert has reached already."""
    reached = AlertDelivery.objects.filter(alert=alert).values("subscription__email")
    return (
        AlertSubscription.objects.filter(
            organization__in=meeting.organizations.all(), confirmed_at__isnull=False
        )
        .exclude(email__in=reached)
        .order_by("email", "pk")
        .distinct("email")
        .values_list("pk", flat=True)
    )


# --- Sending ---------------------------------------------------------------------------------


def _message(alert, meeting, lines, subscription, connection) -> EmailMessage:
    unsubscribe_url = link(
        "committees:alerts_unsubscribe", alert_tokens.make(subscription, "unsubscribe")
    )
    context = _context(
        alert=alert,
        supplement=alert.kind == AlertKind.SUPPLEMENT,
        meeting=meeting,
        meeting_url=link("committees:meeting", meeting.pk),
        lines=lines,
        organization=subscription.organization,
        unsubscribe_url=unsubscribe_url,
    )
    return EmailMessage(
        subject=_subject("committees/email/alert_subject.txt", context),
        body=render_to_string("committees/email/alert.txt", context),
        to=[subscription.email],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": ONE_CLICK,
            "Auto-Submitted": "auto-generated",
        },
    )


class NotAllSent(Exception):
    """The relay refused some messages; running the task again sends those (only)."""


def send(alert_id: int, now: dt.datetime | None = None) -> int:
    """Send the alert to every confirmed subscriber it has not reached; returns how many
    messages were sent."""
    now = now or timezone.now()
    alert = Alert.objects.filter(pk=alert_id).first()
    meeting = alert and _meeting(alert, now)
    if meeting is None:
        return 0
    lines = content(alert, meeting)
    if not lines:
        return 0
    if not settings.PORTAL_URL:
        logger.error("PORTAL_URL is not set: alert %s not sent (its links need it)", alert.pk)
        return 0
    sent = failed = 0
    with get_connection() as connection:
        for pk in list(recipients(alert, meeting)):
            try:
                sent += _deliver(alert, meeting, lines, pk, connection)
            except (smtplib.SMTPException, OSError):
                logger.exception("Alert %s not sent to subscription %s", alert.pk, pk)
                failed += 1
    if failed:
        raise NotAllSent(f"alert {alert.pk}: {sent} sent, {failed} refused by the relay")
    return sent


@transaction.atomic
def _deliver(alert, meeting, lines, subscription_id, connection) -> int:
    # Locked: an unsubscribe waits for this message, and a second worker for this row.
    subscription = (
        AlertSubscription.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(pk=subscription_id, confirmed_at__isnull=False)
        .first()
    )
    if subscription is None:
        return 0
    try:
        with transaction.atomic():
            AlertDelivery.objects.create(subscription=subscription, alert=alert)
    except IntegrityError:
        return 0  # delivered already
    _message(alert, meeting, lines, subscription, connection).send()
    return 1
