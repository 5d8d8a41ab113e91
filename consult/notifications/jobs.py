"""Notifications' scheduled job: deliver the due e-mails of the outbox (consult/scheduler runs it last, so the
e-mails other jobs queued in the same run go out at once)."""

from __future__ import annotations

import datetime as dt

from consult.notifications import adoption_mail, outbox, summary_mail
from consult.timeutil import utcnow


def send_outbox(now: dt.datetime) -> dict[str, int]:
    """Deliver due e-mails (consult.notifications.outbox), including those queued earlier in this run."""
    return outbox.send_due(max(now, utcnow()))


def queue_summary_mails(now: dt.datetime) -> dict[str, int]:
    """Queue the e-mails of summaries published since the last run (consult.notifications.summary_mail)."""
    return summary_mail.queue_summary_mails(now)


def queue_adoption_mails(now: dt.datetime) -> dict[str, int]:
    """Queue the e-mails of revised versions adopted since the last run (consult.notifications.adoption_mail)."""
    return adoption_mail.queue_adoption_mails(now)


# the summaries' and adoptions' e-mails first, so that they go out in the same run
JOBS = [
    ("queue_summary_mails", queue_summary_mails),
    ("queue_adoption_mails", queue_adoption_mails),
    ("send_outbox", send_outbox),
]
