"""Observers' public questions about a moderation decision, answered by the agency in the public log.

An observer (the observer role; site admins too) asks about one decision of the log; the question is public at
once under the decision, with the asker's stable pseudonym (Pemantau-XXXXX, never the account). A moderator or
agency admin of the decision's agency answers it once, under their moderator pseudonym. Both are in the audit
chain in the same transaction ("moderation.question_asked", "moderation.question_answered": the ids and the texts'
SHA-256, never a name).
"""

from __future__ import annotations

import hashlib

from flask import current_app

from consult import audit
from consult.accounts.models import User
from consult.agencies.services import can_moderate
from consult.db import digest
from consult.errors import Conflict, Invalid, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.moderation.models import ModerationAction, ModerationQuestion
from consult.moderation.services.log import moderator_pseudonym
from consult.params import text_problem
from consult.participation.services import PSEUDONYM_ALPHABET
from consult.timeutil import utcnow

LIMIT = 2000


def can_ask(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_observer or user.is_admin))


def observer_pseudonym(user: User) -> str:
    """Pemantau-XXXXX: stable for the person, derived from the site's secret so it cannot be traced back."""
    raw = hashlib.sha256(f"{current_app.config['SECRET_KEY']}:observer:{user.id}".encode()).digest()
    return "Pemantau-" + "".join(PSEUDONYM_ALPHABET[b % len(PSEUDONYM_ALPHABET)] for b in raw[:5])


def _text(value: object, field: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise Invalid(fields={field: _l("Write your text first.")})
    if len(text) > LIMIT:
        raise Invalid(fields={field: _l("At most %(n)s characters.", n=LIMIT)})
    problem = text_problem(text)
    if problem:
        raise Invalid(fields={field: problem})
    return text


def get_action(action_id: int) -> ModerationAction:
    action = db.session.get(ModerationAction, action_id)
    if action is None:
        raise NotFound()
    return action


def ask(user: User | None, action: ModerationAction, question: object) -> ModerationQuestion:
    if not can_ask(user):
        raise NotAllowed(_l("Only observers can ask about a moderation decision."))
    text = _text(question, "question")
    with write_transaction():
        row = ModerationQuestion(
            action_id=action.id, agency_id=action.agency_id, asked_by_id=user.id, asker=observer_pseudonym(user),
            question=text, asked_at=utcnow(),
        )  # fmt: skip
        db.session.add(row)
        db.session.flush()
        audit.record(
            "moderation.question_asked",
            row,
            {"action_id": action.id, "asker": row.asker, "question_sha256": digest(text)},
            actor=user,
        )
    return row


def answer(user: User | None, question: ModerationQuestion, text: object) -> ModerationQuestion:
    action = db.session.get(ModerationAction, question.action_id)
    if user is None or not can_moderate(user, action.agency):
        raise NotAllowed(_l("Only the agency's moderators and admins answer questions about its decisions."))
    body = _text(text, "answer")
    with write_transaction():
        row = db.session.get(ModerationQuestion, question.id, with_for_update=True)
        if row.answered_at is not None:
            raise Conflict(_l("This question has been answered already."))
        row.answer, row.answered_at, row.answered_by_id = body, utcnow(), user.id
        row.answered_by = moderator_pseudonym(user, action.agency_id)
        audit.record(
            "moderation.question_answered",
            row,
            {"action_id": action.id, "answered_by": row.answered_by, "answer_sha256": digest(body)},
            actor=user,
        )
    return row
