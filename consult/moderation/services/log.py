"""The public moderation log: each decision's row (moderation_actions) and its audit entry, under the
moderator's stable pseudonym; and telling the comment's author, through a signal that notifications hears."""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from consult import audit, signals
from consult.accounts.models import User
from consult.db import digest, insert_or_nothing
from consult.extensions import db
from consult.moderation.models import (
    SYSTEM_MODERATOR,
    Action,
    Appeal,
    HouseRule,
    ModerationAction,
    ModeratorAlias,
)
from consult.participation.models import Block, Comment
from consult.participation.services import PSEUDONYM_ALPHABET
from consult.timeutil import utcnow


def moderator_pseudonym(user: User, agency_id: int) -> str:
    """The moderator's stable public name in this agency (Moderator-XXXXX), created at their first action.

    INSERT … ON CONFLICT DO NOTHING, as for participants' pseudonyms: two first actions at once share one row.
    """
    query = sa.select(ModeratorAlias.pseudonym).filter_by(agency_id=agency_id, user_id=user.id)
    pseudonym = db.session.scalar(query)
    for _attempt in range(20):
        if pseudonym is not None:
            return pseudonym
        candidate = "Moderator-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(5))
        insert_or_nothing(
            ModeratorAlias, agency_id=agency_id, user_id=user.id, pseudonym=candidate, created_at=utcnow()
        )
        pseudonym = db.session.scalar(query)
    if pseudonym is None:  # pragma: no cover - 20 pseudonyms taken in a row
        raise RuntimeError("could not create the moderator's pseudonym")
    return pseudonym


AUDIT_ACTIONS = {
    Action.HIDE: "comment.hidden",
    Action.RESTORE: "comment.restored",
    Action.AUTO_HIDE: "comment.auto_hidden",
    Action.DISMISS: "comment.reports_dismissed",
    Action.APPEAL_UPHELD: "appeal.decided",
    Action.APPEAL_REJECTED: "appeal.decided",
    Action.BLOCK: "participant.blocked",
    Action.UNBLOCK: "participant.unblocked",
}


def log_action(
    action: Action,
    *,
    agency_id: int,
    moderator: User | None,
    reason: str,
    comment: Comment | None = None,
    round_id: int | None = None,
    rule: HouseRule | None = None,
    participant: str | None = None,
    until: dt.datetime | None = None,
    block: Block | None = None,
    appeal: Appeal | None = None,
    data: dict | None = None,
) -> ModerationAction:
    """Append the action to the public moderation log and the audit chain (inside the caller's transaction)."""
    label = SYSTEM_MODERATOR if moderator is None else moderator_pseudonym(moderator, agency_id)
    entry = ModerationAction(
        action=action,
        agency_id=agency_id,
        round_id=comment.round_id if comment is not None else round_id,
        comment_id=comment.id if comment is not None else None,
        rule_id=rule.id if rule else None,
        rule_number=rule.number if rule else None,
        rule_title=rule.title if rule else None,
        reason=reason,
        moderator_id=moderator.id if moderator is not None else None,
        moderator=label,
        participant=participant,
        until=until,
        block_id=block.id if block is not None else None,
        appeal_id=appeal.id if appeal is not None else None,
    )
    db.session.add(entry)
    db.session.flush()
    record = {
        "moderation_action_id": entry.id,
        "action": str(action),
        "round_id": entry.round_id,
        "comment_id": entry.comment_id,
        "rule": entry.rule_number,
        "rule_title": entry.rule_title,
        "reason": reason,
        "moderator": label,
        **(data or {}),
    }
    if comment is not None:
        record["body_sha256"] = digest(comment.body)  # which text was decided on; never the text
        record["official"] = comment.is_official  # a decision on the agency's own response
    subject = block if block is not None else comment
    audit.record(AUDIT_ACTIONS[action], subject, record, actor="system" if moderator is None else label)
    return entry


def notify_author(comment: Comment, action: ModerationAction) -> None:
    """Announce a decision on a comment to whoever tells its author (notifications e-mails them): hidden (by a
    moderator or automatically, with the rule and the reason, never the hidden text) or visible again
    (restored, or appeal upheld).

    Called inside the decision's transaction, after its log row and audit entry: what the receivers queue
    commits or rolls back with the decision, and the log row's id tells two decisions on one comment apart
    (the outbox's unique key). A rejected appeal changes nothing visible; the author sees the outcome on the
    comment's page and on their profile (/profil/moderasi).
    """
    db.session.flush()  # the log row's id
    if action.action in (Action.HIDE, Action.AUTO_HIDE):
        if action.rule_number is not None:
            rule = f"{action.rule_number}. {action.rule_title}"
        else:
            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
                rule = str(_("none yet: hidden automatically after reports, pending review"))
        signals.comment_hidden.send(comment, rule=rule, reason=action.reason, occurrence=action.id)
    elif action.action in (Action.RESTORE, Action.APPEAL_UPHELD):
        signals.comment_restored.send(comment, occurrence=action.id)
