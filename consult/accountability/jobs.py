"""Accountability's scheduled jobs: remind the agency's staff before a complaint's due date, and record in the
audit chain the first moment a complaint is overdue. Each is once per due date (reminded_at,
overdue_recorded_at, claimed by a conditional UPDATE: two schedulers never do it twice); a dispute sets a new due
date and so a new reminder and a new overdue record."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from consult import audit, signals
from consult.accountability.models import Complaint, ComplaintStatus
from consult.accountability.services.complaints import REMIND_BEFORE, audit_data, record_event
from consult.extensions import db, write_transaction


def _claim(condition, column, now: dt.datetime, complaint_id: int) -> bool:
    """Mark one complaint's step as done (reminded_at / overdue_recorded_at) only if nobody did it yet."""
    done = db.session.execute(
        sa.update(Complaint).where(Complaint.id == complaint_id, condition).values({column: now})
    ).rowcount
    return done == 1


def remind_due(now: dt.datetime, batch: int = 200) -> int:
    """Remind the agency's staff of unanswered complaints due within REMIND_BEFORE, once per due date."""
    condition = sa.and_(
        Complaint.answered_at.is_(None),
        Complaint.status != ComplaintStatus.CONFIRMED,
        Complaint.reminded_at.is_(None),
        Complaint.due_at > now,
        Complaint.due_at <= now + REMIND_BEFORE,
    )
    ids = list(db.session.scalars(sa.select(Complaint.id).where(condition).order_by(Complaint.id).limit(batch)))
    sent = 0
    for complaint_id in ids:
        with write_transaction():
            if not _claim(condition, "reminded_at", now, complaint_id):
                continue
            row = db.session.get(Complaint, complaint_id, populate_existing=True)
            signals.complaint_changed.send(row, step="reminder", event=None)
            sent += 1
    return sent


def record_overdue(now: dt.datetime, batch: int = 200) -> int:
    """Record the first moment each complaint is overdue in the audit chain, once per due date, and tell the
    complainant (signal step "overdue")."""
    condition = sa.and_(
        Complaint.answered_at.is_(None),
        Complaint.status != ComplaintStatus.CONFIRMED,
        Complaint.overdue_recorded_at.is_(None),
        Complaint.due_at < now,
    )
    ids = list(db.session.scalars(sa.select(Complaint.id).where(condition).order_by(Complaint.id).limit(batch)))
    recorded = 0
    for complaint_id in ids:
        with write_transaction():
            if not _claim(condition, "overdue_recorded_at", now, complaint_id):
                continue
            row = db.session.get(Complaint, complaint_id, populate_existing=True)
            event = record_event(row, "overdue", now, None, None)
            audit.record("complaint.overdue", row, audit_data(row, recorded_at=now), actor="scheduler")
            signals.complaint_changed.send(row, step="overdue", event=event)
            recorded += 1
    return recorded


def complaint_deadlines(now: dt.datetime) -> dict[str, int]:
    return {"reminded": remind_due(now), "overdue_recorded": record_overdue(now)}


JOBS = [("complaint_deadlines", complaint_deadlines)]
