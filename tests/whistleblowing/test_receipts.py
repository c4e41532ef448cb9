import datetime as dt

import pytest
from django.core.cache import cache

from whistleblowing import receipts


def test_a_code_carries_100_bits_in_five_readable_groups():
    code = receipts.new_code()
    assert len(code) == 20 and set(code) <= set(receipts.ALPHABET)
    assert len(receipts.ALPHABET) ** 20 >= 2**100
    shown = receipts.shown(code)
    assert shown.count("-") == 4 and shown.replace("-", "") == code


@pytest.mark.parametrize(
    "typed",
    ["abcd efgh jkmn pqrs tvwx", "ABCD-EFGH-JKMN-PQRS-TVWX", " abcdefghjkmnpqrstvwx "],
)
def test_codes_are_read_as_people_type_them(typed):
    assert receipts.normalised(typed) == "ABCDEFGHJKMNPQRSTVWX"


def test_letters_people_confuse_with_digits_are_read_as_the_digits():
    assert receipts.normalised("OOOO-IIII-LLLL-0000-1111") == "00001111111100001111"


@pytest.mark.parametrize(
    "typed", ["", "ABCD", "U" * 20, "A" * 21, "A" * 61, "<script>" * 3, "ABCD\x00EFGHJKMNPQRSTVWX"]
)
def test_what_cannot_be_a_code_is_refused_before_hashing(typed, monkeypatch):
    def no_hashing(code):
        raise AssertionError("hashed")

    monkeypatch.setattr(receipts, "code_hash", no_hashing)
    assert receipts.normalised(typed) is None


def test_the_hash_is_the_same_for_the_same_code_and_differs_otherwise():
    one = receipts.code_hash("ABCDEFGHJKMNPQRSTVWX")
    assert one == receipts.code_hash("ABCDEFGHJKMNPQRSTVWX")
    assert one != receipts.code_hash("ABCDEFGHJKMNPQRSTVWY")
    assert len(one) == 32 and b"ABCD" not in one


def test_attempts_are_throttled_per_client_and_in_total(settings):
    cache.clear()
    now = dt.datetime(2017, 4, 13, 10, tzinfo=dt.UTC)
    allowed = [receipts.attempt_allowed("203.0.113.9", now) for _ in range(receipts.PER_CLIENT + 1)]
    assert allowed == [True] * receipts.PER_CLIENT + [False]
    assert receipts.attempt_allowed("198.51.100.7", now)
    # The next day the client is someone else to the throttle: nothing links the two days.
    assert receipts.attempt_allowed("203.0.113.9", now + dt.timedelta(days=1))
    cache.clear()


def test_the_throttle_keeps_no_address():
    cache.clear()
    now = dt.datetime(2017, 4, 13, 10, tzinfo=dt.UTC)
    key = receipts._client_key("203.0.113.9", now)
    assert "203" not in key and "113" not in key
    cache.clear()
