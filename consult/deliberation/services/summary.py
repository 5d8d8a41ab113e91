"""A closed round's deliberation summary: its figures, the draft overview, publishing, and the answers shown.

Reads are aggregate queries only: a constant number of queries whatever the size of the round (a round may have
100,000 comments). Hidden comments are counted in the figures and never shown: every text that leaves this module
(most agreed comments, consensus, e-mails) comes from visible comments only.

Who may do what: the moderators and agency admins of the round's agency and site admins see and edit the draft
(`can_edit_summary`); agency admins and site admins publish it (`can_publish_summary`). Once published, the
summary (as frozen in Summary.published_json) is public.

Participants (decided here, the issue was silent): the distinct people who commented, voted or took a stance,
without the agency's own staff (their votes are left out of the opinion groups too, and their official comments
are the agency speaking), plus one person per comment entered by staff on a citizen's behalf (channel other than
web): such a comment is a citizen the web never saw.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from consult import audit, signals
from consult.accounts.models import User
from consult.agencies.models import Membership
from consult.agencies.services import can_manage_agency, can_moderate
from consult.deliberation import summary_text
from consult.deliberation.models import (
    Campaign,
    CommentDisposition,
    Summary,
    SummaryState,
    Theme,
    ThemeComment,
    ThemeStatus,
)
from consult.deliberation.services.opinion import stored_opinion
from consult.deliberation.theme_queries import theme_counts
from consult.documents.models import Section
from consult.errors import Conflict, Invalid, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.participation.models import Channel, Comment, CommentStatus, CommentVote, SectionStance, SectionStats
from consult.rounds.models import Round, RoundState
from consult.sanitize import render_comment
from consult.timeutil import iso_utc, utcnow

MOST_AGREED = 5
CAMPAIGNS_SHOWN = 10
CHANNELS = tuple(c.value for c in Channel)
DISPOSITION_LABELS = {
    "adopted": _l("Adopted"),
    "partly_adopted": _l("Partly adopted"),
    "not_adopted": _l("Not adopted"),
    "out_of_scope": _l("Out of scope"),
}
CHANNEL_LABELS = {
    "web": _l("Website"),
    "counter": _l("Service counter"),
    "paper": _l("Paper"),
    "phone": _l("Phone"),
    "forum": _l("Public forum"),
}


def can_edit_summary(user: User | None, rnd: Round) -> bool:
    return can_moderate(user, rnd.agency)


def can_publish_summary(user: User | None, rnd: Round) -> bool:
    return can_manage_agency(user, rnd.agency)


def summary_row(round_id: int) -> Summary | None:
    return db.session.get(Summary, round_id)


def is_published(round_id: int) -> bool:
    return bool(db.session.scalar(sa.select(Summary.state).where(Summary.round_id == round_id)) == "published")


# --- figures ---------------------------------------------------------------------------------------------------


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
    people = db.session.scalar(
        sa.select(sa.func.count()).select_from(web_people).where(web_people.c.uid.not_in(staff))
    )
    by_channel = dict.fromkeys(CHANNELS, 0)
    hidden = 0
    for channel, status, n in db.session.execute(
        sa.select(Comment.channel, Comment.status, sa.func.count()).where(citizen_comment).group_by(
            Comment.channel, Comment.status
        )
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


def _stances(rnd: Round) -> list[dict[str, Any]]:
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
    return [{"id": i, "html": h, "agree": a, "disagree": d} for i, h, a, d in rows]


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
            {"id": c["comment_id"], "direction": c["direction"], "html": texts[c["comment_id"]]}
            for c in consensus
            if c["comment_id"] in texts
        ][:MOST_AGREED],
    }


def _campaigns(rnd: Round) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(Campaign.id, Campaign.size, Comment.body_html, Comment.status)
        .join(Comment, Comment.id == Campaign.representative_id)
        .where(Campaign.round_id == rnd.id)
        .order_by(Campaign.size.desc(), Campaign.id)
        .limit(CAMPAIGNS_SHOWN)
    )
    return [
        {"id": i, "size": size, "html": html if status == CommentStatus.VISIBLE else None}
        for i, size, html, status in rows
    ]


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
        "stances": _stances(rnd),
        "most_agreed": _most_agreed(rnd),
        "opinion": _opinion(rnd),
        "campaigns": _campaigns(rnd),
        "themes": _themes(rnd),
        "untagged_comments": _untagged(rnd),
    }


def summary_for(rnd: Round, viewer: User | None) -> dict[str, Any]:
    """The summary as `viewer` may see it: the frozen published one for everyone once published; before that the
    live draft for the agency's staff (NotFound for anyone else). Adds state, published_at, overview(_html)."""
    row = summary_row(rnd.id)
    if row is not None and row.state == SummaryState.PUBLISHED:
        data = row.published
        data.update(state="published", published_at=iso_utc(row.published_at))
        return data
    if not can_edit_summary(viewer, rnd):
        raise NotFound()
    data = compute_summary(rnd)
    overview = row.overview if row is not None else draft_text(rnd, data)
    data.update(
        state="draft",
        published_at=None,
        overview=overview,
        overview_html=row.overview_html if row is not None else render_comment(overview),
    )
    return data


