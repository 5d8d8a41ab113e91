"""Moderation rules: house rules, hiding and restoring comments, dismissing reports, the auto-hide after N open
reports, appeals, blocks.

Who may act: moderators and agency admins of the agency whose round holds the comment, and site admins
(`consult.agencies.services.can_moderate`); house rules and the auto-hide threshold are the agency admins'
(`can_manage_agency`). Every decision runs in one write transaction that changes the comment, handles its open
reports, appends a row to the public moderation log (moderation_actions) and an entry to the audit chain.
Neither ever holds the comment's text (the audit entry holds its SHA-256), an e-mail address or a name: the
moderator appears as a stable pseudonym per agency (Moderator-XXXXX), automatic actions as "sistem".
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from consult import audit
from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.agencies.services import can_manage_agency, can_moderate
from consult.errors import Conflict, Invalid, LoginRequired, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import format_localtime
from consult.i18n import lazy_gettext as _l
from consult.moderation.models import (
    SYSTEM_MODERATOR,
    Action,
    Appeal,
    AppealOutcome,
    Block,
    HouseRule,
    ModerationAction,
    ModeratorAlias,
    QueueEntry,
)
from consult.participation import services as participation
from consult.participation.models import Comment, CommentStatus, Participant, Report
from consult.rounds.models import Round
from consult.sanitize import render_comment
from consult.timeutil import iso_utc, utcnow

MAX_REASON_CHARS = 1000
MIN_REASON_CHARS = 3
MAX_APPEAL_CHARS = 1000
MIN_APPEAL_CHARS = 10
MAX_RULE_TITLE_CHARS = 120
MAX_RULE_BODY_CHARS = 1000
MAX_BLOCK_DAYS = 366
MAX_THRESHOLD = 100
_RULE_NUMBER = re.compile(r"[0-9]{1,4}")


# --- who may do what ------------------------------------------------------------------------------------------


def comment_agency(comment: Comment) -> Agency:
    """The agency whose round holds the comment (its moderators decide on it)."""
    return db.session.get(Round, comment.round_id).agency


def can_moderate_comment(user: User | None, comment: Comment) -> bool:
    return can_moderate(user, comment_agency(comment))


def _require_moderator(user: User | None, agency: Agency) -> None:
    if not can_moderate(user, agency):
        raise NotAllowed(_l("Only the moderators of this agency can do this."))


def _require_manager(actor: User | str, agency: Agency) -> None:
    if not isinstance(actor, str) and not can_manage_agency(actor, agency):
        raise NotAllowed(_l("Only the agency's administrators can change its house rules."))


# --- input -------------------------------------------------------------------------------------------------------


def _clean_reason(reason: object, errors: dict, field: str = "reason") -> str:
    if reason is not None and not isinstance(reason, str):
        errors[field] = _l("Must be a string.")
        return ""
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON_CHARS:
        errors[field] = _l("Write the reason for this decision; the public sees it in the moderation log.")
    elif len(reason) > MAX_REASON_CHARS:
        errors[field] = _l("Use at most %(n)s characters.", n=MAX_REASON_CHARS)
    return reason


def parse_rule_number(rule: object) -> int | None:
    """A rule number given as 2 or "2"; None when none was given. Anything else is an Invalid "rule"."""
    if rule is None or (isinstance(rule, str) and not rule.strip()):
        return None
    if isinstance(rule, int) and not isinstance(rule, bool) and 0 < rule < 10_000:
        return rule
    if isinstance(rule, str) and _RULE_NUMBER.fullmatch(rule.strip()):
        return int(rule.strip())
    raise Invalid(fields={"rule": _l("Give the number of one of the agency's house rules.")})


def _cited_rule(agency_id: int, rule: object, errors: dict, *, required: bool) -> HouseRule | None:
    """The agency's house rule cited by number (in force, not retired); errors["rule"] when missing or unknown."""
    try:
        number = parse_rule_number(rule)
    except Invalid as exc:
        errors.update(exc.fields)
        return None
    if number is None:
        if required:
            errors["rule"] = _l("Choose the house rule this decision rests on.")
        return None
    found = db.session.scalar(
        sa.select(HouseRule).where(
            HouseRule.agency_id == agency_id, HouseRule.number == number, HouseRule.retired_at.is_(None)
        )
    )
    if found is None:
        errors["rule"] = _l("This agency has no house rule number %(n)s.", n=number)
    return found


