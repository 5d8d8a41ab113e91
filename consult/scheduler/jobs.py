"""The scheduled jobs. Each one is idempotent and safe to run in two processes at once.

Round state is derived from the round's times (consult.rounds.models), so a round is open or closed whether or
not a job ran; the jobs record that it happened (the public record in the audit chain) and do the side effects
(e-mail). Exactly once comes from the database, not from running one scheduler: every event is a row with a
UNIQUE key (round_events, report_escalations, outbox_messages.dedupe_key) inserted with ON CONFLICT DO NOTHING
in the same write transaction as its audit entry and its e-mails, and only the transaction whose insert took
effect goes on. SQLite serialises those transactions (BEGIN IMMEDIATE); on PostgreSQL the second insert of a
key waits for the first transaction and then does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import sqlalchemy as sa

from consult import audit
from consult.extensions import db, write_transaction
from consult.notifications import outbox
from consult.notifications import services as notifications
from consult.participation.models import Comment, CommentStatus, Report
from consult.rounds.models import Round, RoundEvent, RoundEventKind, RoundState
from consult.scheduler.models import ReportEscalation
from consult.timeutil import iso_utc, utcnow

log = logging.getLogger("consult.scheduler")

ACTOR = "scheduler"
BATCH = 200  # rounds or reports per job run; the rest waits for the next run
REMINDER_BEFORE = dt.timedelta(hours=48)
ESCALATE_AFTER = dt.timedelta(hours=48)


def _insert_event(round_id: int, kind: RoundEventKind, for_time: dt.datetime) -> bool:
    """Record that `kind` happened to the round for `for_time`; False when it was already recorded."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(RoundEvent).values(round_id=round_id, kind=kind.value, for_time=for_time, created_at=utcnow())
    statement = statement.on_conflict_do_nothing(index_elements=["round_id", "kind", "for_time"])
    # RETURNING, not rowcount: psycopg reports -1 for INSERT … ON CONFLICT through SQLAlchemy.
    return db.session.execute(statement.returning(RoundEvent.id)).first() is not None


def _effective_close():
    """Round.effective_closes_at in SQL: the earlier of the closing time and an early closure."""
    return sa.case(
        (sa.and_(Round.closed_at.is_not(None), Round.closed_at < Round.closes_at), Round.closed_at),
        else_=Round.closes_at,
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
            audit.record(
                "round.opened",
                rnd,
                {"opens_at": iso_utc(rnd.opens_at), "closes_at": iso_utc(rnd.effective_closes_at)},
                actor=ACTOR,
            )
            if rnd.state_at(now) == RoundState.OPEN:
                notifications.notify_round_opened(rnd)
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
                notifications.notify_round_closing(rnd)
                done += 1
    return done


def escalate_reports(now: dt.datetime) -> int:
    """E-mail the agency's admins (site admins when it has none) about each report left unhandled for 48 hours,
    once per report. Reports on withdrawn comments are moot: recorded as escalated to nobody."""
    done = 0
    ids = list(
        db.session.scalars(
            sa.select(Report.id)
            .outerjoin(ReportEscalation, ReportEscalation.report_id == Report.id)
            .where(
                Report.handled_at.is_(None),
                Report.created_at <= now - ESCALATE_AFTER,
                ReportEscalation.report_id.is_(None),
            )
            .order_by(Report.id)
            .limit(BATCH)
        )
    )
    db.session.rollback()
    for report_id in ids:
        with write_transaction():
            report = db.session.get(Report, report_id, populate_existing=True)
            if report is None or report.handled_at is not None:
                continue
            if not notifications._insert_or_nothing(
                ReportEscalation, ["report_id"], report_id=report.id, escalated_at=now, recipients=0
            ):
                continue
            comment = db.session.get(Comment, report.comment_id)
            if comment.status == CommentStatus.WITHDRAWN:
                continue
            rnd = db.session.get(Round, comment.round_id)
            told = notifications.notify_report_escalated(report, notifications.agency_admins(rnd.agency_id))
            db.session.execute(
                sa.update(ReportEscalation).where(ReportEscalation.report_id == report.id).values(recipients=told)
            )
            done += 1
    return done


def send_outbox(now: dt.datetime) -> dict[str, int]:
    """Deliver due e-mails (consult.notifications.outbox), including those queued earlier in this run."""
    return outbox.send_due(max(now, utcnow()))


JOBS: list[tuple[str, Callable[[dt.datetime], object]]] = [
    ("open_rounds", open_rounds),
    ("close_rounds", close_rounds),
    ("remind_closing", remind_closing),
    ("escalate_reports", escalate_reports),
    ("send_outbox", send_outbox),
]


def run_due_jobs(now: dt.datetime | None = None) -> dict[str, object]:
    """Run every job once, in order (rounds first, so their e-mails go out in the same run). A job that fails is
    logged and reported as {"error": …}; the others still run."""
    now = now or utcnow()
    results: dict[str, object] = {}
    for name, job in JOBS:
        try:
            results[name] = job(now)
        except Exception as exc:  # one broken job must not stop the others (a mail server down, say)
            db.session.rollback()
            log.exception("scheduler job %s failed", name)
            results[name] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return results
