"""Account e-mail, sent in the background (Django's Tasks API, as in committees/tasks.py).

Production runs these in `manage.py db_worker`; tests use the immediate backend, so an
enqueued task runs at once. Their arguments are stored in the task queue, so they carry
only what is harmless to keep there: the address as typed, the id of a record. The secrets
a message carries (a password-reset token, a two-factor set-up link) are made here, in the
worker, and exist only in the message.
"""

import logging

from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from organisation import notifications

logger = logging.getLogger(__name__)


@task()
def send_password_reset(email: str, base_url: str) -> int:
    """E-mail a link to choose a new password to the account `email` names, if there is one
    that may sign in with a password. The request that queued this did the same work
    whatever the address; looking the account up happens here. Returns the messages sent."""
    from organisation import queries

    sent = 0
    for user in queries.accounts_for_password_reset(email):
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        notifications.send(
            to=user.email,
            template="registration/password_reset",
            context={"user": user, "reset_url": f"{base_url}{path}"},
        )
        sent += 1
    return sent


@task()
def send_two_factor_email(event_id: int, base_url: str) -> str:
    """E-mail the account about a change to its second factor. For a set-up link, the
    message carries the link, derived here from the enrolment; a link cancelled or used
    before the worker reached it is not sent."""
    from organisation import queries, tokens
    from organisation.models import TwoFactorAction

    event = queries.two_factor_event_for_email(event_id)
    if event is None:
        return "gone"
    context = {"user": event.account, "event": event}
    template = "organisation/email/two_factor_notice"
    if event.action == TwoFactorAction.ISSUED:
        enrolment = event.enrolment
        if enrolment is None or not enrolment.is_open(timezone.now()):
            return "skipped"
        token = tokens.enrolment_token(enrolment)
        if tokens.token_hash(token) != enrolment.token_hash:
            # SECRET_KEY changed since the link was issued: it could never be used.
            logger.error("Two-factor set-up link %s no longer matches; not sent", enrolment.pk)
            return "unusable"
        context["link"] = f"{base_url}{reverse('two_factor_link', args=[token])}"
        context["enrolment"] = enrolment
        template = "organisation/email/two_factor_link"
    notifications.send(to=event.account.email, template=template, context=context)
    return "sent"
