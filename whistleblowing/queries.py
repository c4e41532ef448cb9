"""Every read the whistleblowing pages need, each a fixed number of queries, and never more
rows opened (unsealed) than a page shows: the register opens none."""

import dataclasses

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from organisation.roles import Role
from whistleblowing import receipts, services
from whistleblowing.models import SHARED_KINDS, Attachment, Concern, Entry, Route
from whistleblowing.policies import concerns as policy


def concern_for_notice(concern_id: int) -> Concern | None:
    return Concern.objects.select_related("investigator").filter(pk=concern_id).first()


def handlers_to_notify(concern: Concern, *, only_id: int | None = None):
    """Who is told that a case needs them: the appointed investigator, else the holders of
    the role the concern is routed to (the Monitoring Officer also for fraud, since they keep
    the register)."""
    users = get_user_model().objects.filter(is_active=True)
    if only_id is not None:
        return users.filter(pk=only_id)
    if concern.investigator_id:
        return users.filter(pk=concern.investigator_id)
    role = (
        Role.CHIEF_INTERNAL_AUDITOR
        if concern.route == Route.CHIEF_INTERNAL_AUDITOR
        else Role.MONITORING_OFFICER
    )
    return users.filter(groups__name=role.value).distinct()


def register(user, *, filters: dict | None = None):
    """The register's rows the user may see, newest first: no content, nothing unsealed."""
    rows = policy.instances_for(user, "register").select_related("investigator")
    filters = filters or {}
    for field in ("ground", "status", "route"):
        if filters.get(field):
            rows = rows.filter(**{field: filters[field]})
    return rows


@dataclasses.dataclass(frozen=True)
class TimelineEntry:
    entry: Entry
    content: dict
    files: list[tuple[Attachment, dict]]


def timeline(concern: Concern, *, reporter_view: bool) -> list[TimelineEntry]:
    """The case's entries, unsealed (two queries): the reporter sees only what is shared."""
    entries = Entry.objects.filter(concern=concern).select_related("author")
    if reporter_view:
        entries = entries.filter(kind__in=SHARED_KINDS)
    entries = list(entries)
    files: dict[int, list] = {}
    for attachment in Attachment.objects.filter(entry__in=[e.pk for e in entries]):
        files.setdefault(attachment.entry_id, []).append(
            (attachment, services.attachment_about(attachment))
        )
    return [
        TimelineEntry(entry, services.entry_content(entry), files.get(entry.pk, []))
        for entry in entries
    ]


def reporter_concerns(user):
    """A signed-in named reporter's own concerns."""
    return Concern.objects.of_reporter(receipts.reporter_tag(user))


def counts_by(queryset, field: str) -> dict[str, int]:
    return dict(queryset.values_list(field).annotate(n=Count("pk")).order_by())


def overdue_count(queryset, today) -> int:
    return queryset.filter(Q(acknowledged_at__isnull=True, acknowledge_due__lt=today)).count()
