"""Background work for committees, on Django's Tasks API (the django-tasks backport).

Production runs tasks in `manage.py db_worker` (django_tasks_db); tests use the immediate
backend, so an enqueued task runs at once.
"""

import functools

from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone
from django_tasks import task

from committees.models import AgendaPack, Meeting, PackStatus


@task()
def build_agenda_pack(pack_id: int) -> str:
    """Build a queued pack. Claiming it (queued -> building) is one conditional UPDATE, so a
    task delivered twice, or a pack already taken by another worker, builds once.

    If the database connection is lost once the pack is claimed, the failure is recorded on
    a fresh connection (build_pack does the same for the build itself), so the pack shows as
    failed at once rather than as still being built."""
    from committees.pack import build_pack, record_failure

    started = timezone.now()
    claimed = AgendaPack.objects.filter(pk=pack_id, status=PackStatus.QUEUED).update(
        status=PackStatus.BUILDING, started_at=started, updated_at=started, progress=0
    )
    if not claimed:
        return "skipped"
    try:
        pack = AgendaPack.objects.select_related("meeting").get(pk=pack_id)
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            raise
        connection.close()
        return record_failure(pack_id).status
    return build_pack(pack).status


def request_pack_build(meeting: Meeting, *, supplement: bool = False) -> AgendaPack:
    """Ask for the meeting's pack to be (re)built; returns the queued pack.

    The task is enqueued only once the transaction commits, so the worker never looks for a
    row it cannot see yet, and nothing is built for a change that was rolled back. Several
    changes in a row share one queued pack: the row is locked, so a worker cannot start it
    until this transaction's changes are committed and the build will include them. The task
    is enqueued again each time: the duplicates find the pack claimed and do nothing, and if
    an enqueue was lost, the next request still gets the pack built."""
    with transaction.atomic():
        pack = (
            AgendaPack.objects.select_for_update()
            .filter(meeting=meeting, is_supplement=supplement, status=PackStatus.QUEUED)
            .order_by("-created_at", "-pk")
            .first()
        )
        if pack is None:
            pack = AgendaPack.objects.create(
                meeting=meeting, is_supplement=supplement, status=PackStatus.QUEUED
            )
        transaction.on_commit(functools.partial(build_agenda_pack.enqueue, pack.pk))
    return pack


# --- E-mail alerts (committees/alerts.py) ------------------------------------------------------


@task()
def send_alert(alert_id: int) -> int:
    """Send an alert to its subscribers: each message once, however often this runs."""
    from committees import alerts

    return alerts.send(alert_id)


@task()
def send_alert_confirmation(subscription_id: int) -> str:
    """E-mail a subscription's confirmation link (derived here: the queue holds only the id)."""
    from committees import alerts

    return alerts.send_confirmation(subscription_id)


@task()
def forget_unconfirmed_alerts() -> int:
    """Delete the subscriptions whose confirmation link has expired."""
    from committees import alerts

    return alerts.forget_unconfirmed()
