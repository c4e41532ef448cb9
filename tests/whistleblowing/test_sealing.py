"""Sealing: what a case says opens only in its own case and place, and under the key ring."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from whistleblowing import sealing


def test_a_sealed_value_opens_in_its_case_and_purpose():
    sealed = sealing.seal("The depot's fuel cards are shared", case_id=7, purpose="entry:report")
    assert b"fuel" not in sealed
    assert sealing.open_text(sealed, case_id=7, purpose="entry:report") == (
        "The depot's fuel cards are shared"
    )


@pytest.mark.parametrize(("case_id", "purpose"), [(8, "entry:report"), (7, "entry:note")])
def test_a_value_moved_to_another_case_or_column_does_not_open(case_id, purpose):
    sealed = sealing.seal("secret", case_id=7, purpose="entry:report")
    with pytest.raises(sealing.SealBroken):
        sealing.open_bytes(sealed, case_id=case_id, purpose=purpose)


def test_an_altered_value_does_not_open():
    sealed = bytearray(sealing.seal("secret", case_id=7, purpose="entry:report"))
    sealed[-1] ^= 1
    with pytest.raises(sealing.SealBroken):
        sealing.open_bytes(bytes(sealed), case_id=7, purpose="entry:report")


def test_the_same_words_seal_differently_each_time():
    one = sealing.seal("same", case_id=1, purpose="p")
    assert one != sealing.seal("same", case_id=1, purpose="p")


def test_a_new_key_in_front_seals_and_old_rows_still_open(settings):
    old = sealing.seal("before rotation", case_id=3, purpose="entry:report")
    old_ring = sealing.current_secrets()
    old_key = next(iter(old_ring.keys.items()))
    settings.WHISTLEBLOWING_KEYS = (
        f"{sealing.new_key_text(old_key[0] + 1)},"
        f"{old_key[0]}:{__import__('base64').b64encode(old_key[1]).decode()}"
    )
    settings.WHISTLEBLOWING_PEPPER = old_ring.pepper.decode()
    sealing.current_secrets.cache_clear()
    try:
        assert sealing.needs_resealing(old)
        moved = sealing.reseal(old, case_id=3, purpose="entry:report")
        assert sealing.key_id_of(moved) == old_key[0] + 1
        assert sealing.open_text(moved, case_id=3, purpose="entry:report") == "before rotation"
        assert sealing.open_text(old, case_id=3, purpose="entry:report") == "before rotation"
    finally:
        sealing.current_secrets.cache_clear()


@pytest.mark.parametrize(
    "keys",
    ["", "1:short", "nonsense", "0:" + "A" * 44, "1:" + "A" * 43 + "=,1:" + "A" * 43 + "="],
)
def test_a_bad_key_ring_is_refused(settings, keys):
    settings.WHISTLEBLOWING_KEYS = keys or ","
    settings.WHISTLEBLOWING_PEPPER = "p" * 40
    sealing.current_secrets.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured):
            sealing.current_secrets()
    finally:
        sealing.current_secrets.cache_clear()
