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

from consult.deliberation.services.summary import DISPOSITION_LABELS, answers_for_comments
from consult.extensions import db
from consult.notifications import mail
from consult.notifications.models import RoundFollow
from consult.notifications.services import enqueue, recipient_of
from consult.participation.models import Channel, Comment, CommentStatus, CommentVote, SectionStance
from consult.rounds.models import Round


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


def notify_summary_participants(rnd: Round) -> int:
    """Queue the "summary published" e-mail for every participant and follower, once each; how many were queued.
    Called inside publish_summary()'s transaction (signals.summary_published)."""
    summary_url = mail.public_url("summary.summary_page", round_id=rnd.id)
    round_url = mail.public_url("participation.round_page", round_id=rnd.id)
    by_author = _comments_by_author(rnd.id)
    answers = answers_for_comments(rnd.id, [c.id for rows in by_author.values() for c in rows])
    queued = 0
    for user_id in recipients(rnd.id):
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
