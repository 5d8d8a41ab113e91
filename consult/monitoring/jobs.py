"""Monitoring's scheduled job: freeze the archives rounds are owed (consult.monitoring.archives.freeze_due)."""

from __future__ import annotations

import datetime as dt

from consult.monitoring import archives


def freeze_archives(now: dt.datetime) -> dict[str, int]:
    """Archive rounds that closed, had their summary published or a version adopted since the last run."""
    return archives.freeze_due(now)


JOBS = [("freeze_archives", freeze_archives)]
