"""The agency's answers ("you said, we did"): a disposition per theme, inherited by its comments, and a comment's
own answer that overrides its themes'. Agency admins of the round's agency and site admins (can_answer), on a
closed round whose summary is not published yet. A draft until the summary is published with it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from consult import audit, sanitize
from consult.db import upsert
from consult.deliberation.models import DISPOSITIONS, CommentDisposition, Theme, ThemeStatus
from consult.deliberation.services.common import get_round, locked_round
from consult.deliberation.services.themes import check_writable, theme_round
from consult.errors import Conflict, Invalid
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.participation.models import Comment
from consult.timeutil import utcnow

MAX_RESPONSE = 10_000


def clean_disposition(value: Any, response: Any) -> tuple[str, str]:
    """(value, response) or 422 naming "value" and/or "response"; every value needs a response, and for
    not_adopted it is the reason."""
    errors: dict = {}
    if value not in DISPOSITIONS:
        errors["value"] = _l("Choose adopted, partly adopted, not adopted or out of scope.")
    text = response.strip() if isinstance(response, str) else ""
    if not text:
        errors["response"] = (
            _l("State the reason why it is not adopted.")
            if value == "not_adopted"
            else _l("Write the agency's response.")
        )
    elif len(response) > MAX_RESPONSE:
        errors["response"] = _l("At most %(n)s characters.", n=MAX_RESPONSE)
    if errors:
        raise Invalid(fields=errors)
    return value, text


def set_theme_disposition(user: Any, theme: Theme, value: Any, response: Any) -> Theme:
    """The agency admin's answer to a theme; every comment in it inherits it. Audited as "theme.disposition"."""
    rnd = theme_round(theme)
    check_writable(user, rnd, answer=True)
    if theme.status != ThemeStatus.ACCEPTED:
        raise Conflict(_l("Only an accepted theme can be answered."))
    value, text = clean_disposition(value, response)
    with write_transaction():
        locked_round(rnd.id)
        theme.disposition_value = value
        theme.disposition_response = text
        theme.disposition_response_html = sanitize.render_comment(text)
        theme.disposition_by_id = user.id
        theme.disposition_at = utcnow()
        audit.record("theme.disposition", theme, {"theme_id": theme.id, "value": value}, actor=user)
    return theme


def clear_theme_disposition(user: Any, theme: Theme) -> Theme:
    rnd = theme_round(theme)
    check_writable(user, rnd, answer=True)
    with write_transaction():
        locked_round(rnd.id)
        theme.disposition_value = theme.disposition_response = theme.disposition_response_html = None
        theme.disposition_by_id = theme.disposition_at = None
        audit.record("theme.disposition_cleared", theme, {"theme_id": theme.id}, actor=user)
    return theme


def comment_disposition(comment_id: int) -> CommentDisposition | None:
    return db.session.get(CommentDisposition, comment_id)


def set_comment_disposition(user: Any, comment: Comment, value: Any, response: Any) -> CommentDisposition:
    """A comment's own answer, overriding its themes'. Audited as "comment.disposition"."""
    rnd = get_round(comment.round_id)
    check_writable(user, rnd, answer=True)
    value, text = clean_disposition(value, response)
    with write_transaction():
        locked_round(rnd.id)
        now = utcnow()
        fields = {
            "value": value,
            "response": text,
            "response_html": sanitize.render_comment(text),
            "decided_by_id": user.id,
            "decided_at": now,
        }
        upsert(
            CommentDisposition,
            index_elements=["comment_id"],
            set_=fields,
            comment_id=comment.id,
            round_id=rnd.id,
            **fields,
        )
        audit.record(
            "comment.disposition",
            None,
            {"comment_id": comment.id, "round_id": rnd.id, "value": value},
            actor=user,
            subject_type="comments",
            subject_id=comment.id,
        )
    row = db.session.get(CommentDisposition, comment.id)
    db.session.refresh(row)
    return row


def clear_comment_disposition(user: Any, comment: Comment) -> bool:
    """Back to the answers of its themes; whether it had its own."""
    rnd = get_round(comment.round_id)
    check_writable(user, rnd, answer=True)
    with write_transaction():
        locked_round(rnd.id)
        removed = db.session.execute(
            sa.delete(CommentDisposition)
            .where(CommentDisposition.comment_id == comment.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        if removed:
            audit.record(
                "comment.disposition_cleared",
                None,
                {"comment_id": comment.id, "round_id": rnd.id},
                actor=user,
                subject_type="comments",
                subject_id=comment.id,
            )
    return bool(removed)
