"""The figures of a round's deliberation summary, in aggregate queries only (a constant number whatever the size
of the round; it may have 100,000 comments). Hidden comments are counted and never shown: every text here comes
from visible comments. Read by consult.deliberation.services.summary, which decides who sees them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from consult.agencies.models import Membership
from consult.deliberation.models import Campaign, Theme, ThemeComment, ThemeStatus
from consult.deliberation.services.opinion import stored_opinion
from consult.deliberation.theme_queries import theme_counts
from consult.documents.models import Section
from consult.extensions import db
from consult.participation.models import Channel, Comment, CommentStatus, CommentVote, SectionStance, SectionStats
from consult.rounds.models import Round

MOST_AGREED = 5
CAMPAIGNS_SHOWN = 10
CHANNELS = tuple(c.value for c in Channel)


def _staff_ids(agency_id: int):
    return sa.select(Membership.user_id).where(Membership.agency_id == agency_id)


def participation(rnd: Round) -> dict[str, Any]:
    """participants, comments (hidden counted), hidden, votes, stances, by_channel, by_section ({key: n})."""
    staff = _staff_ids(rnd.agency_id)
    citizen_comment = sa.and_(Comment.round_id == rnd.id, Comment.official_role.is_(None))
    web_people = sa.union(
        sa.select(Comment.author_id.label("uid")).where(citizen_comment, Comment.channel == Channel.WEB),
        sa.select(CommentVote.user_id)
        .join(Comment, Comment.id == CommentVote.comment_id)
        .where(Comment.round_id == rnd.id, CommentVote.user_id.not_in(staff)),
        sa.select(SectionStance.user_id).where(SectionStance.round_id == rnd.id, SectionStance.user_id.not_in(staff)),
    ).subquery()
    people = db.session.scalar(sa.select(sa.func.count()).select_from(web_people).where(web_people.c.uid.not_in(staff)))
    by_channel = dict.fromkeys(CHANNELS, 0)
    hidden = 0
    for channel, status, n in db.session.execute(
        sa.select(Comment.channel, Comment.status, sa.func.count())
        .where(citizen_comment)
        .group_by(Comment.channel, Comment.status)
    ):
        by_channel[channel] = by_channel.get(channel, 0) + n
        hidden += n if status == CommentStatus.HIDDEN else 0
    by_section = dict(
        db.session.execute(
            sa.select(Section.key, sa.func.count())
            .join(Comment, Comment.section_id == Section.id)
            .where(citizen_comment)
            .group_by(Section.key)
        ).all()
    )
    votes = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(CommentVote)
        .join(Comment, Comment.id == CommentVote.comment_id)
        .where(Comment.round_id == rnd.id, CommentVote.user_id.not_in(staff))
    )
    stances = db.session.scalar(
        sa.select(sa.func.count()).where(SectionStance.round_id == rnd.id, SectionStance.user_id.not_in(staff))
    )
    assisted = sum(n for name, n in by_channel.items() if name != Channel.WEB)
    return {
        "participants": (people or 0) + assisted,
        "comments": sum(by_channel.values()),
        "hidden": hidden,
        "votes": votes or 0,
        "stances": stances or 0,
        "by_channel": by_channel,
        "by_section": by_section,
    }


def section_stances(rnd: Round) -> list[dict[str, Any]]:
    """The stances per section of the round (one query over the cached tallies), in the document's order:
    [{key, title, support, neutral, oppose}]. The summary and the statistics page (consult.monitoring) read it."""
    rows = db.session.execute(
        sa.select(Section.key, Section.title, SectionStats.support, SectionStats.neutral, SectionStats.oppose)
        .join(Section, Section.id == SectionStats.section_id)
        .where(SectionStats.round_id == rnd.id)
        .order_by(Section.position, Section.id)
    )
    return [{"key": k, "title": t, "support": s, "neutral": n, "oppose": o} for k, t, s, n, o in rows]


def _visible_texts(round_id: int, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Comment.id, Comment.body_html).where(
            Comment.round_id == round_id, Comment.id.in_(ids), Comment.status == CommentStatus.VISIBLE
        )
    )
    return dict(rows.all())


def _most_agreed(rnd: Round) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(Comment.id, Comment.body_html, Comment.agree_count, Comment.disagree_count)
        .where(
            Comment.round_id == rnd.id,
            Comment.parent_id.is_(None),
            Comment.status == CommentStatus.VISIBLE,
            Comment.official_role.is_(None),
            Comment.agree_count > 0,
        )
        .order_by(Comment.agree_count.desc(), Comment.id)
        .limit(MOST_AGREED)
    )
    return [{"id": i, "body_html": h, "agree": a, "disagree": d} for i, h, a, d in rows]


def _opinion(rnd: Round) -> dict[str, Any]:
    stored = stored_opinion(rnd.id)
    if stored is None or stored.k == 0:
        return {"k": 0, "participants": 0, "groups": [], "consensus": []}
    detail = stored.detail
    consensus = [c for c in detail.get("consensus", []) if isinstance(c.get("comment_id"), int)]
    texts = _visible_texts(rnd.id, [c["comment_id"] for c in consensus])
    return {
        "k": stored.k,
        "participants": stored.participant_count,
        "groups": [{"id": g["id"], "size": g["size"]} for g in detail.get("groups", [])],
        "consensus": [
            {"id": c["comment_id"], "direction": c["direction"], "body_html": texts[c["comment_id"]]}
            for c in consensus
            if c["comment_id"] in texts
        ][:MOST_AGREED],
    }


def _campaigns(rnd: Round) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(Campaign.id, Campaign.size, Comment.body_html, Comment.status, Comment.id.label("rep"))
        .join(Comment, Comment.id == Campaign.representative_id)
        .where(Campaign.round_id == rnd.id)
        .order_by(Campaign.size.desc(), Campaign.id)
        .limit(CAMPAIGNS_SHOWN)
    )
    return [
        {
            "id": i,
            "size": size,
            "representative_id": rep,
            "body_html": html if status == CommentStatus.VISIBLE else None,
        }
        for i, size, html, status, rep in rows
    ]


def without_hidden_since(round_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The frozen summary with the texts of comments hidden or withdrawn since its publication taken out (one
    query): the record keeps its figures, but a hidden comment is never shown."""
    shown = [c["id"] for c in data.get("most_agreed", [])]
    shown += [c["id"] for c in data.get("opinion", {}).get("consensus", [])]
    shown += [c["representative_id"] for c in data.get("campaigns", []) if c.get("representative_id")]
    visible = set(_visible_texts(round_id, shown))
    data["most_agreed"] = [c for c in data.get("most_agreed", []) if c["id"] in visible]
    if "opinion" in data:
        data["opinion"]["consensus"] = [c for c in data["opinion"].get("consensus", []) if c["id"] in visible]
    for c in data.get("campaigns", []):
        if c.get("representative_id") not in visible:
            c["body_html"] = None
    return data


