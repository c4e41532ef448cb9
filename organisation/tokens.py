"""The token of a two-factor set-up link, derived when it is needed and never stored.

The token is an HMAC, keyed with SECRET_KEY, of the enrolment's random nonce and account.
The database keeps the nonce and a SHA-256 hash of the token (to find the enrolment a link
names), so neither a copy of the database nor the secret key alone gives a usable link; the
background worker that e-mails the link, and `issue_two_factor_enrolment --show`, derive the
same token from the row. This is how Django's own password-reset tokens work: nothing that
could be replayed sits in a table, or in the task queue's arguments.
"""

import hashlib
import secrets

from django.utils.crypto import salted_hmac

KEY_SALT = "organisation.tokens.two_factor_enrolment"
TOKEN_LENGTH = 64  # hexadecimal SHA-256


def new_nonce() -> str:
    return secrets.token_hex(32)


def link_token(*, account_id: int, nonce: str) -> str:
    return salted_hmac(KEY_SALT, f"{account_id}:{nonce}", algorithm="sha256").hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_a_token(value: str) -> bool:
    """Cheap shape check before any database lookup."""
    return len(value) == TOKEN_LENGTH and all(c in "0123456789abcdef" for c in value)


def enrolment_token(enrolment) -> str:
    """The token of `enrolment`'s set-up link (only the worker that e-mails it, and the
    command line with --show, need it)."""
    return link_token(account_id=enrolment.account_id, nonce=enrolment.nonce)
