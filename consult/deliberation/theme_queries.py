"""Counting a round's themes: comments with a campaign counted once, and signatures with every copy counted."""

from __future__ import annotations

import sqlalchemy as sa

from consult.deliberation.models import CampaignMember, Theme, ThemeComment
from consult.extensions import db


def theme_counts(round_id: int, theme_ids: list[int] | None = None) -> dict[int, tuple[int, int]]:
    """{theme_id: (comment_count, signature_count)} for the round's themes that hold comments, in one query.

    comment_count: distinct comments, the copies of one campaign counted once (a campaign's unit is its negated
    id, which no comment id can equal); signature_count: every tagged comment, each campaign copy included.
    """
    unit = sa.func.coalesce(-CampaignMember.campaign_id, ThemeComment.comment_id)
    query = (
        sa.select(ThemeComment.theme_id, sa.func.count(sa.distinct(unit)), sa.func.count())
        .join(Theme, Theme.id == ThemeComment.theme_id)
        .outerjoin(CampaignMember, CampaignMember.comment_id == ThemeComment.comment_id)
        .where(Theme.round_id == round_id)
        .group_by(ThemeComment.theme_id)
    )
    if theme_ids is not None:
        query = query.where(ThemeComment.theme_id.in_(theme_ids))
    return {theme_id: (units, rows) for theme_id, units, rows in db.session.execute(query)}
