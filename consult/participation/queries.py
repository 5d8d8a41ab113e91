"""Read side of participation: keyset-paginated comment lists and what one person did in a round.

Every function runs a fixed number of queries whatever the size of the round: one per list page (comments
with their participant and user joined), one for the viewer's votes on that page, one for their stances,
one for the section tallies.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.documents.models import Section
from consult.errors import Invalid
from consult.extensions import db
from consult.pagination import decode_cursor, encode_cursor
from consult.participation.models import Channel, Comment, CommentVote, SectionStance, SectionStats
from consult.rounds.models import Round

PAGE_SIZE = 20
ORDERS = ("new", "agreed")


@dataclass
class CommentPage:
    items: list[Comment]
    next_cursor: str | None


# One cursor format for every list (consult.params); the short names are kept for the tests and benchmarks.
_encode, _decode = encode_cursor, decode_cursor


def comments_page(
    round_id: int,
    *,
    section_id: int | None = None,
    order: str = "new",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> CommentPage:
    """Top-level comments of a round (or of one section), newest first or most agreed first.

    Withdrawn and hidden comments keep their place (the page shows a notice instead of their text).
    The cursor is the position of the last item: (id) or (agree_count, id).
    """
    if order not in ORDERS:
        raise Invalid("Unknown order.", fields={"order": "new or agreed"})
    query = sa.select(Comment).where(Comment.round_id == round_id, Comment.parent_id.is_(None))
    if section_id is not None:
        query = query.where(Comment.section_id == section_id)
    if order == "new":
        if cursor:
            (last_id,) = _decode(cursor, 1)
            query = query.where(Comment.id < last_id)
        query = query.order_by(Comment.id.desc())
    else:
        if cursor:
            agrees, last_id = _decode(cursor, 2)
            query = query.where(sa.tuple_(Comment.agree_count, Comment.id) < sa.tuple_(agrees, last_id))
        query = query.order_by(Comment.agree_count.desc(), Comment.id.desc())
    rows = list(db.session.scalars(query.limit(limit + 1)))
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = _encode(last.id) if order == "new" else _encode(last.agree_count, last.id)
    return CommentPage(items, next_cursor)


def replies_page(parent_id: int, *, cursor: str | None = None, limit: int = PAGE_SIZE) -> CommentPage:
    """Replies to a comment, oldest first (a conversation reads top to bottom)."""
    query = sa.select(Comment).where(Comment.parent_id == parent_id)
    if cursor:
        (last_id,) = _decode(cursor, 1)
        query = query.where(Comment.id > last_id)
    rows = list(db.session.scalars(query.order_by(Comment.id).limit(limit + 1)))
    items = rows[:limit]
    return CommentPage(items, _encode(items[-1].id) if len(rows) > limit else None)


def votes_of(user, comment_ids: list[int]) -> dict[int, int]:
    """The viewer's vote on each of these comments ({} for anonymous viewers)."""
    if user is None or not user.is_authenticated or not comment_ids:
        return {}
    rows = db.session.execute(
        sa.select(CommentVote.comment_id, CommentVote.value).where(
            CommentVote.user_id == user.id, CommentVote.comment_id.in_(comment_ids)
        )
    )
    return dict(rows.all())


def stances_of(user, round_id: int) -> dict[int, str]:
    """The viewer's stance on each section of the round."""
    if user is None or not user.is_authenticated:
        return {}
    rows = db.session.execute(
        sa.select(SectionStance.section_id, SectionStance.value).where(
            SectionStance.user_id == user.id, SectionStance.round_id == round_id
        )
    )
    return dict(rows.all())


def section_stats(round_id: int) -> dict[int, SectionStats]:
    return {
        s.section_id: s for s in db.session.scalars(sa.select(SectionStats).where(SectionStats.round_id == round_id))
    }


@dataclass(frozen=True)
class MyComment:
    """One of the person's comments as their "my comments" list shows it: with its round and section."""

    comment: Comment
    round_id: int
    round_title: str
    agency_slug: str
    timezone: str
    section_title: str | None


@dataclass
class MyCommentPage:
    items: list[MyComment]
    next_cursor: str | None


def my_comments_page(user, *, cursor: str | None = None, limit: int = PAGE_SIZE) -> MyCommentPage:
    """The person's comments and replies across every round, newest first, keyset by id: one query per page
    (the comment with its round's title, its agency and its section's title joined), on ix_comments_author_new.
    Withdrawn and hidden ones are listed too, with their state (the page shows the rule and reason, never a hidden
    text)."""
    query = (
        sa.select(Comment, Round.id, Round.title, Agency.slug, Agency.timezone, Section.title)
        .options(sa.orm.raiseload(Comment.participant))  # the person's own list: no author to show
        .join(Round, Round.id == Comment.round_id)
        .join(Agency, Agency.id == Round.agency_id)
        .outerjoin(Section, Section.id == Comment.section_id)
        .where(Comment.author_id == user.id)
    )
    if cursor:
        (last_id,) = _decode(cursor, 1)
        query = query.where(Comment.id < last_id)
    rows = db.session.execute(query.order_by(Comment.id.desc()).limit(limit + 1)).all()
    items = [MyComment(*row) for row in rows[:limit]]
    return MyCommentPage(items, _encode(items[-1].comment.id) if len(rows) > limit else None)


@dataclass
class AssistedRow:
    comment: Comment
    entered_by: str | None  # the staff member's account name (None when that account was deleted)


@dataclass
class AssistedPage:
    items: list[AssistedRow]
    next_cursor: str | None


def assisted_page(round_id: int, *, cursor: str | None = None, limit: int = PAGE_SIZE) -> AssistedPage:
    """Comments entered by staff on citizens' behalf in a round, newest first, with who entered them: one query a
    page (keyset by id on ix_comments_round_new; web comments are skipped by the filter, so a round of many web
    comments and few entries reads more of that index, which a staff page can afford)."""
    staff = aliased(User)
    query = (
        sa.select(Comment, staff.name)
        .outerjoin(staff, staff.id == Comment.entered_by_id)
        .where(Comment.round_id == round_id, Comment.channel != Channel.WEB)
        .order_by(Comment.id.desc())
        .limit(limit + 1)
    )
    if cursor:
        (last_id,) = _decode(cursor, 1)
        query = query.where(Comment.id < last_id)
    rows = db.session.execute(query).all()
    items = [AssistedRow(c, name) for c, name in rows[:limit]]
    return AssistedPage(items, _encode(items[-1].comment.id) if len(rows) > limit else None)
