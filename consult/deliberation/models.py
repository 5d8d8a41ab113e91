"""Stored results of the deliberation computations: opinion groups per round and section, and campaigns.

The computations themselves are the plain modules beside this one (opinion/, campaigns/); these tables keep
what they returned, so that pages and the API read a stored result and never compute on a request.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.timeutil import utcnow

WHOLE_ROUND = ""  # section_key of a round's whole-document result


class OpinionSnapshot(db.Model):
    """The last opinion groups computed for a round (section_key "") or one of its sections."""

    __tablename__ = "opinion_results"
    __table_args__ = (sa.UniqueConstraint("round_id", "section_key", name="uq_opinion_results_round_section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(sa.String(120), default=WHOLE_ROUND, server_default="")
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)  # when the job last compared the snapshot
    # which votes it was computed from (count, last change, exclusions): equal snapshot, nothing to recompute
    snapshot: Mapped[str] = mapped_column(sa.String(200))
    k: Mapped[int]
    participant_count: Mapped[int]
    vote_count: Mapped[int]
    contract_json: Mapped[str] = mapped_column(sa.Text)  # `opinion compute --json`, the API's answer
    detail_json: Mapped[str] = mapped_column(sa.Text)  # groups, representative comments, per-comment statistics
    state_json: Mapped[str] = mapped_column(sa.Text)  # handed back to the next computation (k-smoothing)
    message: Mapped[str | None] = mapped_column(sa.String(300))  # why it is empty (too few votes)

    @property
    def contract(self) -> dict[str, Any]:
        return json.loads(self.contract_json)

    @property
    def detail(self) -> dict[str, Any]:
        return json.loads(self.detail_json)

    @property
    def state(self) -> dict[str, Any]:
        return json.loads(self.state_json)


class CampaignScan(db.Model):
    """When a round's comments were last scanned for campaigns, and from which snapshot of its comments."""

    __tablename__ = "campaign_scans"

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    checked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    snapshot: Mapped[str] = mapped_column(sa.String(200))
    comment_count: Mapped[int]
    # scanned after the round closed: the campaign ids are fixed (recomputed only on a staff request)
    final: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class Campaign(db.Model):
    """Near-identical comments of one round: one campaign, counted once with its size (the signatures)."""

    __tablename__ = "campaigns"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "number", name="uq_campaigns_round_number"),
        sa.Index("ix_campaigns_round_size", "round_id", "size", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    number: Mapped[int]  # the detector's stable id inside the round
    size: Mapped[int]
    representative_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"))
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    members: Mapped[list[CampaignMember]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan", lazy="select", passive_deletes=True
    )


class CampaignMember(db.Model):
    __tablename__ = "campaign_members"
    __table_args__ = (sa.Index("ix_campaign_members_comment", "comment_id"),)

    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)
    added_text: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # what this sender added

    campaign: Mapped[Campaign] = relationship(back_populates="members")


class ThemeStatus:
    ACCEPTED = "accepted"  # made or accepted by staff: part of the summary
    SUGGESTED = "suggested"  # proposed by the offline topic model (consult.deliberation.themes), not yet accepted
    REJECTED = "rejected"  # a suggestion staff turned down; kept so that it is not suggested again


DISPOSITIONS = ("adopted", "partly_adopted", "not_adopted", "out_of_scope")


