"""Participation rules: who may take part in a round, and the comment, vote, stance and report actions.

Every write runs in one write transaction. Counters are updated by the delta of the change while the row
that holds them is locked (BEGIN IMMEDIATE on SQLite, SELECT … FOR UPDATE on PostgreSQL), so concurrent
votes can neither create duplicates (UNIQUE constraints) nor lose an update.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import sqlalchemy as sa
from flask import current_app

from consult import audit, signals
from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.db import digest, insert_or_nothing, lock_row
from consult.documents.models import Section
from consult.documents.published import published_version
from consult.errors import Conflict, Invalid, LoginRequired, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import format_localtime
from consult.i18n import lazy_gettext as _l
from consult.participation.models import (
    Block,
    Comment,
    CommentStatus,
    CommentVote,
    Participant,
    Report,
    SectionStance,
    SectionStats,
    Stance,
)
from consult.rounds.models import Round, RoundState
from consult.sanitize import render_comment
from consult.timeutil import utcnow

MAX_COMMENT_CHARS = 2000
MAX_REASON_CHARS = 500
EDIT_WINDOW = dt.timedelta(minutes=15)
PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


# --- who may take part -------------------------------------------------------------------------------------


def participation_refusal(user: User | None, rnd: Round) -> ServiceErrorLike | None:
    """Why `user` may not take part in `rnd` now (an error to raise or show), or None when they may."""
    # is_anonymous, not is_authenticated: Flask-Login's is_authenticated is False for a blocked account too,
    # and a blocked citizen must be told that, not asked to log in.
    if user is None or user.is_anonymous:
        return LoginRequired(_l("Log in or register to take part in this consultation."))
    if not user.is_active:
        return NotAllowed(_l("Your account is blocked, so you cannot take part."))
    if not user.is_confirmed:
        return NotAllowed(UNCONFIRMED_MESSAGE)
    blocked = block_refusal(user, rnd.agency)
    if blocked is not None:
        return blocked
    state = rnd.state
    if state == RoundState.SCHEDULED:
        return Conflict(_l("This consultation has not opened yet. Come back when it opens."))
    if state == RoundState.CLOSED:
        return Conflict(_l("This consultation is closed; it no longer accepts comments, votes or stances."))
    if rnd.verified_only and not user.is_verified:
        return NotAllowed(
            _l("Only verified citizens may take part in this consultation. Ask the agency to verify your account.")
        )
    return None


ServiceErrorLike = LoginRequired | NotAllowed | Conflict
# consult.accounts: a self-registered account takes part once its address is confirmed (the page's banner has the
# button that sends the link again)
UNCONFIRMED_MESSAGE = _l(
    "Confirm your e-mail address first: open the link in the e-mail we sent you. No e-mail? Use the button "
    "“Send the confirmation e-mail again” at the top of the page."
)


def block_refusal(user: User, agency: Agency) -> NotAllowed | None:
    """The refusal for a person a moderator has kept out of this agency's rounds (consult.moderation), or None.

    No query for a person never blocked, or whose longest block is over (users.blocked_until, loaded with the
    user); one indexed query otherwise. The message says why and until when (in the agency's time zone).
    """
    if user.blocked_until is None or user.blocked_until <= utcnow():
        return None
    block = Block.active_for(user.id, agency.id)
    if block is None:
        return None
    return NotAllowed(
        _l(
            "A moderator has blocked you from taking part in this agency's consultations until %(until)s. "
            "Reason: %(reason)s",
            until=format_localtime(block.until, agency.timezone),
            reason=block.reason,
        )
    )


def require_participation(user: User | None, rnd: Round) -> None:
    refusal = participation_refusal(user, rnd)
    if refusal is not None:
        raise refusal


def _participant(user: User, round_id: int, show_name: bool | None = None) -> Participant:
    """The user's participant row in the round, created with a fresh pseudonym at first participation.

    Created with INSERT … ON CONFLICT DO NOTHING: when one person's first two actions in a round race (two
    tabs, a double click) on PostgreSQL, the second waits for the first and then uses its row instead of
    failing on UNIQUE (round_id, user_id). A pseudonym already taken in the round inserts nothing either,
    and another one is drawn.
    """
    query = sa.select(Participant).filter_by(round_id=round_id, user_id=user.id)
    participant = db.session.scalar(query)
    if participant is None:
        chosen = user.show_name if show_name is None else show_name
        for _attempt in range(20):
            pseudonym = "Warga-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(5))
            insert_or_nothing(Participant, round_id=round_id, user_id=user.id, pseudonym=pseudonym, show_name=chosen)
            participant = db.session.scalar(query)
            if participant is not None:
                break
        else:  # pragma: no cover - 20 pseudonyms taken in a row, or a snapshot that cannot see the winner's row
            raise RuntimeError("could not create the participant row")
    if show_name is not None and participant.show_name != show_name:
        participant.show_name = show_name
    return participant


def shows_name(user: User | None, round_id: int) -> bool:
    """Whether the comment form starts with "show my name" ticked: the choice the person made in this round (one
    indexed query), else their account's default. Starting from the account's default instead would switch a
    person who chose otherwise in this round back on their next comment, for all their comments in the round."""
    if user is None or not user.is_authenticated:
        return False
    chosen = db.session.scalar(sa.select(Participant.show_name).filter_by(round_id=round_id, user_id=user.id))
    return bool(user.show_name if chosen is None else chosen)


def _stats_row(round_id: int, section_id: int) -> SectionStats:
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


def _add_comments_to_tally(round_id: int, section_id: int, delta: int) -> None:
    """Move a section's comment count by `delta` in one statement (an upsert: the row may not exist yet)."""
    db.session.execute(
        _TALLY_UPSERT, {"round_id": round_id, "section_id": section_id, "start": max(delta, 0), "delta": delta}
    )


