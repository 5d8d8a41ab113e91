"""The scheduler runs the features' jobs; it owns none. Each feature keeps its jobs in its own jobs.py
(consult/rounds/jobs.py, consult/moderation/jobs.py, consult/notifications/jobs.py), each idempotent and safe
to run in two processes at once (see those modules for how exactly once is kept).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from consult import idempotency
from consult.accountability import jobs as accountability_jobs
from consult.deliberation import jobs as deliberation_jobs
from consult.extensions import db
from consult.moderation import jobs as moderation_jobs
from consult.monitoring import jobs as monitoring_jobs
from consult.notifications import jobs as notification_jobs
from consult.rounds import jobs as round_jobs
from consult.timeutil import utcnow

log = logging.getLogger("consult.scheduler")

# In order: rounds first, so that the e-mails they cause go out in the same run; the outbox last. Expired
# submission keys (consult/idempotency.py, a shared module) are deleted here too.
JOBS: list[tuple[str, Callable[[dt.datetime], object]]] = [
    *round_jobs.JOBS,
    *moderation_jobs.JOBS,
    *deliberation_jobs.JOBS,
    *accountability_jobs.JOBS,
    *monitoring_jobs.JOBS,
    *idempotency.JOBS,
    *notification_jobs.JOBS,
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
