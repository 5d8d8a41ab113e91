"""Open-data downloads of the public record: one table at a time, as CSV or JSON, for one round or the whole site.

TABLES names every table, its columns (documented in docs/DATA.md, "Open-data downloads") and how its rows are read:
streamed from one connection in batches (consult.monitoring.record), never all at once, so 100,000 comments and
1,000,000 votes go out in constant memory (benchmarks/export_data.py measures it). What is public only, as in the
archives: pseudonyms, never account names or e-mail addresses; the body of a hidden or withdrawn comment is empty;
complaints are statuses and dates, never the complainant or the text; themes and dispositions come from published
summaries only (a draft is the staff's work in progress); versions and sections from published versions only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from consult.agencies.models import Agency
from consult.deliberation.models import Revision, RevisionChange, Summary, SummaryState
from consult.deliberation.services.revisions import version_diff
from consult.documents import diff as diffing
from consult.documents.models import Document, DocumentVersion, Section, VersionStatus
from consult.extensions import db
from consult.monitoring import export_accountability, record, tabular
from consult.participation.models import Comment, CommentVote, SectionStats
from consult.rounds.models import Round
from consult.timeutil import utcnow

Rows = Iterator[dict[str, Any]]


@dataclass(frozen=True)
class Scope:
    """One round, as the readers need it: plain values, since a download streams after the request's session
    has let go of its objects."""

    id: int
    document_id: int
    agency_id: int

    @classmethod
    def of(cls, rnd: Round) -> Scope:
        return cls(rnd.id, rnd.document_id, rnd.agency_id)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: Callable[[sa.Connection, Scope | None, dt.datetime], Rows]
    count: Callable[[sa.Connection, Scope | None], int] | None = None  # for the page's progress bar


def _count(conn: sa.Connection, query) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()


def _where(query, column, rnd: Scope | None, value: Callable[[Scope], Any] = lambda r: r.id):
    return query.where(column == value(rnd)) if rnd is not None else query


# --- rounds, versions, sections ------------------------------------------------------------------------------


def _rounds(conn, rnd, now) -> Rows:
    r, a = Round.__table__, Agency.__table__
    query = _where(
        sa.select(r, a.c.slug.label("agency")).join(a, a.c.id == r.c.agency_id).order_by(r.c.id), r.c.id, rnd
    )
    for row in conn.execution_options(yield_per=record.BATCH).execute(query).mappings():
        item = dict(row)
        closes = min(item["closes_at"], item["closed_at"]) if item["closed_at"] else item["closes_at"]
        item["closes_at"] = closes
        item["state"] = "scheduled" if now < item["opens_at"] else ("open" if now < closes else "closed")
        yield item


def _public_versions(rnd: Scope | None):
    v, d, rv = DocumentVersion.__table__, Document.__table__, Revision.__table__
    query = (
        sa.select(
            v.c.id,
            v.c.document_id,
            d.c.title.label("document_title"),
            v.c.number,
            v.c.published_at,
            v.c.adopted_at,
            rv.c.round_id.label("from_round_id"),
        )
        .join(d, d.c.id == v.c.document_id)
        .outerjoin(rv, rv.c.version_id == v.c.id)
        .where(sa.or_(v.c.status == VersionStatus.PUBLISHED, v.c.adopted_at.is_not(None)))
        .order_by(v.c.document_id, v.c.number)
    )
    return _where(query, v.c.document_id, rnd, lambda r: r.document_id)


def _versions(conn, rnd, now) -> Rows:
    yield from (dict(row) for row in record._stream(conn, _public_versions(rnd)))


def _sections(conn, rnd, now) -> Rows:
    s = Section.__table__
    versions = _public_versions(rnd).subquery()
    query = (
        sa.select(s.c.version_id, s.c.id, s.c.key, s.c.position, s.c.level, s.c.title, s.c.body)
        .join(versions, versions.c.id == s.c.version_id)
        .order_by(s.c.version_id, s.c.position, s.c.id)
    )
    yield from (dict(row) for row in record._stream(conn, query))


# --- participation -------------------------------------------------------------------------------------------


def _comment_count(conn, rnd) -> int:
    c = Comment.__table__
    return _count(conn, _where(sa.select(c.c.id), c.c.round_id, rnd))


def _vote_count(conn, rnd, per_comment: bool = False) -> int:
    c, v = Comment.__table__, CommentVote.__table__
    column = v.c.comment_id.distinct() if per_comment else v.c.id
    query = sa.select(column).join(c, c.c.id == v.c.comment_id)
    return _count(conn, _where(query, c.c.round_id, rnd))


def _stances(conn, rnd, now) -> Rows:
    st, s = SectionStats.__table__, Section.__table__
    query = (
        sa.select(
            st.c.round_id,
            s.c.key.label("section_key"),
            s.c.title.label("section_title"),
            st.c.support,
            st.c.neutral,
            st.c.oppose,
            st.c.comments,
        )
        .join(s, s.c.id == st.c.section_id)
        .order_by(st.c.round_id, s.c.position, s.c.id)
    )
    yield from (dict(row) for row in record._stream(conn, _where(query, st.c.round_id, rnd)))


# --- deliberation: themes, summaries, diffs ------------------------------------------------------------------


def _published_summaries(conn, rnd) -> Iterator[tuple[int, dt.datetime, dict[str, Any]]]:
    t = Summary.__table__
    query = _where(
        sa.select(t.c.round_id, t.c.published_at, t.c.published_json)
        .where(t.c.state == SummaryState.PUBLISHED, t.c.published_json.is_not(None))
        .order_by(t.c.round_id),
        t.c.round_id,
        rnd,
    )
    for row in conn.execution_options(yield_per=100).execute(query):
        yield row.round_id, row.published_at, json.loads(row.published_json)


def _themes(conn, rnd, now) -> Rows:
    for round_id, _published_at, data in _published_summaries(conn, rnd):
        for theme in data.get("themes", []):
            disposition = theme.get("disposition") or {}
            yield {
                "round_id": round_id,
                "theme_id": theme.get("id"),
                "title": theme.get("title"),
                "synthesis": theme.get("synthesis"),
                "comment_count": theme.get("comment_count"),
                "signature_count": theme.get("signature_count"),
                "disposition": disposition.get("value"),
                "response": disposition.get("response"),
                "section_keys": " ".join(theme.get("section_keys") or []),
            }


def _summaries(conn, rnd, now) -> Rows:
    for round_id, published_at, data in _published_summaries(conn, rnd):
        figures = data.get("participation") or {}
        yield {
            "round_id": round_id,
            "published_at": published_at,
            "participants": figures.get("participants"),
            "comments": figures.get("comments"),
            "votes": figures.get("votes"),
            "stances": figures.get("stances"),
            "hidden": figures.get("hidden"),
            "themes": len(data.get("themes") or []),
            "untagged_comments": data.get("untagged_comments"),
            "overview": data.get("overview"),
        }


def _diffs(conn, rnd, now) -> Rows:
    """Per adopted revision, each section's change against the version its round consulted on."""
    rv, r = Revision.__table__, Round.__table__
    query = _where(
        sa.select(rv.c.version_id, rv.c.round_id, r.c.version_id.label("consulted_id"))
        .join(r, r.c.id == rv.c.round_id)
        .where(rv.c.adopted_at.is_not(None))
        .order_by(rv.c.version_id),
        rv.c.round_id,
        rnd,
    )
    reasons = {(c.version_id, c.section_key): c.reason for c in conn.execute(sa.select(RevisionChange.__table__))}
    for row in conn.execute(query).all():
        adopted, consulted = (
            db.session.get(DocumentVersion, row.version_id),
            db.session.get(DocumentVersion, row.consulted_id),
        )
        for section in version_diff(adopted, consulted)["sections"]:
            if section["change"] == "unchanged":
                continue
            yield {
                "version_id": row.version_id,
                "against_version_id": row.consulted_id,
                "round_id": row.round_id,
                "section_key": section["key"],
                "change": section["change"],
                "theme_ids": " ".join(str(t) for t in section.get("theme_ids") or []),
                "reason": reasons.get((row.version_id, section["key"]), ""),
                "before": diffing.old_text(section.get("ops") or []),
                "after": diffing.new_text(section.get("ops") or []),
            }


