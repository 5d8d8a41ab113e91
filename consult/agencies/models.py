"""Agencies: the government bodies that publish documents and run consultation rounds."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.extensions import db
from consult.timeutil import utcnow


class Agency(db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    timezone: Mapped[str] = mapped_column(sa.String(40), default="Asia/Jakarta")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # A comment with this many open reports is hidden until a moderator reviews it (consult.moderation).
    auto_hide_threshold: Mapped[int] = mapped_column(default=3, server_default="3")

    def __repr__(self) -> str:
        return f"<Agency {self.slug}>"


class Membership(db.Model):
    """A role a user holds in one agency (moderator or agency admin)."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "agency_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    granted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    agency: Mapped[Agency] = relationship(lazy="joined")


class VerificationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"  # with the reason the citizen sees; they may ask again
    REVOKED = "revoked"  # an approval withdrawn later, with a reason


_PENDING = sa.text("status = 'pending'")


class VerificationRequest(db.Model):
    """A citizen's request to be verified by one agency (for example after showing an identity card at its
    counter), and the decision of the agency's admins. Approving sets users.is_verified; one pending request
    per person at a time (a partial UNIQUE index). The note is the citizen's, for the agency only: never public,
    never audited."""

    __tablename__ = "verification_requests"
    __table_args__ = (
        sa.Index(
            "ux_verification_requests_one_pending",
            "user_id",
            unique=True,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        ),
        sa.Index("ix_verification_requests_agency_status", "agency_id", "status", "id"),
        sa.Index("ix_verification_requests_user", "user_id", "id"),
        sa.CheckConstraint("status IN ('pending', 'approved', 'refused', 'revoked')", name="verification_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(12), default=VerificationStatus.PENDING)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(sa.Text)  # why it was refused (shown to the citizen)
    revoked_at: Mapped[dt.datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_pending(self) -> bool:
        return self.status == VerificationStatus.PENDING
