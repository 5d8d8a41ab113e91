"""Who may moderate, and the input every decision shares: its reason and the house rule it cites."""

from __future__ import annotations

import re

import sqlalchemy as sa

from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.agencies.services import can_manage_agency, can_moderate
from consult.errors import Invalid, NotAllowed
from consult.extensions import db
from consult.i18n import lazy_gettext as _l
from consult.moderation.models import HouseRule
from consult.participation.models import Comment
from consult.rounds.models import Round

MAX_REASON_CHARS = 1000
MIN_REASON_CHARS = 3
MAX_APPEAL_CHARS = 1000
MIN_APPEAL_CHARS = 10
MAX_RULE_TITLE_CHARS = 120
MAX_RULE_BODY_CHARS = 1000
MAX_BLOCK_DAYS = 366
MAX_THRESHOLD = 100
_RULE_NUMBER = re.compile(r"[0-9]{1,4}")


def comment_agency(comment: Comment) -> Agency:
    """The agency whose round holds the comment (its moderators decide on it)."""
    return db.session.get(Round, comment.round_id).agency


def can_moderate_comment(user: User | None, comment: Comment) -> bool:
    return can_moderate(user, comment_agency(comment))


def require_moderator(user: User | None, agency: Agency) -> None:
    if not can_moderate(user, agency):
        raise NotAllowed(_l("Only the moderators of this agency can do this."))


def require_manager(actor: User | str, agency: Agency) -> None:
    if not isinstance(actor, str) and not can_manage_agency(actor, agency):
        raise NotAllowed(_l("Only the agency's administrators can change its house rules."))


def clean_reason(reason: object, errors: dict, field: str = "reason") -> str:
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


def cited_rule(agency_id: int, rule: object, errors: dict, *, required: bool) -> HouseRule | None:
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


def raise_if(errors: dict) -> None:
    if errors:
        raise Invalid(fields=errors)
