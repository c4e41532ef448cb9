"""Concerns at rest: sealed with AES-GCM, each sealed value bound to its case and its purpose.

A sealed value is `key id (2 bytes) | nonce (12 bytes) | ciphertext and tag`. The associated
data is "whistleblowing:<case id>:<purpose>", so a value copied into another case, or into
another column of the same case (a message into the answers), fails to open rather than
being read in the wrong place. Keys come from the environment (settings.WHISTLEBLOWING_KEYS)
as a ring: the first key seals, every key opens, so a new key is added in front and
`manage.py reseal_concerns` moves old rows onto it before the old key is removed. The
database holds no key: a dump alone opens nothing.

Outside production, when the environment gives no keys, the portal makes its own once and
keeps them in .data/whistleblowing-secrets.json (readable by its owner only), so `make run`
and the tests need nothing set.
"""

import base64
import json
import os
import secrets
import struct
import time
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
NONCE_BYTES = 12
_HEADER = struct.Struct(">H")


class SealBroken(Exception):
    """A sealed value did not open: wrong case or purpose, altered, or its key is gone."""


@dataclass(frozen=True)
class Secrets:
    keys: dict[int, bytes]  # key id -> key; the first sealing
    current: int
    pepper: bytes


def _parse_keys(text: str) -> tuple[dict[int, bytes], int]:
    keys: dict[int, bytes] = {}
    current = None
    for part in text.split(","):
        if not part.strip():
            continue
        key_id, _, value = part.strip().partition(":")
        try:
            number = int(key_id)
            key = base64.b64decode(value, validate=True)
        except ValueError:
            raise ImproperlyConfigured(
                "WHISTLEBLOWING_KEYS must be id:base64 pairs separated by commas"
            ) from None
        if not 0 < number < 65536 or len(key) != KEY_BYTES or number in keys:
            raise ImproperlyConfigured(
                "Each key in WHISTLEBLOWING_KEYS needs a unique id from 1 to 65535 and "
                "32 bytes (44 characters of base64)"
            )
        keys[number] = key
        current = number if current is None else current
    if current is None:
        raise ImproperlyConfigured("WHISTLEBLOWING_KEYS holds no key")
    return keys, current


def new_key_text(key_id: int) -> str:
    """A fresh key in the form WHISTLEBLOWING_KEYS takes (for the README's instructions)."""
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"