def _raise_if(errors: dict) -> None:
    if errors:
        raise Invalid(fields=errors)


# --- the log ----------------------------------------------------------------------------------------------------


def moderator_pseudonym(user: User, agency_id: int) -> str:
    """The moderator's stable public name in this agency (Moderator-XXXXX), created at their first action.

    INSERT … ON CONFLICT DO NOTHING, as for participants' pseudonyms: two first actions at once share one row.
    """
    query = sa.select(ModeratorAlias.pseudonym).filter_by(agency_id=agency_id, user_id=user.id)
    pseudonym = db.session.scalar(query)
    for _attempt in range(20):
        if pseudonym is not None:
            return pseudonym
        candidate = "Moderator-" + "".join(secrets.choice(participation.PSEUDONYM_ALPHABET) for _ in range(5))
        participation._insert_or_nothing(
            ModeratorAlias, agency_id=agency_id, user_id=user.id, pseudonym=candidate, created_at=utcnow()
        )
        pseudonym = db.session.scalar(query)
    if pseudonym is None:  # pragma: no cover - 20 pseudonyms taken in a row
        raise RuntimeError("could not create the moderator's pseudonym")
    return pseudonym


_AUDIT_ACTIONS = {
    Action.HIDE: "comment.hidden",
    Action.RESTORE: "comment.restored",
    Action.AUTO_HIDE: "comment.auto_hidden",
    Action.DISMISS: "comment.reports_dismissed",
    Action.APPEAL_UPHELD: "appeal.decided",
    Action.APPEAL_REJECTED: "appeal.decided",
    Action.BLOCK: "participant.blocked",
    Action.UNBLOCK: "participant.unblocked",
}


def _log(
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
        record["body_sha256"] = participation._digest(comment.body)  # which text was decided on; never the text
    subject = block if block is not None else comment
    audit.record(_AUDIT_ACTIONS[action], subject, record, actor="system" if moderator is None else label)
    return entry


def _notify_author(comment: Comment, action: ModerationAction) -> None:
    """Tell the comment's author by e-mail about a decision on it: hidden (by a moderator or automatically,
    with the rule and the reason, never the hidden text) or visible again (restored, or appeal upheld).

    Called inside the decision's transaction, after its log row and audit entry: the outbox row commits or
    rolls back with the decision, and the log row's id tells two decisions on one comment apart (the
    outbox's unique key). A rejected appeal changes nothing visible; the author sees the outcome on the
    comment's page and on their profile (/profil/moderasi).
    """
    from consult.notifications import services as notifications  # above moderation: imported when needed

    db.session.flush()  # the log row's id
    if action.action in (Action.HIDE, Action.AUTO_HIDE):
        if action.rule_number is not None:
            rule = f"{action.rule_number}. {action.rule_title}"
        else:
            with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
                rule = str(_("none yet: hidden automatically after reports, pending review"))
        notifications.notify_comment_hidden(comment, rule, action.reason, occurrence=action.id)
    elif action.action in (Action.RESTORE, Action.APPEAL_UPHELD):
        notifications.notify_comment_restored(comment, occurrence=action.id)


# --- the queue --------------------------------------------------------------------------------------------------


def _insert_queue_entry(comment: Comment, report: Report, agency_id: int) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(QueueEntry).values(
        comment_id=comment.id,
        agency_id=agency_id,
        round_id=comment.round_id,
        open_reports=1,
        first_report_at=report.created_at,
        last_report_at=report.created_at,
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["comment_id"],
            set_={"open_reports": QueueEntry.open_reports + 1, "last_report_at": statement.excluded.last_report_at},
        )
    )


