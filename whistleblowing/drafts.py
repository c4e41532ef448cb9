"""A concern being written: its answers carried by the reporter's own pages, never kept on the
server.

Every question page carries the draft in one hidden field, sealed with AES-GCM under the
whistleblowing key ring (sealing.seal_draft: purpose "draft:<journey>", stamped with the time
it was sealed). The server reads it from the post, adds the page's answer, and seals it again
into the next page. Nothing of it is written to the database, the session or a log, so a
concern left half-written leaves nothing behind. A draft opens for `IDLE` after its last page
and at most `LIFETIME` after it was started; a draft that does not open (altered, cut, from
another journey, too old) is refused and the reporter starts again.

Files. A draft cannot carry files in its field (a 10 MB photo would travel with every page),
and the browser forgets a chosen file with each page. So a file is checked when it is added
(whistleblowing.evidence), sealed under a random key of its own (sealing.seal_with_own_key)
and stored under a random name; only the draft holds the key, the name and what the file is.
The server keeps bytes it cannot open without the reporter's page: a stored draft file says
nothing, even to someone holding the server's keys. When the concern is sent the files are
opened with their keys, sealed into the case as every attachment is, and the draft's copies
deleted. A draft file is deleted `FILES_KEPT` after it was added whatever happens: by a
deferred task where the task backend can defer, and by the sweep every added file runs, so
abandoned drafts vanish even without a worker. Uploading on the files page rather than on
check-your-answers lets the reporter see at once that a file was refused and why, and warns
them there of the names a document records.
"""

import base64
import dataclasses
import datetime as dt
import re
import secrets
import time

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from whistleblowing import sealing, services
from whistleblowing.evidence import Checked

IDLE = dt.timedelta(hours=2)
LIFETIME = dt.timedelta(hours=6)
#: A draft's file outlives every draft that can name it.
FILES_KEPT = LIFETIME + dt.timedelta(minutes=10)
FOLDER = "whistleblowing/drafts"
_STORED_NAME = re.compile(rf"^{FOLDER}/(\d{{10,12}})-[0-9a-f]{{32}}$")
FILE_PURPOSE = "draft-file"


class DraftRefused(Exception):
    """The draft posted does not open: `expired` says whether it was only too old."""

    def __init__(self, *, expired: bool):
        super().__init__("expired" if expired else "broken")
        self.expired = expired


@dataclasses.dataclass
class Draft:
    """The answers so far of one journey ("report": a reporter's own; "behalf": an officer
    logging a concern raised with them)."""

    journey: str
    started: int
    #: Random: a draft is sent once (see `sent_once`).
    nonce: str
    values: dict = dataclasses.field(default_factory=dict)
    answered: list[str] = dataclasses.field(default_factory=list)
    files: list[dict] = dataclasses.field(default_factory=list)

    @classmethod
    def new(cls, journey: str, values: dict | None = None) -> "Draft":
        return cls(
            journey=journey,
            started=int(time.time()),
            nonce=secrets.token_hex(16),
            values=dict(values or {}),
        )

    @classmethod
    def opened(cls, token, journey: str) -> "Draft":
        try:
            raw = sealing.open_draft(token, kind=journey, max_age=IDLE.total_seconds())
        except sealing.DraftExpired:
            raise DraftRefused(expired=True) from None
        except sealing.SealBroken:
            raise DraftRefused(expired=False) from None
        draft = cls(journey=journey, **{k: raw[k] for k in ("started", "nonce")})
        draft.values, draft.answered, draft.files = raw["values"], raw["answered"], raw["files"]
        if time.time() - draft.started > LIFETIME.total_seconds():
            raise DraftRefused(expired=True)
        return draft

    def token(self) -> str:
        return sealing.seal_draft(
            {
                "started": self.started,
                "nonce": self.nonce,
                "values": self.values,
                "answered": self.answered,
                "files": self.files,
            },
            kind=self.journey,
        )

    def answer(self, step: str, values: dict) -> None:
        self.values.update(values)
        if step not in self.answered:
            self.answered.append(step)

    def answers(self, **overrides) -> services.Answers:
        """The answers as the services take them (services.raise_concern checks them)."""
        v = self.values
        fields = {
            "ground": v.get("ground", ""),
            "what_happened": v.get("what_happened", ""),
            "when": v.get("when", ""),
            "where": v.get("where", ""),
            "who": v.get("who", ""),
            "evidence": v.get("evidence", ""),
            "raised_before": tuple(v.get("raised_before") or ()),
            "raised_before_details": v.get("raised_before_details", ""),
            "public_interest": bool(v.get("public_interest")),
            "reporter_kind": v.get("reporter_kind", ""),
            "anonymous": v.get("anonymous", True) is not False,
            "name": v.get("name", ""),
            "contact": v.get("contact", ""),
            "under_policy": bool(v.get("under_policy")),
        }
        return services.Answers(**(fields | overrides))


