"""Accountability's scheduled jobs: remind the agency's staff before a complaint's due date, and record in the
audit chain the first moment a complaint is overdue. Each is once per due date (reminded_at,
overdue_recorded_at, claimed by a conditional UPDATE: two schedulers never do it twice); a dispute sets a new due
date and so a new reminder and a new overdue record."""

from __future__ import annotations

import datetime as dt

from consult.accountability.services import complaints


def complaint_deadlines(now: dt.datetime) -> dict[str, int]:
    return {"reminded": complaints.remind_due(now), "overdue_recorded": complaints.record_overdue(now)}


JOBS = [("complaint_deadlines", complaint_deadlines)]
