"""Blocks: keeping a person out of one agency's rounds until a time, with a reason, in the public log."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.db import lock_row
from consult.errors import Conflict, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import format_localtime
from consult.i18n import lazy_gettext as _l
from consult.moderation.models import Action
from consult.moderation.services.common import (
    MAX_BLOCK_DAYS,
    cited_rule,
    clean_reason,
    comment_agency,
    raise_if,
    require_moderator,
)
from consult.moderation.services.log import log_action
from consult.participation.models import Block, Comment
from consult.timeutil import iso_utc, utcnow


def default_block_end() -> dt.datetime:
    """What the block form proposes: a week from now."""
    return utcnow() + dt.timedelta(days=7)


def get_block(block_id: int) -> Block:
    block = db.session.get(Block, block_id)
    if block is None:
        raise NotFound()
    return block


def block_author(
    user: User | None, comment: Comment, until: dt.datetime | None, reason: str, rule: object = None
) -> Block:
    """Keep the author of a comment out of the agency's rounds until a time (naive UTC), with a reason.

    Moderators of the comment's agency. The public log names the person by their pseudonym in the comment's
    round only. Logged as "block", audited as "participant.blocked".
    """
    agency = comment_agency(comment)
    require_moderator(user, agency)
    errors: dict = {}
    reason = clean_reason(reason, errors)
    now = utcnow()
    if until is None:
        errors["until"] = _l("Enter until when the block lasts.")
    elif until <= now:
        errors["until"] = _l("The end of the block must be in the future.")
    elif until - now > dt.timedelta(days=MAX_BLOCK_DAYS):
        errors["until"] = _l("A block lasts at most %(n)s days.", n=MAX_BLOCK_DAYS)
    with write_transaction():
        cited = cited_rule(agency.id, rule, errors, required=False)
        raise_if(errors)
        comment = db.session.get(Comment, comment.id)
        if comment.author_id == user.id:
            raise Conflict(_l("You cannot block yourself."))
        current = Block.active_for(comment.author_id, agency.id, now)
        if current is not None:
            raise Conflict(
                _l(
                    "This person is already blocked until %(until)s. Unblock them first to change the block.",
                    until=format_localtime(current.until, agency.timezone),
                )
            )
        pseudonym = comment.participant.pseudonym
        block = Block(
            agency_id=agency.id,
            user_id=comment.author_id,
            comment_id=comment.id,
            round_id=comment.round_id,
            pseudonym=pseudonym,
            reason=reason,
            until=until,
            created_by_id=user.id,
        )
        db.session.add(block)
        # the person's row tells participation to look the blocks up until then (see block_refusal)
        db.session.execute(
            sa.update(User)
            .where(User.id == comment.author_id, sa.or_(User.blocked_until.is_(None), User.blocked_until < until))
            .values(blocked_until=until)
        )
        db.session.flush()
        log_action(
            Action.BLOCK,
            agency_id=agency.id,
            moderator=user,
            reason=reason,
            round_id=comment.round_id,
            rule=cited,
            participant=pseudonym,
            until=until,
            block=block,
            data={"comment_id": comment.id, "participant": pseudonym, "until": iso_utc(until)},
        )
    return block


def unblock(user: User | None, block: Block, reason: str) -> Block:
    """End a block early, with a reason. Moderators of its agency. Logged as "unblock", audited as
    "participant.unblocked"."""
    agency = db.session.get(Agency, block.agency_id)
    require_moderator(user, agency)
    errors: dict = {}
    reason = clean_reason(reason, errors)
    raise_if(errors)
    with write_transaction():
        block = lock_row(Block, block.id)
        if not block.is_active_at(utcnow()):
            raise Conflict(_l("This block has already ended."))
        block.lifted_at, block.lifted_by_id = utcnow(), user.id
        log_action(
            Action.UNBLOCK,
            agency_id=agency.id,
            moderator=user,
            reason=reason,
            round_id=block.round_id,
            participant=block.pseudonym,
            until=block.until,
            block=block,
            data={"comment_id": block.comment_id, "participant": block.pseudonym},
        )
    return block
