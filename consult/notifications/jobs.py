"""Notifications' scheduled job: deliver the due e-mails of the outbox (consult/scheduler runs it last, so the
e-mails other jobs queued in the same run go out at once)."""

from __future__ import annotations

import datetime as dt

from consult.notifications import outbox
from consult.timeutil import utcnow


def send_outbox(now: dt.datetime) -> dict[str, int]:
    """Deliver due e-mails (consult.notifications.outbox), including those queued earlier in this run."""
    return outbox.send_due(max(now, utcnow()))


JOBS = [("send_outbox", send_outbox)]