def draft_text(rnd: Round, data: dict[str, Any]) -> str:
    return summary_text.draft_overview(rnd.title, rnd.agency.name, data)


def unanswered_themes(round_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Theme.title)
            .where(Theme.round_id == round_id, Theme.status == ThemeStatus.ACCEPTED, Theme.disposition_value.is_(None))
            .order_by(Theme.position, Theme.id)
        )
    )


# --- writing ---------------------------------------------------------------------------------------------------


def _ensure_row(rnd: Round, user: User | None) -> Summary:
    """The round's Summary row, created with the drafted overview (call inside a write transaction)."""
    row = db.session.get(Summary, rnd.id, populate_existing=True)
    if row is None:
        text = draft_text(rnd, compute_summary(rnd))
        row = Summary(round_id=rnd.id, state=SummaryState.DRAFT, overview=text, overview_html=render_comment(text))
        db.session.add(row)
        db.session.flush()
    return row


def update_overview(rnd: Round, user: User | None, text: str) -> Summary:
    """Staff (can_edit_summary) change the overview text of the draft; sanitised. 409 once published.
    Audited as "summary.edited" (the text is public once published)."""
    if not can_edit_summary(user, rnd):
        raise NotAllowed()
    text = (text or "").strip()
    if len(text) > 20000:
        raise Invalid(fields={"overview": _l("At most 20,000 characters.")})
    with write_transaction():
        row = _ensure_row(rnd, user)
        if row.state == SummaryState.PUBLISHED:
            raise Conflict(_l("The summary is published and can no longer be changed."))
        row.overview, row.overview_html = text, render_comment(text)
        row.updated_at, row.updated_by_id = utcnow(), user.id
        audit.record("summary.edited", None, {"chars": len(text)}, actor=user, subject_type="summaries", subject_id=rnd.id)
    return row


def publish_summary(rnd: Round, user: User | None) -> dict[str, Any]:
    """An agency admin (or site admin) publishes the closed round's summary with every theme answered.

    403 for anyone else; 409 while the round is not closed, once published, or while accepted themes have no
    disposition (the message lists them). Freezes the figures in published_json, records "summary.published"
    and sends signals.summary_published in the same transaction (notifications queues the e-mails; notified_at
    makes them once). Returns the published summary."""
    if not can_publish_summary(user, rnd):
        raise NotAllowed(_l("Only the agency's admins publish the summary."))
    if rnd.state != RoundState.CLOSED:
        raise Conflict(_l("The round is not closed yet: the summary is published after the close."))
    with write_transaction():
        row = _ensure_row(rnd, user)
        if row.state == SummaryState.PUBLISHED:
            raise Conflict(_l("The summary is already published."))
        missing = unanswered_themes(rnd.id)
        if missing:
            raise Conflict(
                _l("These themes have no answer from the agency yet: %(themes)s.", themes="; ".join(missing))
            )
        data = compute_summary(rnd)
        data["overview"], data["overview_html"] = row.overview, row.overview_html
        now = utcnow()
        row.state, row.published_at, row.published_by_id = SummaryState.PUBLISHED, now, user.id
        row.published_json = json.dumps(data, ensure_ascii=False, sort_keys=True)
        # the round's pages now show the answers under each comment: their anonymous copies are made again
        db.session.execute(
            sa.update(Round).where(Round.id == rnd.id).values(public_revision=Round.public_revision + 1)
        )
        audit.record(
            "summary.published",
            None,
            {"round_id": rnd.id, "themes": len(data["themes"]), "participants": data["participation"]["participants"]},
            actor=user,
            subject_type="summaries",
            subject_id=rnd.id,
        )
        if row.notified_at is None:
            signals.summary_published.send(rnd, summary=row)
            row.notified_at = utcnow()
    return summary_for(rnd, user)


# --- answers ---------------------------------------------------------------------------------------------------


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


def get_round_or_404(round_id: int) -> Round:
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise NotFound()
    return rnd
