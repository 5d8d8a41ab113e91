"""Read what the computations need from the database, as one consistent snapshot, into plain arrays.

A reading never blocks a vote: it is one read transaction (SQLite in WAL mode lets writers go on beside a
reader; PostgreSQL's MVCC the same), closed before anything is computed. Rows are fetched in batches with the
database driver's cursor, straight into numpy arrays; no ORM object per vote.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from consult.agencies.models import Membership
from consult.deliberation.opinion import Votes, build_votes
from consult.extensions import db
from consult.participation.models import Comment, CommentStatus, CommentVote, Participant
from consult.rounds.models import Round

FETCH = 50_000


@dataclass
class VoteSnapshot:
    """The votes of a round (or of one section's comments), with what is left out and how to name things."""

    votes: Votes  # participant ids are participants.id; comment ids are comments.id
    excluded_comment_ids: list[int]  # hidden, withdrawn and the agency's own comments
    excluded_participant_ids: list[int]  # the agency's own staff
    participant_labels: dict[int, str | int]  # participants.id -> pseudonym (Polis participant id if imported)
    comment_labels: dict[int, int | str]  # comments.id -> itself (Polis comment-id if imported)
    marker: str  # equal markers: the same votes, exclusions and names; nothing to recompute


def _external(value: str | None, fallback):
    if value is None:
        return fallback
    return int(value) if value.lstrip("-").isdigit() else value


def _digest(values) -> str:
    return hashlib.sha256(",".join(map(str, values)).encode()).hexdigest()[:16]


def _comment_filter(round_id: int, section_id: int | None):
    cond = [Comment.round_id == round_id]
    if section_id is not None:
        cond.append(Comment.section_id == section_id)
    return cond


def vote_marker(rnd: Round, section_id: int | None = None) -> str:
    """A short fingerprint of what a computation would read, from aggregate queries over indexes only (cheap to
    ask every few minutes): the number of votes, the last vote's id, the sums of the values and of their
    squares (a changed vote changes them), the comments left out and the agency's staff."""
    cond = _comment_filter(rnd.id, section_id)
    count, last_id, total, nonzero = db.session.execute(
        sa.select(
            sa.func.count(),
            sa.func.max(CommentVote.id),
            sa.func.coalesce(sa.func.sum(CommentVote.value), 0),
            sa.func.coalesce(sa.func.sum(CommentVote.value * CommentVote.value), 0),
        )
        .select_from(Comment)
        .join(CommentVote, CommentVote.comment_id == Comment.id)
        .where(*cond)
    ).one()
    excluded = _excluded_comments(rnd.id, section_id)
    staff = _staff_users(rnd)
    return f"v{count}:{last_id}:{total}:{nonzero}:c{_digest(excluded)}:s{_digest(staff)}"


def _excluded_comments(round_id: int, section_id: int | None) -> list[int]:
    cond = _comment_filter(round_id, section_id)
    return list(
        db.session.scalars(
            sa.select(Comment.id)
            .where(*cond, sa.or_(Comment.status != CommentStatus.VISIBLE, Comment.official_role.is_not(None)))
            .order_by(Comment.id)
        )
    )


def _staff_users(rnd: Round) -> list[int]:
    return sorted(set(db.session.scalars(sa.select(Membership.user_id).where(Membership.agency_id == rnd.agency_id))))


def read_votes(rnd: Round, section_id: int | None = None) -> VoteSnapshot:
    """Every vote on the round's comments (or one section's) in one read; there is one vote per person and
    comment, so the order (comment, then person) is only there to make the result deterministic."""
    _begin_snapshot()
    marker = vote_marker(rnd, section_id)
    excluded_comments = _excluded_comments(rnd.id, section_id)
    staff = set(_staff_users(rnd))

    participants = db.session.execute(
        sa.select(Participant.id, Participant.user_id, Participant.pseudonym, Participant.external_id)
        .where(Participant.round_id == rnd.id)
        .order_by(Participant.id)
    ).all()
    by_user = {row.user_id: row.id for row in participants}
    labels: dict[int, str | int] = {row.id: _external(row.external_id, row.pseudonym) for row in participants}
    staff_participants = sorted(by_user[u] for u in staff if u in by_user)

    comment_rows = db.session.execute(
        sa.select(Comment.id, Comment.external_id).where(*_comment_filter(rnd.id, section_id)).order_by(Comment.id)
    ).all()
    comment_labels = {row.id: _external(row.external_id, row.id) for row in comment_rows}

    users, comments, values = _fetch_votes(rnd.id, section_id)
    db.session.rollback()  # end the read transaction before computing: nothing is held while numpy works

    # A vote always has its participant row (participation.services.rules.participant_row); one without it
    # (data written by hand) is left out rather than named by its account id.
    user_ids = np.fromiter(by_user.keys(), np.int64, len(by_user))
    part_ids = np.fromiter(by_user.values(), np.int64, len(by_user))
    order = np.argsort(user_ids)
    user_ids, part_ids = user_ids[order], part_ids[order]
    pos = np.searchsorted(user_ids, users)
    pos_ok = pos < user_ids.size
    known = np.zeros(users.size, bool)
    known[pos_ok] = user_ids[pos[pos_ok]] == users[pos_ok]
    participants_of_votes = part_ids[pos[known]] if user_ids.size else np.empty(0, np.int64)
    comments, values = comments[known], values[known]

    pids = np.unique(participants_of_votes)
    cids = np.unique(comments)
    votes = build_votes(
        [int(p) for p in pids],
        [int(c) for c in cids],
        np.searchsorted(pids, participants_of_votes),
        np.searchsorted(cids, comments),
        values,
    )
    return VoteSnapshot(
        votes=votes,
        excluded_comment_ids=excluded_comments,
        excluded_participant_ids=staff_participants,
        participant_labels=labels,
        comment_labels=comment_labels,
        marker=marker,
    )


def _begin_snapshot() -> None:
    """Start a read transaction that sees one moment: SQLite's BEGIN in WAL mode already does; PostgreSQL needs
    REPEATABLE READ (its default, READ COMMITTED, gives every statement its own moment)."""
    db.session.rollback()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _fetch_votes(round_id: int, section_id: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(user ids, comment ids, values) sorted by comment and user: a deterministic order read straight from
    ix_comment_votes_snapshot (no sort in the database, no row lookups), in batches from the driver's cursor
    straight into numpy (a Row object per vote costs more than the whole computation)."""
    stmt = (
        sa.select(CommentVote.comment_id, CommentVote.user_id, CommentVote.value)
        .select_from(Comment)
        .join(CommentVote, CommentVote.comment_id == Comment.id)
        .where(*_comment_filter(round_id, section_id))
    )
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        data = _copy_binary(conn, stmt)
        order = np.lexsort((data[:, 1], data[:, 0]))
        data = data[order]
        return data[:, 1], data[:, 0], data[:, 2]
    compiled = stmt.compile(dialect=conn.dialect)
    params = [compiled.params[name] for name in compiled.positiontup] if compiled.positional else compiled.params
    cursor = conn.connection.dbapi_connection.cursor()
    chunks: list[np.ndarray] = []
    try:
        cursor.execute(str(compiled), params)
        while rows := cursor.fetchmany(FETCH):
            chunks.append(np.fromiter(itertools.chain.from_iterable(rows), np.int64, count=3 * len(rows)))
    finally:
        cursor.close()
    if not chunks:
        empty = np.empty(0, np.int64)
        return empty, empty, empty
    data = np.concatenate(chunks).reshape(-1, 3)
    order = np.lexsort((data[:, 1], data[:, 0]))  # one (comment, user) pair per vote: a total order
    data = data[order]
    return data[:, 1], data[:, 0], data[:, 2]


# COPY … (FORMAT binary) of three int4 columns: per row a 16-bit field count, then length and value of each field
_COPY_ROW = np.dtype(
    [("n", ">i2"), ("l0", ">i4"), ("a", ">i4"), ("l1", ">i4"), ("b", ">i4"), ("l2", ">i4"), ("c", ">i4")]
)
_COPY_HEADER = 19  # signature (11 bytes), flags (4), header extension length (4, zero)


def _copy_binary(conn, stmt) -> np.ndarray:
    """PostgreSQL: the rows of ``stmt`` (three integer columns, no NULL) by COPY TO STDOUT in binary, read by
    numpy in one go: about ten times faster than fetching rows through the driver."""
    sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))  # ids only: integers
    buffer = bytearray()
    with (
        conn.connection.dbapi_connection.cursor() as cursor,
        cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT binary)") as copy,
    ):
        for chunk in copy:
            buffer += chunk
    body = memoryview(buffer)[_COPY_HEADER : len(buffer) - 2]  # the trailer is a field count of -1
    rows = np.frombuffer(body, dtype=_COPY_ROW)
    if rows.size and not (
        (rows["n"] == 3).all() and (rows["l0"] == 4).all() and (rows["l1"] == 4).all() and (rows["l2"] == 4).all()
    ):
        raise ValueError("unexpected COPY row layout")  # a NULL or a wider integer type: never silently misread
    return np.stack([rows["a"], rows["b"], rows["c"]], axis=1).astype(np.int64)


@dataclass
class CommentTexts:
    ids: list[int]
    texts: list[str]
    labels: dict[int, int | str]
    marker: str


def read_comment_texts(rnd: Round) -> CommentTexts:
    """The round's visible citizen comments (bodies as written), oldest first, for campaign detection."""
    _begin_snapshot()
    rows = db.session.execute(
        sa.select(Comment.id, Comment.body, Comment.external_id)
        .where(Comment.round_id == rnd.id, Comment.status == CommentStatus.VISIBLE, Comment.official_role.is_(None))
        .order_by(Comment.id)
        .execution_options(yield_per=FETCH)
    ).all()
    db.session.rollback()
    ids = [r.id for r in rows]
    return CommentTexts(
        ids=ids,
        texts=[r.body for r in rows],
        labels={r.id: _external(r.external_id, r.id) for r in rows},
        marker=f"c{len(ids)}:{sum(ids)}",  # as services._texts_marker asks it of the database
    )
