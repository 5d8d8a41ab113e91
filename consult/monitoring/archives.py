"""Frozen archives of a round's public record: written when the round closes, when its summary is published and
when the revised version made from it is adopted; immutable once written; listed with their hashes.

- freeze(round, reason): reads the record in one snapshot (consult.monitoring.record), signs the audit head it
  read first, writes the zip with consult.monitoring.archive.write_archive to a temporary file, then moves it into
  ARCHIVE_DIR under a name no other archive has (never overwriting) and stores a RoundArchive row with its SHA-256
  and head, audited as "archive.frozen" (the archive's hash enters the chain; the archive holds the head before).
- export(round, target): the same layout with the current head, written anywhere (`flask export round`), stored
  nowhere.
- freeze_due(now): the scheduler's job; idempotent (one archive per round and reason, a UNIQUE constraint).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app

from consult import audit
from consult.deliberation.models import Revision, Summary, SummaryState
from consult.deliberation.services.revisions import version_diff
from consult.documents.models import DocumentVersion
from consult.errors import NotFound
from consult.extensions import db, write_transaction
from consult.monitoring import archive as writer
from consult.monitoring import keys, record
from consult.monitoring.models import ArchiveReason, RoundArchive
from consult.rounds.models import Round, RoundState
from consult.timeutil import utcnow

BATCH = 5  # archives per scheduler run: each one reads the whole record of its round


def archive_dir() -> Path:
    configured = current_app.config.get("ARCHIVE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "archives"


def _write(rnd: Round, target: str | os.PathLike[str] | IO[bytes], now: dt.datetime) -> dict[str, Any]:
    """Write the round's archive with the head as it is now; returns the manifest."""
    options = {"isolation_level": "REPEATABLE READ"} if db.engine.dialect.name == "postgresql" else {}
    with db.engine.connect().execution_options(**options) as conn, conn.begin():
        head = keys.sign(record.audit_head(conn))
        adopted = record.adopted_version(conn, rnd.id)
        diff = None
        if adopted is not None:
            version, consulted = adopted
            diff = version_diff(
                db.session.get(DocumentVersion, version["id"]), db.session.get(DocumentVersion, consulted)
            )
            diff = {"against_version_id": consulted, "version_id": version["id"], **_plain(diff)}
        contents = writer.RoundArchive(
            round=record.round_json(conn, rnd, now),
            sections=record.sections(conn, rnd.version_id),
            comments=record.comments(conn, rnd.id),
            votes=record.vote_counts(conn, rnd.id),
            participant_votes=record.participant_votes(conn, rnd.id),
            moderation=record.moderation(conn, rnd.id),
            audit_entries=record.audit_entries(conn, head["seq"]),
            audit_head=head,
            created_at=now,
            summary=record.published_summary(conn, rnd.id),
            adopted_version=adopted[0] if adopted is not None else None,
            adopted_diff=diff,
            site_name=current_app.config.get("SITE_NAME") or "Konsultasi Publik",
            site_url=(current_app.config.get("PUBLIC_URL") or "").rstrip("/"),
        )
        return writer.write_archive(target, contents)


def _plain(value: Any) -> Any:
    """The diff as JSON values (dataclasses and tuples of the diff module become dicts and lists)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def export(rnd: Round, target: str | os.PathLike[str] | IO[bytes]) -> dict[str, Any]:
    """A fresh archive of the round with the current head (`flask export round`); stored nowhere."""
    return _write(rnd, target, utcnow())


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def freeze(rnd: Round, reason: str, now: dt.datetime | None = None) -> RoundArchive | None:
    """Freeze the round's archive for `reason`; None when it already exists (another process was first)."""
    if reason not in ArchiveReason.ALL:
        raise ValueError(f"unknown archive reason {reason!r}")
    if db.session.scalar(sa.select(RoundArchive.id).filter_by(round_id=rnd.id, reason=reason)) is not None:
        return None
    now = now or utcnow()
    folder = archive_dir() / f"round-{rnd.id}"
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".zip")
    tmp = Path(tmp_name)
    created = False
    try:
        with os.fdopen(fd, "wb") as out:
            manifest = _write(rnd, out, now)
        digest = _sha256(tmp)
        # named by its content: a file of that name holds these very bytes, so it is never replaced
        name = f"round-{rnd.id}/{now.strftime('%Y%m%dT%H%M%S')}-{reason}-{digest[:16]}.zip"
        final = archive_dir() / name
        try:
            os.link(tmp, final)
            created = True
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    head = manifest["audit_head"]
    row = RoundArchive(
        round_id=rnd.id,
        reason=reason,
        created_at=now,
        file_name=name,
        sha256=digest,
        size=final.stat().st_size,
        audit_seq=head["seq"],
        audit_hash=head["hash"],
        audit_at=head["at"],
        signature=head["signature"],
        key_id=head["key_id"],
    )
    try:
        with write_transaction():
            db.session.add(row)
            db.session.flush()
            audit.record(
                "archive.frozen",
                row,
                {"round_id": rnd.id, "reason": reason, "sha256": row.sha256, "audit_seq": row.audit_seq},
            )
    except sa.exc.IntegrityError:
        db.session.rollback()
        if created:  # another process froze this round first: its file stays, ours goes
            final.unlink(missing_ok=True)
        return None
    return row


def archives_of(round_id: int) -> list[RoundArchive]:
    return list(
        db.session.scalars(sa.select(RoundArchive).where(RoundArchive.round_id == round_id).order_by(RoundArchive.id))
    )


def latest(round_id: int) -> tuple[RoundArchive, Path]:
    row = db.session.scalar(
        sa.select(RoundArchive).where(RoundArchive.round_id == round_id).order_by(RoundArchive.id.desc()).limit(1)
    )
    if row is None:
        raise NotFound()
    return row, archive_dir() / row.file_name


def due(now: dt.datetime) -> list[tuple[Round, str]]:
    """Rounds owed an archive: closed without a "closed" archive, summary published without a "summary_published"
    one, a version adopted from it without an "adopted" one. Oldest first, at most BATCH."""

    def missing(reason: str):
        return ~sa.exists().where(RoundArchive.round_id == Round.id, RoundArchive.reason == reason)

    found: list[tuple[Round, str]] = []
    closed = db.session.scalars(
        sa.select(Round).where(Round.is_closed_at(now), missing(ArchiveReason.CLOSED)).order_by(Round.id).limit(BATCH)
    )
    found += [(r, ArchiveReason.CLOSED) for r in closed]
    summarised = db.session.scalars(
        sa.select(Round)
        .join(Summary, Summary.round_id == Round.id)
        .where(Summary.state == SummaryState.PUBLISHED, missing(ArchiveReason.SUMMARY))
        .order_by(Round.id)
        .limit(BATCH)
    )
    found += [(r, ArchiveReason.SUMMARY) for r in summarised]
    adopted = db.session.scalars(
        sa.select(Round)
        .join(Revision, Revision.round_id == Round.id)
        .where(Revision.adopted_at.is_not(None), missing(ArchiveReason.ADOPTED))
        .order_by(Round.id)
        .limit(BATCH)
        .distinct()
    )
    found += [(r, ArchiveReason.ADOPTED) for r in adopted]
    return found[:BATCH]


def freeze_due(now: dt.datetime) -> dict[str, int]:
    frozen = 0
    for rnd, reason in due(now):
        if rnd.state_at(now) != RoundState.CLOSED:
            continue
        if freeze(rnd, reason, now) is not None:
            frozen += 1
    return {"frozen": frozen}