# Who can hide a comment automatically (published with every agency's house rules). Three accounts registered a
# minute earlier from one address used to be enough; now a report counts towards the auto-hide only when its
# reporter carries weight, and reports by unverified accounts count once per address.
WEIGHT_MIN_ACCOUNT_AGE = dt.timedelta(days=7)
WEIGHT_MIN_PARTICIPATION_AGE = dt.timedelta(days=1)


def reporter_carries_weight(user_id: int, now: dt.datetime) -> bool:
    """Whether a report by this person may count towards hiding a comment automatically: a verified account,
    or one at least 7 days old that took part (comment, vote or stance) in a round at least a day before."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    if user.is_verified:
        return True
    if now - user.created_at < WEIGHT_MIN_ACCOUNT_AGE:
        return False
    took_part = db.session.scalar(
        sa.select(Participant.id)
        .where(Participant.user_id == user_id, Participant.created_at <= now - WEIGHT_MIN_PARTICIPATION_AGE)
        .limit(1)
    )
    return took_part is not None


def weighty_report_count(comment_id: int) -> int:
    """Open reports of the comment that count towards the auto-hide: each by a verified account, plus one per
    distinct address among the weighty unverified reporters (a report without address counts alone)."""
    base = (
        sa.select(Report.user_id, Report.address_key, User.is_verified)
        .join(User, User.id == Report.user_id)
        .where(Report.comment_id == comment_id, Report.handled_at.is_(None), Report.carries_weight.is_(True))
    )
    verified = addresses = 0
    seen: set[str] = set()
    for user_id, key, is_verified in db.session.execute(base):
        if is_verified:
            verified += 1
        elif (key or f"user:{user_id}") not in seen:
            seen.add(key or f"user:{user_id}")
            addresses += 1
    return verified + addresses


def on_report(comment: Comment, report: Report) -> None:
    """After a report (inside its transaction, the comment row locked): queue the comment, and hide it
    automatically, pending review, when the reports that carry weight reach the agency's threshold.

    Every report reaches the moderators' queue. Only weighty ones (reporter_carries_weight) can hide; the
    count is weighty_report_count, so a flood of fresh accounts, or many accounts at one address, never
    hides a comment by itself."""
    agency = comment_agency(comment)
    report.carries_weight = reporter_carries_weight(report.user_id, report.created_at or utcnow())
    db.session.flush()
    _insert_queue_entry(comment, report, agency.id)
    if comment.status != CommentStatus.VISIBLE or not report.carries_weight:
        return
    weighty = weighty_report_count(comment.id)
    if weighty >= agency.auto_hide_threshold:
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # the public record's language
            reason = _("Hidden automatically after %(n)s reports, pending a moderator's review.", n=weighty)
        _hide(comment, rule=None, reason=reason)
        action = _log(
            Action.AUTO_HIDE,
            agency_id=agency.id,
            moderator=None,
            reason=reason,
            comment=comment,
            data={
                "open_reports": open_report_count(comment.id),
                "weighty_reports": weighty,
                "threshold": agency.auto_hide_threshold,
            },
        )
        _notify_author(comment, action)


if on_report not in participation.REPORT_HOOKS:
    participation.REPORT_HOOKS.append(on_report)


def _handle_reports(comment: Comment) -> int:
    """Mark the comment's open reports handled and take it out of the queue; how many were open."""
    handled = db.session.execute(
        sa.update(Report)
        .where(Report.comment_id == comment.id, Report.handled_at.is_(None))
        .values(handled_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.execute(sa.delete(QueueEntry).where(QueueEntry.comment_id == comment.id))
    return handled


def open_report_count(comment_id: int) -> int:
    return db.session.scalar(sa.select(QueueEntry.open_reports).where(QueueEntry.comment_id == comment_id)) or 0


# --- hide, restore, dismiss -------------------------------------------------------------------------------------


def _hide(comment: Comment, *, rule: HouseRule | None, reason: str) -> None:
    if comment.status == CommentStatus.VISIBLE:
        participation.move_visible_count(comment, -1)
        comment.hidden_at = utcnow()
    comment.status = CommentStatus.HIDDEN
    comment.moderation_rule = rule.number if rule else None
    comment.moderation_rule_title = rule.title if rule else None
    comment.moderation_reason = reason


def _show(comment: Comment) -> None:
    if comment.status == CommentStatus.HIDDEN:
        participation.move_visible_count(comment, +1)
    comment.status = CommentStatus.VISIBLE
    comment.hidden_at = comment.moderation_rule = comment.moderation_rule_title = comment.moderation_reason = None


def _locked_comment(comment: Comment) -> Comment:
    return participation._lock(Comment, comment.id)


@contextlib.contextmanager
def _comment_decision(user: User | None, comment: Comment, rule: object, reason: object, *, rule_required: bool):
    """What hide, restore and dismiss share: a moderator of the comment's agency, a reason and a citable rule
    (every input error reported at once), then one write transaction with the comment row locked.
    Yields (agency, the cited rule or None, the locked comment, the cleaned reason)."""
    agency = comment_agency(comment)
    _require_moderator(user, agency)
    errors: dict = {}
    reason = _clean_reason(reason, errors)
    with write_transaction():
        cited = _cited_rule(agency.id, rule, errors, required=rule_required)
        _raise_if(errors)
        yield agency, cited, _locked_comment(comment), reason


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
        _hide(comment, rule=cited, reason=reason)
        handled = _handle_reports(comment)
        action = _log(
            Action.HIDE,
            agency_id=agency.id,
            moderator=user,
            reason=reason,
            comment=comment,
            rule=cited,
            data={"reports_handled": handled},
        )
        _notify_author(comment, action)
    return comment


def restore_comment(user: User | None, comment: Comment, rule: object, reason: str) -> Comment:
    """Show a hidden comment again, citing the house rule considered and a reason. Moderators of its agency.

    Its open reports are handled; a pending appeal against the hiding is closed as upheld. Logged as
    "restore", audited as "comment.restored".
    """
    with _comment_decision(user, comment, rule, reason, rule_required=True) as (agency, cited, comment, reason):
        if comment.status != CommentStatus.HIDDEN:
            raise Conflict(_l("This comment is not hidden."))
        _show(comment)
        handled = _handle_reports(comment)
        appeal = db.session.scalar(
            sa.select(Appeal).where(Appeal.comment_id == comment.id, Appeal.decided_at.is_(None))
        )
        if appeal is not None:
            appeal.decided_at, appeal.decided_by_id = utcnow(), user.id
            appeal.outcome, appeal.decision_reason = AppealOutcome.UPHELD, reason
        action = _log(
            Action.RESTORE,
            agency_id=agency.id,
            moderator=user,
            reason=reason,
            comment=comment,
            rule=cited,
            appeal=appeal,
            data={"reports_handled": handled},
        )
        _notify_author(comment, action)
    return comment


def dismiss_reports(user: User | None, comment: Comment, reason: str, rule: object = None) -> Comment:
    """Decide that a reported comment breaks no rule: its open reports are handled and it stays visible.

    Moderators of its agency; a reason is required, a rule optional. Logged as "dismiss", audited as
    "comment.reports_dismissed".
    """
    with _comment_decision(user, comment, rule, reason, rule_required=False) as (agency, cited, comment, reason):
        if comment.status == CommentStatus.HIDDEN:
            raise Conflict(_l("This comment is hidden; restore it to show it again."))
        handled = _handle_reports(comment)
        if not handled:
            raise Conflict(_l("This comment has no open reports."))
        _log(
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
    _require_moderator(user, comment_agency(comment))
    decide = API_ACTIONS.get(action) if isinstance(action, str) else None
    if decide is None:
        raise Invalid(fields={"action": _l('The action is "hide" or "restore".')})
    return decide(user, comment, rule, reason)


# --- appeals ----------------------------------------------------------------------------------------------------


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
        comment = _locked_comment(comment)
        if comment.status != CommentStatus.HIDDEN:
            raise Conflict(_l("Only a hidden comment can be appealed."))
        if appeal_of(comment.id) is not None:
            raise Conflict(_l("You have already appealed against this decision; an appeal can be made once."))
        appeal = Appeal(comment_id=comment.id, agency_id=agency.id, author_id=user.id, body=body)
        db.session.add(appeal)
        audit.record(
            "appeal.filed",
            appeal,
            {"comment_id": comment.id, "round_id": comment.round_id, "body_sha256": participation._digest(body)},
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
    _require_moderator(user, agency)
    if hid_it(user, appeal.comment_id):
        raise NotAllowed(_l("You hid this comment: another moderator or an agency admin decides the appeal."))
    errors: dict = {}
    if outcome not in {o.value for o in AppealOutcome}:
        errors["outcome"] = _l("Choose whether the appeal is upheld or rejected.")
    reason = _clean_reason(reason, errors)
    with write_transaction():
        appeal = participation._lock(Appeal, appeal.id)
        if appeal.decided_at is not None:
            raise Conflict(_l("This appeal has already been decided."))
        comment = participation._lock(Comment, appeal.comment_id)
        cited = _cited_rule(
            agency.id,
            rule,
            errors,
            required=outcome == AppealOutcome.REJECTED and comment.moderation_rule is None,
        )
        _raise_if(errors)
        if outcome == AppealOutcome.UPHELD:
            _show(comment)
        elif cited is not None:
            _hide(comment, rule=cited, reason=reason)
        handled = _handle_reports(comment)
        appeal.decided_at, appeal.decided_by_id = utcnow(), user.id
        appeal.outcome, appeal.decision_reason = outcome, reason
        action = _log(
            Action.APPEAL_UPHELD if outcome == AppealOutcome.UPHELD else Action.APPEAL_REJECTED,
            agency_id=agency.id,
            moderator=user,
            reason=reason,
            comment=comment,
            rule=cited,
            appeal=appeal,
            data={"appeal_id": appeal.id, "outcome": outcome, "reports_handled": handled},
        )
        _notify_author(comment, action)
    return appeal


# --- blocks -----------------------------------------------------------------------------------------------------


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
    _require_moderator(user, agency)
    errors: dict = {}
    reason = _clean_reason(reason, errors)
    now = utcnow()
    if until is None:
        errors["until"] = _l("Enter until when the block lasts.")
    elif until <= now:
        errors["until"] = _l("The end of the block must be in the future.")
    elif until - now > dt.timedelta(days=MAX_BLOCK_DAYS):
        errors["until"] = _l("A block lasts at most %(n)s days.", n=MAX_BLOCK_DAYS)
    with write_transaction():
        cited = _cited_rule(agency.id, rule, errors, required=False)
        _raise_if(errors)
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
        _log(
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
    _require_moderator(user, agency)
    errors: dict = {}
    reason = _clean_reason(reason, errors)
    _raise_if(errors)
    with write_transaction():
        block = participation._lock(Block, block.id)
        if not block.is_active_at(utcnow()):
            raise Conflict(_l("This block has already ended."))
        block.lifted_at, block.lifted_by_id = utcnow(), user.id
        _log(
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


# --- house rules and the threshold ------------------------------------------------------------------------------


def house_rules(agency_id: int, *, include_retired: bool = False) -> list[HouseRule]:
    query = sa.select(HouseRule).where(HouseRule.agency_id == agency_id).order_by(HouseRule.number)
    if not include_retired:
        query = query.where(HouseRule.retired_at.is_(None))
    return list(db.session.scalars(query))


def get_rule(rule_id: int) -> HouseRule:
    rule = db.session.get(HouseRule, rule_id)
    if rule is None:
        raise NotFound()
    return rule


def _clean_rule(title: str, body: str) -> tuple[str, str]:
    title, body = " ".join((title or "").split()), (body or "").replace("\r\n", "\n").strip()
    errors: dict = {}
    if not title or len(title) > MAX_RULE_TITLE_CHARS:
        errors["title"] = _l("Give the rule a short title (at most %(n)s characters).", n=MAX_RULE_TITLE_CHARS)
    if len(body) > MAX_RULE_BODY_CHARS:
        errors["body"] = _l("Use at most %(n)s characters.", n=MAX_RULE_BODY_CHARS)
    _raise_if(errors)
    return title, body


def add_rule(actor: User | str, agency: Agency, title: str, body: str = "") -> HouseRule:
    """Add a house rule with the next number. Agency admins (or the operator). Audited as "house_rule.added"."""
    _require_manager(actor, agency)
    title, body = _clean_rule(title, body)
    with write_transaction():
        number = (
            db.session.scalar(sa.select(sa.func.max(HouseRule.number)).where(HouseRule.agency_id == agency.id)) or 0
        ) + 1
        rule = HouseRule(agency_id=agency.id, number=number, title=title, body=body, body_html=render_comment(body))
        db.session.add(rule)
        audit.record(
            "house_rule.added",
            rule,
            {"agency": agency.slug, "number": number, "title": title, "body_sha256": participation._digest(body)},
            actor=actor,
        )
    return rule


def update_rule(actor: User | str, rule: HouseRule, title: str, body: str = "") -> HouseRule:
    """Reword a house rule in force (its number stays). Agency admins. Audited as "house_rule.changed"."""
    agency = db.session.get(Agency, rule.agency_id)
    _require_manager(actor, agency)
    title, body = _clean_rule(title, body)
    with write_transaction():
        rule = participation._lock(HouseRule, rule.id)
        if rule.retired_at is not None:
            raise Conflict(_l("This rule is retired."))
        if (rule.title, rule.body) == (title, body):
            return rule
        rule.title, rule.body, rule.body_html, rule.updated_at = title, body, render_comment(body), utcnow()
        audit.record(
            "house_rule.changed",
            rule,
            {"agency": agency.slug, "number": rule.number, "title": title, "body_sha256": participation._digest(body)},
            actor=actor,
        )
    return rule


def retire_rule(actor: User | str, rule: HouseRule) -> HouseRule:
    """Take a house rule out of force. Its number is not reused and past decisions keep citing it.
    Agency admins. Audited as "house_rule.retired"."""
    agency = db.session.get(Agency, rule.agency_id)
    _require_manager(actor, agency)
    with write_transaction():
        rule = participation._lock(HouseRule, rule.id)
        if rule.retired_at is not None:
            raise Conflict(_l("This rule is retired."))
        rule.retired_at = utcnow()
        audit.record("house_rule.retired", rule, {"agency": agency.slug, "number": rule.number}, actor=actor)
    return rule


def set_auto_hide_threshold(actor: User | str, agency: Agency, threshold: object) -> Agency:
    """How many open reports hide a comment automatically, pending review (1–100). Agency admins.
    Audited as "agency.auto_hide_threshold_changed"."""
    _require_manager(actor, agency)
    if isinstance(threshold, str) and threshold.strip().isascii() and threshold.strip().isdigit():
        threshold = int(threshold.strip())
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 1 <= threshold <= MAX_THRESHOLD:
        raise Invalid(fields={"threshold": _l("Enter a whole number from 1 to %(n)s.", n=MAX_THRESHOLD)})
    with write_transaction():
        agency = participation._lock(Agency, agency.id)
        before = agency.auto_hide_threshold
        if before == threshold:
            return agency
        agency.auto_hide_threshold = threshold
        audit.record("agency.auto_hide_threshold_changed", agency, {"before": before, "after": threshold}, actor=actor)
    return agency
