"""The cached counters participation keeps in step: a section's tally (stances, comments) and the round's and
section's count of visible comments, moved by the delta of each change under the row's lock."""

from __future__ import annotations

import sqlalchemy as sa

from consult.db import insert_or_nothing
from consult.documents.models import Section
from consult.documents.published import published_version
from consult.extensions import db
from consult.participation.models import (
    Comment,
    SectionStats,
)
from consult.rounds.models import Round


def stats_row(round_id: int, section_id: int) -> SectionStats:
    """The tally row of a section in a round, created on first use without a race, and locked."""
    values = {"round_id": round_id, "section_id": section_id, "support": 0, "oppose": 0, "neutral": 0, "comments": 0}
    insert_or_nothing(SectionStats, index_elements=["round_id", "section_id"], **values)
    return db.session.scalar(
        sa.select(SectionStats)
        .filter_by(round_id=round_id, section_id=section_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


# Written as text: SQLAlchemy cannot cache the compiled form of a dialect insert with ON CONFLICT (its log says
# "[no key]"), and compiling it again on every comment was about a tenth of a post. Same SQL on both databases.
_TALLY_UPSERT = sa.text(
    "INSERT INTO section_stats (round_id, section_id, support, oppose, neutral, comments) "
    "VALUES (:round_id, :section_id, 0, 0, 0, :start) "
    "ON CONFLICT (round_id, section_id) DO UPDATE SET comments = section_stats.comments + :delta"
)


def add_comments_to_tally(round_id: int, section_id: int, delta: int) -> None:
    """Move a section's comment count by `delta` in one statement (an upsert: the row may not exist yet)."""
    db.session.execute(
        _TALLY_UPSERT, {"round_id": round_id, "section_id": section_id, "start": max(delta, 0), "delta": delta}
    )


def section_in_version(section_id: int, version_id: int) -> bool:
    """Whether the section belongs to the round's (published) document version; from memory after a first read."""
    version = published_version(version_id)
    if version is not None:
        return section_id in version.section_ids
    return db.session.scalar(sa.select(Section.version_id).where(Section.id == section_id)) == version_id


def move_visible_count(comment: Comment, delta: int) -> None:
    """Move the cached counts of visible comments (the round's, and its section's) by `delta` when a comment
    stops or starts being visible: withdrawn by its author, hidden or restored by a moderator."""
    if comment.section_id is not None:
        add_comments_to_tally(comment.round_id, comment.section_id, delta)
    db.session.execute(
        sa.update(Round)
        .where(Round.id == comment.round_id)
        .values(comment_count=Round.comment_count + delta, public_revision=Round.public_revision + 1)
    )