def _section_in_version(section_id: int, version_id: int) -> bool:
    """Whether the section belongs to the round's (published) document version; from memory after a first read."""
    version = published_version(version_id)
    if version is not None:
        return section_id in version.section_ids
    return db.session.scalar(sa.select(Section.version_id).where(Section.id == section_id)) == version_id


def move_visible_count(comment: Comment, delta: int) -> None:
    """Move the cached counts of visible comments (the round's, and its section's) by `delta` when a comment
    stops or starts being visible: withdrawn by its author, hidden or restored by a moderator."""
    if comment.section_id is not None:
        _add_comments_to_tally(comment.round_id, comment.section_id, delta)
    db.session.execute(
        sa.update(Round).where(Round.id == comment.round_id).values(comment_count=Round.comment_count + delta)
    )


# --- comments --------------------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
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
    Audited as "comment.posted" with the author's pseudonym and a SHA-256 of the text, never the e-mail.
    """
    require_participation(user, rnd)
    body = _clean_body(body)
    if stance in ("", None):
        stance = None
    elif stance not in {s.value for s in Stance}:
        raise Invalid(fields={"stance": _l("Choose support, oppose or neutral.")})
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
        elif section_id is not None and not _section_in_version(section_id, version_id):
            raise Invalid(fields={"section_id": _l("This section is not part of the document of this round.")})
        participant = _participant(user, round_id, show_name)
        comment = Comment(
            round_id=round_id,
            section_id=section_id,
            parent_id=parent.id if parent else None,
            participant=participant,
            author_id=user.id,
            stance=stance,
            body=body,
            body_html=body_html,
        )
        db.session.add(comment)
        if parent is not None:
            parent.reply_count += 1
        if section_id is not None:
            _add_comments_to_tally(round_id, section_id, 1)
        # The round's counter, only while it is open: the check above used the copy loaded with the request,
        # this one is made by the database under the row lock that closing the round also takes, so a
        # comment can never land after a close that committed first.
        counted = db.session.execute(
            sa.update(Round)
            .where(Round.id == round_id, Round.is_open_at(utcnow()))
            .values(comment_count=Round.comment_count + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.expire(rnd)  # changed in SQL: read it again if asked (keep_loaded)
        if not counted:
            db.session.refresh(rnd)
            require_participation(user, rnd)
            raise Conflict(_l("This consultation is closed; it no longer accepts comments, votes or stances."))
        db.session.flush()
        if stance is not None and section_id is not None:
            _set_stance(user, round_id, section_id, stance)
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
    body = _clean_body(body)
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


# --- votes and stances -------------------------------------------------------------------------------------

_VOTE_COLUMN = {1: "agree_count", -1: "disagree_count", 0: "pass_count"}


def vote(user: User | None, comment: Comment, value: int) -> Comment:
    """Agree (1), disagree (-1) or pass (0) on someone else's visible comment; changing it replaces it.

    One vote per person and comment (UNIQUE); repeating the same vote changes nothing. The comment row is
    locked while its counters move by the delta, so counts always equal COUNT(*) of the votes.
    """
    if value not in _VOTE_COLUMN:
        raise Invalid(fields={"value": _l("A vote is 1 (agree), -1 (disagree) or 0 (pass).")})
    rnd = db.session.get(Round, comment.round_id)
    require_participation(user, rnd)
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
            _participant(user, rnd.id)
            db.session.add(CommentVote(comment_id=comment.id, user_id=user.id, value=value))
        else:
            old = _VOTE_COLUMN[existing.value]
            setattr(comment, old, getattr(comment, old) - 1)
            existing.value, existing.updated_at = value, utcnow()
        new = _VOTE_COLUMN[value]
        setattr(comment, new, getattr(comment, new) + 1)
    return comment


def _set_stance(user: User, round_id: int, section_id: int, value: str) -> SectionStats:
    stats = _stats_row(round_id, section_id)
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
    """Take (or change) one's stance on a section: support, oppose or neutral. One per person, section, round."""
    if value not in {s.value for s in Stance}:
        raise Invalid(fields={"value": _l("Choose support, oppose or neutral.")})
    require_participation(user, rnd)
    section = db.session.get(Section, section_id)
    if section is None or section.version_id != rnd.version_id:
        raise NotFound(_l("This section is not part of the document of this round."))
    with write_transaction():
        rnd = db.session.get(Round, rnd.id)
        require_participation(user, rnd)
        _participant(user, rnd.id)
        stats = _set_stance(user, rnd.id, section_id, value)
    return stats


