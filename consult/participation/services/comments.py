"""Comments and replies: post, edit within 15 minutes, withdraw at any time (audited with the pseudonym and a
SHA-256 of the text, never an e-mail)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from consult import audit, signals
from consult.accounts.models import User
from consult.db import digest, lock_row
from consult.errors import Conflict, Invalid, LoginRequired, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.participation.models import (
    Comment,
    CommentStatus,
    Stance,
)
from consult.participation.services.counts import add_comments_to_tally, move_visible_count, section_in_version
from consult.participation.services.rules import participant_row, require_participation, staff_role, stance_refusal
from consult.participation.services.votes import set_stance_row
from consult.rounds.models import Round, bump_revision
from consult.sanitize import render_comment
from consult.timeutil import utcnow

MAX_COMMENT_CHARS = 2000
EDIT_WINDOW = dt.timedelta(minutes=15)


def clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise Invalid(fields={"body": _l("Write your comment before sending it.")})
    if len(body) > MAX_COMMENT_CHARS:
        raise Invalid(
            fields={
                "body": _l(
                    "Your comment is %(n)s characters long; the limit is %(max)s. Shorten it and send it again.",
                    n=len(body),
                    max=MAX_COMMENT_CHARS,
                )
            }
        )
    return body


def post_comment(
    user: User | None,
    rnd: Round,
    body: str,
    *,
    section_id: int | None = None,
    parent_id: int | None = None,
    stance: str | None = None,
    show_name: bool | None = None,
) -> Comment:
    """Post a comment on a section or on the whole document, or a reply to a comment.

    Anyone who may take part in the round (logged in, round open, verified when the round requires it).
    A reply belongs to the thread of the top-level comment it answers, and to that comment's section; only
    top-level comments carry a stance (which also becomes the author's stance on the section).
    Staff of the round's agency (its moderators and agency admins) post as the agency: the comment records their
    role (official_role) and is shown as the agency's response; they cannot give it a stance.
    Audited as "comment.posted" with the author's pseudonym, "official" and a SHA-256 of the text, never the
    e-mail.
    """
    require_participation(user, rnd)
    body = clean_body(body)
    if stance in ("", None):
        stance = None
    elif stance not in {s.value for s in Stance}:
        raise Invalid(fields={"stance": _l("Choose support, oppose or neutral.")})
    official_role = staff_role(user, rnd.agency_id)
    if stance is not None and official_role is not None:
        raise stance_refusal(user, rnd)
    round_id, version_id = rnd.id, rnd.version_id
    body_html = render_comment(body)  # before the transaction: SQLite's writers wait while it is open
    with write_transaction(keep_loaded=True):  # the answer needs the comment: no reload after COMMIT
        parent = None
        if parent_id is not None:
            parent = db.session.get(Comment, parent_id)
            if parent is None or parent.round_id != round_id:
                raise NotFound(_l("The comment you are replying to does not exist."))
            if parent.parent_id is not None:
                parent = db.session.get(Comment, parent.parent_id)
            if parent.status != CommentStatus.VISIBLE:
                raise Conflict(_l("This comment was withdrawn or hidden; it cannot be answered."))
            parent = lock_row(Comment, parent.id)
            section_id, stance = parent.section_id, None
        elif section_id is not None and not section_in_version(section_id, version_id):
            raise Invalid(fields={"section_id": _l("This section is not part of the document of this round.")})
        participant = participant_row(user, round_id, show_name)
        comment = Comment(
            round_id=round_id,
            section_id=section_id,
            parent_id=parent.id if parent else None,
            participant=participant,
            author_id=user.id,
            stance=stance,
            body=body,
            body_html=body_html,
            official_role=official_role,
        )
        db.session.add(comment)
        if parent is not None:
            parent.reply_count += 1
        if section_id is not None:
            add_comments_to_tally(round_id, section_id, 1)
        # The round's counter, only while it is open: the check above used the copy loaded with the request,
        # this one is made by the database under the row lock that closing the round also takes, so a
        # comment can never land after a close that committed first.
        counted = db.session.execute(
            sa.update(Round)
            .where(Round.id == round_id, Round.is_open_at(utcnow()))
            .values(comment_count=Round.comment_count + 1, public_revision=Round.public_revision + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.expire(rnd)  # changed in SQL: read it again if asked (keep_loaded)
        if not counted:
            db.session.refresh(rnd)
            require_participation(user, rnd)
            raise Conflict(_l("This consultation is closed; it no longer accepts comments, votes or stances."))
        db.session.flush()
        if stance is not None and section_id is not None:
            set_stance_row(user, round_id, section_id, stance)
        # before the audit entry, which holds the audit chain's lock until COMMIT: notifications follows the round
        signals.comment_posted.send(comment, user=user, round=rnd)
        audit.record(
            "comment.posted",
            comment,
            {
                "round_id": round_id,
                "section_id": section_id,
                "parent_id": comment.parent_id,
                "author": participant.pseudonym,
                "stance": stance,
                "official": official_role is not None,
                "official_role": official_role,
                "body_sha256": digest(body),
            },
            actor=participant.pseudonym,
        )
    return comment


def can_edit(user: User | None, comment: Comment, now: dt.datetime | None = None) -> bool:
    """The author may edit a visible comment for 15 minutes after posting it (edit_comment() also requires the
    round to be open; pages hide the link when the viewer may not take part)."""
    now = now or utcnow()
    return (
        user is not None
        and user.is_authenticated
        and comment.author_id == user.id
        and comment.status == CommentStatus.VISIBLE
        and now - comment.created_at <= EDIT_WINDOW
    )


def can_withdraw(user: User | None, comment: Comment) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and comment.author_id == user.id
        and comment.status == CommentStatus.VISIBLE
    )


def edit_comment(user: User | None, comment: Comment, body: str) -> Comment:
    """Replace the text of one's own comment within 15 minutes of posting it. Audited as "comment.edited"."""
    if user is None or not user.is_authenticated:
        raise LoginRequired()
    if comment.author_id != user.id:
        raise NotAllowed(_l("Only its author can edit a comment."))
    body = clean_body(body)
    with write_transaction():
        comment = lock_row(Comment, comment.id)
        require_participation(user, db.session.get(Round, comment.round_id))
        if comment.status != CommentStatus.VISIBLE:
            raise Conflict(_l("This comment is already withdrawn or hidden."))
        if not can_edit(user, comment):
            raise Conflict(_l("A comment can be edited only in the first 15 minutes after posting it."))
        if body == comment.body:
            return comment
        comment.body, comment.body_html, comment.edited_at = body, render_comment(body), utcnow()
        bump_revision(comment.round_id)
        audit.record(
            "comment.edited",
            comment,
            {"round_id": comment.round_id, "body_sha256": digest(body)},
            actor=comment.participant.pseudonym,
        )
    return comment


def withdraw_comment(user: User | None, comment: Comment) -> Comment:
    """Withdraw one's own comment, at any time. Its place stays with a notice; its text is no longer shown.

    Audited as "comment.withdrawn".
    """
    if user is None or not user.is_authenticated:
        raise LoginRequired()
    if comment.author_id != user.id:
        raise NotAllowed(_l("Only its author can withdraw a comment."))
    with write_transaction():
        comment = lock_row(Comment, comment.id)
        if comment.status != CommentStatus.VISIBLE:
            raise Conflict(_l("This comment is already withdrawn or hidden."))
        comment.status, comment.withdrawn_at = CommentStatus.WITHDRAWN, utcnow()
        move_visible_count(comment, -1)
        audit.record(
            "comment.withdrawn",
            comment,
            {"round_id": comment.round_id, "body_sha256": digest(comment.body)},  # which text was withdrawn
            actor=comment.participant.pseudonym,
        )
    return comment


def get_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound()
    return comment
