"""The e-mail when a round's deliberation summary is published: one per person who took part or follows.

Everyone who commented, voted or took a stance in the round, and every follower, gets ONE e-mail (key
"summary:<round>:<user>", the same key as notices.notify_summary_published, so nobody gets two), unless they
turned e-mail off. A commenter's e-mail lists each of their visible comments (a link and the date, never the
text: see services' docstring) with the themes it went into and the agency's answer. The queries are constant
in number: the recipients, their comments, and the answers, whatever the size of the round.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from consult.deliberation.models import Summary, SummaryState
from consult.deliberation.services.summary import DISPOSITION_LABELS, answers_for_comments
from consult.extensions import db, write_transaction
from consult.notifications import mail
from consult.notifications.models import RoundFollow
from consult.notifications.services import enqueue, recipient_of
from consult.participation.models import Channel, Comment, CommentStatus, CommentVote, SectionStance
from consult.rounds.models import Round
from consult.timeutil import utcnow


def recipients(round_id: int) -> list[int]:
    """User ids of everyone who took part (web comments, votes, stances) or follows the round (active)."""
    people = sa.union(
        sa.select(Comment.author_id.label("uid")).where(
            Comment.round_id == round_id, Comment.official_role.is_(None), Comment.channel == Channel.WEB
        ),
        sa.select(CommentVote.user_id)
        .join(Comment, Comment.id == CommentVote.comment_id)
        .where(Comment.round_id == round_id),
        sa.select(SectionStance.user_id).where(SectionStance.round_id == round_id),
        sa.select(RoundFollow.user_id).where(RoundFollow.round_id == round_id, RoundFollow.active.is_(True)),
    ).subquery()
    return list(db.session.scalars(sa.select(people.c.uid).order_by(people.c.uid)))


def _comments_by_author(round_id: int) -> dict[int, list[Any]]:
    rows = db.session.execute(
        sa.select(Comment.id, Comment.author_id, Comment.created_at)
        .where(
            Comment.round_id == round_id,
            Comment.status == CommentStatus.VISIBLE,
            Comment.official_role.is_(None),
            Comment.channel == Channel.WEB,
        )
        .order_by(Comment.author_id, Comment.id)
    )
    result: dict[int, list[Any]] = {}
    for row in rows:
        result.setdefault(row.author_id, []).append(row)
    return result


BATCH = 500  # recipients per write transaction: a round of 30,000 people never holds the write lock for long


def notify_summary_participants(rnd: Round, *, batch: int = BATCH) -> int:
    """Queue the "summary published" e-mail for every participant and follower, once each; how many were queued.

    Run by the scheduler after the publication (queue_summary_mails), never inside publish_summary(): one write
    transaction per `batch` recipients, each e-mail keyed so that a run cut short and repeated queues nobody twice.
    """
    summary_url = mail.public_url("summary.summary_page", round_id=rnd.id)
    round_url = mail.public_url("participation.round_page", round_id=rnd.id)
    by_author = _comments_by_author(rnd.id)
    answers = answers_for_comments(rnd.id, [c.id for rows in by_author.values() for c in rows])
    queued = 0
    people = recipients(rnd.id)
    for start in range(0, len(people), batch):
        with write_transaction():
            queued += _queue_batch(rnd, people[start : start + batch], by_author, answers, round_url, summary_url)
    return queued


def _queue_batch(
    rnd: Round,
    people: list[int],
    by_author: dict[int, list[Any]],
    answers: dict[int, list[dict[str, Any]]],
    round_url: str,
    summary_url: str,
) -> int:
    queued = 0
    for user_id in people:
        recipient = recipient_of(user_id)
        if recipient is None:
            continue
        user, locale = recipient
        comments = [
            {
                "url": mail.public_url("participation.comment_page", comment_id=c.id, _anchor=f"c{c.id}"),
                "created_at": c.created_at,
                "answers": answers.get(c.id, []),
            }
            for c in by_author.get(user_id, [])
        ]
        queued += enqueue(
            user,
            locale,
            "summary_published",
            f"summary:{rnd.id}:{user_id}",
            mail.round_scope(rnd.id),
            round=rnd,
            round_url=round_url,
            summary_url=summary_url,
            comments=comments,
            answer_labels=DISPOSITION_LABELS,
        )
    return queued


def queue_summary_mails(now: Any = None) -> dict[str, int]:
    """The scheduler's job: for every published summary whose e-mails are not queued yet (Summary.notified_at is
    NULL), queue them in batches and then record when (notified_at). Idempotent: the e-mails are keyed."""
    round_ids = db.session.scalars(
        sa.select(Summary.round_id)
        .where(Summary.state == SummaryState.PUBLISHED, Summary.notified_at.is_(None))
        .order_by(Summary.round_id)
    ).all()
    queued = 0
    for round_id in round_ids:
        queued += notify_summary_participants(db.session.get(Round, round_id))
        with write_transaction():
            db.session.execute(
                sa.update(Summary)
                .where(Summary.round_id == round_id, Summary.notified_at.is_(None))
                .values(notified_at=utcnow())
            )
    return {"summaries": len(round_ids), "queued": queued}
