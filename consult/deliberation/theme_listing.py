"""Read side of the staff themes pages: a round's themes, a theme's comments and the round's comments to tag,
each keyset-paginated (by comment id) with the same number of queries whatever the size of the round.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from consult.deliberation.models import CampaignMember, CommentDisposition, Theme, ThemeComment, ThemeStatus
from consult.documents.models import Section
from consult.extensions import db
from consult.pagination import decode_cursor, encode_cursor
from consult.participation.models import Comment, CommentStatus

PER_PAGE = 25
_ORDER = sa.case((Theme.status == ThemeStatus.ACCEPTED, 0), (Theme.status == ThemeStatus.SUGGESTED, 1), else_=2)


def round_themes(round_id: int, statuses: tuple[str, ...] | None = None) -> list[Theme]:
    """The round's themes: accepted first, then suggestions, then rejected ones; by position."""
    query = sa.select(Theme).where(Theme.round_id == round_id)
    if statuses is not None:
        query = query.where(Theme.status.in_(statuses))
    return list(db.session.scalars(query.order_by(_ORDER, Theme.position, Theme.id)))


@dataclass
class ListedComment:
    id: int
    body_html: str
    status: str
    section_title: str | None
    campaign_id: int | None
    theme_ids: list[int] = field(default_factory=list)
    own_value: str | None = None
    own_response: str | None = None


@dataclass
class CommentPage:
    items: list[ListedComment]
    next_cursor: str | None


def _page(query, cursor: str | None, limit: int) -> CommentPage:
    if cursor:
        (after,) = decode_cursor(cursor, 1, name="setelah")
        query = query.where(Comment.id > after)
    rows = db.session.execute(query.order_by(Comment.id).limit(limit + 1)).all()
    items = [
        ListedComment(
            id=row.id,
            body_html=row.body_html if row.status == CommentStatus.VISIBLE else "",
            status=row.status,
            section_title=row.title,
            campaign_id=row.campaign_id,
            own_value=row.value,
            own_response=row.response,
        )
        for row in rows[:limit]
    ]
    ids = [item.id for item in items]
    if ids:
        themes: dict[int, list[int]] = {}
        for theme_id, comment_id in db.session.execute(
            sa.select(ThemeComment.theme_id, ThemeComment.comment_id)
            .where(ThemeComment.comment_id.in_(ids))
            .order_by(ThemeComment.theme_id)
        ):
            themes.setdefault(comment_id, []).append(theme_id)
        for item in items:
            item.theme_ids = themes.get(item.id, [])
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit else None
    return CommentPage(items, next_cursor)


def _comments():
    return (
        sa.select(
            Comment.id,
            Comment.body_html,
            Comment.status,
            Section.title,
            CampaignMember.campaign_id,
            CommentDisposition.value,
            CommentDisposition.response,
        )
        .outerjoin(Section, Section.id == Comment.section_id)
        .outerjoin(CampaignMember, CampaignMember.comment_id == Comment.id)
        .outerjoin(CommentDisposition, CommentDisposition.comment_id == Comment.id)
    )


def theme_comments(theme_id: int, *, cursor: str | None = None, limit: int = PER_PAGE) -> CommentPage:
    query = (
        _comments().join(ThemeComment, ThemeComment.comment_id == Comment.id).where(ThemeComment.theme_id == theme_id)
    )
    return _page(query, cursor, limit)


def round_comments(
    round_id: int, *, section_key: str | None = None, cursor: str | None = None, limit: int = PER_PAGE
) -> CommentPage:
    """The round's visible comments (not the agency's official replies), to tag; optionally of one section."""
    query = _comments().where(
        Comment.round_id == round_id, Comment.status == CommentStatus.VISIBLE, Comment.official_role.is_(None)
    )
    if section_key:
        query = query.where(Section.key == section_key)
    return _page(query, cursor, limit)
