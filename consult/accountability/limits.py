"""The secret code check's brute-force limit, shared by the web form and the API.

Wrong codes are counted per complaint (COMPLAINT_SECRET_LIMIT: enough for typing mistakes, far too few to guess
60 bits) and per client address (COMPLAINT_SECRET_ADDRESS_LIMIT, larger: neighbours behind one address are not
locked out by one person's mistakes). Only wrong codes count; the logged-in owner never needs a code and is
never limited. Over a limit: 429 before the code is even compared.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app
from limits import parse_many

from consult.errors import NotAllowed
from consult.extensions import client_address, limiter

T = TypeVar("T")


def _budgets(tracking_number: str) -> list[tuple[object, str]]:
    config = current_app.config
    return [
        *((item, f"complaint-secret:{tracking_number}") for item in parse_many(config["COMPLAINT_SECRET_LIMIT"])),
        *(
            (item, f"complaint-secret-addr:{client_address()}")
            for item in parse_many(config["COMPLAINT_SECRET_ADDRESS_LIMIT"])
        ),
    ]


def guarded(tracking_number: str, secret: str | None, act: Callable[[], T]) -> T:
    """Run `act` (a confirm or dispute); when it is refused for a wrong code, charge the budgets."""
    if not secret or not current_app.config.get("RATELIMIT_ENABLED", True):
        return act()
    strategy = limiter.limiter
    budgets = _budgets(tracking_number)
    if not all(strategy.test(item, key) for item, key in budgets):
        abort(429)
    try:
        return act()
    except NotAllowed:
        for item, key in budgets:
            strategy.hit(item, key)
        raise
