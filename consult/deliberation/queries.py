"""Read side of the deliberation pages: what the opinion-groups page and the moderators' campaigns page show,
from what the computations stored. Nothing here computes; every list is keyset-paginated and every page runs
the same number of queries whatever the number of participants, comments or copies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from consult.deliberation.models import WHOLE_ROUND, Campaign, CampaignMember, OpinionSnapshot
from consult.extensions import db
from consult.pagination import MAX_POSITION, decode_cursor, encode_cursor
from consult.participation.models import Comment, CommentStatus

CAMPAIGNS_PER_PAGE = 10
COPIES_IN_LIST = 3  # copies shown under each campaign of the list
COPIES_PER_PAGE = 50  # copies per page of one campaign
MAX_CAMPAIGN_SIZE = 2**31 - 1


# --- opinion groups ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredResult:
    """One stored result of the round, without its JSON (which can be megabytes)."""

    section_key: str
    computed_at: dt.datetime
    k: int
    participant_count: int
    vote_count: int
    message: str | None


def opinion_index(round_id: int) -> list[StoredResult]:
    """Every stored result of the round (the whole round and its sections): one query, no JSON read."""
    rows = db.session.execute(
        sa.select(
            OpinionSnapshot.section_key,
            OpinionSnapshot.computed_at,
            OpinionSnapshot.k,
            OpinionSnapshot.participant_count,
            OpinionSnapshot.vote_count,
            OpinionSnapshot.message,
        )
        .where(OpinionSnapshot.round_id == round_id)
        .order_by(OpinionSnapshot.section_key)
    ).all()
    return [StoredResult(*row) for row in rows]


def stored_json(round_id: int, section_key: str | None) -> tuple[str, str] | None:
    """The contract JSON and the detail JSON of one stored result (one query), or None."""
    row = db.session.execute(
        sa.select(OpinionSnapshot.contract_json, OpinionSnapshot.detail_json).where(
            OpinionSnapshot.round_id == round_id, OpinionSnapshot.section_key == (section_key or WHOLE_ROUND)
        )
    ).first()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class ShownComment:
    id: int
    body_html: str
    section_id: int | None
    campaign_id: int | None = None  # one of a campaign's near-identical copies
    campaign_size: int = 0


def visible_comments(round_id: int, ids: list[int]) -> dict[int, ShownComment]:
    """The comments among `ids` that are still visible (hidden or withdrawn since the computation: left out),
    with their sanitised HTML; one query."""
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Comment.id, Comment.body_html, Comment.section_id, Campaign.id.label("campaign_id"), Campaign.size)
        .outerjoin(CampaignMember, CampaignMember.comment_id == Comment.id)
        .outerjoin(Campaign, sa.and_(Campaign.id == CampaignMember.campaign_id, Campaign.round_id == round_id))
        .where(Comment.round_id == round_id, Comment.id.in_(ids), Comment.status == CommentStatus.VISIBLE)
    ).all()
    return {row.id: ShownComment(row.id, row.body_html, row.section_id, row.campaign_id, row.size or 0) for row in rows}


# --- campaigns -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Copy:
    comment_id: int
    status: str
    added_text: str  # empty while the comment is not visible: its text is read on the review page only
    created_at: dt.datetime


@dataclass
class CampaignItem:
    campaign: Campaign
    representative_status: str
    body_html: str | None  # the representative's sanitised HTML; None while it is not visible
    copies: list[Copy]
    more: bool  # copies beyond the ones listed


@dataclass
class CampaignList:
    items: list[CampaignItem]
    next_cursor: str | None


def _representatives(campaigns: list[Campaign]) -> dict[int, tuple[str, str]]:
    ids = [c.representative_id for c in campaigns]
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Comment.id, Comment.status, Comment.body_html).where(Comment.id.in_(ids)))
    return {row.id: (row.status, row.body_html) for row in rows}


def _copy(row) -> Copy:
    visible = row.status == CommentStatus.VISIBLE
    return Copy(row.comment_id, row.status, row.added_text if visible else "", row.created_at)


def _copies_query():
    return sa.select(
        CampaignMember.campaign_id,
        CampaignMember.comment_id,
        CampaignMember.added_text,
        Comment.status,
        Comment.created_at,
    ).join(Comment, Comment.id == CampaignMember.comment_id)


def campaign_list(
    round_id: int, *, cursor: str | None = None, limit: int = CAMPAIGNS_PER_PAGE, copies: int = COPIES_IN_LIST
) -> CampaignList:
    """The round's campaigns, largest first (then by id), after `cursor`; each with its representative and its
    first `copies` copies. Three queries whatever the sizes: the campaigns, their representatives, their first
    copies (a window function ranks each campaign's members)."""
    query = sa.select(Campaign).where(Campaign.round_id == round_id)
    if cursor:
        size, last_id = decode_cursor(cursor, 2, name="lanjut", maximum=(MAX_CAMPAIGN_SIZE, MAX_POSITION))
        query = query.where(sa.or_(Campaign.size < size, sa.and_(Campaign.size == size, Campaign.id > last_id)))
    campaigns = list(db.session.scalars(query.order_by(Campaign.size.desc(), Campaign.id).limit(limit + 1)))
    more = len(campaigns) > limit
    campaigns = campaigns[:limit]
    reps = _representatives(campaigns)
    first: dict[int, list[Copy]] = {c.id: [] for c in campaigns}
    if campaigns:
        rank = (
            sa.func.row_number()
            .over(partition_by=CampaignMember.campaign_id, order_by=CampaignMember.comment_id)
            .label("rank")
        )
        ranked = (
            _copies_query()
            .add_columns(rank)
            .where(
                CampaignMember.campaign_id.in_(list(first)),
                CampaignMember.comment_id
                != sa.select(Campaign.representative_id)
                .where(Campaign.id == CampaignMember.campaign_id)
                .scalar_subquery(),
            )
            .subquery()
        )
        rows = db.session.execute(
            sa.select(ranked).where(ranked.c.rank <= copies + 1).order_by(ranked.c.campaign_id, ranked.c.comment_id)
        )
        for row in rows:
            first[row.campaign_id].append(_copy(row))
    items = []
    for c in campaigns:
        status, html = reps.get(c.representative_id, (CommentStatus.WITHDRAWN, ""))
        listed = first[c.id]
        items.append(
            CampaignItem(
                c,
                status,
                html if status == CommentStatus.VISIBLE else None,
                listed[:copies],
                len(listed) > copies,
            )
        )
    last = campaigns[-1] if campaigns else None
    return CampaignList(items, encode_cursor(last.size, last.id) if more and last else None)


@dataclass
class CopyPage:
    item: CampaignItem
    next_cursor: str | None


def campaign_copies(campaign: Campaign, *, cursor: str | None = None, limit: int | None = None) -> CopyPage:
    """One campaign with its copies (the representative left out) after `cursor`, by comment id: two queries."""
    limit = limit or COPIES_PER_PAGE
    query = _copies_query().where(
        CampaignMember.campaign_id == campaign.id, CampaignMember.comment_id != campaign.representative_id
    )
    if cursor:
        (after,) = decode_cursor(cursor, 1, name="setelah")
        query = query.where(CampaignMember.comment_id > after)
    rows = db.session.execute(query.order_by(CampaignMember.comment_id).limit(limit + 1)).all()
    more = len(rows) > limit
    copies = [_copy(row) for row in rows[:limit]]
    status, html = _representatives([campaign]).get(campaign.representative_id, (CommentStatus.WITHDRAWN, ""))
    item = CampaignItem(campaign, status, html if status == CommentStatus.VISIBLE else None, copies, more)
    return CopyPage(item, encode_cursor(copies[-1].comment_id) if more and copies else None)


def round_campaign(round_id: int, campaign_id: int) -> Campaign | None:
    """The campaign with this id when it belongs to the round (else None: a 404 for the page)."""
    return db.session.scalar(sa.select(Campaign).where(Campaign.id == campaign_id, Campaign.round_id == round_id))
