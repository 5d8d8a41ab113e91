"""The agency's answers to comments ("you said, we did"): a comment's own answer, else those of its themes."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from consult.deliberation.models import CommentDisposition, Summary, Theme, ThemeComment, ThemeStatus
from consult.extensions import db


def answers_for_comments(
    round_id: int, comment_ids: list[int], *, published_only: bool = False
) -> dict[int, list[dict[str, Any]]]:
    """{comment_id: [{"theme_id", "theme_title", "value", "response", "response_html", "own"}]}, in one query:
    the comment's own answer (CommentDisposition, theme_id None, own True) first, then each of its accepted themes
    with the theme's answer (value None while unanswered). With published_only: {} unless the round's summary
    is published (the answers are drafts until then)."""
    ids = sorted({int(i) for i in comment_ids})
    if not ids:
        return {}
    themes = (
        sa.select(
            ThemeComment.comment_id.label("cid"),
            sa.literal(0).label("own"),
            Theme.position.label("pos"),
            Theme.id.label("tid"),
            Theme.title.label("title"),
            Theme.disposition_value.label("value"),
            Theme.disposition_response.label("response"),
            Theme.disposition_response_html.label("html"),
        )
        .join(Theme, Theme.id == ThemeComment.theme_id)
        .where(Theme.round_id == round_id, Theme.status == ThemeStatus.ACCEPTED, ThemeComment.comment_id.in_(ids))
    )
    own = sa.select(
        CommentDisposition.comment_id,
        sa.literal(1),
        sa.literal(0),
        sa.null(),
        sa.null(),
        CommentDisposition.value,
        CommentDisposition.response,
        CommentDisposition.response_html,
    ).where(CommentDisposition.round_id == round_id, CommentDisposition.comment_id.in_(ids))
    if published_only:
        gate = sa.select(Summary.round_id).where(Summary.round_id == round_id, Summary.state == "published").exists()
        themes, own = themes.where(gate), own.where(gate)
    union = sa.union_all(themes, own).subquery()
    query = sa.select(union).order_by(union.c.cid, union.c.own.desc(), union.c.pos, union.c.tid)
    result: dict[int, list[dict[str, Any]]] = {}
    for row in db.session.execute(query):
        result.setdefault(row.cid, []).append(
            {
                "theme_id": row.tid,
                "theme_title": row.title,
                "value": row.value,
                "response": row.response or "",
                "response_html": row.html or "",
                "own": bool(row.own),
            }
        )
    return result
