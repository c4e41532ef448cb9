"""E-mail alerts (committees/views/alerts.py): open to everyone, signed in or not. The confirm
and unsubscribe pages open with a real link's token (a forged one is a 404 for everyone:
tests/committees/test_alerts.py)."""

from django.core import signing

from committees import alert_tokens
from committees.models import AlertSubscription
from committees.views.alerts import UNSUBSCRIBED_SALT
from tests.committees.factories import OrganizationFactory
from tests.permissions import outcome


def subscription(*, confirmed: bool, email: str = "resident@example.com"):
    """A subscription as services.request_alerts (and confirm_alerts) leave it."""
    from django.utils import timezone

    now = timezone.now()
    return AlertSubscription.objects.create(
        email=email,
        organization=OrganizationFactory(),
        nonce=alert_tokens.new_nonce(),
        created_at=now,
        confirmed_at=now if confirmed else None,
        confirmations_sent=1,
        last_confirmation_at=now,
    )


def _slug():
    return {"slug": OrganizationFactory().slug}


def _confirm():
    return {"token": alert_tokens.make(subscription(confirmed=False), alert_tokens.CONFIRM)}


def _unsubscribe():
    return {"token": alert_tokens.make(subscription(confirmed=True), alert_tokens.UNSUBSCRIBE)}


def _unsubscribed():
    return {"done": signing.dumps(OrganizationFactory().pk, salt=UNSUBSCRIBED_SALT)}


ROWS = {
    "committees:alerts_subscribe": (_slug, outcome(200)),
    "committees:alerts_requested": (_slug, outcome(200)),
    "committees:alerts_confirm": (_confirm, outcome(200)),
    "committees:alerts_unsubscribe": (_unsubscribe, outcome(200)),
    "committees:alerts_unsubscribed": (_unsubscribed, outcome(200)),
}
