"""Appeals: the author asks once for a hiding to be reviewed; another moderator or an agency admin decides."""

from __future__ import annotations

import sqlalchemy as sa

from consult import audit
from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.agencies.services import can_moderate
from consult.db import digest, lock_row
from consult.errors import Conflict, Invalid, LoginRequired, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.moderation.models import Action, Appeal, AppealOutcome, ModerationAction
from consult.moderation.services.common import (
    MAX_APPEAL_CHARS,
    MIN_APPEAL_CHARS,
    cited_rule,
    clean_reason,
    comment_agency,
    raise_if,
    require_moderator,
)
from consult.moderation.services.decisions import handle_reports, hide, locked_comment, show
from consult.moderation.services.log import log_action, notify_author
from consult.participation.models import Comment, CommentStatus
from consult.timeutil import utcnow


def appeal_of(comment_id: int) -> Appeal | None:
    return db.session.scalar(sa.select(Appeal).where(Appeal.comment_id == comment_id))


def get_appeal(appeal_id: int) -> Appeal:
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound()
    return appeal


def file_appeal(user: User | None, comment: Comment, body: str) -> Appeal:
    """The author of a hidden comment asks, once, for the decision to be reviewed, saying why.

    The appeal's text goes to the moderators only (it may repeat the hidden text): the audit entry
    "appeal.filed" holds its SHA-256.
    """
    if user is None or user.is_anonymous:
        raise LoginRequired(_l("Log in to appeal."))
    if comment.author_id != user.id:
        raise NotAllowed(_l("Only its author can appeal against the hiding of a comment."))
    body = (body or "").replace("\r\n", "\n").strip()
    if len(body) < MIN_APPEAL_CHARS:
        raise Invalid(fields={"body": _l("Say in a sentence or two why the comment should be shown again.")})
    if len(body) > MAX_APPEAL_CHARS:
        raise Invalid(fields={"body": _l("Use at most %(n)s characters.", n=MAX_APPEAL_CHARS)})
    agency = comment_agency(comment)
    with write_transaction():
        comment = locked_comment(comment)
        if comment.status != CommentStatus.HIDDEN:
            raise Conflict(_l("Only a hidden comment can be appealed."))
        if appeal_of(comment.id) is not None:
            raise Conflict(_l("You have already appealed against this decision; an appeal can be made once."))
        appeal = Appeal(comment_id=comment.id, agency_id=agency.id, author_id=user.id, body=body)
        db.session.add(appeal)
        audit.record(
            "appeal.filed",
            appeal,
            {"comment_id": comment.id, "round_id": comment.round_id, "body_sha256": digest(body)},
            actor=comment.participant.pseudonym,
        )
    return appeal


def hid_it(user: User, comment_id: int) -> bool:
    """Whether this person hid the comment (a moderator never decides an appeal against their own decision)."""
    return (
        db.session.scalar(
            sa.select(ModerationAction.id)
            .where(
                ModerationAction.comment_id == comment_id,
                ModerationAction.action == Action.HIDE,
                ModerationAction.moderator_id == user.id,
            )
            .limit(1)
        )
        is not None
    )


def can_decide_appeal(user: User | None, appeal: Appeal) -> bool:
    agency = db.session.get(Agency, appeal.agency_id)
    return can_moderate(user, agency) and not hid_it(user, appeal.comment_id)


def decide_appeal(user: User | None, appeal: Appeal, outcome: str, reason: str, rule: object = None) -> Appeal:
    """Decide an appeal: "upheld" shows the comment again, "rejected" keeps it hidden; a reason is required.

    Moderators and agency admins of the agency, except whoever hid the comment. Rejecting the appeal against an
    automatic hiding must cite the rule the comment breaks (the notice then cites it). The comment's open
    reports are handled. Logged as "appeal_upheld" or "appeal_rejected", audited as "appeal.decided".
    """
    agency = db.session.get(Agency, appeal.agency_id)
    require_moderator(user, agency)
    if hid_it(user, appeal.comment_id):
        raise NotAllowed(_l("You hid this comment: another moderator or an agency admin decides the appeal."))
    errors: dict = {}
    if outcome not in {o.value for o in AppealOutcome}:
        errors["outcome"] = _l("Choose whether the appeal is upheld or rejected.")
    reason = clean_reason(reason, errors)
    with write_transaction():
        appeal = lock_row(Appeal, appeal.id)
        if appeal.decided_at is not None:
            raise Conflict(_l("This appeal has already been decided."))
        comment = lock_row(Comment, appeal.comment_id)
        cited = cited_rule(
            agency.id,
            rule,
            errors,
            required=outcome == AppealOutcome.REJECTED and comment.moderation_rule is None,
        )
        raise_if(errors)
        if outcome == AppealOutcome.UPHELD:
            show(comment)
        elif cited is not None:
            hide(comment, rule=cited, reason=reason)
        handled = handle_reports(comment)
        appeal.decided_at, appeal.decided_by_id = utcnow(), user.id
        appeal.outcome, appeal.decision_reason = outcome, reason
        action = log_action(
            Action.APPEAL_UPHELD if outcome == AppealOutcome.UPHELD else Action.APPEAL_REJECTED,
            agency_id=agency.id,
            moderator=user,
            reason=reason,
            comment=comment,
            rule=cited,
            appeal=appeal,
            data={"appeal_id": appeal.id, "outcome": outcome, "reports_handled": handled},
        )
        notify_author(comment, action)
    return appeal
