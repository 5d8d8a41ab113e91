"""Witnesses: observers who countersign the site's signed audit heads, shown on a public page (/saksi).

An observer (the observer role) registers an Ed25519 public key under a public name (an organisation or a
pseudonym; the account behind it is not shown). They fetch GET /api/v1/audit/head, sign it with their own key
(tools/witness.py does it) and send it back: the site checks that its own signature on the head is valid and that
the countersignature is the witness's, and records both. The witness page then checks every recorded head against
the chain as it is now: a head whose entry no longer has that hash proves a rewrite, and the witness holds a copy
signed by the site. Registering and countersigning are audited (the witness's id, name and key id; never the
account).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from consult import audit
from consult.accounts.models import User
from consult.errors import Conflict, Invalid, NotAllowed
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.monitoring import keys, signing
from consult.monitoring.models import Witness, WitnessHead

NAME_LIMIT = 120
SHOWN_HEADS = 5  # per witness on the public page


def can_witness(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_observer or user.is_admin))


def witness_of(user: User) -> Witness | None:
    return db.session.scalar(sa.select(Witness).where(Witness.user_id == user.id).order_by(Witness.id.desc()))


def register(user: User, name: Any, public_key: Any) -> Witness:
    """Register (or replace: a new key starts a new witness, the old heads stay) the observer's key."""
    if not can_witness(user):
        raise NotAllowed(_l("Only observers can register a witness key."))
    name = " ".join(str(name or "").split())
    if not name or len(name) > NAME_LIMIT:
        raise Invalid(fields={"name": _l("Give a public name of at most 120 characters.")})
    try:
        key = signing.load_public_key(str(public_key or ""))
    except ValueError:
        message = _l("This is not an Ed25519 public key in base64 (44 characters).")
        raise Invalid(fields={"public_key": message}) from None
    encoded = signing.public_key_b64(key)
    with write_transaction():
        if db.session.scalar(sa.select(Witness.id).where(Witness.public_key == encoded)) is not None:
            raise Conflict(_l("This key is already registered."))
        witness = Witness(user_id=user.id, name=name, public_key=encoded, key_id=signing.key_id(key))
        db.session.add(witness)
        db.session.flush()
        audit.record("witness.registered", witness, {"name": name, "key_id": witness.key_id}, actor=user)
    return witness


def countersign(user: User, head: dict[str, Any]) -> WitnessHead:
    """Record a signed head the observer fetched and countersigned: {"seq", "hash", "at", "signature", "key_id",
    "countersignature"}. Refused: not an observer (403), no key registered yet (409), a head the site did not sign or a
    countersignature that is not theirs (422), the same seq twice (409)."""
    if not can_witness(user):
        raise NotAllowed(_l("Only observers can countersign heads as witnesses."))
    witness = witness_of(user)
    if witness is None:
        raise Conflict(_l("Register your witness key first."))
    try:
        signed = {
            "seq": int(head["seq"]),
            "hash": str(head["hash"]),
            "at": str(head["at"]),
            "signature": str(head["signature"]),
            "key_id": str(head["key_id"]),
        }
        countersignature = str(head["countersignature"])
    except (KeyError, TypeError, ValueError):
        raise Invalid(fields={"head": _l("Send the head as the API gave it, with your countersignature.")}) from None
    site_key = keys.public_key_of(signed["key_id"])
    if site_key is None or not signing.verify_head(site_key, signed):
        raise Invalid(fields={"signature": _l("This head does not carry a valid signature of this site.")})
    if not signing.verify_countersignature(witness.public_key, signed, countersignature):
        raise Invalid(fields={"countersignature": _l("The countersignature does not match your registered key.")})
    with write_transaction():
        exists = db.session.scalar(
            sa.select(WitnessHead.id).where(WitnessHead.witness_id == witness.id, WitnessHead.seq == signed["seq"])
        )
        if exists is not None:
            raise Conflict(_l("You have already countersigned this head."))
        row = WitnessHead(witness_id=witness.id, countersignature=countersignature, **signed)
        db.session.add(row)
        db.session.flush()
        audit.record(
            "witness.countersigned",
            row,
            {"witness_id": witness.id, "seq": row.seq, "hash": row.hash, "key_id": witness.key_id},
            actor=user,
        )
    return row


@dataclass
class Shown:
    witness: Witness
    heads: list[tuple[WitnessHead, bool]]  # newest first, with whether the chain still holds that entry
    count: int


def page() -> list[Shown]:
    """Every witness with their newest heads, each checked against the chain now: three queries."""
    witnesses = list(db.session.scalars(sa.select(Witness).order_by(Witness.id)))
    ranked = (
        sa.select(
            WitnessHead,
            sa.func.row_number().over(partition_by=WitnessHead.witness_id, order_by=WitnessHead.id.desc()).label("n"),
            sa.func.count().over(partition_by=WitnessHead.witness_id).label("total"),
        )
    ).subquery()
    head = sa.orm.aliased(WitnessHead, ranked)
    rows = db.session.execute(
        sa.select(head, ranked.c.total).where(ranked.c.n <= SHOWN_HEADS).order_by(ranked.c.id.desc())
    ).all()
    seqs = {h.seq for h, _ in rows}
    entries = sa.select(audit.AuditEntry.seq, audit.AuditEntry.hash).where(audit.AuditEntry.seq.in_(seqs))
    chain = dict(db.session.execute(entries).tuples().all()) if seqs else {}
    shown = {w.id: Shown(w, [], 0) for w in witnesses}
    for h, total in rows:
        entry = shown[h.witness_id]
        entry.heads.append((h, chain.get(h.seq) == h.hash))
        entry.count = total
    return list(shown.values())
