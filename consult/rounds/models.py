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


class RoundOrigin(enum.StrEnum):
    """Where a round's dates come from. Only "live" rounds are scheduled through the web, the API and the command
    line, and their opening may not lie in the past; the other two keep the dates they came with."""

    LIVE = "live"  # scheduled on this site
    IMPORTED = "imported"  # brought from elsewhere (a Polis export), with its original dates
    DEMO = "demo"  # the demo loader's sample rounds (consult.demo), dated around the moment it ran


class Iap2Level(enum.StrEnum):
    """The IAP2 spectrum of public participation: what the round promises the public (migration 0015)."""

    INFORM = "inform"
    CONSULT = "consult"
    INVOLVE = "involve"
    COLLABORATE = "collaborate"
    EMPOWER = "empower"


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
    closed_at: Mapped[dt.datetime | None]  # set when closed early by a moderator (rounds.services.close_round)
    origin: Mapped[str] = mapped_column(sa.String(10), default=RoundOrigin.LIVE, server_default=RoundOrigin.LIVE)
    # when the scheduler recorded the opening ("round.opened"): the moment the round really opened
    opened_at: Mapped[dt.datetime | None]
    comment_count: Mapped[int] = mapped_column(default=0, server_default="0")  # visible comments and replies
    # how many public_changes there are: the round page reads them only when there are some (one query less)
    public_change_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # moves with everything an anonymous reader of the round page sees (comments, votes, stances, moderation
    # decisions, the round's times): the anonymous page is cached by it (consult/pagecache.py, bump_revision)
    public_revision: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # A round imported from elsewhere (a Polis export, migration 0014): where it came from, the licence text its
    # data asks to be shown with it, and its id there (the Polis conversation id).
    source_url: Mapped[str | None] = mapped_column(sa.String(500))
    source_attribution: Mapped[str | None] = mapped_column(sa.Text)
    external_id: Mapped[str | None] = mapped_column(sa.String(100))
    # the level of participation the round promises (Iap2Level), shown on its page with that promise (0015)
    iap2_level: Mapped[str] = mapped_column(sa.String(12), default=Iap2Level.CONSULT, server_default=Iap2Level.CONSULT)

    agency: Mapped[Agency] = relationship(lazy="joined")
    document: Mapped[Document] = relationship(lazy="joined")
    version: Mapped[DocumentVersion] = relationship()
    # What people did to the round's times, with the reason the public sees (closed early, extended), oldest first.
    public_changes: Mapped[list[RoundEvent]] = relationship(
        primaryjoin="and_(RoundEvent.round_id == Round.id, RoundEvent.kind.in_(['closed_early', 'extended']))",
        order_by="RoundEvent.id",
        viewonly=True,
        lazy="select",
    )

    @property
    def is_live(self) -> bool:
        return self.origin == RoundOrigin.LIVE

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


class RoundEventKind(enum.StrEnum):
    OPENED = "opened"  # recorded by the scheduler once the opening time passed ("round.opened")
    CLOSED = "closed"  # the round stopped accepting participation at `for_time` ("round.closed" unless closed early)
    CLOSING_SOON = "closing_soon"  # the 48-hour reminder went out for the closing time `for_time`
    CLOSED_EARLY = "closed_early"  # a moderator or agency admin closed the round, with a public reason
    EXTENDED = "extended"  # its closing time moved later (and a closed round reopened), with a public reason


class RoundEvent(db.Model):
    """Something that happened to a round: the bookkeeping that makes scheduled jobs idempotent, and the public
    record of closings and extensions with their reasons.

    UNIQUE (round_id, kind, for_time): a round opens once at its opening time and closes once at each closing
    time, however many schedulers run; the second insert of the same event does nothing (ON CONFLICT DO NOTHING).
    `for_time` is the moment the event belongs to (the opening or closing time; the time of a person's change).
    """

    __tablename__ = "round_events"
    __table_args__ = (sa.UniqueConstraint("round_id", "kind", "for_time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    for_time: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    closes_before: Mapped[dt.datetime | None]  # extensions: the closing time before the change
    closes_after: Mapped[dt.datetime | None]  # extensions: the new closing time


def bump_revision(round_id: int) -> None:
    """Something the round page shows has changed (call it in the change's transaction): the anonymous page's
    cache key moves with rounds.public_revision, so the next reader gets the new page."""
    db.session.execute(
        sa.update(Round)
        .where(Round.id == round_id)
        .values(public_revision=Round.public_revision + 1)
        .execution_options(synchronize_session=False)
    )
