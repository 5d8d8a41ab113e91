"""Agencies: the government bodies that publish documents and run consultation rounds."""

from __future__ import annotations

import datetime as dt

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
