"""Who follows which round, each person's e-mail settings, and the outbox of e-mails to send.

E-mail goes out through the outbox only: a service that wants to tell someone something adds a row in the same
transaction as the change it is about (so a rolled-back change sends nothing), and the sender job delivers it
later. `dedupe_key` is UNIQUE and every insert is INSERT … ON CONFLICT DO NOTHING, so the same notice is queued
once however many times (or by however many schedulers) it is asked for.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.extensions import db
from consult.timeutil import utcnow


class NotificationSettings(db.Model):
    """A person's e-mail preferences; a missing row means the defaults (e-mail on, follow when commenting)."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(default=True)  # off: no e-mail at all (the "stop all" link)
    auto_follow: Mapped[bool] = mapped_column(default=True)  # follow a round when commenting in it
    locale: Mapped[str | None] = mapped_column(sa.String(5))  # language of the e-mails; None: Indonesian
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RoundFollow(db.Model):
    """A person following a round (e-mail when it opens, 48 hours before it closes, replies, its summary).

    Unfollowing keeps the row with `active` false, so that commenting again does not follow the round again
    behind the person's back; only the follow button does.
    """

    __tablename__ = "round_follows"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id"),
        sa.Index("ix_round_follows_user", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its next attempt (next_attempt_at)
    SENDING = "sending"  # claimed by a sender until next_attempt_at; retried after that if the sender died
    SENT = "sent"
    FAILED = "failed"  # gave up after MAIL_MAX_ATTEMPTS
    CANCELLED = "cancelled"  # the person turned e-mail off, or their account is gone, before it went out


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)  # e.g. "reply:<comment_id>:<user_id>"
    kind: Mapped[str] = mapped_column(sa.String(40))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    to_addr: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    unsubscribe_url: Mapped[str | None] = mapped_column(sa.String(1000))
    status: Mapped[str] = mapped_column(sa.String(12), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))
    next_attempt_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
