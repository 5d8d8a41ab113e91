"""Participation models.

Counters (agree/disagree/pass per comment, support/oppose/neutral and comments per section) are cached on
the rows that pages read, updated in the same transaction as the vote or stance that changes them, and
checked against COUNT(*) in the tests: a page never counts rows.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.extensions import db
from consult.rounds.models import Round
from consult.timeutil import utcnow


class Stance(enum.StrEnum):
    SUPPORT = "support"
    OPPOSE = "oppose"
    NEUTRAL = "neutral"


class Channel(enum.StrEnum):
    """Where a comment came from (migration 0015). Every channel but "web" is entered by agency staff on a
    citizen's behalf (Comment.entered_by_id), with the place and date it was received or said."""

    WEB = "web"
    COUNTER = "counter"  # at a service counter
    PAPER = "paper"  # written on paper (a form, a letter)
    PHONE = "phone"
    FORUM = "forum"  # spoken at a public forum


class CommentStatus(enum.StrEnum):
    VISIBLE = "visible"
    WITHDRAWN = "withdrawn"  # by its author; the public sees that it was withdrawn
    HIDDEN = "hidden"  # by a moderator (moderation issue); keeps its place with the rule and reason


VOTE_VALUES = {1: "agree", -1: "disagree", 0: "pass"}


class Participant(db.Model):
    """A person's presence in one round: their stable pseudonym there, and whether they show their name."""

    __tablename__ = "participants"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "user_id"),
        sa.UniqueConstraint("round_id", "pseudonym"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    pseudonym: Mapped[str] = mapped_column(sa.String(40))
    show_name: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    external_id: Mapped[str | None] = mapped_column(sa.String(40))  # the Polis participant id of an imported round

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)

    @property
    def public_name(self) -> str:
        return self.user.name if self.show_name else self.pseudonym


