"""The notices people get by e-mail: a round opened, closes soon, was closed early, extended or reopened
(followers), a reply (followers of the
round), their comment hidden or restored (its author), a summary published, a report escalated (admins).
Each is queued through services.enqueue in the caller's transaction, once per key."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from consult.accounts.models import Role, User
from consult.extensions import db
from consult.notifications import mail
from consult.notifications.models import RoundFollow
from consult.notifications.services import enqueue, recipient_of
from consult.participation.models import Comment, Report
from consult.rounds.models import Round
from consult.timeutil import iso_utc


def _followers(round_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(RoundFollow.user_id)
            .where(RoundFollow.round_id == round_id, RoundFollow.active.is_(True))
            .order_by(RoundFollow.user_id)
        )
    )


def _round_context(rnd: Round) -> dict[str, Any]:
    return {"round": rnd, "round_url": mail.public_url("participation.round_page", round_id=rnd.id)}


def _notify_followers(rnd: Round, kind: str, key_prefix: str, **context) -> int:
    queued = 0
    for user_id in _followers(rnd.id):
        recipient = recipient_of(user_id)
        if recipient is None:
            continue
        user, locale = recipient
        key = f"{key_prefix}:{user_id}"
        queued += enqueue(user, locale, kind, key, mail.round_scope(rnd.id), **_round_context(rnd), **context)
    return queued


def notify_round_opened(rnd: Round) -> int:
    """Queue "the round is open" for every follower, once per opening (key "opened:<round>:<opens_at>:<user>").
    The scheduler calls it in the transaction that records "round.opened"."""
    return _notify_followers(rnd, "round_opened", f"opened:{rnd.id}:{iso_utc(rnd.opens_at)}")


def notify_round_closing(rnd: Round) -> int:
    """Queue "48 hours left" for every follower, once per closing time (an extended round gets one for its new
    closing time): key "closing:<round>:<closing time>:<user>"."""
    return _notify_followers(rnd, "round_closing", f"closing:{rnd.id}:{iso_utc(rnd.effective_closes_at)}")


def notify_round_closed_early(rnd: Round, reason: str) -> int:
    """Queue "the consultation was closed early" (with the public reason) for every follower, once per closing
    (key "closed_early:<round>:<closed_at>:<user>"). close_round() sends the signal in its transaction."""
    return _notify_followers(
        rnd, "round_closed_early", f"closed_early:{rnd.id}:{iso_utc(rnd.closed_at)}", reason=reason
    )


def notify_round_extended(rnd: Round, reason: str, *, reopened: bool) -> int:
    """Queue "the consultation is extended" or "… is reopened" (with the public reason and the new closing time)
    for every follower, once per new closing time (key "extended:<round>:<closes_at>:<user>")."""
    kind = "round_reopened" if reopened else "round_extended"
    return _notify_followers(rnd, kind, f"extended:{rnd.id}:{iso_utc(rnd.closes_at)}", reason=reason)


def notify_reply(reply: Comment) -> bool:
    """Queue "someone replied to your comment" for the author of the comment answered, when they follow the round
    (following is automatic when commenting), not for a reply to oneself. Key "reply:<reply_id>:<user_id>"."""
    parent = db.session.get(Comment, reply.parent_id)
    if parent is None or parent.author_id == reply.author_id:
        return False
    follow = db.session.scalar(
        sa.select(RoundFollow.active).filter_by(round_id=reply.round_id, user_id=parent.author_id)
    )
    recipient = recipient_of(parent.author_id) if follow else None
    if recipient is None:
        return False
    user, locale = recipient
    rnd = db.session.get(Round, reply.round_id)
    return enqueue(
        user,
        locale,
        "reply",
        f"reply:{reply.id}:{user.id}",
        mail.round_scope(rnd.id),
        **_round_context(rnd),
        replier=reply.author_name,
        comment_url=mail.public_url("participation.comment_page", comment_id=reply.id, _anchor=f"c{reply.id}"),
    )


def _rule_text(rule: Any) -> str:
    """A house rule as the e-mail names it: "<number>. <title>" for a rule object, its text for a string."""
    if isinstance(rule, str):
        return rule
    number, title = getattr(rule, "number", None), getattr(rule, "title", None)
    if title is not None:
        return f"{number}. {title}" if number is not None else str(title)
    return str(rule)


def _occurrence(occurrence: Any) -> str:
    """What tells two hides of the same comment apart: the caller's id for the action, else the audit chain's
    head (the moderation action's own entry, when called after audit.record() in the same transaction)."""
    if occurrence is not None:
        return str(occurrence)
    from consult import audit

    return str(audit.head()["seq"])


def _notify_author(comment: Comment, kind: str, key: str, **context) -> bool:
    recipient = recipient_of(comment.author_id)
    if recipient is None:
        return False
    user, locale = recipient
    rnd = db.session.get(Round, comment.round_id)
    return enqueue(
        user,
        locale,
        kind,
        key,
        mail.SCOPE_ALL,  # about one's own comment: only "stop all e-mail" stops it, not unfollowing the round
        **_round_context(rnd),
        comment_url=mail.public_url("participation.comment_page", comment_id=comment.id, _anchor=f"c{comment.id}"),
        comment_time=comment.created_at,
        **context,
    )


def notify_comment_hidden(comment: Comment, rule: Any, reason: str, *, occurrence: Any = None) -> bool:
    """Queue "your comment was hidden" for its author, with the rule and the moderator's reason (never the text).

    For the moderation service: call it inside the hide's write transaction, after its audit.record(), so a
    rolled-back hide sends nothing. `rule` is a house rule (number and title) or its text; `occurrence` tells
    two hides of one comment apart (default: the audit head). Key "hidden:<comment_id>:<occurrence>".
    """
    return _notify_author(
        comment,
        "comment_hidden",
        f"hidden:{comment.id}:{_occurrence(occurrence)}",
        rule=_rule_text(rule),
        reason=reason,
    )


def notify_comment_restored(comment: Comment, *, occurrence: Any = None) -> bool:
    """Queue "your comment is visible again" for its author. Key "restored:<comment_id>:<occurrence>"."""
    return _notify_author(comment, "comment_restored", f"restored:{comment.id}:{_occurrence(occurrence)}")


def notify_summary_published(rnd: Round, *, url: str | None = None) -> int:
    """Queue "the summary of the consultation is published" for every follower of the round, once per round
    (key "summary:<round_id>:<user_id>"). `url` is the summary's page (default: the round page)."""
    extra = {"summary_url": url} if url else {}
    return _notify_followers(rnd, "summary_published", f"summary:{rnd.id}", **extra)


def notify_report_escalated(report: Report, admins: list[User]) -> int:
    """Queue "a report waits for 48 hours" for each agency admin, once per report and admin
    (key "escalation:<report_id>:<user_id>"). The scheduler's escalation job calls it."""
    comment = db.session.get(Comment, report.comment_id)
    rnd = db.session.get(Round, comment.round_id)
    queued = 0
    for admin in admins:
        recipient = recipient_of(admin.id)
        if recipient is None:
            continue
        user, locale = recipient
        queued += enqueue(
            user,
            locale,
            "report_escalated",
            f"escalation:{report.id}:{user.id}",
            mail.SCOPE_ALL,
            **_round_context(rnd),
            report=report,
            # the comment's review page in the moderation queue (staff only: it may be hidden pending review)
            comment_url=mail.public_url("moderation_admin.review", slug=rnd.agency.slug, comment_id=comment.id),
        )
    return queued


def agency_admins(agency_id: int) -> list[User]:
    """Who is told about an agency's escalated reports: its agency admins, or the site admins when it has none."""
    from consult.agencies.models import Membership

    admins = list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.agency_id == agency_id, Membership.role == Role.AGENCY_ADMIN.value)
            .order_by(User.id)
        )
    )
    if not admins:
        admins = list(db.session.scalars(sa.select(User).where(User.is_admin.is_(True)).order_by(User.id)))
    return admins
