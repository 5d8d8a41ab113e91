"""Moderation models: house rules, moderator pseudonyms, the queue of reported comments, the public log of
moderation actions, appeals and blocks.

The log keeps a snapshot of what it cites (rule number and title, the moderator's pseudonym, the blocked
participant's pseudonym): the public record must not change when a rule is edited later. It never holds a
comment's text, an e-mail address or a name.

Blocks (a person kept out of an agency's rounds) are decided here but stored with participation
(consult.participation.models.Block), which asks them before every write: imports run one way, moderation
builds on participation.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.agencies.models import Agency
from consult.extensions import db
from consult.rounds.models import Round
from consult.timeutil import utcnow

SYSTEM_MODERATOR = "sistem"  # the log's name for automatic actions (the audit chain's actor is "system")


class Action(enum.StrEnum):
    HIDE = "hide"
    RESTORE = "restore"
    AUTO_HIDE = "auto_hide"
    DISMISS = "dismiss"
    APPEAL_UPHELD = "appeal_upheld"
    APPEAL_REJECTED = "appeal_rejected"
    BLOCK = "block"
    UNBLOCK = "unblock"


class HouseRule(db.Model):
    """One numbered participation rule of an agency. Numbers are never reused: a rule that no longer applies
    is retired (kept, not shown, not citable), so that a number cited in the log keeps its meaning."""

    __tablename__ = "house_rules"
    __table_args__ = (sa.UniqueConstraint("agency_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text, default="")  # source (Markdown subset)
    body_html: Mapped[str] = mapped_column(sa.Text, default="")  # rendered once by consult.sanitize
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[dt.datetime | None]

    @property
    def label(self) -> str:
        return f"{self.number}. {self.title}"


class ModeratorAlias(db.Model):
    """The stable public pseudonym of one moderator (or agency admin) in one agency: Moderator-XXXXX."""

    __tablename__ = "moderator_aliases"
    __table_args__ = (sa.UniqueConstraint("agency_id", "user_id"), sa.UniqueConstraint("agency_id", "pseudonym"))

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    pseudonym: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class QueueEntry(db.Model):
    """A comment with open (unhandled) reports: one row per comment, kept in step with the reports table in the
    same transaction as the report or the decision, so that the queue reads a page from an index whatever its
    size (most open reports first, then the longest waiting)."""

    __tablename__ = "moderation_queue"

    comment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    open_reports: Mapped[int] = mapped_column(default=0)
    first_report_at: Mapped[dt.datetime]  # the oldest open report: how long the comment has waited
    last_report_at: Mapped[dt.datetime]


# The queue's order, served by an index: agency, most open reports first, then oldest first.
sa.Index(
    "ix_moderation_queue_order",
    QueueEntry.agency_id,
    QueueEntry.open_reports.desc(),
    QueueEntry.first_report_at,
    QueueEntry.comment_id,
)


class AppealOutcome(enum.StrEnum):
    UPHELD = "upheld"  # the comment is restored
    REJECTED = "rejected"  # it stays hidden


class Appeal(db.Model):
    """The author's one appeal against the hiding of their comment, and its decision."""

    __tablename__ = "appeals"
    __table_args__ = (sa.Index("ix_appeals_agency_pending", "agency_id", "decided_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), unique=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)  # for the moderators only: it may repeat the hidden text
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[dt.datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(sa.String(10))
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def is_pending(self) -> bool:
        return self.decided_at is None


class ModerationAction(db.Model):
    """One row of the public moderation log (and, in the same transaction, one audit entry)."""

    __tablename__ = "moderation_actions"
    __table_args__ = (
        sa.Index("ix_moderation_actions_agency", "agency_id", "id"),
        sa.Index("ix_moderation_actions_round", "round_id", "id"),
        sa.Index("ix_moderation_actions_comment", "comment_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[str] = mapped_column(sa.String(20))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rounds.id", ondelete="SET NULL"))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="SET NULL"))
    rule_id: Mapped[int | None] = mapped_column(sa.ForeignKey("house_rules.id", ondelete="SET NULL"))
    rule_number: Mapped[int | None]
    rule_title: Mapped[str | None] = mapped_column(sa.String(120))
    reason: Mapped[str] = mapped_column(sa.Text)
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    moderator: Mapped[str] = mapped_column(sa.String(40))  # "Moderator-XXXXX", or "sistem"
    participant: Mapped[str | None] = mapped_column(sa.String(40))  # blocks: the pseudonym in the comment's round
    until: Mapped[dt.datetime | None]  # blocks: until when
    block_id: Mapped[int | None] = mapped_column(sa.ForeignKey("blocks.id", ondelete="SET NULL"))
    appeal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("appeals.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship(lazy="joined", innerjoin=True)
    round: Mapped[Round | None] = relationship(lazy="joined")

    @property
    def is_automatic(self) -> bool:
        return self.moderator == SYSTEM_MODERATOR

    @property
    def rule_label(self) -> str | None:
        return f"{self.rule_number}. {self.rule_title}" if self.rule_number is not None else None


class ReportEscalation(db.Model):
    """A report left unhandled for 48 hours, escalated to the agency's admins once (the primary key says once)."""

    __tablename__ = "report_escalations"

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    escalated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)  # how many admins were told


class ModerationQuestion(db.Model):
    """An observer's public question about one moderation decision, and the agency's public answer (migration
    0020). The asker appears as a stable pseudonym (Pemantau-XXXXX), the one who answers as their moderator
    pseudonym; both, with the texts, are shown under the decision in the public log."""

    __tablename__ = "moderation_questions"
    __table_args__ = (
        sa.Index("ix_moderation_questions_action", "action_id", "id"),
        sa.Index("ix_moderation_questions_agency_open", "agency_id", "answered_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("moderation_actions.id", ondelete="CASCADE"))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    asker: Mapped[str] = mapped_column(sa.String(40))
    question: Mapped[str] = mapped_column(sa.Text)
    asked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_by: Mapped[str | None] = mapped_column(sa.String(40))
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[dt.datetime | None]