# --- reports ------------------------------------------------------------------------------------------------


def address_key(address: str | None) -> str | None:
    """A keyed hash of a client address (HMAC with the site's secret key, 128 bits): lets moderation count
    distinct addresses among reports without storing any address."""
    if not address:
        return None
    key = current_app.secret_key
    key = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(key, b"report-address:" + address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def report_comment(user: User | None, comment: Comment, reason: str, *, address: str | None = None) -> Report:
    """Report someone else's comment to the moderators, with a reason. Once per person and comment.

    Allowed while the comment is visible, also after the round closed (unlawful content must stay
    reportable), but not to a person blocked from the agency's rounds. Reports are for moderators: not audited
    here (moderation decisions are); the report_filed signal's receivers run in the same transaction (the
    moderation queue, and the auto-hide once enough reports carry weight). `address` is the client's
    address, stored only as a keyed hash (address_key) so that many accounts at one address count once.
    """
    if user is None or user.is_anonymous:
        raise LoginRequired(_l("Log in to report a comment."))
    if not user.is_active:
        raise NotAllowed(_l("Your account is blocked, so you cannot take part."))
    if not user.is_confirmed:
        raise NotAllowed(UNCONFIRMED_MESSAGE)
    reason = " ".join((reason or "").split())
    if len(reason) < 3:
        raise Invalid(fields={"reason": _l("Say briefly why this comment breaks the rules.")})
    if len(reason) > MAX_REASON_CHARS:
        raise Invalid(fields={"reason": _l("Use at most %(n)s characters.", n=MAX_REASON_CHARS)})
    if comment.author_id == user.id:
        raise NotAllowed(_l("You cannot report your own comment; you can withdraw it instead."))
    with write_transaction():
        comment = lock_row(Comment, comment.id)
        if comment.status != CommentStatus.VISIBLE:
            raise Conflict(_l("This comment was withdrawn or hidden already."))
        if db.session.scalar(sa.select(Report.id).filter_by(comment_id=comment.id, user_id=user.id)):
            raise Conflict(_l("You have already reported this comment. The moderators will look at it."))
        blocked = block_refusal(user, db.session.get(Round, comment.round_id).agency)
        if blocked is not None:
            raise blocked
        report = Report(comment_id=comment.id, user_id=user.id, reason=reason, address_key=address_key(address))
        db.session.add(report)
        comment.report_count += 1
        db.session.flush()
        signals.report_filed.send(comment, report=report)  # moderation queues it, and may hide the comment
    return report
