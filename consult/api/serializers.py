"""Plain-dict views of models for the JSON API."""

from __future__ import annotations

from typing import Any

from consult.moderation.models import ModerationAction
from consult.participation.models import Comment, CommentStatus, SectionStats
from consult.participation.queries import CommentPage
from consult.rounds.models import Round
from consult.timeutil import iso_utc


def round_summary(rnd: Round) -> dict[str, Any]:
    return {
        "id": rnd.id,
        "title": rnd.title,
        "state": rnd.state.value,
        "opens_at": iso_utc(rnd.opens_at),
        "closes_at": iso_utc(rnd.effective_closes_at),
        "verified_only": rnd.verified_only,
        "closed_early_at": iso_utc(rnd.closed_at) if rnd.closed_at and rnd.closed_at < rnd.closes_at else None,
        "opened_at": iso_utc(rnd.opened_at),
        "origin": rnd.origin,
        "agency": {"slug": rnd.agency.slug, "name": rnd.agency.name},
        "document": {
            "id": rnd.document_id,
            "kind": rnd.document.kind,
            "title": rnd.document.title,
            "summary": rnd.document.summary,
        },
    }


def round_detail(rnd: Round) -> dict[str, Any]:
    version = rnd.version
    data = round_summary(rnd)
    data["version"] = {"id": version.id, "number": version.number, "published_at": iso_utc(version.published_at)}
    data["sections"] = [
        {
            "id": s.id,
            "key": s.key,
            "position": s.position,
            "level": s.level,
            "title": s.title,
            "body": s.body,
            "body_html": s.body_html,
        }
        for s in version.sections
    ]
    data["changes"] = [
        {
            "kind": c.kind,
            "at": iso_utc(c.for_time),
            "reason": c.reason,
            "closes_before": iso_utc(c.closes_before),
            "closes_at": iso_utc(c.closes_after),
        }
        for c in rnd.public_changes
    ]
    return data


def comment_data(comment: Comment) -> dict[str, Any]:
    """One comment as the API shows it. The author is the public name (pseudonym or chosen name), never the
    e-mail; a withdrawn or hidden comment keeps its place and its counts but not its text."""
    visible = comment.status == CommentStatus.VISIBLE
    return {
        "id": comment.id,
        "round_id": comment.round_id,
        "section_id": comment.section_id,
        "parent_id": comment.parent_id,
        "stance": comment.stance,
        "status": str(comment.status),
        "created_at": iso_utc(comment.created_at),
        "edited_at": iso_utc(comment.edited_at),
        "author": comment.author_name,
        "author_kind": "name" if comment.participant.show_name else "pseudonym",
        "body": comment.body if visible else None,
        "body_html": comment.body_html if visible else None,
        "counts": comment.counts,
        "reply_count": comment.reply_count,
        "moderation": _moderation(comment) if comment.status == CommentStatus.HIDDEN else None,
    }


def _moderation(comment: Comment) -> dict[str, Any]:
    """Why a hidden comment is hidden: the house rule (its number, as a string, and title) and the reason; a
    comment hidden automatically after reports, pending review, has no rule yet."""
    rule = comment.moderation_rule
    return {
        "rule": str(rule) if rule is not None else None,
        "rule_title": comment.moderation_rule_title,
        "reason": comment.moderation_reason,
        "hidden_at": iso_utc(comment.hidden_at),
        "automatic": rule is None,
    }


def moderation_entry(action: ModerationAction) -> dict[str, Any]:
    """One row of the public moderation log: never a comment's text, an e-mail address or a name."""
    return {
        "id": action.id,
        "action": action.action,
        "comment_id": action.comment_id,
        "round_id": action.round_id,
        "agency": {"slug": action.agency.slug, "name": action.agency.name},
        "rule": str(action.rule_number) if action.rule_number is not None else None,
        "rule_title": action.rule_title,
        "reason": action.reason,
        "moderator": action.moderator,
        "participant": action.participant,
        "until": iso_utc(action.until),
        "created_at": iso_utc(action.created_at),
    }


def comment_page(page: CommentPage) -> dict[str, Any]:
    return {"items": [comment_data(c) for c in page.items], "next_cursor": page.next_cursor}


def section_tally(stats: SectionStats) -> dict[str, int]:
    return {"support": stats.support, "oppose": stats.oppose, "neutral": stats.neutral, "comments": stats.comments}
