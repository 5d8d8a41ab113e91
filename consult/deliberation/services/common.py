"""What the deliberation services share: the round and its section, whether a result is final, locks."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from consult.deliberation.models import CampaignScan, OpinionSnapshot
from consult.documents.models import Section
from consult.errors import NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.rounds import services as rounds_services
from consult.rounds.models import Round, RoundState
from consult.timeutil import utcnow

ACTOR = "scheduler"


def get_round(round_id: int) -> Round:
    return rounds_services.get_round(round_id)


def section_of(rnd: Round, key: str | None) -> Section | None:
    """The section of the round's document version with this key; None for the whole round."""
    if not key:
        return None
    for section in rnd.version.sections:
        if section.key == key:
            return section
    raise NotFound(_l("This round's document has no section with this key."))


def is_final(rnd: Round, stored: OpinionSnapshot | CampaignScan | None, now: dt.datetime | None = None) -> bool:
    """A result computed after the round closed: it no longer changes."""
    now = now or utcnow()
    return (
        stored is not None and rnd.state_at(now) == RoundState.CLOSED and stored.computed_at >= rnd.effective_closes_at
    )


def locked_round(round_id: int) -> Round:
    """The round's row locked for the rest of the write transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serialises writers): two schedulers storing the same round's result take turns."""
    return db.session.scalar(
        sa.select(Round).where(Round.id == round_id).with_for_update(of=Round).execution_options(populate_existing=True)
    )


def mark_checked(model, row_id: int) -> None:
    """The job looked and nothing changed: note when, so that the round waits its turn (jobs.OPEN_INTERVAL)."""
    pk = model.__table__.primary_key.columns.values()[0]
    with write_transaction():
        db.session.execute(sa.update(model).where(pk == row_id).values(checked_at=utcnow()))


def is_closed(rnd: Round, now: dt.datetime) -> bool:
    return rnd.state_at(now) == RoundState.CLOSED
