"""Opinion groups of a round or one section: compute from a snapshot of the votes, store, read back."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from consult import audit
from consult.db import insert_or_nothing
from consult.deliberation.models import WHOLE_ROUND, OpinionSnapshot
from consult.deliberation.opinion import OpinionParams, compute_opinion
from consult.deliberation.services.common import (
    ACTOR,
    get_round,
    is_closed,
    is_final,
    locked_round,
    mark_checked,
    section_of,
)
from consult.deliberation.snapshots import read_votes, vote_marker
from consult.documents.models import Section
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.participation.models import Comment
from consult.rounds.models import Round, RoundOrigin
from consult.timeutil import iso_utc, utcnow


def stored_opinion(round_id: int, section_key: str | None = None) -> OpinionSnapshot | None:
    return db.session.scalar(
        sa.select(OpinionSnapshot).where(
            OpinionSnapshot.round_id == round_id, OpinionSnapshot.section_key == (section_key or WHOLE_ROUND)
        )
    )


def empty_contract(round_id: int) -> dict[str, Any]:
    return {"round_id": round_id, "k": 0, "participants": [], "consensus": [], "divisive": []}


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
    data["message"] = _empty_message(stored)
    return data


def _empty_message(stored: OpinionSnapshot | None) -> str | None:
    if stored is None:
        return str(_l("The opinion groups of this round have not been computed yet."))
    if stored.k:
        return None
    params = OpinionParams()
    return str(
        _l(
            "Too few votes yet: %(votes)s votes from %(people)s people. Opinion groups appear once at least "
            "%(min)s people have each voted on %(each)s comments (or on every comment, when there are fewer).",
            votes=stored.vote_count,
            people=stored.participant_count,
            min=params.min_participants,
            each=params.min_votes,
        )
    )


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
    return {  # the participants' points are in the contract JSON already (dataclasses.asdict of 33,000 is slow)
        "k": result.k,
        "groups": [asdict(g) for g in result.groups],
        "comments": [asdict(c) for c in result.comments],
        "consensus": [asdict(c) for c in result.consensus],
        "divisive": [asdict(d) for d in result.divisive],
        "silhouettes": {str(k): v for k, v in result.silhouettes.items()},
        "unclustered": len(result.unclustered),
        "message": result.message,
    }


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
        and (is_final(rnd, existing, now) or not is_closed(rnd, now))
    ):
        mark_checked(OpinionSnapshot, existing.id)
        return existing
    previous = existing.state if existing is not None else None
    closed = is_closed(rnd, now)
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
        locked = locked_round(round_id)
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
    """The whole round and each section with comments; how many results were (re)computed. When every comment
    is on one section (an imported conversation, say), that section's result is the whole round's, copied."""
    changed = 0
    keys = sections_with_comments(round_id)
    for key in [WHOLE_ROUND, *keys]:
        before = stored_opinion(round_id, key)
        before_at = before.computed_at if before else None
        if key and len(keys) == 1 and not _comments_outside_sections(round_id):
            after = _copy_whole_round(round_id, key)
        else:
            after = refresh_opinion(round_id, section_key=key, now=now, actor=actor)
        changed += after.computed_at != before_at
    return changed


def _comments_outside_sections(round_id: int) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(Comment.round_id == round_id, Comment.section_id.is_(None))))


_COPIED = (
    "computed_at",
    "checked_at",
    "snapshot",
    "k",
    "participant_count",
    "vote_count",
    "contract_json",
    "detail_json",
    "state_json",
    "message",
)


def _copy_whole_round(round_id: int, key: str) -> OpinionSnapshot:
    whole = stored_opinion(round_id, WHOLE_ROUND)
    values = {name: getattr(whole, name) for name in _COPIED}
    with write_transaction():
        insert_or_nothing(
            OpinionSnapshot, index_elements=["round_id", "section_key"], round_id=round_id, section_key=key, **values
        )
        db.session.execute(
            sa.update(OpinionSnapshot)
            .where(OpinionSnapshot.round_id == round_id, OpinionSnapshot.section_key == key)
            .values(**values)
        )
    db.session.expire_all()
    return stored_opinion(round_id, key)