def _development_secrets() -> tuple[str, str]:
    path = settings.WHISTLEBLOWING_SECRETS_FILE
    try:
        stored = json.loads(path.read_text())
    except FileNotFoundError:
        stored = {
            "keys": new_key_text(1),
            "pepper": base64.b64encode(secrets.token_bytes(32)).decode(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        # Created readable by the owner only, and never over a file another process wrote.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return _development_secrets()
        with os.fdopen(fd, "w") as handle:
            json.dump(stored, handle)
    return stored["keys"], stored["pepper"]


@cache
def current_secrets() -> Secrets:
    keys_text, pepper_text = settings.WHISTLEBLOWING_KEYS, settings.WHISTLEBLOWING_PEPPER
    if not (keys_text and pepper_text):
        if settings.PRODUCTION:
            raise ImproperlyConfigured("WHISTLEBLOWING_KEYS and WHISTLEBLOWING_PEPPER are not set")
        keys_text, pepper_text = _development_secrets()
    keys, current = _parse_keys(keys_text)
    pepper = pepper_text.encode()
    if len(pepper) < 32:
        raise ImproperlyConfigured("WHISTLEBLOWING_PEPPER must be at least 32 characters")
    return Secrets(keys=keys, current=current, pepper=pepper)


def _associated(case_id: int, purpose: str) -> bytes:
    if not case_id:
        raise ValueError("A sealed value needs the id of its case")
    return f"whistleblowing:{case_id}:{purpose}".encode()


def seal(value: str | bytes, *, case_id: int, purpose: str) -> bytes:
    """`value` sealed under the current key, bound to `case_id` and `purpose`."""
    ring = current_secrets()
    data = value.encode() if isinstance(value, str) else bytes(value)
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(ring.keys[ring.current]).encrypt(nonce, data, _associated(case_id, purpose))
    return _HEADER.pack(ring.current) + nonce + sealed


def open_bytes(sealed: bytes | memoryview, *, case_id: int, purpose: str) -> bytes:
    sealed = bytes(sealed)
    if len(sealed) < _HEADER.size + NONCE_BYTES + 16:
        raise SealBroken("too short")
    (key_id,) = _HEADER.unpack_from(sealed)
    key = current_secrets().keys.get(key_id)
    if key is None:
        raise SealBroken(f"key {key_id} is not in WHISTLEBLOWING_KEYS")
    nonce = sealed[_HEADER.size : _HEADER.size + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(
            nonce, sealed[_HEADER.size + NONCE_BYTES :], _associated(case_id, purpose)
        )
    except InvalidTag:
        raise SealBroken("the value does not belong here or was altered") from None


def open_text(sealed: bytes | memoryview, *, case_id: int, purpose: str) -> str:
    return open_bytes(sealed, case_id=case_id, purpose=purpose).decode()


def seal_json(value, *, case_id: int, purpose: str) -> bytes:
    return seal(json.dumps(value, ensure_ascii=False), case_id=case_id, purpose=purpose)


def open_json(sealed, *, case_id: int, purpose: str):
    return json.loads(open_bytes(sealed, case_id=case_id, purpose=purpose))


def key_id_of(sealed: bytes | memoryview) -> int:
    return _HEADER.unpack_from(bytes(sealed[: _HEADER.size]))[0]


def needs_resealing(sealed: bytes | memoryview) -> bool:
    return key_id_of(sealed) != current_secrets().current


def reseal(sealed, *, case_id: int, purpose: str) -> bytes:
    """The same value sealed under the current key (for `reseal_concerns`)."""
    return seal(
        open_bytes(sealed, case_id=case_id, purpose=purpose), case_id=case_id, purpose=purpose
    )


# --- Drafts: a reporter's answers in progress, carried by their own pages ------------------
#
# The answers of a concern being written are never kept on the server: each page carries them
# in one hidden field, sealed here under the same key ring, bound to the purpose "draft:<kind>"
# (so a draft of one journey is not taken by another, and no case value opens as a draft)
# with the time it was sealed, so an old copy (a page left open, a form found in a browser's
# history) opens no more after `max_age`. Files added to a draft are sealed under a key of
# their own that only the draft holds (`seal_with_own_key`): what the server stores of them
# opens with nothing the server keeps.

DRAFT_PURPOSE = "draft"
#: Longer than any draft the pages make (their text answers are limited): refused unread.
MAX_DRAFT_CHARS = 1_000_000


class DraftExpired(SealBroken):
    """A draft that opened, but was sealed longer ago than it may be used."""


def _draft_associated(kind: str) -> bytes:
    return f"whistleblowing:{DRAFT_PURPOSE}:{kind}".encode()


def seal_draft(value, *, kind: str, now: float | None = None) -> str:
    """`value` (anything JSON holds) sealed for a hidden form field, as URL-safe base64 text,
    stamped with the time it was sealed."""
    ring = current_secrets()
    issued = int(now if now is not None else time.time())
    data = json.dumps({"iat": issued, "value": value}, ensure_ascii=False).encode()
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(ring.keys[ring.current]).encrypt(nonce, data, _draft_associated(kind))
    return base64.urlsafe_b64encode(_HEADER.pack(ring.current) + nonce + sealed).decode()


def open_draft(text: str, *, kind: str, max_age: float, now: float | None = None):
    """The value `seal_draft` sealed for `kind`, if it was sealed at most `max_age` seconds
    ago. Raises SealBroken for anything else (altered, cut short, another kind, a key no longer
    held, too long to be a draft) and DraftExpired for one too old."""
    if not isinstance(text, str) or not text or len(text) > MAX_DRAFT_CHARS:
        raise SealBroken("not a draft")
    try:
        sealed = base64.urlsafe_b64decode(text.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise SealBroken("not a draft") from None
    if len(sealed) < _HEADER.size + NONCE_BYTES + 16:
        raise SealBroken("too short")
    (key_id,) = _HEADER.unpack_from(sealed)
    key = current_secrets().keys.get(key_id)
    if key is None:
        raise SealBroken(f"key {key_id} is not in WHISTLEBLOWING_KEYS")
    nonce = sealed[_HEADER.size : _HEADER.size + NONCE_BYTES]
    try:
        data = AESGCM(key).decrypt(
            nonce, sealed[_HEADER.size + NONCE_BYTES :], _draft_associated(kind)
        )
    except InvalidTag:
        raise SealBroken("the draft does not belong here or was altered") from None
    opened = json.loads(data)
    age = (now if now is not None else time.time()) - opened["iat"]
    if not -60 <= age <= max_age:
        raise DraftExpired("the draft is too old")
    return opened["value"]


def seal_with_own_key(data: bytes, *, purpose: str) -> tuple[bytes, bytes]:
    """`data` sealed under a new random key: (the key, the sealed bytes). The key is not kept
    here: whoever keeps the sealed bytes cannot open them without it."""
    key = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
    nonce = secrets.token_bytes(NONCE_BYTES)
    associated = f"whistleblowing:own-key:{purpose}".encode()
    return key, nonce + AESGCM(key).encrypt(nonce, bytes(data), associated)


def open_with_own_key(sealed: bytes, key: bytes, *, purpose: str) -> bytes:
    if len(key) != KEY_BYTES or len(sealed) < NONCE_BYTES + 16:
        raise SealBroken("not sealed with this key")
    associated = f"whistleblowing:own-key:{purpose}".encode()
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated)
    except InvalidTag:
        raise SealBroken("not sealed with this key, or altered") from None
