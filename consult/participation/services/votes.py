"""Votes on comments (agree, disagree, pass) and stances on sections: one per person, changeable, counted."""

from __future__ import annotations

import sqlalchemy as sa

from consult.accounts.models import User
from consult.db import lock_row
from consult.documents.models import Section
from consult.errors import Conflict, Invalid, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.participation.models import (
    Comment,
    CommentStatus,
    CommentVote,
    SectionStance,
    SectionStats,
    Stance,
)
from consult.participation.services.counts import stats_row
from consult.participation.services.rules import participant_row, require_participation, stance_refusal
from consult.rounds.models import Round, bump_revision
from consult.timeutil import utcnow

_VOTE_COLUMN = {1: "agree_count", -1: "disagree_count", 0: "pass_count"}


def vote(user: User | None, comment: Comment, value: int) -> Comment:
    """Agree (1), disagree (-1) or pass (0) on someone else's visible comment; changing it replaces it.

    One vote per person and comment (UNIQUE); repeating the same vote changes nothing. The comment row is
    locked while its counters move by the delta, so counts always equal COUNT(*) of the votes. Staff of the
    round's agency do not vote in its consultations (stance_refusal).
    """
    if value not in _VOTE_COLUMN:
        raise Invalid(fields={"value": _l("A vote is 1 (agree), -1 (disagree) or 0 (pass).")})
    rnd = db.session.get(Round, comment.round_id)
    require_participation(user, rnd)
    refusal = stance_refusal(user, rnd)
    if refusal is not None:
        raise refusal
    if comment.author_id == user.id:
        raise NotAllowed(_l("You cannot vote on your own comment."))
    with write_transaction():
        comment = lock_row(Comment, comment.id)
        if comment.status != CommentStatus.VISIBLE:
            raise Conflict(_l("This comment was withdrawn or hidden; it cannot be voted on."))
        require_participation(user, db.session.get(Round, comment.round_id))
        existing = db.session.scalar(sa.select(CommentVote).filter_by(comment_id=comment.id, user_id=user.id))
        if existing is not None and existing.value == value:
            return comment
        if existing is None:
            participant_row(user, rnd.id)
            db.session.add(CommentVote(comment_id=comment.id, user_id=user.id, value=value))
        else:
            old = _VOTE_COLUMN[existing.value]
            setattr(comment, old, getattr(comment, old) - 1)
            existing.value, existing.updated_at = value, utcnow()
        new = _VOTE_COLUMN[value]
        setattr(comment, new, getattr(comment, new) + 1)
        bump_revision(comment.round_id)  # the counts on the round page
    return comment


def set_stance_row(user: User, round_id: int, section_id: int, value: str) -> SectionStats:
    stats = stats_row(round_id, section_id)
    existing = db.session.scalar(
        sa.select(SectionStance).filter_by(round_id=round_id, section_id=section_id, user_id=user.id)
    )
    if existing is not None and existing.value == value:
        return stats
    if existing is None:
        db.session.add(SectionStance(round_id=round_id, section_id=section_id, user_id=user.id, value=value))
    else:
        setattr(stats, existing.value, getattr(stats, existing.value) - 1)
        existing.value, existing.updated_at = value, utcnow()
    setattr(stats, value, getattr(stats, value) + 1)
    return stats


def set_stance(user: User | None, rnd: Round, section_id: int, value: str) -> SectionStats:
    """Take (or change) one's stance on a section: support, oppose or neutral. One per person, section, round.

    Not for staff of the round's agency (stance_refusal): the agency takes no stance on its own draft."""
    if value not in {s.value for s in Stance}:
        raise Invalid(fields={"value": _l("Choose support, oppose or neutral.")})
    require_participation(user, rnd)
    refusal = stance_refusal(user, rnd)
    if refusal is not None:
        raise refusal
    section = db.session.get(Section, section_id)
    if section is None or section.version_id != rnd.version_id:
        raise NotFound(_l("This section is not part of the document of this round."))
    with write_transaction():
        rnd = db.session.get(Round, rnd.id)
        require_participation(user, rnd)
        participant_row(user, rnd.id)
        stats = set_stance_row(user, rnd.id, section_id, value)
        bump_revision(rnd.id)  # the section's tally on the round page
    return stats
