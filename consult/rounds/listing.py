"""The public list of rounds (/putaran), grouped by state: open ones closing soonest first, upcoming ones opening
soonest first, closed ones most recently closed first; each group keyset-paginated, optionally for one agency.

A group's cursor (consult.pagination's one format) holds the group, the sort time in microseconds and the id
of the last round shown, so "more of this group" is one address and one indexed query whatever the page.
The whole page costs one query per group shown (and the agency filter's list), however many rounds there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from consult.agencies.models import Agency
from consult.extensions import db
from consult.i18n import lazy_gettext as _l
from consult.pagination import decode_cursor, encode_cursor
from consult.params import BadParameter
from consult.rounds.models import Round, RoundState

GROUPS = (RoundState.OPEN, RoundState.SCHEDULED, RoundState.CLOSED)
# the filter's values in the address, Indonesian like the site's other paths and parameters
STATE_PARAMS = {"dibuka": RoundState.OPEN, "mendatang": RoundState.SCHEDULED, "ditutup": RoundState.CLOSED}
PARAM_OF = {state: param for param, state in STATE_PARAMS.items()}
_EPOCH = dt.datetime(1970, 1, 1)
_MICRO = dt.timedelta(microseconds=1)
_MAX_MICROS = 10**17  # far beyond any date a round can have (year 5138)


def effective_close():
    """Round.effective_closes_at in SQL: the earlier of the closing time and an early closure."""
    return sa.case(
        (sa.and_(Round.closed_at.is_not(None), Round.closed_at < Round.closes_at), Round.closed_at),
        else_=Round.closes_at,
    )


def _sort_key(state: RoundState):
    """(the time a group is sorted by, ascending?): an open round's closed_at is empty (closing early ends it)."""
    if state == RoundState.OPEN:
        return Round.closes_at, True
    if state == RoundState.SCHEDULED:
        return Round.opens_at, True
    return effective_close(), False


def _time_of(rnd: Round, state: RoundState) -> dt.datetime:
    if state == RoundState.OPEN:
        return rnd.closes_at
    if state == RoundState.SCHEDULED:
        return rnd.opens_at
    return rnd.effective_closes_at


@dataclass(frozen=True)
class Group:
    state: RoundState
    items: list[Round]
    next_cursor: str | None

    @property
    def param(self) -> str:
        return PARAM_OF[self.state]


def parse_state(raw: str | None) -> RoundState | None:
    """The state filter of the address ("dibuka", "mendatang", "ditutup"; empty for all); 422 naming "status"."""
    if not raw:
        return None
    if raw not in STATE_PARAMS:
        raise BadParameter("status", str(_l("is not one of: %(values)s.", values=", ".join(STATE_PARAMS))))
    return STATE_PARAMS[raw]


def parse_cursor(raw: str | None, state: RoundState | None) -> tuple[RoundState, dt.datetime, int] | None:
    """A group's cursor: (its group, the sort time, the id of the last round shown). 422 naming "cursor" for one
    this site did not make, or one of another group than the filter asks for."""
    if not raw:
        return None
    group, micros, last_id = decode_cursor(raw, 3, maximum=(len(GROUPS) - 1, _MAX_MICROS, 2**31 - 1))
    if state is not None and GROUPS[group] != state:
        raise BadParameter("cursor", str(_l("is not a position in this list.")))
    return GROUPS[group], _EPOCH + micros * _MICRO, last_id


def group_page(
    state: RoundState,
    now: dt.datetime,
    *,
    agency_id: int | None = None,
    after: tuple[dt.datetime, int] | None = None,
    limit: int = 10,
) -> Group:
    """One group of rounds in its order, those after `after` (sort time, id), at most `limit`: one query."""
    key, ascending = _sort_key(state)
    condition = {
        RoundState.OPEN: Round.is_open_at(now),
        RoundState.SCHEDULED: Round.is_scheduled_at(now),
        RoundState.CLOSED: Round.is_closed_at(now),
    }[state]
    query = sa.select(Round).where(condition)
    if agency_id is not None:
        query = query.where(Round.agency_id == agency_id)
    if after is not None:
        position = sa.tuple_(key, Round.id)
        query = query.where(position > sa.tuple_(*after) if ascending else position < sa.tuple_(*after))
    order = (key.asc(), Round.id.asc()) if ascending else (key.desc(), Round.id.desc())
    rows = list(db.session.scalars(query.order_by(*order).limit(limit + 1)))
    cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        micros = (_time_of(last, state) - _EPOCH) // _MICRO
        cursor = encode_cursor(GROUPS.index(state), micros, last.id)
    return Group(state, rows[:limit], cursor)


def agencies_with_rounds() -> list[Agency]:
    """The agency filter's choices: the agencies that have a round, by name (one query)."""
    has_round = sa.exists(sa.select(Round.id).where(Round.agency_id == Agency.id))
    return list(db.session.scalars(sa.select(Agency).where(has_round).order_by(Agency.name, Agency.id)))