# --- Files ----------------------------------------------------------------------------------


def keep_file(checked: Checked, *, now: float | None = None) -> dict:
    """Store a checked file for a draft, sealed under its own key; what the draft keeps of
    it (the key included)."""
    now = int(now if now is not None else time.time())
    key, sealed = sealing.seal_with_own_key(checked.data, purpose=FILE_PURPOSE)
    name = default_storage.save(f"{FOLDER}/{now}-{secrets.token_hex(16)}", ContentFile(sealed))
    _forget_later(name)
    return {
        "ref": name,
        "key": base64.b64encode(key).decode(),
        "name": checked.name,
        "type": checked.content_type,
        "size": len(checked.data),
        "authors": list(checked.authors),
        "cleaned": checked.cleaned,
    }


def file_bytes(record: dict) -> bytes | None:
    """The file as the reporter gave it (a photo cleaned), or None if it is gone (deleted
    after FILES_KEPT, or its draft sent already)."""
    name = record.get("ref", "")
    if not _STORED_NAME.match(name):
        return None
    try:
        with default_storage.open(name, "rb") as handle:
            sealed = handle.read()
        return sealing.open_with_own_key(
            sealed, base64.b64decode(record.get("key", "")), purpose=FILE_PURPOSE
        )
    except (FileNotFoundError, OSError, ValueError, sealing.SealBroken):
        return None


def evidence_of(draft: Draft) -> tuple[list[services.Evidence], list[str]]:
    """The draft's files as evidence for services.raise_concern, and the names of any that
    are gone."""
    found, missing = [], []
    for record in draft.files:
        data = file_bytes(record)
        if data is None:
            missing.append(record.get("name", ""))
        else:
            found.append(services.Evidence(record["name"], record["type"], data))
    return found, missing


def forget_files(records) -> None:
    for record in records:
        forget_file(record.get("ref", ""))


def forget_file(name: str) -> None:
    if _STORED_NAME.match(name or ""):
        default_storage.delete(name)


def sweep(*, now: float | None = None) -> int:
    """Delete every draft file added longer ago than FILES_KEPT. Returns how many."""
    now = now if now is not None else time.time()
    try:
        _folders, names = default_storage.listdir(FOLDER)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    gone = 0
    for base in names:
        match = _STORED_NAME.match(f"{FOLDER}/{base}")
        if match and now - int(match[1]) > FILES_KEPT.total_seconds():
            default_storage.delete(f"{FOLDER}/{base}")
            gone += 1
    return gone


def _forget_later(name: str) -> None:
    from django.utils import timezone

    from whistleblowing import tasks

    task = tasks.forget_draft_file
    if task.get_backend().supports_defer:
        run_after = timezone.now() + FILES_KEPT
        task.using(run_after=run_after).enqueue(name)


# --- Sent once ------------------------------------------------------------------------------


def sent_once(nonce: str) -> bool:
    """Mark a draft (by its nonce) sent; False if it was sent already (a second press of the
    button, the confirmation page reloaded). Kept in the cache for the draft's lifetime: with
    REDIS_URL every app server agrees; with per-process memory, a repeat that reaches another
    server is not caught."""
    return cache.add(_sent_key(nonce), 1, int(LIFETIME.total_seconds()) + 60)


def send_again(nonce: str) -> None:
    """The draft was refused after all: it may be sent once it is put right."""
    cache.delete(_sent_key(nonce))


def _sent_key(nonce: str) -> str:
    return f"wb-draft-sent:{nonce}"
