"""Moderation's scheduled job: escalate reports left unhandled for 48 hours (consult/scheduler runs it)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from consult import signals
from consult.db import insert_or_nothing
from consult.extensions import db, write_transaction
from consult.moderation.models import ReportEscalation
from consult.participation.models import Comment, CommentStatus, Report
from consult.rounds.models import Round

BATCH = 200  # reports per job run; the rest waits for the next run
ESCALATE_AFTER = dt.timedelta(hours=48)


def escalate_reports(now: dt.datetime) -> int:
    """Escalate each report left unhandled for 48 hours, once per report: notifications e-mails the agency's
    admins (site admins when it has none) and answers how many it told, which the escalation row keeps.
    Reports on withdrawn comments are moot: recorded as escalated to nobody."""
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
            if not insert_or_nothing(
                ReportEscalation, index_elements=["report_id"], report_id=report.id, escalated_at=now, recipients=0
            ):
                continue
            comment = db.session.get(Comment, report.comment_id)
            if comment.status == CommentStatus.WITHDRAWN:
                continue
            rnd = db.session.get(Round, comment.round_id)
            answers = signals.report_escalated.send(report, comment=comment, round=rnd, agency=rnd.agency)
            told = sum(n for _receiver, n in answers if isinstance(n, int))
            db.session.execute(
                sa.update(ReportEscalation).where(ReportEscalation.report_id == report.id).values(recipients=told)
            )
            done += 1
    return done


JOBS = [("escalate_reports", escalate_reports)]
