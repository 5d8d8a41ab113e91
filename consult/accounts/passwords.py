"""Password rules: length and a list of passwords that are too common to be safe (NIST SP 800-63B)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

MIN_LENGTH = 10
MAX_LENGTH = 200


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("consult.accounts").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """A short machine code for what is wrong with the password, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 4:
        return "too_common"
    local = email.split("@")[0].lower()
    compact = "".join(lowered.split())  # "Budi Santoso" and "budisantoso" are the same password here
    if (local and len(local) >= 4 and local in lowered) or (name and "".join(name.lower().split()) == compact):
        return "personal"
    return None
