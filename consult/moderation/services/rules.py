"""House rules (numbered per agency, retired never reused) and the auto-hide threshold: the agency admins'."""

from __future__ import annotations

import sqlalchemy as sa

from consult import audit
from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.db import digest, lock_row
from consult.errors import Conflict, Invalid, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.moderation.models import HouseRule
from consult.moderation.services.common import (
    MAX_RULE_BODY_CHARS,
    MAX_RULE_TITLE_CHARS,
    MAX_THRESHOLD,
    raise_if,
    require_manager,
)
from consult.sanitize import render_comment
from consult.timeutil import utcnow


def house_rules(agency_id: int, *, include_retired: bool = False) -> list[HouseRule]:
    query = sa.select(HouseRule).where(HouseRule.agency_id == agency_id).order_by(HouseRule.number)
    if not include_retired:
        query = query.where(HouseRule.retired_at.is_(None))
    return list(db.session.scalars(query))


def rules_in_force(agency_id: int, **_extra: object) -> list[tuple[int, str]]:
    """The agency's house rules in force as (number, title): moderation's answer to
    consult.signals.house_rules_in_force (participation asks it for the report form and the report)."""
    return [(rule.number, rule.title) for rule in house_rules(agency_id)]


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
    raise_if(errors)
    return title, body


def add_rule(actor: User | str, agency: Agency, title: str, body: str = "") -> HouseRule:
    """Add a house rule with the next number. Agency admins (or the operator). Audited as "house_rule.added"."""
    require_manager(actor, agency)
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
            {"agency": agency.slug, "number": number, "title": title, "body_sha256": digest(body)},
            actor=actor,
        )
    return rule


def update_rule(actor: User | str, rule: HouseRule, title: str, body: str = "") -> HouseRule:
    """Reword a house rule in force (its number stays). Agency admins. Audited as "house_rule.changed"."""
    agency = db.session.get(Agency, rule.agency_id)
    require_manager(actor, agency)
    title, body = _clean_rule(title, body)
    with write_transaction():
        rule = lock_row(HouseRule, rule.id)
        if rule.retired_at is not None:
            raise Conflict(_l("This rule is retired."))
        if (rule.title, rule.body) == (title, body):
            return rule
        rule.title, rule.body, rule.body_html, rule.updated_at = title, body, render_comment(body), utcnow()
        audit.record(
            "house_rule.changed",
            rule,
            {"agency": agency.slug, "number": rule.number, "title": title, "body_sha256": digest(body)},
            actor=actor,
        )
    return rule


def retire_rule(actor: User | str, rule: HouseRule) -> HouseRule:
    """Take a house rule out of force. Its number is not reused and past decisions keep citing it.
    Agency admins. Audited as "house_rule.retired"."""
    agency = db.session.get(Agency, rule.agency_id)
    require_manager(actor, agency)
    with write_transaction():
        rule = lock_row(HouseRule, rule.id)
        if rule.retired_at is not None:
            raise Conflict(_l("This rule is retired."))
        rule.retired_at = utcnow()
        audit.record("house_rule.retired", rule, {"agency": agency.slug, "number": rule.number}, actor=actor)
    return rule


def set_auto_hide_threshold(actor: User | str, agency: Agency, threshold: object) -> Agency:
    """How many open reports hide a comment automatically, pending review (1–100). Agency admins.
    Audited as "agency.auto_hide_threshold_changed"."""
    require_manager(actor, agency)
    if isinstance(threshold, str) and threshold.strip().isascii() and threshold.strip().isdigit():
        threshold = int(threshold.strip())
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 1 <= threshold <= MAX_THRESHOLD:
        raise Invalid(fields={"threshold": _l("Enter a whole number from 1 to %(n)s.", n=MAX_THRESHOLD)})
    with write_transaction():
        agency = lock_row(Agency, agency.id)
        before = agency.auto_hide_threshold
        if before == threshold:
            return agency
        agency.auto_hide_threshold = threshold
        audit.record("agency.auto_hide_threshold_changed", agency, {"before": before, "after": threshold}, actor=actor)
    return agency
