"""Complaint deadlines, tracking numbers and secret codes (consult/accountability/deadlines.py)."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest

from consult.accountability import deadlines
from consult.accountability.deadlines import (
    ALPHABET,
    answered_on_time,
    check_secret,
    current_due_at,
    due_after_dispute,
    due_at,
    is_answered,
    is_overdue,
    new_secret,
    new_tracking_number,
    normalize_tracking_number,
    secret_digest,
)

RECEIVED = dt.datetime(2026, 12, 20, 9, 30)
KEY = b"test-key-not-a-secret"


def test_an_answer_is_due_fourteen_calendar_days_after_receipt_across_weekends_and_new_year():
    assert due_at(RECEIVED) == dt.datetime(2027, 1, 3, 9, 30)


def test_a_complaint_is_overdue_only_once_its_due_date_has_passed_without_an_answer():
    due = due_at(RECEIVED)
    assert not is_overdue(received_at=RECEIVED, answered_at=None, now=due)
    assert is_overdue(received_at=RECEIVED, answered_at=None, now=due + dt.timedelta(seconds=1))


def test_an_answered_complaint_is_never_overdue_even_if_answered_late():
    late = due_at(RECEIVED) + dt.timedelta(days=3)
    assert not is_overdue(received_at=RECEIVED, answered_at=late, now=late + dt.timedelta(days=30))
    assert not answered_on_time(due_at(RECEIVED), late)
    assert answered_on_time(due_at(RECEIVED), due_at(RECEIVED))
    assert not answered_on_time(due_at(RECEIVED), None)


def test_a_dispute_opens_a_new_fourteen_days_from_the_dispute():
    answered = RECEIVED + dt.timedelta(days=5)
    disputed = RECEIVED + dt.timedelta(days=10)
    assert due_after_dispute(disputed) == disputed + dt.timedelta(days=14)
    assert current_due_at(RECEIVED, disputed) == disputed + dt.timedelta(days=14)
    assert current_due_at(RECEIVED) == due_at(RECEIVED)
    # the old answer no longer counts: overdue once the new due date passes without a new answer
    assert not is_answered(answered, disputed)
    assert not is_overdue(
        received_at=RECEIVED, answered_at=answered, disputed_at=disputed, now=disputed + dt.timedelta(days=14)
    )
    assert is_overdue(
        received_at=RECEIVED, answered_at=answered, disputed_at=disputed, now=disputed + dt.timedelta(days=15)
    )
    reanswered = disputed + dt.timedelta(days=2)
    assert is_answered(reanswered, disputed)
    assert not is_overdue(
        received_at=RECEIVED, answered_at=reanswered, disputed_at=disputed, now=disputed + dt.timedelta(days=40)
    )


def test_a_tracking_number_is_adu_and_nine_unambiguous_characters():
    for _ in range(200):
        number = new_tracking_number()
        assert re.fullmatch(r"ADU-[2-9A-HJ-NP-Z]{9}", number), number
        assert normalize_tracking_number(number) == number
    assert not set("01OI") & set(ALPHABET) and len(ALPHABET) == 32


def test_tracking_numbers_are_random():
    assert len({new_tracking_number() for _ in range(1000)}) == 1000


def test_a_tracking_number_is_accepted_as_people_type_it():
    number = new_tracking_number()
    body = number[4:]
    typed = f" adu {body[:4].lower()}-{body[4:8]} {body[8]} "
    assert normalize_tracking_number(typed) == number


def test_every_single_mistyped_character_is_caught_by_the_check_character():
    rng = random.Random(2)
    for _ in range(300):
        number = new_tracking_number()
        i = rng.randrange(4, len(number))
        for char in ALPHABET:
            if char != number[i]:
                assert normalize_tracking_number(number[:i] + char + number[i + 1 :]) is None


def test_swapping_two_neighbours_is_caught_except_2_and_z():
    rng = random.Random(3)
    for _ in range(2000):
        number = new_tracking_number()
        i = rng.randrange(4, len(number) - 1)
        a, b = number[i], number[i + 1]
        if a == b or {a, b} == {"2", "Z"}:
            continue
        assert normalize_tracking_number(number[:i] + b + a + number[i + 2 :]) is None


@pytest.mark.parametrize("text", ["", "ADU-", "ADU-2345678", "ADU-23456789AB", "XYZ-234567892", "ADU-O2345678A"])
def test_malformed_tracking_numbers_are_refused(text):
    assert normalize_tracking_number(text) is None


def test_a_secret_code_is_twelve_characters_in_groups_of_four():
    codes = {new_secret() for _ in range(500)}
    assert len(codes) == 500
    assert all(re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code) for code in codes)


def test_a_secret_code_checks_against_its_digest_however_it_is_typed():
    code = new_secret()
    stored = secret_digest(code, KEY)
    assert code not in stored and len(stored) == 64
    assert check_secret(code, stored, KEY)
    assert check_secret(code.lower().replace("-", " "), stored, KEY)
    assert not check_secret(code[:-1] + ("2" if code[-1] != "2" else "3"), stored, KEY)
    assert not check_secret(code, stored, b"another key")
    assert not check_secret("", stored, KEY)
    assert not check_secret("ü" * 12, stored, KEY)


def test_the_secret_check_compares_in_constant_time(monkeypatch):
    calls = []
    real = deadlines.hmac.compare_digest
    monkeypatch.setattr(deadlines.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    stored = secret_digest("AAAA-BBBB-CCCC", KEY)
    assert check_secret("AAAA-BBBB-CCCC", stored, KEY)
    assert calls == [(stored, stored)]