_TOP = sa.text("parent_id IS NULL")


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        # Top-level lists, newest first or most agreed first, whole round or one section. Partial indexes
        # (WHERE parent_id IS NULL): PostgreSQL cannot take its ORDER BY from an index whose leading column is
        # matched by IS NULL, and sorted the whole round instead (measured: 12 ms vs 0.4 ms at 20,000 comments).
        sa.Index("ix_comments_top_new", "round_id", "id", sqlite_where=_TOP, postgresql_where=_TOP),
        sa.Index(
            "ix_comments_top_section_new", "round_id", "section_id", "id", sqlite_where=_TOP, postgresql_where=_TOP
        ),
        sa.Index("ix_comments_top_agreed", "round_id", "agree_count", "id", sqlite_where=_TOP, postgresql_where=_TOP),
        sa.Index(
            "ix_comments_top_section_agreed",
            "round_id",
            "section_id",
            "agree_count",
            "id",
            sqlite_where=_TOP,
            postgresql_where=_TOP,
        ),
        sa.Index("ix_comments_parent", "parent_id", "id"),
        sa.Index("ix_comments_round_new", "round_id", "id"),  # moderators: every new comment of a round
        sa.Index("ix_comments_author_new", "author_id", "id"),  # "my comments", newest first (migration 0011)
        sa.Index("ix_comments_round_external", "round_id", "external_id"),  # imported rounds (migration 0014)
        sa.CheckConstraint("stance IN ('support', 'oppose', 'neutral')", name="stance_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    section_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sections.id"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    stance: Mapped[str | None] = mapped_column(sa.String(10))
    body: Mapped[str] = mapped_column(sa.Text)  # source as written (Markdown subset)
    body_html: Mapped[str] = mapped_column(sa.Text)  # rendered once by consult.sanitize.render_comment
    status: Mapped[str] = mapped_column(sa.String(12), default=CommentStatus.VISIBLE)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[dt.datetime | None]
    withdrawn_at: Mapped[dt.datetime | None]
    agree_count: Mapped[int] = mapped_column(default=0)
    disagree_count: Mapped[int] = mapped_column(default=0)
    pass_count: Mapped[int] = mapped_column(default=0)
    reply_count: Mapped[int] = mapped_column(default=0)
    report_count: Mapped[int] = mapped_column(default=0)
    # Set while the comment is hidden (consult.moderation): the notice shown in its place cites these.
    # A hidden comment without a rule was hidden automatically and awaits a moderator's review.
    hidden_at: Mapped[dt.datetime | None]
    moderation_rule: Mapped[int | None]  # the house rule's number
    moderation_rule_title: Mapped[str | None] = mapped_column(sa.String(120))
    moderation_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The agency's own voice: the author's role ("moderator" or "agency_admin") in the round's agency when they
    # posted it, recorded then, so that a later change of roles does not rewrite who spoke. None: a citizen.
    official_role: Mapped[str | None] = mapped_column(sa.String(20))
    external_id: Mapped[str | None] = mapped_column(sa.String(40))  # the Polis comment-id of an imported round
    # Where it came from (Channel); for an assisted entry, the staff member who entered it and the place and date
    # the citizen gave it (the forum's, or the counter's and the day it was received). Migration 0015.
    channel: Mapped[str] = mapped_column(sa.String(8), default=Channel.WEB, server_default=Channel.WEB)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    assisted_place: Mapped[str | None] = mapped_column(sa.String(200))
    assisted_on: Mapped[dt.date | None]

    participant: Mapped[Participant] = relationship(lazy="joined", innerjoin=True)
    # Read only for official comments (their author is the agency); the round page has the round loaded, so this
    # comes from the session's identity map without a query.
    round: Mapped[Round] = relationship(lazy="select", viewonly=True)

    @property
    def counts(self) -> dict[str, int]:
        return {"agree": self.agree_count, "disagree": self.disagree_count, "pass": self.pass_count}

    @property
    def is_visible(self) -> bool:
        return self.status == CommentStatus.VISIBLE

    @property
    def hidden_at_source(self) -> bool:
        """Hidden where it came from, before it was imported (a Polis conversation moderated it out): no house rule
        of ours is cited (moderation_rule is None) and moderation_rule_title names the source. A comment hidden
        automatically after reports, pending a moderator's review, has neither; no decision here makes this mark."""
        return (
            self.status == CommentStatus.HIDDEN
            and self.moderation_rule is None
            and self.moderation_rule_title is not None
        )

    @property
    def is_official(self) -> bool:
        """Posted by staff of the round's agency: the agency's response, not a citizen's comment."""
        return self.official_role is not None

    @property
    def author_name(self) -> str:
        """The public author: the agency for an official comment, else the pseudonym or the chosen name."""
        if self.official_role is not None:
            return self.round.agency.name
        return self.participant.public_name


class CommentVote(db.Model):
    """Agree (1), disagree (-1) or pass (0) on someone else's comment: one per person and comment."""

    __tablename__ = "comment_votes"
    __table_args__ = (
        sa.UniqueConstraint("comment_id", "user_id"),
        sa.CheckConstraint("value IN (-1, 0, 1)", name="vote_value"),
        sa.Index("ix_comment_votes_user_comment", "user_id", "comment_id"),
        # the opinion computation reads a round's votes from this index alone (migration 0014; on PostgreSQL the
        # UNIQUE (comment_id, user_id) index carries value and id with INCLUDE instead)
        sa.Index("ix_comment_votes_snapshot", "comment_id", "user_id", "value", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    value: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SectionStance(db.Model):
    """A person's stance on one section in one round: one per person, section and round."""

    __tablename__ = "section_stances"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "section_id", "user_id"),
        sa.CheckConstraint("value IN ('support', 'oppose', 'neutral')", name="stance_value"),
        sa.Index("ix_section_stances_user_round", "user_id", "round_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("sections.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SectionStats(db.Model):
    """Cached tallies of one section in one round (one row per section, created with the first activity)."""

    __tablename__ = "section_stats"
    __table_args__ = (sa.UniqueConstraint("round_id", "section_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("sections.id"))
    support: Mapped[int] = mapped_column(default=0)
    oppose: Mapped[int] = mapped_column(default=0)
    neutral: Mapped[int] = mapped_column(default=0)
    comments: Mapped[int] = mapped_column(default=0)  # visible top-level comments and replies on the section

    @property
    def stance_total(self) -> int:
        return self.support + self.oppose + self.neutral


class Report(db.Model):
    """A participant's report of a comment, with a reason: one per person and comment."""

    __tablename__ = "reports"
    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(500))
    # The house rule the reporter says the comment breaks (a snapshot of its number and title: the rule may be
    # reworded later); None: "other", the reason says what.
    rule_number: Mapped[int | None]
    rule_title: Mapped[str | None] = mapped_column(sa.String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    handled_at: Mapped[dt.datetime | None]
    # A keyed hash of the address the report came from (never the address): reports from one address by
    # unverified accounts count once towards the auto-hide (consult.moderation). None: not sent over HTTP.
    address_key: Mapped[str | None] = mapped_column(sa.String(32))
    # Whether the reporter carried weight when reporting (verified, or an account with some age that took
    # part before): only such reports can hide a comment automatically; every report reaches the queue.
    carries_weight: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class Block(db.Model):
    """A person kept out of one agency's rounds until a time, decided by a moderator (consult.moderation), asked
    by participation before every write. The public sees only their pseudonym in the round of the comment the
    block was decided on."""

    __tablename__ = "blocks"
    __table_args__ = (sa.Index("ix_blocks_user_agency", "user_id", "agency_id", "until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="SET NULL"))
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rounds.id", ondelete="SET NULL"))
    pseudonym: Mapped[str] = mapped_column(sa.String(40))
    reason: Mapped[str] = mapped_column(sa.Text)
    until: Mapped[dt.datetime]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    lifted_at: Mapped[dt.datetime | None]
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    # Loaded when asked (lists join them): participation's check of a block before every write needs neither.
    agency: Mapped[Agency] = relationship()
    round: Mapped[Round | None] = relationship()

    def is_active_at(self, now: dt.datetime) -> bool:
        return self.lifted_at is None and self.until > now

    @classmethod
    def active_for(cls, user_id: int, agency_id: int, now: dt.datetime | None = None) -> Block | None:
        """The block that keeps this person out of this agency's rounds now (the longest one), or None.

        One indexed query: participation asks it before every write and once per round page.
        """
        now = now or utcnow()
        return db.session.scalar(
            sa.select(cls)
            .where(cls.user_id == user_id, cls.agency_id == agency_id, cls.until > now, cls.lifted_at.is_(None))
            .order_by(cls.until.desc())
            .limit(1)
        )
