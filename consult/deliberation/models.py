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