class Theme(db.Model):
    """A group of a closed round's comments with staff's synthesis and the agency's answer ("you said, we did").

    The disposition (value + response) is the agency admin's answer to every comment in the theme; it is a draft
    until the round's summary is published, then public with it.
    """

    __tablename__ = "themes"
    __table_args__ = (
        sa.Index("ix_themes_round_status", "round_id", "status", "position", "id"),
        sa.CheckConstraint("status IN ('accepted', 'suggested', 'rejected')", name="theme_status"),
        sa.CheckConstraint(
            "disposition_value IS NULL OR disposition_value IN "
            "('adopted', 'partly_adopted', 'not_adopted', 'out_of_scope')",
            name="theme_disposition_value",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(200))
    synthesis: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # source (Markdown subset)
    synthesis_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # consult.sanitize
    status: Mapped[str] = mapped_column(sa.String(10), default=ThemeStatus.ACCEPTED, server_default="accepted")
    terms: Mapped[str | None] = mapped_column(sa.String(300))  # a suggestion's top words, as the model found them
    position: Mapped[int] = mapped_column(default=0, server_default="0")  # order on the pages (then id)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime | None]
    disposition_value: Mapped[str | None] = mapped_column(sa.String(16))  # one of DISPOSITIONS
    disposition_response: Mapped[str | None] = mapped_column(sa.Text)  # source; for not_adopted, the reason
    disposition_response_html: Mapped[str | None] = mapped_column(sa.Text)
    disposition_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    disposition_at: Mapped[dt.datetime | None]


class ThemeComment(db.Model):
    """A comment in a theme; a comment may be in several themes."""

    __tablename__ = "theme_comments"
    __table_args__ = (sa.Index("ix_theme_comments_comment", "comment_id", "theme_id"),)

    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class CommentDisposition(db.Model):
    """An agency admin's own answer to one comment, overriding the answers of its themes."""

    __tablename__ = "comment_dispositions"
    __table_args__ = (
        sa.Index("ix_comment_dispositions_round", "round_id", "comment_id"),
        sa.CheckConstraint(
            "value IN ('adopted', 'partly_adopted', 'not_adopted', 'out_of_scope')", name="comment_disposition_value"
        ),
    )

    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(sa.String(16))
    response: Mapped[str] = mapped_column(sa.Text)
    response_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SummaryState:
    DRAFT = "draft"
    PUBLISHED = "published"


class Summary(db.Model):
    """A round's deliberation summary: drafted from the figures, edited by staff, published once by an agency admin.

    published_json freezes what was published (figures, themes, dispositions) so the public record does not move
    when something changes later; notified_at is when the participants' and followers' e-mails were queued.
    """

    __tablename__ = "summaries"
    __table_args__ = (sa.CheckConstraint("state IN ('draft', 'published')", name="summary_state"),)

    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(10), default=SummaryState.DRAFT, server_default="draft")
    overview: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # staff's text (source)
    overview_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    updated_at: Mapped[dt.datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    published_json: Mapped[str | None] = mapped_column(sa.Text)
    notified_at: Mapped[dt.datetime | None]

    @property
    def published(self) -> dict[str, Any] | None:
        return json.loads(self.published_json) if self.published_json else None


class Revision(db.Model):
    """A revised version made from a closed round's summary: the version, the round it answers, its adoption.

    Its changes (RevisionChange) say, per changed, added or removed section (by stable key), which of the round's
    themes motivated it (RevisionChangeTheme) or another reason. notified_at: when the adoption e-mails were queued.
    """

    __tablename__ = "revisions"
    __table_args__ = (sa.Index("ix_revisions_round", "round_id", "version_id"),)

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("document_versions.id", ondelete="CASCADE"), primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime | None]
    adopted_at: Mapped[dt.datetime | None]
    adopted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    notified_at: Mapped[dt.datetime | None]


class RevisionChange(db.Model):
    """Why one section of a revised version changed (was added or removed): its reason, beside the cited themes."""

    __tablename__ = "revision_changes"

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("revisions.version_id", ondelete="CASCADE"), primary_key=True)
    section_key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # source (Markdown subset)
    reason_html: Mapped[str] = mapped_column(sa.Text, default="", server_default="")


class RevisionChangeTheme(db.Model):
    """A theme of the round that a section's change cites."""

    __tablename__ = "revision_change_themes"
    __table_args__ = (sa.Index("ix_revision_change_themes_theme", "theme_id", "version_id"),)

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("revisions.version_id", ondelete="CASCADE"), primary_key=True)
    section_key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True)
