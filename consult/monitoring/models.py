"""Monitoring's tables: the frozen archives of a round's public record (migration 0018) and the witnesses who
countersign the signed audit heads (0019)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.timeutil import utcnow


class ArchiveReason:
    CLOSED = "closed"  # the round closed
    SUMMARY = "summary_published"  # its summary was published
    ADOPTED = "adopted"  # the revised version made from it was adopted
    ALL = (CLOSED, SUMMARY, ADOPTED)


class RoundArchive(db.Model):
    """One frozen archive of a round: the file (under ARCHIVE_DIR) never changes once written; its SHA-256 and the
    signed audit head it holds are kept here and listed publicly (GET /api/v1/rounds/{id}/archives)."""

    __tablename__ = "round_archives"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "reason", name="uq_round_archives_round_reason"),
        sa.Index("ix_round_archives_round", "round_id", "id"),
        sa.CheckConstraint("reason IN ('closed', 'summary_published', 'adopted')", name="round_archive_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    file_name: Mapped[str] = mapped_column(sa.String(200))  # relative to ARCHIVE_DIR
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    audit_seq: Mapped[int]
    audit_hash: Mapped[str] = mapped_column(sa.String(64))
    audit_at: Mapped[str | None] = mapped_column(sa.String(40))
    signature: Mapped[str] = mapped_column(sa.String(120))
    key_id: Mapped[str] = mapped_column(sa.String(32))

    @property
    def audit_head(self) -> dict:
        return {
            "seq": self.audit_seq,
            "hash": self.audit_hash,
            "at": self.audit_at,
            "signature": self.signature,
            "key_id": self.key_id,
        }


class Witness(db.Model):
    """An observer's Ed25519 key, registered to countersign the site's signed audit heads (migration 0019). The
    name is the public label the observer chose (an organisation, a pseudonym): the account behind it is not shown."""

    __tablename__ = "witnesses"
    __table_args__ = (
        sa.UniqueConstraint("public_key", name="uq_witnesses_public_key"),
        sa.Index("ix_witnesses_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(120))
    public_key: Mapped[str] = mapped_column(sa.String(64))  # base64 of the 32 raw bytes
    key_id: Mapped[str] = mapped_column(sa.String(32))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class WitnessHead(db.Model):
    """A signed head as a witness fetched it, with the witness's countersignature over it."""

    __tablename__ = "witness_heads"
    __table_args__ = (
        sa.UniqueConstraint("witness_id", "seq", name="uq_witness_heads_witness_seq"),
        sa.Index("ix_witness_heads_witness", "witness_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    witness_id: Mapped[int] = mapped_column(sa.ForeignKey("witnesses.id", ondelete="CASCADE"))
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[str] = mapped_column(sa.String(40))
    signature: Mapped[str] = mapped_column(sa.String(120))
    key_id: Mapped[str] = mapped_column(sa.String(32))
    countersignature: Mapped[str] = mapped_column(sa.String(120))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SavedSearch(db.Model):
    """A person's saved filters of the moderation log (the observer's desk): a name and the query string."""

    __tablename__ = "saved_searches"
    __table_args__ = (sa.Index("ix_saved_searches_user", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(80))
    query: Mapped[str] = mapped_column(sa.String(400))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
