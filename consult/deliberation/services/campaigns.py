"""Campaigns of a round: detect near-identical comments from a snapshot, store them with stable ids, read back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from consult import audit
from consult.agencies.services import can_moderate
from consult.deliberation.campaigns import campaign_additions, detect_campaigns
from consult.deliberation.models import Campaign, CampaignMember, CampaignScan
from consult.deliberation.services.common import ACTOR, get_round, is_closed, locked_round, mark_checked
from consult.deliberation.snapshots import read_comment_texts
from consult.errors import NotAllowed
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.participation.models import Comment, CommentStatus
from consult.rounds.models import Round, RoundOrigin
from consult.timeutil import iso_utc, utcnow


def campaign_scan(round_id: int) -> CampaignScan | None:
    return db.session.get(CampaignScan, round_id)


def campaigns_contract(rnd: Round) -> dict[str, Any]:
    """`campaigns detect --json` from what was stored (Polis comment-ids for an imported round)."""
    scan = campaign_scan(rnd.id)
    campaigns = list(
        db.session.scalars(
            sa.select(Campaign).where(Campaign.round_id == rnd.id).order_by(Campaign.size.desc(), Campaign.id)
        )
    )
    labels: dict[int, Any] = {}
    if rnd.origin == RoundOrigin.IMPORTED:
        labels = {
            row.id: int(row.external_id) if row.external_id and row.external_id.isdigit() else row.external_id
            for row in db.session.execute(sa.select(Comment.id, Comment.external_id).where(Comment.round_id == rnd.id))
        }
    members: dict[int, list[int]] = {}
    for campaign_id, comment_id in db.session.execute(
        sa.select(CampaignMember.campaign_id, CampaignMember.comment_id)
        .join(Campaign, Campaign.id == CampaignMember.campaign_id)
        .where(Campaign.round_id == rnd.id)
        .order_by(CampaignMember.campaign_id, CampaignMember.comment_id)
    ):
        members.setdefault(campaign_id, []).append(comment_id)
    return {
        "round_id": rnd.id,
        "computed_at": iso_utc(scan.computed_at) if scan else None,
        "final": bool(scan and scan.final),
        "campaigns": [
            {
                "id": c.id,
                "size": c.size,
                "representative_id": labels.get(c.representative_id, c.representative_id),
                "comment_ids": [labels.get(m, m) for m in members.get(c.id, [])],
            }
            for c in campaigns
        ],
    }


def refresh_campaigns(
    round_id: int,
    *,
    force: bool = False,
    user: Any = None,
    now: dt.datetime | None = None,
    actor: Any = ACTOR,
) -> CampaignScan:
    """Detect and store a round's campaigns unless its comments did not change. Once a scan after the close is
    stored the campaign ids are fixed: only a staff request (``force`` with ``user``, or the operator's
    command) recomputes, keeping the ids of campaigns that still exist."""
    now = now or utcnow()
    rnd = get_round(round_id)
    if user is not None and not can_moderate(user, rnd.agency):
        raise NotAllowed(_l("Only the moderators and admins of this agency can recompute its campaigns."))
    closed = is_closed(rnd, now)
    scan = campaign_scan(rnd.id)
    if scan is not None and not force:
        if scan.final:
            return scan
        if not closed and scan.snapshot == _texts_marker(rnd.id):
            mark_checked(CampaignScan, scan.round_id)
            return scan
    previous: dict[int, list[int]] = {}
    for number, comment_id in db.session.execute(
        sa.select(Campaign.number, CampaignMember.comment_id)
        .join(CampaignMember, CampaignMember.campaign_id == Campaign.id)
        .where(Campaign.round_id == rnd.id)
    ):
        previous.setdefault(number, []).append(comment_id)

    texts = read_comment_texts(rnd)  # ends its read transaction
    result = detect_campaigns(texts.ids, texts.texts, previous=previous)
    by_id = dict(zip(texts.ids, texts.texts, strict=True))
    additions = {c.id: campaign_additions(c, by_id) for c in result.campaigns}
    computed_at = utcnow()

    with write_transaction():
        locked_round(round_id)
        scan = db.session.scalar(
            sa.select(CampaignScan).where(CampaignScan.round_id == round_id).execution_options(populate_existing=True)
        )
        if scan is not None and scan.final and not force:
            return scan  # another scheduler stored the final scan meanwhile
        existing = {c.number: c for c in db.session.scalars(sa.select(Campaign).where(Campaign.round_id == round_id))}
        kept = {c.id for c in result.campaigns}
        gone = [c.id for number, c in existing.items() if number not in kept]
        if gone:
            db.session.execute(sa.delete(CampaignMember).where(CampaignMember.campaign_id.in_(gone)))
            db.session.execute(sa.delete(Campaign).where(Campaign.id.in_(gone)))
        for found in result.campaigns:
            row = existing.get(found.id)
            if row is None:
                row = Campaign(round_id=round_id, number=found.id, size=0, representative_id=found.representative_id)
                db.session.add(row)
            row.size = found.size
            row.representative_id = found.representative_id
            row.computed_at = computed_at
            db.session.flush()
            db.session.execute(sa.delete(CampaignMember).where(CampaignMember.campaign_id == row.id))
            extra = additions[found.id]
            db.session.execute(
                sa.insert(CampaignMember),
                [
                    {"campaign_id": row.id, "comment_id": cid, "added_text": extra.get(cid, "")}
                    for cid in found.comment_ids
                ],
            )
        if scan is None:
            scan = CampaignScan(round_id=round_id, snapshot="", comment_count=0)
            db.session.add(scan)
        scan.computed_at = scan.checked_at = computed_at
        scan.snapshot = texts.marker
        scan.comment_count = len(texts.ids)
        scan.final = closed
        if closed or force or rnd.origin == RoundOrigin.IMPORTED:
            audit.record(
                "campaigns.detected",
                None,
                {
                    "round_id": round_id,
                    "campaigns": len(result.campaigns),
                    "comments_in_campaigns": sum(c.size for c in result.campaigns),
                    "comments": len(texts.ids),
                    "on_request": bool(force),
                },
                actor=user if user is not None else actor,
                subject_type="rounds",
                subject_id=round_id,
            )
    return campaign_scan(round_id)


def _texts_marker(round_id: int) -> str:
    """What read_comment_texts would call its marker, from one aggregate query (cheap to ask every run)."""
    count, id_sum = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Comment.id), 0)).where(
            Comment.round_id == round_id, Comment.status == CommentStatus.VISIBLE, Comment.official_role.is_(None)
        )
    ).one()
    return f"c{count}:{id_sum}"


def campaign_page(rnd: Round, *, limit: int = 20) -> list[Campaign]:
    """The round's largest campaigns first, for the moderators' page."""
    return list(
        db.session.scalars(
            sa.select(Campaign)
            .where(Campaign.round_id == rnd.id)
            .order_by(Campaign.size.desc(), Campaign.id)
            .limit(limit)
        )
    )
