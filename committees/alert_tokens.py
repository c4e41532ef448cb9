"""The tokens of e-mail alert links (confirm, unsubscribe), derived and never stored.

A token is the subscription's id and an HMAC, keyed with SECRET_KEY, of its purpose, id and
random nonce: "<id>-<64 hex>". The database keeps only the nonce, so neither a copy of the
database nor the secret key alone makes a working link, and every alert can carry the same
unsubscribe link without anything replayable sitting in a table or in the task queue. A
link signed with a key in SECRET_KEY_FALLBACKS still works after the key is rotated.
"""

import re
import secrets

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

CONFIRM = "confirm"
UNSUBSCRIBE = "unsubscribe"
PURPOSES = (CONFIRM, UNSUBSCRIBE)

_SHAPE = re.compile(r"^([1-9][0-9]{0,17})-([0-9a-f]{64})$")


def new_nonce() -> str:
    return secrets.token_hex(32)


def _mac(purpose: str, pk: int, nonce: str, secret: str) -> str:
    return salted_hmac(
        f"committees.alerts.{purpose}", f"{pk}:{nonce}", secret=secret, algorithm="sha256"
    ).hexdigest()


def make(subscription, purpose: str) -> str:
    assert purpose in PURPOSES
    mac = _mac(purpose, subscription.pk, subscription.nonce, settings.SECRET_KEY)
    return f"{subscription.pk}-{mac}"


def subscription_id(token: str) -> int | None:
    """The id a well-formed token names (checked by `matches` once the row is read)."""
    match = _SHAPE.match(token or "")
    return int(match[1]) if match else None


def matches(subscription, token: str, purpose: str) -> bool:
    match = _SHAPE.match(token or "")
    if match is None or int(match[1]) != subscription.pk:
        return False
    return any(
        constant_time_compare(match[2], _mac(purpose, subscription.pk, subscription.nonce, key))
        for key in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    )
