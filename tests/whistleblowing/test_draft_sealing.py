"""The seal a draft travels under (sealing.seal_draft): its own purpose, its time, the key
ring; and the key a draft's file is sealed under, which only the draft holds."""

import base64

import pytest

from whistleblowing import sealing

DRAFT = {"values": {"what_happened": "The depot's fuel cards"}, "files": []}


def test_a_draft_opens_for_its_own_journey_within_its_time():
    token = sealing.seal_draft(DRAFT, kind="report", now=1_000_000)
    assert sealing.open_draft(token, kind="report", max_age=7200, now=1_000_100) == DRAFT
    assert "fuel" not in base64.urlsafe_b64decode(token).decode("latin-1")
    with pytest.raises(sealing.SealBroken):
        sealing.open_draft(token, kind="behalf", max_age=7200, now=1_000_100)
    with pytest.raises(sealing.DraftExpired):
        sealing.open_draft(token, kind="report", max_age=7200, now=1_007_201)
    with pytest.raises(sealing.DraftExpired):  # sealed in the future: not from this server
        sealing.open_draft(token, kind="report", max_age=7200, now=999_000)


def test_a_case_value_never_opens_as_a_draft_nor_a_draft_as_a_case_value():
    sealed = sealing.seal_json(DRAFT, case_id=1, purpose="draft:report")
    with pytest.raises(sealing.SealBroken):
        sealing.open_draft(base64.urlsafe_b64encode(sealed).decode(), kind="report", max_age=60)
    token = sealing.seal_draft(DRAFT, kind="report")
    with pytest.raises(sealing.SealBroken):
        sealing.open_json(base64.urlsafe_b64decode(token), case_id=1, purpose="draft:report")


@pytest.mark.parametrize("token", [None, "", "%%%", "A" * 30, ["a", "b"], "é" * 10])
def test_anything_else_is_refused_as_broken(token):
    with pytest.raises(sealing.SealBroken):
        sealing.open_draft(token, kind="report", max_age=60)


def test_a_draft_sealed_under_an_older_key_still_opens_while_the_key_is_held(settings):
    old = sealing.current_secrets()
    old_key_id = old.current
    try:
        token = sealing.seal_draft(DRAFT, kind="report")
        settings.WHISTLEBLOWING_KEYS = (
            f"{sealing.new_key_text(old_key_id + 1)},"
            f"{old_key_id}:{base64.b64encode(old.keys[old_key_id]).decode()}"
        )
        settings.WHISTLEBLOWING_PEPPER = old.pepper.decode()
        sealing.current_secrets.cache_clear()
        assert sealing.open_draft(token, kind="report", max_age=60) == DRAFT
        settings.WHISTLEBLOWING_KEYS = sealing.new_key_text(old_key_id + 1)
        sealing.current_secrets.cache_clear()
        with pytest.raises(sealing.SealBroken):
            sealing.open_draft(token, kind="report", max_age=60)
    finally:
        sealing.current_secrets.cache_clear()


def test_a_file_sealed_under_its_own_key_opens_with_that_key_only():
    key, sealed = sealing.seal_with_own_key(b"%PDF-1.4 ledger", purpose="draft-file")
    assert b"ledger" not in sealed and len(key) == sealing.KEY_BYTES
    assert sealing.open_with_own_key(sealed, key, purpose="draft-file") == b"%PDF-1.4 ledger"
    other, _ = sealing.seal_with_own_key(b"x", purpose="draft-file")
    for attempt in (
        lambda: sealing.open_with_own_key(sealed, other, purpose="draft-file"),
        lambda: sealing.open_with_own_key(sealed, key, purpose="case-file"),
        lambda: sealing.open_with_own_key(sealed[:-1], key, purpose="draft-file"),
        lambda: sealing.open_with_own_key(sealed, key[:16], purpose="draft-file"),
    ):
        with pytest.raises(sealing.SealBroken):
            attempt()
