"""Whistleblowing notices, sent in the background once a change has committed. They carry
the case's reference and a link, never a word of the case: a handler reads it signed in, a
named reporter signed in too. Anonymous reporters are sent nothing."""

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from organisation import notifications


def _link(name: str, *args) -> str:
    return settings.PORTAL_URL.rstrip("/") + reverse(name, args=args)


@task()
def notify_handlers(concern_id: int, reason: str, only_id: int | None = None) -> int:
    from whistleblowing import queries

    concern = queries.concern_for_notice(concern_id)
    if concern is None:
        return 0
    sent = 0
    for handler in queries.handlers_to_notify(concern, only_id=only_id):
        notifications.send(
            to=handler.email,
            template="whistleblowing/email/handler_notice",
            context={
                "reference": concern.reference,
                "reason": reason,
                "link": _link("concerns:case", concern.pk),
            },
        )
        sent += 1
    return sent


@task()
def notify_reporter(concern_id: int) -> int:
    from whistleblowing import queries, services

    concern = queries.concern_for_notice(concern_id)
    if concern is None or concern.anonymous:
        return 0
    address = services.contact_address(concern)
    if not address:
        return 0
    notifications.send(
        to=address,
        template="whistleblowing/email/reporter_notice",
        context={"link": _link("whistleblowing:my_concerns")},
    )
    return 1


# --- Drafts (the reporter's side) -----------------------------------------------------------


@task()
def forget_draft_file(name: str) -> int:
    """Delete a file added to a draft (whistleblowing.drafts), once no draft can still name
    it, and any other draft file as old. Returns how many were deleted."""
    from whistleblowing import drafts

    drafts.forget_file(name)
    return 1 + drafts.sweep()
