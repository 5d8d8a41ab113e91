"""The deliberation's scheduled job: recompute opinion groups and campaigns while a round is open, and once
after it closes (the final result, audited). Idempotent: a result whose votes (or comments) did not change is
not recomputed, and two schedulers computing the same round store one result (consult/deliberation/services.py
locks the round's row before writing). Pages never compute: they read what this job stored.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa

from consult.audit import AuditEntry
from consult.deliberation import services
from consult.deliberation.models import WHOLE_ROUND, CampaignScan, OpinionSnapshot
from consult.deliberation.services import suggestions
from consult.extensions import db
from consult.rounds.listing import effective_close
from consult.rounds.models import Round, RoundOrigin

log = logging.getLogger("consult.deliberation")

OPEN_INTERVAL = dt.timedelta(minutes=5)  # an open round is looked at again at most this often
BATCH = 20  # rounds per run; the rest wait for the next run


def _opinion_due(now: dt.datetime) -> list[int]:
    stored = sa.select(OpinionSnapshot.id).where(
        OpinionSnapshot.round_id == Round.id, OpinionSnapshot.section_key == WHOLE_ROUND
    )
    open_due = sa.and_(
        Round.is_open_at(now),
        ~sa.exists(stored.where(OpinionSnapshot.checked_at > now - OPEN_INTERVAL)),
    )
    closed_due = sa.and_(
        Round.is_closed_at(now),
        Round.origin != RoundOrigin.IMPORTED,  # computed at import
        ~sa.exists(stored.where(OpinionSnapshot.computed_at >= effective_close())),
    )
    return list(
        db.session.scalars(sa.select(Round.id).where(sa.or_(open_due, closed_due)).order_by(Round.id).limit(BATCH))
    )


def _campaigns_due(now: dt.datetime) -> list[int]:
    scan = sa.select(CampaignScan.round_id).where(CampaignScan.round_id == Round.id)
    open_due = sa.and_(Round.is_open_at(now), ~sa.exists(scan.where(CampaignScan.checked_at > now - OPEN_INTERVAL)))
    closed_due = sa.and_(Round.is_closed_at(now), ~sa.exists(scan.where(CampaignScan.final.is_(True))))
    return list(
        db.session.scalars(sa.select(Round.id).where(sa.or_(open_due, closed_due)).order_by(Round.id).limit(BATCH))
    )


def _due(condition) -> list[int]:
    return list(db.session.scalars(sa.select(Round.id).where(condition).order_by(Round.id).limit(BATCH)))


def _suggestions_due(now: dt.datetime) -> list[int]:
    """Closed rounds without their first theme suggestions, once their final campaigns are stored (a campaign
    counts once in the topic model) or, for an imported round, at once."""
    suggested = sa.select(AuditEntry.seq).where(
        AuditEntry.action == suggestions.SUGGESTED,
        AuditEntry.subject_type == "rounds",
        AuditEntry.subject_id == sa.cast(Round.id, sa.String),
    )
    final_scan = sa.select(CampaignScan.round_id).where(CampaignScan.round_id == Round.id, CampaignScan.final.is_(True))
    return _due(
        sa.and_(
            Round.is_closed_at(now),
            sa.or_(Round.origin == RoundOrigin.IMPORTED, sa.exists(final_scan)),
            ~sa.exists(suggested),
        )
    )


def recompute_deliberation(now: dt.datetime) -> dict[str, int]:
    """Opinion groups (whole round and each section with comments) and campaigns of the rounds that are due,
    then the first theme suggestions of the rounds that closed (services.suggestions)."""
    done = {"opinion_results": 0, "campaign_scans": 0, "theme_suggestions": 0, "failed": 0}
    for round_id in _opinion_due(now):
        try:
            done["opinion_results"] += services.refresh_round_opinions(round_id, now=now)
        except Exception:  # one broken round must not starve the others
            db.session.rollback()
            log.exception("opinion groups of round %s failed", round_id)
            done["failed"] += 1
    for round_id in _campaigns_due(now):
        try:
            services.refresh_campaigns(round_id, now=now)
            done["campaign_scans"] += 1
        except Exception:
            db.session.rollback()
            log.exception("campaigns of round %s failed", round_id)
            done["failed"] += 1
    for round_id in _suggestions_due(now):
        try:
            done["theme_suggestions"] += suggestions.suggest_once(round_id)
        except Exception:
            db.session.rollback()
            log.exception("theme suggestions of round %s failed", round_id)
            done["failed"] += 1
    return done


JOBS = [("recompute_deliberation", recompute_deliberation)]
