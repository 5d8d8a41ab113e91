"""Decisions on a comment: hide, restore, dismiss its reports (and the API's one call for hide/restore)."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa

from consult.accounts.models import User
from consult.db import lock_row
from consult.errors import Conflict, Invalid
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.moderation.models import Action, Appeal, AppealOutcome, HouseRule, QueueEntry
from consult.moderation.services.common import cited_rule, clean_reason, comment_agency, raise_if, require_moderator
from consult.moderation.services.log import log_action, notify_author
from consult.participation import services as participation
from consult.participation.models import Comment, CommentStatus, Report
from consult.rounds.models import bump_revision
from consult.timeutil import utcnow


def hide(comment: Comment, *, rule: HouseRule | None, reason: str) -> None:
    if comment.status == CommentStatus.VISIBLE:
        participation.move_visible_count(comment, -1)
        comment.hidden_at = utcnow()
    comment.status = CommentStatus.HIDDEN
    bump_revision(comment.round_id)  # the notice in its place names the rule and the reason
    comment.moderation_rule = rule.number if rule else None
    comment.moderation_rule_title = rule.title if rule else None
    comment.moderation_reason = reason


def show(comment: Comment) -> None:
    if comment.status == CommentStatus.HIDDEN:
        participation.move_visible_count(comment, +1)
    comment.status = CommentStatus.VISIBLE
    bump_revision(comment.round_id)
    comment.hidden_at = comment.moderation_rule = comment.moderation_rule_title = comment.moderation_reason = None


def locked_comment(comment: Comment) -> Comment:
    return lock_row(Comment, comment.id)


def handle_reports(comment: Comment) -> int:
    """Mark the comment's open reports handled and take it out of the queue; how many were open."""
    handled = db.session.execute(
        sa.update(Report)
        .where(Report.comment_id == comment.id, Report.handled_at.is_(None))
        .values(handled_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(sa.delete(QueueEntry).where(QueueEntry.comment_id == comment.id))
    return handled


@contextlib.contextmanager
def _comment_decision(user: User | None, comment: Comment, rule: object, reason: object, *, rule_required: bool):
    """What hide, restore and dismiss share: a moderator of the comment's agency, a reason and a citable rule
    (every input error reported at once), then one write transaction with the comment row locked.
    Yields (agency, the cited rule or None, the locked comment, the cleaned reason)."""
    agency = comment_agency(comment)
    require_moderator(user, agency)
    errors: dict = {}
    reason = clean_reason(reason, errors)
    with write_transaction():
        cited = cited_rule(agency.id, rule, errors, required=rule_required)
        raise_if(errors)
        yield agency, cited, locked_comment(comment), reason


def hide_comment(user: User | None, comment: Comment, rule: object, reason: str) -> Comment:
    """Hide a comment, citing a house rule of the agency and a reason. Moderators of the comment's agency.

    Its place stays with a notice citing the rule and the reason; its text is no longer shown anywhere. Also
    confirms a comment hidden automatically (pending review). Its open reports are handled. Logged as "hide",
    audited as "comment.hidden".
    """
    with _comment_decision(user, comment, rule, reason, rule_required=True) as (agency, cited, comment, reason):
        if comment.status == CommentStatus.WITHDRAWN:
            raise Conflict(_l("This comment was withdrawn by its author; there is nothing to hide."))
        if comment.status == CommentStatus.HIDDEN and comment.moderation_rule is not None:
            raise Conflict(_l("This comment is already hidden."))
        hide(comment, rule=cited, reason=reason)
        handled = handle_reports(comment)
        action = log_action(
            Action.HIDE,
            agency_id=agency.id,
            moderator=user,
            reason=reason,
            comment=comment,
            rule=cited,
            data={"reports_handled": handled},
        )
        notify_author(comment, action)
    return comment


def restore_comment(user: User | None, comment: Comment, rule: object, reason: str) -> Comment:
    """Show a hidden comment again, citing the house rule considered and a reason. Moderators of its agency.

    Its open reports are handled; a pending appeal against the hiding is closed as upheld. Logged as
    "restore", audited as "comment.restored".
    """
    with _comment_decision(user, comment, rule, reason, rule_required=True) as (agency, cited, comment, reason):
        if comment.status != CommentStatus.HIDDEN:
            raise Conflict(_l("This comment is not hidden."))
        show(comment)
        handled = handle_reports(comment)
        appeal = db.session.scalar(
            sa.select(Appeal).where(Appeal.comment_id == comment.id, Appeal.decided_at.is_(None))
        )
        if appeal is not None:
            appeal.decided_at, appeal.decided_by_id = utcnow(), user.id
            appeal.outcome, appeal.decision_reason = AppealOutcome.UPHELD, reason
        action = log_action(
            Action.RESTORE,
            agency_id=agency.id,
            moderator=user,
            reason=reason,
            comment=comment,
            rule=cited,
            appeal=appeal,
            data={"reports_handled": handled},
        )
        notify_author(comment, action)
    return comment


def dismiss_reports(user: User | None, comment: Comment, reason: str, rule: object = None) -> Comment:
    """Decide that a reported comment breaks no rule: its open reports are handled and it stays visible.

    Moderators of its agency; a reason is required, a rule optional. Logged as "dismiss", audited as
    "comment.reports_dismissed".
    """
    with _comment_decision(user, comment, rule, reason, rule_required=False) as (agency, cited, comment, reason):
        if comment.status == CommentStatus.HIDDEN:
            raise Conflict(_l("This comment is hidden; restore it to show it again."))
        handled = handle_reports(comment)
        if not handled:
            raise Conflict(_l("This comment has no open reports."))
        log_action(
            Action.DISMISS,
            agency_id=agency.id,
            moderator=user,
            reason=reason,
            comment=comment,
            rule=cited,
            data={"reports_handled": handled},
        )
    return comment


API_ACTIONS = {"hide": hide_comment, "restore": restore_comment}


def moderate(user: User | None, comment: Comment, action: object, rule: object, reason: object) -> Comment:
    """The API's one moderation call: {"action": "hide" | "restore", "rule", "reason"} (see hide/restore).
    Whoever may not moderate the comment is refused before anything they sent is looked at."""
    require_moderator(user, comment_agency(comment))
    decide = API_ACTIONS.get(action) if isinstance(action, str) else None
    if decide is None:
        raise Invalid(fields={"action": _l('The action is "hide" or "restore".')})
    return decide(user, comment, rule, reason)
