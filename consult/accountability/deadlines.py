"""Complaint deadlines, tracking numbers and complainants' secret codes (pure).

Deadline: an agency answers a complaint within 14 calendar days of receiving it (CONTRACT.md, POST
/api/v1/complaints); a complainant who disputes the answer gets a new answer within 14 days of the dispute.
"Overdue" is never stored: it is derived from the due date, the answer and the clock.

Tracking number: "ADU-" and 8 random characters from an alphabet without the look-alikes 0/O and 1/I, then
one check character (Luhn mod 32), e.g. ADU-7KQ2M9XRH. 32⁸ ≈ 1.1 × 10¹² numbers: collisions are rare, and the
caller's UNIQUE constraint catches the rest (draw again). The check character catches every single mistyped
character and every swap of two neighbours except "2Z" ↔ "Z2" (as Luhn misses 09 ↔ 90) before the database
is asked.

Secret code: 12 random characters of the same alphabet (60 bits), grouped by 4 for dictation at a counter.
Only its keyed digest is stored; check_secret() compares digests in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

ANSWER_WITHIN = dt.timedelta(days=14)
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: no 0, O, 1, I
PREFIX = "ADU-"
BODY_LENGTH = 8
SECRET_LENGTH = 12
_VALUE = {c: n for n, c in enumerate(ALPHABET)}


def due_at(received_at: dt.datetime) -> dt.datetime:
    """The answer is due 14 calendar days after receipt (weekends and holidays count)."""
    return received_at + ANSWER_WITHIN


def due_after_dispute(disputed_at: dt.datetime) -> dt.datetime:
    """After a dispute the agency answers again within a new 14 days, counted from the dispute."""
    return disputed_at + ANSWER_WITHIN


def current_due_at(received_at: dt.datetime, disputed_at: dt.datetime | None = None) -> dt.datetime:
    """The due date in force: from the latest dispute if there is one, else from receipt."""
    return due_after_dispute(disputed_at) if disputed_at is not None else due_at(received_at)


def is_answered(answered_at: dt.datetime | None, disputed_at: dt.datetime | None = None) -> bool:
    """Whether the current round of the complaint has its answer: an answer older than the latest dispute is
    the one that was disputed, so it no longer counts."""
    return answered_at is not None and (disputed_at is None or answered_at >= disputed_at)


def is_overdue(
    *,
    received_at: dt.datetime,
    answered_at: dt.datetime | None,
    now: dt.datetime,
    disputed_at: dt.datetime | None = None,
) -> bool:
    """Due date passed and no answer yet (to the dispute, after one). An answer given late is not overdue any
    more; answered_on_time() tells whether it came in time."""
    return not is_answered(answered_at, disputed_at) and now > current_due_at(received_at, disputed_at)


def answered_on_time(due: dt.datetime, answered_at: dt.datetime | None) -> bool:
    """An answer on or before its due date (the report card's "answered_on_time")."""
    return answered_at is not None and answered_at <= due


def _check_character(body: str) -> str:
    """Luhn mod N over the alphabet: every value doubled at alternate positions from the right."""
    total = 0
    for position, char in enumerate(reversed(body)):
        value = _VALUE[char]
        if position % 2 == 0:
            value *= 2
            value = value // len(ALPHABET) + value % len(ALPHABET)
        total += value
    return ALPHABET[(len(ALPHABET) - total % len(ALPHABET)) % len(ALPHABET)]


def new_tracking_number() -> str:
    """A fresh random tracking number, e.g. ADU-7KQ2M9XRH (the caller retries on a UNIQUE conflict)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return PREFIX + body + _check_character(body)


def normalize_tracking_number(text: str) -> str | None:
    """The canonical form of what a person typed ("adu 7kq2-m9xr h" → "ADU-7KQ2M9XRH"), or None when it is
    not a valid tracking number (wrong length, a character outside the alphabet, a failed check)."""
    compact = "".join(text.split()).replace("-", "").upper()
    if not compact.startswith("ADU"):
        return None
    rest = compact[3:]
    if len(rest) != BODY_LENGTH + 1 or any(c not in _VALUE for c in rest):
        return None
    body, check = rest[:-1], rest[-1]
    if _check_character(body) != check:
        return None
    return PREFIX + rest


def new_secret() -> str:
    """A secret code for a complainant without an account, e.g. "K7M2-Q9XR-H4TB" (60 random bits)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, SECRET_LENGTH, 4))


def _canonical_secret(secret: str) -> str:
    return "".join(secret.split()).replace("-", "").upper()


def secret_digest(secret: str, key: bytes) -> str:
    """What is stored instead of the secret: HMAC-SHA-256 with the site's key (so a copy of the database
    alone does not allow guessing codes offline), over the code without spaces, dashes or case."""
    return hmac.new(key, _canonical_secret(secret).encode("ascii", "replace"), hashlib.sha256).hexdigest()


def check_secret(candidate: str, stored_digest: str, key: bytes) -> bool:
    """Whether a typed code matches the stored digest, compared in constant time."""
    return hmac.compare_digest(secret_digest(candidate, key), stored_digest)
