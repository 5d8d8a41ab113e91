"""Reports of comments to the moderators; moderation hears them through consult.signals.report_filed."""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa
from flask import current_app

from consult import signals
from consult.accounts.models import User
from consult.db import lock_row
from consult.errors import Conflict, Invalid, LoginRequired, NotAllowed
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.participation.models import (
    Comment,
    CommentStatus,
    Report,
)
from consult.participation.services.rules import UNCONFIRMED_MESSAGE, block_refusal
from consult.rounds.models import Round

MAX_REASON_CHARS = 500


def address_key(address: str | None) -> str | None:
    """A keyed hash of a client address (HMAC with the site's secret key, 128 bits): lets moderation count
    distinct addresses among reports without storing any address."""
    if not address:
        return None
    key = current_app.secret_key
    key = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(key, b"report-address:" + address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def house_rules_of(agency_id: int) -> list[tuple[int, str]]:
    """The agency's house rules in force, as (number, title) in order: asked of whoever answers
    consult.signals.house_rules_in_force (moderation does; participation never imports it)."""
    rules = [rule for _receiver, answer in signals.house_rules_in_force.send(agency_id) for rule in (answer or ())]
    return sorted(rules)


def _clean_report(agency_id: int, reason: str | None, rule: int | None) -> tuple[str, tuple[int, str] | None]:
    """The reason (required unless a rule is named; at least 3 characters when given) and the named rule."""
    errors: dict = {}
    cited = None
    if rule is not None:
        cited = next((r for r in house_rules_of(agency_id) if r[0] == rule), None)
        if cited is None:
            errors["rule"] = _l("Choose one of the agency's house rules, or “Other” and say what is wrong.")
    text = " ".join((reason or "").split()) if isinstance(reason, str) else ""
    if (reason is None and rule is None) or (reason is not None and len(text) < 3):
        errors["reason"] = _l("Say briefly why this comment breaks the rules.")
    elif len(text) > MAX_REASON_CHARS:
        errors["reason"] = _l("Use at most %(n)s characters.", n=MAX_REASON_CHARS)
    if errors:
        raise Invalid(fields=errors)
    return text, cited


def my_reports(user: User | None, comment_ids: list[int]) -> set[int]:
    """Which of these comments the viewer has reported already (one query; none for anonymous viewers, whose
    pages are cached and shared)."""
    if user is None or not user.is_authenticated or not comment_ids:
        return set()
    return set(
        db.session.scalars(
            sa.select(Report.comment_id).where(Report.user_id == user.id, Report.comment_id.in_(comment_ids))
        )
    )


def report_comment(
    user: User | None,
    comment: Comment,
    reason: str | None,
    *,
    rule: int | None = None,
    address: str | None = None,
) -> Report:
    """Report someone else's comment to the moderators, naming the house rule it breaks (`rule`, its number) or,
    for anything else, with a reason (None: not given; required without a rule). Once per person and comment.

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
    rnd = db.session.get(Round, comment.round_id)
    reason, cited = _clean_report(rnd.agency_id, reason, rule)
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
        report = Report(
            comment_id=comment.id,
            user_id=user.id,
            reason=reason,
            rule_number=cited[0] if cited else None,
            rule_title=cited[1] if cited else None,
            address_key=address_key(address),
        )
        db.session.add(report)
        comment.report_count += 1
        db.session.flush()
        signals.report_filed.send(comment, report=report)  # moderation queues it, and may hide the comment
    return report
