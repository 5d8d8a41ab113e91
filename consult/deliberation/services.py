"""Opinion groups and campaigns of a round: compute from a snapshot, store, and read what was stored.

Pages and the API only read stored results (``opinion_for``, ``campaigns_for``); computing happens in the
scheduled job while a round is open and once after it closes (consult/deliberation/jobs.py), at a Polis
import, and on the command line (``flask opinion compute``, ``flask campaigns detect``).

A computation reads one snapshot of the votes (consult/deliberation/snapshots.py, a read transaction that
blocks no vote), computes with no transaction open, then writes the result in one short write transaction.
Results of a closed round are public record: storing one is audited ("opinion.computed",
"campaigns.detected"); the provisional results of an open round, recomputed every few minutes, are not.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from consult import audit
from consult.agencies.services import can_moderate
from consult.db import insert_or_nothing, lock_row
from consult.deliberation.campaigns import campaign_additions, detect_campaigns
from consult.deliberation.models import WHOLE_ROUND, Campaign, CampaignMember, CampaignScan, OpinionSnapshot
from consult.deliberation.opinion import compute_opinion
from consult.deliberation.snapshots import read_comment_texts, read_votes, vote_marker
from consult.documents.models import Section
from consult.errors import NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.participation.models import Comment, CommentStatus
from consult.rounds.models import Round, RoundOrigin, RoundState
from consult.timeutil import iso_utc, utcnow

ACTOR = "scheduler"


# --- reading what was stored --------------------------------------------------------------------------------


def get_round(round_id: int) -> Round:
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise NotFound(_l("No such round."))
    return rnd


def section_of(rnd: Round, key: str | None) -> Section | None:
    """The section of the round's document version with this key; None for the whole round."""
    if not key:
        return None
    for section in rnd.version.sections:
        if section.key == key:
            return section
    raise NotFound(_l("This round's document has no section with this key."))


def stored_opinion(round_id: int, section_key: str | None = None) -> OpinionSnapshot | None:
    return db.session.scalar(
        sa.select(OpinionSnapshot).where(
            OpinionSnapshot.round_id == round_id, OpinionSnapshot.section_key == (section_key or WHOLE_ROUND)
        )
    )


def empty_contract(round_id: int) -> dict[str, Any]:
    return {"round_id": round_id, "k": 0, "participants": [], "consensus": [], "divisive": []}


def is_final(rnd: Round, stored: OpinionSnapshot | CampaignScan | None, now: dt.datetime | None = None) -> bool:
    """A result computed after the round closed: it no longer changes."""
    now = now or utcnow()
    return (
        stored is not None and rnd.state_at(now) == RoundState.CLOSED and stored.computed_at >= rnd.effective_closes_at
    )


def opinion_for(rnd: Round, section_key: str | None = None) -> dict[str, Any]:
    """The contract JSON of the stored opinion groups (an empty result when nothing was computed yet), with
    when it was computed, whether it is final, and why it is empty."""
    section_of(rnd, section_key)
    stored = stored_opinion(rnd.id, section_key)
    data = stored.contract if stored else empty_contract(rnd.id)
    data["section"] = section_key or None
    data["computed_at"] = iso_utc(stored.computed_at) if stored else None
    data["final"] = is_final(rnd, stored)
    data["vote_count"] = stored.vote_count if stored else 0
    data["message"] = (stored.message if stored else None) or (
        None if stored else str(_l("The opinion groups of this round have not been computed yet."))
    )
    return data


# --- computing opinion groups -------------------------------------------------------------------------------


def _labelled_contract(result, snap, round_id: int) -> dict[str, Any]:
    contract = result.to_contract(round_id)
    plabel, clabel = snap.participant_labels, snap.comment_labels
    for p in contract["participants"]:
        p["participant"] = plabel.get(p["participant"], p["participant"])
    for c in contract["consensus"]:
        c["comment_id"] = clabel.get(c["comment_id"], c["comment_id"])
    for d in contract["divisive"]:
        d["comment_id"] = clabel.get(d["comment_id"], d["comment_id"])
    return contract


def _detail(result, snap) -> dict[str, Any]:
    """Groups, representative comments and per-comment statistics, for the pages (comment ids are ours)."""
    data = result.to_dict()
    del data["state"]
    data["participants"] = None  # in the contract JSON already
    data["unclustered"] = len(result.unclustered)
    return data


