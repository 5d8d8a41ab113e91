"""The hash-chained audit log: the public record of every state change.

Each entry holds its sequence number, time, actor, action, subject and data, the previous entry's hash and
its own hash: SHA-256 over a canonical JSON encoding of all of those fields. Editing, deleting, inserting
or reordering entries breaks the chain, which `verify()` (and `flask audit verify`) detects. Removing
entries from the end is detectable only against a head published earlier (GET /api/v1/audit/head), which
is why monitors are asked to keep the heads they have seen.

Appends are serialised so that two processes can never fork the chain: on SQLite the write transaction
began with BEGIN IMMEDIATE (consult.extensions.write_transaction), on PostgreSQL a transaction-scoped
advisory lock is taken before the head is read. UNIQUE constraints on `seq` and `prev_hash` are the last
line of defence: a fork cannot even be stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.timeutil import utcnow

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x636F6E73  # "cons": the advisory lock that serialises appends on PostgreSQL


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(sa.String(40))
    action: Mapped[str] = mapped_column(sa.String(60))
    subject_type: Mapped[str] = mapped_column(sa.String(40))
    subject_id: Mapped[str] = mapped_column(sa.String(40))
    data_json: Mapped[str] = mapped_column(sa.Text)
    prev_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    __table_args__ = (sa.Index("ix_audit_entries_subject", "subject_type", "subject_id"),)

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.data_json)

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": _fmt_time(self.at),
            "actor": self.actor,
            "action": self.action,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "data": self.data,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def _fmt_time(value: dt.datetime) -> str:
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def canonical_json(value: Any) -> str:
    """The one encoding that is hashed: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _fmt_time(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def compute_hash(
    seq: int, at: str, actor: str, action: str, subject_type: str, subject_id: str, data_json: str, prev: str
) -> str:
    payload = canonical_json(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "data": json.loads(data_json),
            "prev_hash": prev,
        }
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def actor_label(actor: Any) -> str:
    """'user:<id>' for a user, or a fixed word such as 'system' or 'cli'."""
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return f"user:{actor.id}"


def _lock_chain() -> None:
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})


def record(
    action: str,
    subject: Any,
    data: dict[str, Any] | None = None,
    *,
    actor: Any = None,
    subject_type: str | None = None,
    subject_id: Any = None,
) -> AuditEntry:
    """Append an entry in the current transaction (call inside write_transaction()).

    `subject` is a model instance (its table name and id are recorded, so flush it first) or None with
    explicit `subject_type`/`subject_id`. Data must be public: never e-mail addresses or other personal data.
    """
    session = db.session
    if subject is not None:
        session.flush()
        subject_type = subject_type or subject.__tablename__
        subject_id = subject.id if subject_id is None else subject_id
    _lock_chain()
    last = session.execute(sa.select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    at = utcnow()
    data_json = canonical_json(_jsonable(data or {}))
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor_label(actor),
        action=action,
        subject_type=str(subject_type),
        subject_id=str(subject_id),
        data_json=data_json,
        prev_hash=prev,
    )
    entry.hash = compute_hash(
        seq, _fmt_time(at), entry.actor, action, entry.subject_type, entry.subject_id, data_json, prev
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Verification:
    ok: bool
    entries: int
    head: str
    bad_seq: int | None = None
    problem: str = ""


def _iter_entries(conn: sa.Connection, batch: int = 2000) -> Iterator[sa.Row]:
    """Every stored entry in seq order, whatever its seq (a forged seq 0 is not skipped), with its values as the
    database holds them: no column is converted on the way (a time edited into garbage must reach the check,
    not fail inside the driver's conversion)."""
    table = AuditEntry.__table__
    columns = [sa.type_coerce(c, sa.String).label(c.name) if c.name != "seq" else c for c in table.c]
    after: Any = None
    while True:
        query = sa.select(*columns).order_by(table.c.seq).limit(batch)
        if after is not None:
            query = query.where(table.c.seq > after)
        rows = conn.execute(query).all()
        if not rows:
            return
        yield from rows
        if not isinstance(rows[-1].seq, int):
            return  # a seq that is no number sorts last (SQLite): nothing can follow it
        after = rows[-1].seq


def verify() -> Verification:
    """Walk the chain from the start; report the first entry that is out of place or altered.

    The rows are read on a connection of its own, not through the session: verify() sees what the database
    holds, never a stale copy from the session's identity map or from a read transaction opened earlier,
    and it leaves the caller's session and objects alone.
    """
    with db.engine.connect() as conn:
        return _verify_rows(_iter_entries(conn))


def _stored_time(value: Any) -> str:
    """The hashed form of a stored time: a datetime (PostgreSQL's driver) or SQLite's text; ValueError otherwise."""
    if isinstance(value, dt.datetime):
        return _fmt_time(value)
    if isinstance(value, str):
        return _fmt_time(dt.datetime.fromisoformat(value.strip()))
    raise ValueError(f"not a time: {value!r}")


def _entry_problem(entry: sa.Row, expected_seq: int, prev: str) -> str | None:
    """What is wrong with one entry, or None; never an exception, whatever the row holds."""
    if not isinstance(entry.seq, int) or isinstance(entry.seq, bool):
        return f"sequence number {entry.seq!r} is not a whole number (entry edited)"
    if entry.seq != expected_seq:
        return f"expected entry {expected_seq}, found {entry.seq} (entries deleted or inserted)"
    for name in ("actor", "action", "subject_type", "subject_id", "data_json", "prev_hash", "hash"):
        if not isinstance(getattr(entry, name), str):
            return f"{name} is missing (entry edited)"
    if entry.prev_hash != prev:
        return "previous hash does not match the entry before it"
    try:
        at = _stored_time(entry.at)
    except (TypeError, ValueError, OverflowError):
        return f"time {entry.at!r} is not a valid timestamp (entry edited)"
    try:
        data = json.loads(entry.data_json)
        actual = compute_hash(
            entry.seq, at, entry.actor, entry.action, entry.subject_type, entry.subject_id, entry.data_json, prev
        )
        canonical = canonical_json(data)
    except (TypeError, ValueError, RecursionError):
        return "data is not valid JSON"
    if canonical != entry.data_json:
        return "data not in canonical form (entry edited)"
    if actual != entry.hash:
        return "content does not match its hash (entry edited)"
    return None


def _verify_rows(entries: Iterator[sa.Row]) -> Verification:
    expected_seq, prev, count = 1, GENESIS, 0
    for entry in entries:
        problem = _entry_problem(entry, expected_seq, prev)
        if problem is not None:
            bad = entry.seq if isinstance(entry.seq, int) else expected_seq
            return Verification(False, count, prev, bad, problem)
        prev, expected_seq, count = entry.hash, expected_seq + 1, count + 1
    return Verification(True, count, prev)


def head() -> dict[str, Any]:
    """The newest entry's sequence number and hash (the genesis hash for an empty chain)."""
    last = db.session.execute(
        sa.select(AuditEntry.seq, AuditEntry.hash, AuditEntry.at).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    if last is None:
        return {"seq": 0, "hash": GENESIS, "at": None}
    return {"seq": last.seq, "hash": last.hash, "at": _fmt_time(last.at)}
