"""The level of participation a round promises (IAP2; the texts are in consult.rounds.iap2): checking it and
changing it. Scheduling a round sets it (services.schedule_round); the reschedule form and `flask rounds
set-level` change it while the round is not closed."""

from __future__ import annotations

import sqlalchemy as sa

from consult import audit
from consult.accounts.models import User
from consult.agencies.services import can_manage_agency
from consult.errors import Conflict, Invalid, NotAllowed
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.rounds.models import Iap2Level, Round, RoundState, bump_revision

LEVEL_VALUES = tuple(level.value for level in Iap2Level)


def clean_iap2_level(value: object) -> str:
    """The IAP2 level named by `value` ("inform" … "empower"); empty or None is the default, "consult". Anything
    else is refused naming the field "iap2_level"."""
    if value in (None, ""):
        return Iap2Level.CONSULT.value
    if not isinstance(value, str) or value not in LEVEL_VALUES:
        raise Invalid(fields={"iap2_level": _l("Choose one of the levels of participation.")})
    return value


def change_iap2_level(actor: User | str, rnd: Round, level: str) -> None:
    """Inside a write transaction, on the loaded round: its promise changes. A closed round's promise is the one
    the public took part under, so it no longer changes (Conflict). Audited as "round.iap2_level_changed" with
    the level before and after."""
    if rnd.state == RoundState.CLOSED:
        raise Conflict(_l("This round is closed; its level of participation no longer changes."))
    before = rnd.iap2_level
    rnd.iap2_level = level
    bump_revision(rnd.id)  # its page shows the level and its promise
    audit.record("round.iap2_level_changed", rnd, {"before": before, "iap2_level": level}, actor=actor)


def set_iap2_level(actor: User | str, rnd: Round, level: str | None) -> Round:
    """Change the level of participation of a round not yet closed. Agency admins of its agency (and site admins);
    the operator (`flask rounds set-level`, actor "cli"). No entry when the round already has that level."""
    if not isinstance(actor, str) and not can_manage_agency(actor, rnd.agency):
        raise NotAllowed()
    if level in (None, ""):
        raise Invalid(fields={"iap2_level": _l("Choose one of the levels of participation.")})
    level = clean_iap2_level(level)
    with write_transaction():
        rnd = db.session.scalar(
            sa.select(Round)
            .where(Round.id == rnd.id)
            .with_for_update(of=Round)
            .execution_options(populate_existing=True)
        )
        if level != rnd.iap2_level:
            change_iap2_level(actor, rnd, level)
    return rnd