def refresh_opinion(
    round_id: int,
    *,
    section_key: str | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
    actor: Any = ACTOR,
) -> OpinionSnapshot:
    """Compute and store the opinion groups of a round (or one section) unless the votes did not change."""
    now = now or utcnow()
    rnd = get_round(round_id)
    section = section_of(rnd, section_key)
    section_id = section.id if section else None
    key = section.key if section else WHOLE_ROUND
    existing = stored_opinion(rnd.id, key)
    if (
        existing is not None
        and not force
        and existing.snapshot == vote_marker(rnd, section_id)
        and (is_final(rnd, existing, now) or not _closed(rnd, now))
    ):
        _checked(OpinionSnapshot, existing.id)
        return existing
    previous = existing.state if existing is not None else None
    closed = _closed(rnd, now)
    origin = rnd.origin

    snap = read_votes(rnd, section_id)  # ends its read transaction: nothing is held while computing
    result = compute_opinion(
        snap.votes,
        excluded_comment_ids=snap.excluded_comment_ids,
        excluded_participant_ids=snap.excluded_participant_ids,
        previous=previous,
    )
    contract = _labelled_contract(result, snap, round_id)
    values = {
        "computed_at": utcnow(),
        "checked_at": utcnow(),
        "snapshot": snap.marker,
        "k": result.k,
        "participant_count": len(snap.votes.participant_ids),
        "vote_count": snap.votes.count,
        "contract_json": json.dumps(contract, separators=(",", ":")),
        "detail_json": json.dumps(_detail(result, snap), separators=(",", ":")),
        "state_json": json.dumps(result.state, separators=(",", ":")),
        "message": str(result.message)[:300] if result.message else None,
    }
    with write_transaction():
        # Two schedulers may compute the same round at once: the second to get here finds the first's result.
        locked = lock_row(Round, round_id)
        current = db.session.scalar(
            sa.select(OpinionSnapshot)
            .where(OpinionSnapshot.round_id == round_id, OpinionSnapshot.section_key == key)
            .execution_options(populate_existing=True)
        )
        if not force and current is not None and current.snapshot == snap.marker and is_final(locked, current, now):
            return current
        insert_or_nothing(
            OpinionSnapshot,
            index_elements=["round_id", "section_key"],
            round_id=round_id,
            section_key=key,
            **values,
        )
        db.session.execute(
            sa.update(OpinionSnapshot)
            .where(OpinionSnapshot.round_id == round_id, OpinionSnapshot.section_key == key)
            .values(**values)
        )
        if closed or origin == RoundOrigin.IMPORTED:
            audit.record(
                "opinion.computed",
                None,
                {
                    "round_id": round_id,
                    "section": key or None,
                    "k": result.k,
                    "participants": values["participant_count"],
                    "votes": values["vote_count"],
                    "snapshot": snap.marker,
                },
                actor=actor,
                subject_type="rounds",
                subject_id=round_id,
            )
    db.session.expire_all()
    return stored_opinion(round_id, key)


def _checked(model, row_id: int) -> None:
    """The job looked and nothing changed: note when, so that the round waits its turn (jobs.OPEN_INTERVAL)."""
    pk = model.__table__.primary_key.columns.values()[0]
    with write_transaction():
        db.session.execute(sa.update(model).where(pk == row_id).values(checked_at=utcnow()))


def _closed(rnd: Round, now: dt.datetime) -> bool:
    return rnd.state_at(now) == RoundState.CLOSED


def sections_with_comments(round_id: int) -> list[str]:
    """Keys of the sections that have comments in this round (each gets its own opinion groups)."""
    return list(
        db.session.scalars(
            sa.select(Section.key)
            .where(Section.id.in_(sa.select(Comment.section_id).where(Comment.round_id == round_id).distinct()))
            .order_by(Section.position)
        )
    )


def refresh_round_opinions(round_id: int, *, now: dt.datetime | None = None, actor: Any = ACTOR) -> int:
    """The whole round and each section with comments; how many results were (re)computed."""
    changed = 0
    for key in [WHOLE_ROUND, *sections_with_comments(round_id)]:
        before = stored_opinion(round_id, key)
        before_at = before.computed_at if before else None
        after = refresh_opinion(round_id, section_key=key, now=now, actor=actor)
        changed += after.computed_at != before_at
    return changed


# --- campaigns ----------------------------------------------------------------------------------------------


@dataclass
class CampaignView:
    campaign: Campaign
    representative_label: int | str
    member_labels: list[int | str]


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
    closed = _closed(rnd, now)
    scan = campaign_scan(rnd.id)
    if scan is not None and not force:
        if scan.final:
            return scan
        if not closed and scan.snapshot == _texts_marker(rnd.id):
            _checked(CampaignScan, scan.round_id)
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
        lock_row(Round, round_id)
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
