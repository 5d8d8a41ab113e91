"""Suggested themes of a closed round: the offline topic model (consult.deliberation.themes) over the round's
visible top-level comments, each campaign collapsed into one comment weighing its size, stored as
Theme(status="suggested") with its comments (every copy of a campaign). Staff accept, rename or reject them.

Idempotent: a suggestion equal to a theme the round already has (the same top words, or the same comments) is
not stored again, so a rejected suggestion never comes back. Each run is audited as "themes.suggested" on the
round, which is also how the scheduled job knows a round had its suggestions (consult/deliberation/jobs.py).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from consult import audit
from consult.audit import AuditEntry
from consult.deliberation.models import Campaign, CampaignMember, Theme, ThemeComment, ThemeStatus
from consult.deliberation.services.common import ACTOR, get_round, locked_round
from consult.deliberation.services.themes import MAX_TITLE, check_writable, insert_tags, is_deliberation_open
from consult.deliberation.themes import suggest_themes
from consult.documents.models import Section
from consult.extensions import db, write_transaction
from consult.participation.models import Comment, CommentStatus
from consult.rounds.models import Round

SUGGESTED = "themes.suggested"


def was_suggested(round_id: int) -> bool:
    """Whether suggestions were made for the round already (by the job, a page or a staff request)."""
    return db.session.scalar(
        sa.select(
            sa.exists().where(
                AuditEntry.action == SUGGESTED,
                AuditEntry.subject_type == "rounds",
                AuditEntry.subject_id == str(round_id),
            )
        )
    )


def model_input(round_id: int) -> tuple[list[tuple[int, str, str | None, float]], dict[int, list[int]]]:
    """The topic model's rows (comment id, text, section key, weight) and, for each campaign's stand-in, every
    member of the campaign (so that a suggestion tags all its copies)."""
    rows = db.session.execute(
        sa.select(Comment.id, Comment.body, Section.key, CampaignMember.campaign_id)
        .outerjoin(Section, Section.id == Comment.section_id)
        .outerjoin(CampaignMember, CampaignMember.comment_id == Comment.id)
        .where(
            Comment.round_id == round_id,
            Comment.parent_id.is_(None),
            Comment.status == CommentStatus.VISIBLE,
            Comment.official_role.is_(None),
        )
        .order_by(Comment.id)
    ).all()
    campaigns = {c.id: c for c in db.session.scalars(sa.select(Campaign).where(Campaign.round_id == round_id))}
    members: dict[int, list[int]] = {}
    for campaign_id, comment_id in db.session.execute(
        sa.select(CampaignMember.campaign_id, CampaignMember.comment_id)
        .join(Campaign, Campaign.id == CampaignMember.campaign_id)
        .where(Campaign.round_id == round_id)
    ):
        members.setdefault(campaign_id, []).append(comment_id)
    visible = {row.id for row in rows}
    out, expand = [], {}
    standin: dict[int, int] = {}
    for campaign_id, campaign in campaigns.items():  # the representative, or its first visible copy
        candidates = [campaign.representative_id] + sorted(members.get(campaign_id, []))
        chosen = next((cid for cid in candidates if cid in visible), None)
        if chosen is not None:
            standin[campaign_id] = chosen
    for row in rows:
        if row.campaign_id is not None and row.campaign_id in campaigns:
            if standin.get(row.campaign_id) != row.id:
                continue
            out.append((row.id, row.body, row.key, float(campaigns[row.campaign_id].size)))
            expand[row.id] = sorted(members.get(row.campaign_id, [row.id]))
        else:
            out.append((row.id, row.body, row.key, 1.0))
    return out, expand


def _known(round_id: int) -> tuple[set[str], set[frozenset[int]]]:
    themes = list(db.session.execute(sa.select(Theme.id, Theme.terms).where(Theme.round_id == round_id)))
    terms = {t.terms for t in themes if t.terms}
    sets: dict[int, set[int]] = {}
    for theme_id, comment_id in db.session.execute(
        sa.select(ThemeComment.theme_id, ThemeComment.comment_id)
        .join(Theme, Theme.id == ThemeComment.theme_id)
        .where(Theme.round_id == round_id)
    ):
        sets.setdefault(theme_id, set()).add(comment_id)
    return terms, {frozenset(s) for s in sets.values()}


def suggest(rnd: Round, *, user: Any = None, actor: Any = ACTOR) -> list[Theme]:
    """Compute and store the round's new suggestions (none that equal a theme it has, rejected ones included).
    With `user`: a staff request, checked (403/409). Returns the themes stored by this run."""
    if user is not None:
        check_writable(user, rnd)
    elif not is_deliberation_open(rnd):
        return []
    rows, expand = model_input(rnd.id)
    found = suggest_themes(rows) if rows else []
    stored: list[Theme] = []
    with write_transaction():
        locked_round(rnd.id)
        terms_known, sets_known = _known(rnd.id)
        position = db.session.scalar(sa.select(sa.func.max(Theme.position)).where(Theme.round_id == rnd.id)) or 0
        for suggestion in found:
            terms = ", ".join(suggestion["keywords"])[:300]
            comment_ids = sorted({m for cid in suggestion["comment_ids"] for m in expand.get(cid, [cid])})
            if not comment_ids or terms in terms_known or frozenset(comment_ids) in sets_known:
                continue
            position += 1
            theme = Theme(
                round_id=rnd.id,
                title=(suggestion["label"] or terms or "?")[:MAX_TITLE],
                status=ThemeStatus.SUGGESTED,
                terms=terms,
                position=position,
            )
            db.session.add(theme)
            db.session.flush()
            insert_tags(theme.id, comment_ids, None)
            terms_known.add(terms)
            sets_known.add(frozenset(comment_ids))
            stored.append(theme)
        audit.record(
            SUGGESTED,
            None,
            {"round_id": rnd.id, "suggestions": len(stored), "comments": len(rows), "on_request": user is not None},
            actor=user if user is not None else actor,
            subject_type="rounds",
            subject_id=rnd.id,
        )
    return stored


def suggest_once(round_id: int, *, actor: Any = ACTOR) -> int:
    """The first suggestions of a closed round (the job, or staff opening the themes page): nothing when it had
    them already. How many were stored."""
    if was_suggested(round_id):
        return 0
    rnd = get_round(round_id)
    if not is_deliberation_open(rnd):
        return 0
    return len(suggest(rnd, actor=actor))
