"""Signed values the accounts hand out: confirmation links, password-reset links and the device cookie.

All are signed with the app's SECRET_KEY (itsdangerous), each with its own salt so that one kind can never be
passed off as another. They carry no e-mail address in the clear: a confirmation link names the account and a
keyed digest of the address it confirms (a link for an old address confirms nothing), a reset link names the
account and a keyed digest of the password hash it was issued for. That digest makes reset links single-use
without a column: the first reset writes a new hash, and every link issued before no longer matches.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CONFIRM_SALT = "consult.accounts.confirm"
RESET_SALT = "consult.accounts.reset"
DEVICE_SALT = "consult.accounts.device"
DEVICE_COOKIE = "consult_device"
DEVICE_ACCOUNTS = 8  # accounts one browser remembers having logged in (a shared computer at a service counter)


class BadLink(Exception):
    """A link that is tampered with, from another installation, too old, or used already."""

    def __init__(self, reason: str = "invalid"):
        super().__init__(reason)
        self.reason = reason  # "invalid", "expired" or "used"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def digest(value: str, purpose: str) -> str:
    """A keyed digest (HMAC-SHA256 with the secret key, 20 hex digits) of `value` for `purpose`."""
    key = hashlib.sha256(f"{purpose}:{current_app.config['SECRET_KEY']}".encode()).digest()
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:20]


def _load(token: str, salt: str, max_age: int) -> dict:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except SignatureExpired:
        raise BadLink("expired") from None
    except BadSignature:
        raise BadLink() from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise BadLink()
    return data


# --- confirmation -----------------------------------------------------------------------------------------------


def confirm_token(user_id: int, email: str) -> str:
    return _serializer(CONFIRM_SALT).dumps({"u": user_id, "e": digest(email, "confirm")})


def read_confirm_token(token: str) -> tuple[int, str]:
    """(user id, e-mail digest) of a confirmation link, or BadLink."""
    data = _load(token, CONFIRM_SALT, int(current_app.config["CONFIRM_MAX_AGE"]))
    if not isinstance(data.get("e"), str):
        raise BadLink()
    return data["u"], data["e"]


# --- password reset ---------------------------------------------------------------------------------------------


def reset_token(user_id: int, password_hash: str) -> str:
    return _serializer(RESET_SALT).dumps({"u": user_id, "p": digest(password_hash, "reset")})


def read_reset_token(token: str) -> tuple[int, str]:
    """(user id, password-hash digest) of a reset link, or BadLink."""
    data = _load(token, RESET_SALT, int(current_app.config["PASSWORD_RESET_MAX_AGE"]))
    if not isinstance(data.get("p"), str):
        raise BadLink()
    return data["u"], data["p"]


def matches(expected: str, value: str, purpose: str) -> bool:
    return hmac.compare_digest(expected, digest(value, purpose))


# --- the device cookie ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Device:
    """A browser that has logged in here before: its own random id and the accounts (keyed digests of their
    normalised addresses) that logged in from it."""

    id: str
    accounts: tuple[str, ...]

    def knows(self, limit_key: str) -> bool:
        mark = digest(limit_key, "device")
        return any(hmac.compare_digest(mark, known) for known in self.accounts)


def read_device(cookie: str | None) -> Device | None:
    if not cookie or len(cookie) > 4096:
        return None
    try:
        data = _serializer(DEVICE_SALT).loads(cookie, max_age=int(current_app.config["DEVICE_COOKIE_MAX_AGE"]))
    except BadSignature:  # SignatureExpired included
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str) or not isinstance(data.get("a"), list):
        return None
    return Device(data["d"], tuple(str(a) for a in data["a"][:DEVICE_ACCOUNTS]))


def device_cookie(device: Device | None, limit_key: str) -> str:
    """The cookie value after the account of `limit_key` logged in from this browser (the newest account first)."""
    mark = digest(limit_key, "device")
    known = [a for a in (device.accounts if device else ()) if a != mark]
    return _serializer(DEVICE_SALT).dumps(
        {"d": device.id if device else secrets.token_urlsafe(12), "a": [mark, *known][:DEVICE_ACCOUNTS]}
    )
