"""One keyset cursor format for every list: the position of the last item shown, as an opaque token.

Lists are paginated by keyset (never OFFSET): a page asks for the items after (or before) a position, so the
cost of page 500 is the cost of page 1 and no item repeats or goes missing when new ones arrive. The position
is one or more whole numbers (an id; a count and an id; a time in microseconds and an id), joined by dots and
base64url-encoded: clients pass `next_cursor` back as it is, and anything this site did not make is a 422
naming the parameter. Shared module: it imports no feature.
"""

from __future__ import annotations

import base64
import binascii
import re

from flask_babel import gettext as _

from consult.params import BadParameter

MAX_POSITION = 2**63 - 1  # a part of a cursor: counts and ids, within a 64-bit integer
_DIGITS = re.compile(r"[0-9]+")


def encode_cursor(*parts: int) -> str:
    """The position of a list's last item as an opaque token: the parts joined by dots, base64url."""
    return base64.urlsafe_b64encode(".".join(str(p) for p in parts).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, n: int, *, name: str = "cursor", maximum: tuple[int, ...] | None = None) -> tuple:
    """The `n` parts of a cursor made by encode_cursor(), each 0 … MAX_POSITION (or its own `maximum`); a
    BadParameter for anything this site did not make."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        pieces = raw.split(".")
        if len(pieces) != n or not all(_DIGITS.fullmatch(p) and len(p) <= 19 for p in pieces):
            raise ValueError(raw)
        parts = tuple(int(p) for p in pieces)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadParameter(name, _("is not a position in this list.")) from None
    limits = maximum or (MAX_POSITION,) * n
    if not all(0 <= p <= m for p, m in zip(parts, limits, strict=True)):
        raise BadParameter(name, _("is not a position in this list."))
    return parts
