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
