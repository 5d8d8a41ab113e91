"""The report queue: every report queues its comment; reports that carry weight may hide it automatically."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.db import upsert
from consult.extensions import db
from consult.moderation.models import Action, QueueEntry
from consult.moderation.services.common import comment_agency
from consult.moderation.services.decisions import hide
from consult.moderation.services.log import log_action, notify_author
from consult.participation.models import Comment, CommentStatus, Participant, Report
from consult.timeutil import utcnow


def _insert_queue_entry(comment: Comment, report: Report, agency_id: int) -> None:
    upsert(
        QueueEntry,
        index_elements=["comment_id"],
        set_=lambda excluded: {
            "open_reports": QueueEntry.open_reports + 1,
            "last_report_at": excluded.last_report_at,
        },
        comment_id=comment.id,
        agency_id=agency_id,
        round_id=comment.round_id,
        open_reports=1,
        first_report_at=report.created_at,
        last_report_at=report.created_at,
    )


# Who can hide a comment automatically (published with every agency's house rules). Three accounts registered a
# minute earlier from one address used to be enough; now a report counts towards the auto-hide only when its
# reporter carries weight, and reports by unverified accounts count once per address.
WEIGHT_MIN_ACCOUNT_AGE = dt.timedelta(days=7)
WEIGHT_MIN_PARTICIPATION_AGE = dt.timedelta(days=1)


def reporter_carries_weight(user_id: int, now: dt.datetime) -> bool:
    """Whether a report by this person may count towards hiding a comment automatically: a verified account,
    or one at least 7 days old that took part (comment, vote or stance) in a round at least a day before."""
    user = db.session.get(User, user_id)
    if user is None:
        return False
    if user.is_verified:
        return True
    if now - user.created_at < WEIGHT_MIN_ACCOUNT_AGE:
        return False
    took_part = db.session.scalar(
        sa.select(Participant.id)
        .where(Participant.user_id == user_id, Participant.created_at <= now - WEIGHT_MIN_PARTICIPATION_AGE)
        .limit(1)
    )
    return took_part is not None


def weighty_report_count(comment_id: int) -> int:
    """Open reports of the comment that count towards the auto-hide: each by a verified account, plus one per
    distinct address among the weighty unverified reporters (a report without address counts alone)."""
    base = (
        sa.select(Report.user_id, Report.address_key, User.is_verified)
        .join(User, User.id == Report.user_id)
        .where(Report.comment_id == comment_id, Report.handled_at.is_(None), Report.carries_weight.is_(True))
    )
    verified = addresses = 0
    seen: set[str] = set()
    for user_id, key, is_verified in db.session.execute(base):
        if is_verified:
            verified += 1
        elif (key or f"user:{user_id}") not in seen:
            seen.add(key or f"user:{user_id}")
            addresses += 1
    return verified + addresses


def on_report(comment: Comment, report: Report, **_kwargs) -> None:
    """After a report (inside its transaction, the comment row locked): queue the comment, and hide it
    automatically, pending review, when the reports that carry weight reach the agency's threshold.

    Every report reaches the moderators' queue. Only weighty ones (reporter_carries_weight) can hide; the
    count is weighty_report_count, so a flood of fresh accounts, or many accounts at one address, never
    hides a comment by itself."""
    agency = comment_agency(comment)
    report.carries_weight = reporter_carries_weight(report.user_id, report.created_at or utcnow())
    db.session.flush()
    _insert_queue_entry(comment, report, agency.id)
    if comment.status != CommentStatus.VISIBLE or not report.carries_weight:
        return
    weighty = weighty_report_count(comment.id)
    if weighty >= agency.auto_hide_threshold:
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):  # the public record's language
            reason = _("Hidden automatically after %(n)s reports, pending a moderator's review.", n=weighty)
        hide(comment, rule=None, reason=reason)
        action = log_action(
            Action.AUTO_HIDE,
            agency_id=agency.id,
            moderator=None,
            reason=reason,
            comment=comment,
            data={
                "open_reports": open_report_count(comment.id),
                "weighty_reports": weighty,
                "threshold": agency.auto_hide_threshold,
            },
        )
        notify_author(comment, action)


def open_report_count(comment_id: int) -> int:
    return db.session.scalar(sa.select(QueueEntry.open_reports).where(QueueEntry.comment_id == comment_id)) or 0