def _accepted_themes(round_id: int) -> list[Theme]:
    return list(
        db.session.scalars(
            sa.select(Theme)
            .where(Theme.round_id == round_id, Theme.status == ThemeStatus.ACCEPTED)
            .order_by(Theme.position, Theme.id)
        )
    )


def _themes(rnd: Round) -> list[dict[str, Any]]:
    themes = _accepted_themes(rnd.id)
    counts = theme_counts(rnd.id)
    keys: dict[int, list[str]] = {}
    for theme_id, key in db.session.execute(
        sa.select(ThemeComment.theme_id, Section.key)
        .join(Comment, Comment.id == ThemeComment.comment_id)
        .join(Section, Section.id == Comment.section_id)
        .join(Theme, Theme.id == ThemeComment.theme_id)
        .where(Theme.round_id == rnd.id)
        .distinct()
        .order_by(ThemeComment.theme_id, Section.key)
    ):
        keys.setdefault(theme_id, []).append(key)
    return [
        {
            "id": t.id,
            "title": t.title,
            "synthesis": t.synthesis,
            "synthesis_html": t.synthesis_html,
            "comment_count": counts.get(t.id, (0, 0))[0],
            "signature_count": counts.get(t.id, (0, 0))[1],
            "disposition": (
                {"value": t.disposition_value, "response": t.disposition_response or ""}
                if t.disposition_value
                else None
            ),
            "response_html": t.disposition_response_html or "",
            "section_keys": keys.get(t.id, []),
        }
        for t in themes
    ]


def _untagged(rnd: Round) -> int:
    tagged = (
        sa.select(ThemeComment.comment_id)
        .join(Theme, Theme.id == ThemeComment.theme_id)
        .where(Theme.status == ThemeStatus.ACCEPTED, ThemeComment.comment_id == Comment.id)
    )
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Comment.round_id == rnd.id,
            Comment.parent_id.is_(None),
            Comment.status == CommentStatus.VISIBLE,
            Comment.official_role.is_(None),
            ~tagged.exists(),
        )
    )


def compute_summary(rnd: Round) -> dict[str, Any]:
    """The live figures of the round's summary (what publishing freezes)."""
    return {
        "round_id": rnd.id,
        "participation": participation(rnd),
        "stances": section_stances(rnd),
        "most_agreed": _most_agreed(rnd),
        "opinion": _opinion(rnd),
        "campaigns": _campaigns(rnd),
        "themes": _themes(rnd),
        "untagged_comments": _untagged(rnd),
    }
