"""Scheduler bookkeeping that belongs to no other feature: which reports were escalated."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db
from consult.timeutil import utcnow


class ReportEscalation(db.Model):
    """A report left unhandled for 48 hours, escalated to the agency's admins once (the primary key says once)."""

    __tablename__ = "report_escalations"

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True)
    escalated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)  # how many admins were told
