"""Receipt codes, the reporter's tag, and the throttle on follow-up attempts.

- A receipt code is 20 characters of Crockford's base 32 (100 random bits), shown once as five
  groups of four. The database keeps only its Argon2id hash, keyed by the pepper from the
  environment and without a per-row salt (100 random bits need none, and a fixed salt makes
  the hash an index key: one indexed query finds the case). Input is normalised (case,
  spaces, dashes, the letters people confuse with digits) and anything that cannot be a code
  is refused before any hashing.
- A named reporter follows their case signed in; the case keeps only a keyed hash of their
  account (`reporter_tag`), so a dump does not say who reported what.
- Attempts to open a case by code are counted per client and in total, in the cache only:
  the client is a keyed hash of its address under a key that changes every day, kept for the
  throttle's window and never written anywhere else.
"""

import datetime as dt
import hashlib
import hmac
import secrets

from argon2.low_level import Type, hash_secret_raw
from django.core.cache import cache
from django.utils import timezone

from whistleblowing.sealing import current_secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O or U
CODE_LENGTH = 20
GROUP = 4
#: Longer than any way of typing a code (spaces or dashes between every character): refused
#: unread.
MAX_INPUT = 60
_CONFUSED = str.maketrans({"O": "0", "I": "1", "L": "1", "-": "", " ": "", "\u00a0": ""})

# OWASP's second Argon2id setting (19 MiB, 2 passes): ~25 ms here, so a person's one attempt
# is quick and a guesser's millions are not.
ARGON2 = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1, "hash_len": 32}

WINDOW = dt.timedelta(minutes=15)
PER_CLIENT = 10
IN_TOTAL = 300


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def shown(code: str) -> str:
    """ABCD-EFGH-... for reading aloud and writing down."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalised(text: str) -> str | None:
    """The code typed, or None if it cannot be one (checked before any hashing)."""
    if not text or len(text) > MAX_INPUT:
        return None
    code = text.upper().translate(_CONFUSED)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def code_hash(code: str) -> bytes:
    pepper = current_secrets().pepper
    salt = hmac.new(pepper, b"receipt-code-salt", hashlib.sha256).digest()[:16]
    return hash_secret_raw(secret=pepper + code.encode(), salt=salt, type=Type.ID, **ARGON2)


def reporter_tag(user) -> bytes:
    """The keyed hash that links a named reporter's account to their cases."""
    return hmac.new(
        current_secrets().pepper, f"reporter:{user.pk}".encode(), hashlib.sha256
    ).digest()


def _client_key(address: str, now: dt.datetime) -> str:
    day_key = hmac.new(
        current_secrets().pepper, f"throttle-day:{now.date().isoformat()}".encode(), hashlib.sha256
    ).digest()
    return "wb-throttle:" + hmac.new(day_key, address.encode(), hashlib.sha256).hexdigest()[:32]


def _bump(key: str) -> int:
    seconds = int(WINDOW.total_seconds())
    if cache.add(key, 1, seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, seconds)
        return 1


def attempt_allowed(address: str, now: dt.datetime | None = None) -> bool:
    """Count one attempt from `address` (the client's address, used here and forgotten) and
    say whether it may go ahead."""
    now = now or timezone.now()
    client = _bump(_client_key(address or "unknown", now))
    total = _bump(f"wb-throttle-total:{int(now.timestamp()) // int(WINDOW.total_seconds())}")
    return client <= PER_CLIENT and total <= IN_TOTAL
