"""The public record of a round, read for its archive: plain rows streamed from one connection (one snapshot).

Every reader takes the same Connection, inside one transaction (REPEATABLE READ on PostgreSQL; SQLite's WAL gives
a read transaction a snapshot), so the files of one archive agree with each other and with the audit head read
first. Rows come in batches (yield_per), never all at once: 100,000 comments and 1,000,000 votes stream in
constant memory. What is public only: pseudonyms, never account names or e-mail addresses; the body of a hidden
or withdrawn comment is empty (consult.monitoring.archive blanks it again, whatever it is given).

"seeded": a comment without its own audit entry (comment.posted, or comment.assisted for one entered by staff)
came in bulk (`flask seed load` benchmark data, or a Polis import), as the round's seed.load or round.imported
entry declares; tools/verify_archive.py checks that such comments do not outnumber what those entries declare.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from consult.audit import AuditEntry, _fmt_time
from consult.deliberation.models import Revision, Summary, SummaryState
from consult.documents.models import Document, DocumentVersion, Section
from consult.moderation.models import ModerationAction
from consult.participation.models import Comment, CommentVote, Participant
from consult.rounds.models import Round

BATCH = 5_000


def _stream(conn: sa.Connection, query) -> Iterator[sa.RowMapping]:
    yield from conn.execution_options(yield_per=BATCH).execute(query).mappings()


def round_json(conn: sa.Connection, rnd: Round, now) -> dict[str, Any]:
    document = rnd.document
    return {
        "id": rnd.id,
        "title": rnd.title,
        "agency": {"slug": rnd.agency.slug, "name": rnd.agency.name},
        "document": {"id": document.id, "title": document.title, "kind": str(document.kind)},
        "version": {"id": rnd.version_id, "number": rnd.version.number},
        "state": str(rnd.state_at(now).value),
        "opens_at": _fmt_time(rnd.opens_at),
        "closes_at": _fmt_time(rnd.effective_closes_at),
        "origin": rnd.origin,
        "iap2_level": rnd.iap2_level,
        "source_url": rnd.source_url,
        "source_attribution": rnd.source_attribution,
    }


def sections(conn: sa.Connection, version_id: int) -> Iterator[sa.RowMapping]:
    s = Section.__table__
    return _stream(
        conn,
        sa.select(s.c.id, s.c.key, s.c.position, s.c.level, s.c.title, s.c.body)
        .where(s.c.version_id == version_id)
        .order_by(s.c.position, s.c.id),
    )


def _scope(query, column, round_id: int | None):
    """One round's rows, or every round's (the site-wide export) when round_id is None."""
    return query.where(column == round_id) if round_id is not None else query


def comments(conn: sa.Connection, round_id: int | None) -> Iterator[dict[str, Any]]:
    c, p, s, a = Comment.__table__, Participant.__table__, Section.__table__, AuditEntry.__table__
    posted = (
        sa.select(sa.literal(1))
        .where(
            a.c.subject_type == "comments",
            a.c.subject_id == sa.cast(c.c.id, sa.String),
            a.c.action.in_(("comment.posted", "comment.assisted")),
        )
        .exists()
    )
    query = (
        sa.select(
            c.c.round_id,
            c.c.id,
            c.c.parent_id,
            s.c.key.label("section_key"),
            p.c.pseudonym.label("author"),
            c.c.channel,
            c.c.status,
            c.c.created_at,
            c.c.body,
            sa.not_(posted).label("seeded"),
        )
        .join(p, p.c.id == c.c.participant_id)
        .outerjoin(s, s.c.id == c.c.section_id)
        .order_by(c.c.id)
    )
    query = _scope(query, c.c.round_id, round_id)
    for row in _stream(conn, query):
        item = dict(row)
        if item["status"] != "visible":
            item["body"] = ""
        yield item


def vote_counts(conn: sa.Connection, round_id: int | None) -> Iterator[sa.RowMapping]:
    c, v = Comment.__table__, CommentVote.__table__
    return _stream(
        conn,
        _scope(
            sa.select(
                c.c.round_id,
                v.c.comment_id,
                sa.func.sum(sa.case((v.c.value == 1, 1), else_=0)).label("agree"),
                sa.func.sum(sa.case((v.c.value == -1, 1), else_=0)).label("disagree"),
                sa.func.sum(sa.case((v.c.value == 0, 1), else_=0)).label("pass"),
            ).join(c, c.c.id == v.c.comment_id),
            c.c.round_id,
            round_id,
        )
        .group_by(c.c.round_id, v.c.comment_id)
        .order_by(v.c.comment_id),
    )


def participant_votes(conn: sa.Connection, round_id: int | None) -> Iterator[sa.RowMapping]:
    """One row per voter pseudonym (the round's, as Polis publishes participant ids) and comment, by comment and
    then voter: the order of the votes' unique index, so a million votes stream without a sort."""
    c, v, p = Comment.__table__, CommentVote.__table__, Participant.__table__
    query = (
        sa.select(
            c.c.round_id,
            # a voter without a participant row: "anonim", never their account
            sa.func.coalesce(p.c.pseudonym, "anonim").label("voter"),
            v.c.comment_id,
            v.c.value.label("vote"),
            v.c.created_at,
        )
        .join(c, c.c.id == v.c.comment_id)
        .outerjoin(p, sa.and_(p.c.round_id == c.c.round_id, p.c.user_id == v.c.user_id))
        .order_by(c.c.id, v.c.user_id)
    )
    return _stream(conn, _scope(query, c.c.round_id, round_id))


def moderation(conn: sa.Connection, round_id: int | None) -> Iterator[dict[str, Any]]:
    """The public moderation log: one round's, or everything (decisions outside any round too) when None."""
    m = ModerationAction.__table__
    query = sa.select(
        m.c.round_id,
        m.c.id,
        m.c.created_at,
        m.c.action,
        m.c.comment_id,
        m.c.rule_number.label("rule"),
        m.c.rule_title,
        m.c.reason,
        m.c.moderator,
    ).order_by(m.c.id)
    query = _scope(query, m.c.round_id, round_id)
    for row in _stream(conn, query):
        yield dict(row)


def audit_entries(conn: sa.Connection, up_to_seq: int) -> Iterator[dict[str, Any]]:
    a = AuditEntry.__table__
    query = sa.select(a).where(a.c.seq <= up_to_seq).order_by(a.c.seq)
    for row in _stream(conn, query):
        item = dict(row)
        item["at"] = _fmt_time(item["at"])
        item["data"] = json.loads(item.pop("data_json"))
        yield item


def audit_head(conn: sa.Connection) -> dict[str, Any]:
    a = AuditEntry.__table__
    last = conn.execute(sa.select(a.c.seq, a.c.hash, a.c.at).order_by(a.c.seq.desc()).limit(1)).first()
    if last is None:
        raise ValueError("the audit chain is empty: there is nothing to archive")
    return {"seq": last.seq, "hash": last.hash, "at": _fmt_time(last.at)}


def published_summary(conn: sa.Connection, round_id: int) -> dict[str, Any] | None:
    t = Summary.__table__
    row = conn.execute(
        sa.select(t.c.published_json).where(t.c.round_id == round_id, t.c.state == SummaryState.PUBLISHED)
    ).first()
    return json.loads(row.published_json) if row is not None and row.published_json else None


def adopted_version(conn: sa.Connection, round_id: int) -> tuple[dict[str, Any], int] | None:
    """The version adopted from this round ({"id", "number", "document_id", "sections"}) and the id of the version
    the round consulted on, or None."""
    r, v = Revision.__table__, DocumentVersion.__table__
    row = conn.execute(
        sa.select(v.c.id, v.c.number, v.c.document_id)
        .join(r, r.c.version_id == v.c.id)
        .where(r.c.round_id == round_id, v.c.adopted_at.is_not(None))
        .order_by(v.c.number.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    s = Section.__table__
    parts = conn.execute(
        sa.select(s.c.key, s.c.title, s.c.body).where(s.c.version_id == row.id).order_by(s.c.position, s.c.id)
    ).all()
    consulted = conn.execute(sa.select(Round.__table__.c.version_id).where(Round.__table__.c.id == round_id)).scalar()
    document = conn.execute(sa.select(Document.__table__.c.title).where(Document.__table__.c.id == row.document_id))
    version = {
        "id": row.id,
        "number": row.number,
        "document_id": row.document_id,
        "document_title": document.scalar(),
        "sections": [{"key": p.key, "title": p.title, "body": p.body} for p in parts],
    }
    return version, consulted
