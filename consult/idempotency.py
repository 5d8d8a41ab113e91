"""One-time submission keys: a repeated request answers with the first result instead of acting again.

On a phone on flaky mobile data a person taps "Send", the answer is lost on the way back, and they tap again;
an API client retries a POST after a timeout. Every state-changing form of the participation path carries a
random key (a hidden field, `submission_key`), and the API takes an `Idempotency-Key` header on the POSTs that
create. The server remembers (user, key) → the first result for KEY_LIFETIME and answers a repeat with it.

Exactly once comes from the database: the key row is inserted (INSERT … ON CONFLICT DO NOTHING) in the same
write transaction as the action itself and its result. SQLite serialises those transactions (BEGIN IMMEDIATE);
on PostgreSQL a second insert of the same key waits for the first transaction and then does nothing, and the
row it reads next (READ COMMITTED: a new statement sees what committed) holds the first result. A refused or
failed action rolls back with its key, so nothing is remembered and the corrected request may use the same key:
only successes are remembered (an error changed nothing, so trying again is safe).

Each key remembers a fingerprint of its request (method, address and body): the same key with another request
is a mistake of the client (or a stale form), refused with 422 naming the key, never answered with the first
result of something else. The scheduler deletes expired keys (`purge_expired`).

Shared module: it imports no feature (the users table is named by its foreign key only).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask import request
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import insert_or_nothing
from consult.errors import Invalid
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.timeutil import utcnow

KEY_LIFETIME = dt.timedelta(hours=24)
FORM_FIELD = "submission_key"  # the hidden field of the web forms
HEADER = "Idempotency-Key"  # the API's request header
REPLAYED_HEADER = "Idempotent-Replayed"  # "true" on an API answer that repeats the first one
KEY_PATTERN = r"^[\x21-\x7e]{8,255}$"  # printable ASCII, no spaces: a UUID, a ULID, 22 url-safe characters …
_KEY = re.compile(KEY_PATTERN.replace("$", r"\Z"))  # "$" would take a key ending in a line break
PURGE_BATCH = 5000

T = TypeVar("T")


class SubmissionKey(db.Model):
    """A key that was used, by whom, for which request, and the first result (JSON) it answered with."""

    __tablename__ = "submission_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    request_sha256: Mapped[str] = mapped_column(sa.String(64))
    result_json: Mapped[str] = mapped_column(sa.Text, default="{}")
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)

    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What `once()` did: `value` is the action's return value (None on a repeat), `result` the remembered
    result (the first one on a repeat), `repeated` whether this request repeated an earlier one."""

    value: T | None
    result: dict[str, Any]
    repeated: bool


def new_key() -> str:
    """A fresh key for a form (the template global `submission_key()`)."""
    return secrets.token_urlsafe(16)


def valid_key(key: str | None) -> bool:
    return key is not None and _KEY.match(key) is not None


def fingerprint(method: str, path: str, payload: Any) -> str:
    """SHA-256 of a request: its method, address and body (a JSON value, keys sorted, or form pairs)."""
    text = json.dumps([method.upper(), path, payload], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def form_payload(form) -> list[list[str]]:
    """The fields of a posted form that say what it asks for: all but the CSRF token and the key itself."""
    return sorted([name, value] for name, value in form.items(multi=True) if name not in ("csrf_token", FORM_FIELD))


def once(
    key: str | None,
    user_id: int | None,
    request_sha256: str,
    act: Callable[[], T],
    remember: Callable[[T], dict[str, Any]],
    *,
    field: str = FORM_FIELD,
    keep_loaded: bool = False,
) -> Outcome[T]:
    """Run `act()` once per (user, key): the first time, in one write transaction with the key row, remembering
    `remember(value)` (a JSON object); a repeat returns that first result without acting. No key, or no user
    (an anonymous request, which the action will refuse), runs `act()` as usual; an empty key is malformed.

    Raises Invalid naming `field` when the key is malformed or was used for another request. `act` may open its
    own write transactions: they join this one. `keep_loaded` is write_transaction's (the action's objects stay
    loaded after COMMIT, for services that answer without reloading)."""
    if key is None or user_id is None:
        value = act()
        return Outcome(value, remember(value), repeated=False)
    if not valid_key(key):
        raise Invalid(fields={field: _l("This submission key is not valid: 8 to 255 printable ASCII characters.")})
    with write_transaction(keep_loaded=keep_loaded):
        now = utcnow()
        claimed = insert_or_nothing(
            SubmissionKey,
            index_elements=["user_id", "key"],
            user_id=user_id,
            key=key,
            request_sha256=request_sha256,
            result_json="{}",
            created_at=now,
            expires_at=now + KEY_LIFETIME,
        )
        if not claimed:
            row = db.session.scalar(
                sa.select(SubmissionKey).where(SubmissionKey.user_id == user_id, SubmissionKey.key == key)
            )
            if row.request_sha256 != request_sha256:
                raise Invalid(
                    _l("This submission key was already used for a different request; nothing was done."),
                    fields={field: _l("This key was already used for a different request. Use a new key.")},
                )
            return Outcome(None, json.loads(row.result_json), repeated=True)
        value = act()
        result = remember(value)
        db.session.execute(
            sa.update(SubmissionKey)
            .where(SubmissionKey.user_id == user_id, SubmissionKey.key == key)
            .values(result_json=json.dumps(result, separators=(",", ":"), ensure_ascii=False))
            .execution_options(synchronize_session=False)
        )
    return Outcome(value, result, repeated=False)


def purge_expired(now: dt.datetime) -> int:
    """Scheduled job: delete the keys whose lifetime ended (in batches; the rest waits for the next run).
    Deleting twice deletes nothing more, so two schedulers may run it at once."""
    with write_transaction():
        ids = db.session.scalars(
            sa.select(SubmissionKey.id).where(SubmissionKey.expires_at <= now).limit(PURGE_BATCH)
        ).all()
        if ids:
            db.session.execute(
                sa.delete(SubmissionKey).where(SubmissionKey.id.in_(ids)).execution_options(synchronize_session=False)
            )
    return len(ids)


JOBS = [("purge_submission_keys", purge_expired)]


def form_once(
    user_id: int | None, act: Callable[[], T], remember: Callable[[T], dict[str, Any]], *, keep_loaded: bool = False
) -> Outcome[T]:
    """`once()` for the posted web form of this request: its hidden `submission_key`, its address and fields."""
    payload = form_payload(request.form)
    return once(
        request.form.get(FORM_FIELD) or None,
        user_id,
        fingerprint(request.method, request.path, payload),
        act,
        remember,
        keep_loaded=keep_loaded,
    )
