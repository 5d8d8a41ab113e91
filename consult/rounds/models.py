"""Consultation rounds. A round's state is derived from its times (and, later, explicit closure)."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.agencies.models import Agency
from consult.documents.models import Document, DocumentVersion
from consult.extensions import db
from consult.timeutil import utcnow


class RoundState(enum.StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class Round(db.Model):
    __tablename__ = "rounds"
    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="times_in_order"),
        sa.Index("ix_rounds_opens_at_id", "opens_at", "id"),
        sa.Index("ix_rounds_closes_at_id", "closes_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_versions.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    opens_at: Mapped[dt.datetime]
    closes_at: Mapped[dt.datetime]
    verified_only: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[dt.datetime | None]  # set when closed early by a moderator (later issue)
    comment_count: Mapped[int] = mapped_column(default=0, server_default="0")  # visible comments and replies
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    agency: Mapped[Agency] = relationship(lazy="joined")
    document: Mapped[Document] = relationship(lazy="joined")
    version: Mapped[DocumentVersion] = relationship()

    @property
    def effective_closes_at(self) -> dt.datetime:
        return min(self.closes_at, self.closed_at) if self.closed_at else self.closes_at

    def state_at(self, now: dt.datetime) -> RoundState:
        if now < self.opens_at:
            return RoundState.SCHEDULED
        if now < self.effective_closes_at:
            return RoundState.OPEN
        return RoundState.CLOSED

    @property
    def state(self) -> RoundState:
        return self.state_at(utcnow())

    @hybrid_method
    def is_open_at(self, now: dt.datetime) -> bool:
        return self.state_at(now) == RoundState.OPEN

    @is_open_at.expression
    def is_open_at(cls, now):  # noqa: N805 - SQLAlchemy hybrid expression takes the class
        return sa.and_(cls.opens_at <= now, cls.closes_at > now, sa.or_(cls.closed_at.is_(None), cls.closed_at > now))

    @hybrid_method
    def is_scheduled_at(self, now: dt.datetime) -> bool:
        return self.state_at(now) == RoundState.SCHEDULED

    @is_scheduled_at.expression
    def is_scheduled_at(cls, now):  # noqa: N805
        return cls.opens_at > now

    @hybrid_method
    def is_closed_at(self, now: dt.datetime) -> bool:
        return self.state_at(now) == RoundState.CLOSED

    @is_closed_at.expression
    def is_closed_at(cls, now):  # noqa: N805
        return sa.and_(cls.opens_at <= now, sa.or_(cls.closes_at <= now, cls.closed_at <= now))
