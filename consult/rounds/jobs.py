"""The rounds' scheduled jobs: record that a round opened, that it closed at its time, and 48 hours before it
closes. Each is idempotent and safe in two processes at once (consult/scheduler collects and runs them).

Round state is derived from the round's times (consult.rounds.models), so a round is open or closed whether or
not a job ran; the jobs record that it happened (the public record in the audit chain) and announce it
(consult/signals.py: notifications e-mails the followers). Exactly once comes from the database, not from
running one scheduler: every event is a round_events row with a UNIQUE key (round, kind, time) inserted with
ON CONFLICT DO NOTHING in the same write transaction as its audit entry and what the signal's receivers
queue, and only the transaction whose insert took effect goes on. SQLite serialises those transactions
(BEGIN IMMEDIATE); on PostgreSQL the second insert of a key waits for the first and then does nothing.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from consult import audit, signals
from consult.db import insert_or_nothing
from consult.extensions import db, write_transaction
from consult.rounds.listing import effective_close as _effective_close
from consult.rounds.models import Round, RoundEvent, RoundEventKind, RoundState
from consult.timeutil import iso_utc, utcnow

ACTOR = "scheduler"
BATCH = 200  # rounds per job run; the rest waits for the next run
REMINDER_BEFORE = dt.timedelta(hours=48)


def _insert_event(round_id: int, kind: RoundEventKind, for_time: dt.datetime) -> bool:
    """Record that `kind` happened to the round for `for_time`; False when it was already recorded."""
    return insert_or_nothing(
        RoundEvent,
        index_elements=["round_id", "kind", "for_time"],
        round_id=round_id,
        kind=kind.value,
        for_time=for_time,
        created_at=utcnow(),
    )


def _without_event(kind: RoundEventKind, for_time):
    return ~sa.exists(
        sa.select(RoundEvent.id).where(
            RoundEvent.round_id == Round.id, RoundEvent.kind == kind.value, RoundEvent.for_time == for_time
        )
    )


def _candidates(*conditions, order) -> list[int]:
    ids = list(db.session.scalars(sa.select(Round.id).where(*conditions).order_by(*order).limit(BATCH)))
    db.session.rollback()  # end the read; each round gets its own write transaction
    return ids


def open_rounds(now: dt.datetime) -> int:
    """Record "round.opened" once for every round whose opening time has passed, and queue the "round is open"
    e-mail for its followers (only while it is still open: a round found late, already closed, gets none)."""
    done = 0
    for round_id in _candidates(
        Round.opens_at <= now, _without_event(RoundEventKind.OPENED, Round.opens_at), order=(Round.opens_at, Round.id)
    ):
        with write_transaction():
            rnd = db.session.get(Round, round_id, populate_existing=True)
            if rnd is None or rnd.opens_at > now or not _insert_event(rnd.id, RoundEventKind.OPENED, rnd.opens_at):
                continue
            # The moment the opening is recorded, as the round page shows it (a drill's --now may run ahead of the
            # clock: never before the opening time).
            rnd.opened_at = max(rnd.opens_at, utcnow())
            rnd.public_revision += 1  # the page says when it really opened
            audit.record(
                "round.opened",
                rnd,
                {"opens_at": iso_utc(rnd.opens_at), "closes_at": iso_utc(rnd.effective_closes_at)},
                actor=ACTOR,
            )
            if rnd.state_at(now) == RoundState.OPEN:  # found late, already closed: nobody is told it opened
                signals.round_opened.send(rnd)
            done += 1
    return done


def close_rounds(now: dt.datetime) -> int:
    """Record "round.closed" once for every round whose closing time has passed (once per closing time: a round
    reopened by extension closes again). A round closed early already has its record ("round.closed_early")."""
    done = 0
    effective = _effective_close()
    for round_id in _candidates(
        Round.is_closed_at(now), _without_event(RoundEventKind.CLOSED, effective), order=(effective, Round.id)
    ):
        with write_transaction():
            rnd = db.session.get(Round, round_id, populate_existing=True)
            if rnd is None or rnd.state_at(now) != RoundState.CLOSED:
                continue
            closed = rnd.effective_closes_at
            if not _insert_event(rnd.id, RoundEventKind.CLOSED, closed):
                continue
            audit.record(
                "round.closed",
                rnd,
                {"closes_at": iso_utc(closed), "comments": rnd.comment_count},
                actor=ACTOR,
            )
            signals.round_closed.send(rnd, early=False, reason=None)
            done += 1
    return done


def remind_closing(now: dt.datetime) -> int:
    """Queue "48 hours left" for the followers of every open round that closes within 48 hours, once per closing
    time. A round that lasts 48 hours or less in all gets none: its opening e-mail already said when it closes."""
    done = 0
    effective = _effective_close()
    for round_id in _candidates(
        Round.is_open_at(now),
        effective <= now + REMINDER_BEFORE,
        _without_event(RoundEventKind.CLOSING_SOON, effective),
        order=(effective, Round.id),
    ):
        with write_transaction():
            rnd = db.session.get(Round, round_id, populate_existing=True)
            if rnd is None or rnd.state_at(now) != RoundState.OPEN:
                continue
            closes = rnd.effective_closes_at
            if closes > now + REMINDER_BEFORE or not _insert_event(rnd.id, RoundEventKind.CLOSING_SOON, closes):
                continue
            if closes - rnd.opens_at > REMINDER_BEFORE:
                signals.round_closing_soon.send(rnd)
                done += 1
    return done


JOBS = [("open_rounds", open_rounds), ("close_rounds", close_rounds), ("remind_closing", remind_closing)]
