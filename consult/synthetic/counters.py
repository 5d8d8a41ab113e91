"""Set-based recounts of a round's cached counters after a bulk load, and PostgreSQL's VACUUM ANALYZE."""

from __future__ import annotations

import sqlalchemy as sa

from consult.extensions import db
from consult.participation.models import Comment, CommentStatus, CommentVote, SectionStance, SectionStats
from consult.rounds.models import Round


def recount(round_id: int) -> None:
    """Set every cached counter of a round to COUNT(*) of the rows it counts, set-based (no row loop).

    comments.agree/disagree/pass_count: votes by value; comments.reply_count: replies (any status);
    section_stats.support/oppose/neutral: stances; section_stats.comments and rounds.comment_count: visible
    comments and replies. Missing section_stats rows are created for every section with activity.
    Call inside a write transaction.
    """
    c, v = Comment.__table__, CommentVote.__table__
    st, ss = SectionStance.__table__, SectionStats.__table__
    execute = db.session.execute
    in_round = c.c.round_id == round_id

    # comments: what every counter should be (LEFT JOINs: 0 when nothing is counted), written where it differs
    votes = (
        sa.select(
            v.c.comment_id,
            sa.func.sum(sa.case((v.c.value == 1, 1), else_=0)).label("agree"),
            sa.func.sum(sa.case((v.c.value == -1, 1), else_=0)).label("disagree"),
            sa.func.sum(sa.case((v.c.value == 0, 1), else_=0)).label("pass_"),
        )
        .where(v.c.comment_id.in_(sa.select(c.c.id).where(in_round)))
        .group_by(v.c.comment_id)
        .subquery("votes")
    )
    reply = c.alias("reply")
    replies = (
        sa.select(reply.c.parent_id, sa.func.count().label("n"))
        .where(reply.c.round_id == round_id, reply.c.parent_id.is_not(None))
        .group_by(reply.c.parent_id)
        .subquery("replies")
    )
    one = c.alias("one")
    want = (
        sa.select(
            one.c.id,
            sa.func.coalesce(votes.c.agree, 0).label("agree"),
            sa.func.coalesce(votes.c.disagree, 0).label("disagree"),
            sa.func.coalesce(votes.c.pass_, 0).label("pass_"),
            sa.func.coalesce(replies.c.n, 0).label("replies"),
        )
        .select_from(
            one.outerjoin(votes, votes.c.comment_id == one.c.id).outerjoin(replies, replies.c.parent_id == one.c.id)
        )
        .where(one.c.round_id == round_id)
        .subquery("want")
    )
    execute(
        sa.update(c)
        .where(
            c.c.id == want.c.id,
            sa.or_(
                c.c.agree_count != want.c.agree,
                c.c.disagree_count != want.c.disagree,
                c.c.pass_count != want.c.pass_,
                c.c.reply_count != want.c.replies,
            ),
        )
        .values(
            agree_count=want.c.agree,
            disagree_count=want.c.disagree,
            pass_count=want.c.pass_,
            reply_count=want.c.replies,
        )
    )

    # section_stats: one row per section with activity, then reset and set from the aggregates
    active = set(
        db.session.scalars(sa.select(c.c.section_id).where(in_round, c.c.section_id.is_not(None)).distinct())
    ) | set(db.session.scalars(sa.select(st.c.section_id).where(st.c.round_id == round_id).distinct()))
    existing = set(db.session.scalars(sa.select(ss.c.section_id).where(ss.c.round_id == round_id)))
    missing = sorted(active - existing)
    if missing:
        execute(
            sa.insert(ss),
            [
                {"round_id": round_id, "section_id": sid, "support": 0, "oppose": 0, "neutral": 0, "comments": 0}
                for sid in missing
            ],
        )
    execute(sa.update(ss).where(ss.c.round_id == round_id).values(support=0, oppose=0, neutral=0, comments=0))
    stance_tally = (
        sa.select(
            st.c.section_id,
            sa.func.sum(sa.case((st.c.value == "support", 1), else_=0)).label("support"),
            sa.func.sum(sa.case((st.c.value == "oppose", 1), else_=0)).label("oppose"),
            sa.func.sum(sa.case((st.c.value == "neutral", 1), else_=0)).label("neutral"),
        )
        .where(st.c.round_id == round_id)
        .group_by(st.c.section_id)
        .subquery("stance_tally")
    )
    execute(
        sa.update(ss)
        .where(ss.c.round_id == round_id, ss.c.section_id == stance_tally.c.section_id)
        .values(support=stance_tally.c.support, oppose=stance_tally.c.oppose, neutral=stance_tally.c.neutral)
    )
    visible = c.c.status == CommentStatus.VISIBLE.value
    section_comments = (
        sa.select(c.c.section_id, sa.func.count().label("n"))
        .where(in_round, visible, c.c.section_id.is_not(None))
        .group_by(c.c.section_id)
        .subquery("section_comments")
    )
    execute(
        sa.update(ss)
        .where(ss.c.round_id == round_id, ss.c.section_id == section_comments.c.section_id)
        .values(comments=section_comments.c.n)
    )

    # rounds.comment_count: visible comments and replies
    r = Round.__table__
    execute(
        sa.update(r)
        .where(r.c.id == round_id)
        .values(comment_count=sa.select(sa.func.count()).select_from(c).where(in_round, visible).scalar_subquery())
    )


def analyze() -> None:
    """Leave PostgreSQL in the state a live database settles in: VACUUM (visibility map, so index-only scans
    work) and ANALYZE (planner statistics). Otherwise autovacuum does it a minute later, in the middle of
    whatever is being measured. SQLite needs neither."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    tables = ", ".join(("users", "participants", "comments", "comment_votes", "section_stances", "section_stats"))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # outside any transaction
        conn.execute(sa.text(f"VACUUM (ANALYZE) {tables}"))