def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "rounds",
            _columns(
                "id agency title document_id version_id state opens_at closes_at origin iap2_level "
                "comment_count source_url"
            ),
            _rounds,
        ),
        Table(
            "versions",
            _columns("id document_id document_title number published_at adopted_at from_round_id"),
            _versions,
        ),
        Table("sections", _columns("version_id id key position level title body"), _sections),
        Table(
            "comments",
            _columns("round_id id parent_id section_key author channel status created_at body"),
            lambda conn, rnd, now: record.comments(conn, rnd.id if rnd else None),
            _comment_count,
        ),
        Table(
            "votes",
            _columns("round_id comment_id agree disagree pass"),
            lambda conn, rnd, now: record.vote_counts(conn, rnd.id if rnd else None),
            lambda conn, rnd: _vote_count(conn, rnd, per_comment=True),
        ),
        Table(
            "participant-votes",
            _columns("round_id voter comment_id vote created_at"),
            lambda conn, rnd, now: record.participant_votes(conn, rnd.id if rnd else None),
            _vote_count,
        ),
        Table(
            "stances",
            _columns("round_id section_key section_title support neutral oppose comments"),
            _stances,
        ),
        Table(
            "moderation",
            _columns("round_id id created_at action comment_id rule rule_title reason moderator"),
            lambda conn, rnd, now: record.moderation(conn, rnd.id if rnd else None),
        ),
        Table(
            "themes",
            _columns(
                "round_id theme_id title synthesis comment_count signature_count disposition response section_keys"
            ),
            _themes,
        ),
        Table(
            "summaries",
            _columns(
                "round_id published_at participants comments votes stances hidden themes untagged_comments overview"
            ),
            _summaries,
        ),
        Table(
            "diffs",
            _columns("version_id against_version_id round_id section_key change theme_ids reason before after"),
            _diffs,
        ),
        Table(
            "commitments",
            _columns(
                "id agency service version_id section_key measure kind value unit text state published_at superseded_at"
            ),
            export_accountability.commitments,
        ),
        Table(
            "complaints",
            _columns(
                "tracking_number agency service commitment_id channel received_at first_due_at due_at "
                "first_answered_at answered_at answered_on_time confirmed_at disputed_at dispute_count "
                "status overdue"
            ),
            export_accountability.complaints,
        ),
        Table(
            "report-card",
            _columns(
                "agency service period_from period_to commitments complaints_received complaints_answered "
                "complaints_answered_on_time complaints_overdue complaints_disputed ikm grade responses "
                "paper_responses minimum_sample below_minimum_sample"
            ),
            export_accountability.report_cards,
        ),
    )
}


FORMATS = {"csv": ("text/csv", tabular.csv_chunks), "json": ("application/json", tabular.json_chunks)}


def _snapshot():
    """One read transaction (REPEATABLE READ on PostgreSQL; SQLite's WAL gives it a snapshot)."""
    options = {"isolation_level": "REPEATABLE READ"} if db.engine.dialect.name == "postgresql" else {}
    return db.engine.connect().execution_options(**options)


def totals(rnd: Scope | None) -> dict[str, int | None]:
    """The number of rows of the big tables (None for the small ones): shown beside each download, and the
    progress bar's end."""
    with _snapshot() as conn, conn.begin():
        return {name: (t.count(conn, rnd) if t.count else None) for name, t in TABLES.items()}


def stream(name: str, rnd: Scope | None, fmt: str, progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """The table as CSV or JSON bytes, chunk by chunk, read in one snapshot. KeyError for an unknown table or
    format (the view answers 404 before starting)."""
    table, (_, chunks) = TABLES[name], FORMATS[fmt]
    with _snapshot() as conn, conn.begin():
        yield from chunks(table.columns, table.rows(conn, rnd, utcnow()), progress)
