"""Synthetic participation for benchmarks: `flask seed load ROUND_ID --comments N --votes M`.

Fills a round with users, participants, comments, replies, votes and section stances, fast: SQLAlchemy Core
bulk inserts (executemany in batches) inside ONE write transaction, never the per-row services. The rules the
services keep hold here too: one participant and a unique pseudonym per user and round, one vote per user and
comment (deduplicated in Python), nobody votes on their own comment, replies answer a top-level comment of
the same round and take its section, only top-level comments carry a stance (and it is their author's stance
on the section), body_html is the sanitised render of body. The cached counters are then recomputed for the
whole round with set-based UPDATE … FROM (SELECT … GROUP BY) statements, so they equal COUNT(*) exactly.

One "seed.load" audit entry records what was loaded (counts only), in the same transaction.
The synthetic users cannot log in: their password hash is not a hash any password can match.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from consult import audit
from consult.accounts.models import User
from consult.documents.models import Section
from consult.errors import Conflict, NotFound
from consult.extensions import db, write_transaction
from consult.participation.models import (
    Comment,
    CommentStatus,
    CommentVote,
    Participant,
    SectionStance,
    SectionStats,
)
from consult.participation.services import PSEUDONYM_ALPHABET
from consult.rounds.models import Round
from consult.sanitize import render_comment
from consult.timeutil import utcnow

BATCH = 5000
REPLY_SHARE = 0.2  # of all comments
WHOLE_DOCUMENT_SHARE = 0.2  # of top-level comments: section_id NULL
STANCE_USER_SHARE = 0.3  # of users take a stance on a few sections
COMMENT_STANCE_SHARE = 0.5  # of top-level comments on a section carry their author's stance
VOTE_WEIGHTS = ((1, 0.55), (-1, 0.3), (0, 0.15))
STANCE_WEIGHTS = (("support", 0.45), ("oppose", 0.35), ("neutral", 0.2))
ACTOR = "seed"

_OPENERS = (
    "Saya setuju dengan usulan ini.",
    "Menurut saya bagian ini masih kurang jelas.",
    "Terima kasih atas kesempatan memberi masukan.",
    "Saya kurang setuju dengan ketentuan ini.",
    "Sebagai warga yang sering mengurus dokumen, saya punya pengalaman berbeda.",
    "Usulan ini sudah baik, tetapi perlu diperjelas.",
    "Mohon dipertimbangkan kembali.",
    "Bagian ini penting bagi warga di desa.",
)
_MIDDLES = (
    "Waktu penyelesaian **tiga hari kerja** terlalu lama untuk layanan yang sederhana.",
    "Persyaratan fotokopi KTP sebaiknya dihapus karena data sudah ada di sistem.",
    "Loket sering tutup sebelum jam pelayanan berakhir.",
    "Biaya harus ditulis dengan jelas: *gratis* atau tidak.",
    "Warga lansia dan penyandang disabilitas perlu jalur khusus.",
    "Pengaduan lewat WhatsApp sering tidak dibalas.",
    "Informasi di situs web https://contoh.go.id/layanan belum diperbarui.",
    "Petugas perlu pelatihan agar pelayanan lebih ramah.",
    "Antrean daring sangat membantu, tetapi kuotanya cepat habis.",
    "Sebaiknya ada batas waktu yang pasti untuk setiap tahap.",
)
_LISTS = (
    "Usul saya:\n\n- tambah loket di kecamatan\n- buka layanan hari Sabtu\n- umumkan jadwal di papan",
    "Yang perlu diperbaiki:\n\n1. alur pengaduan\n2. waktu tunggu\n3. kejelasan biaya",
)
_CLOSERS = (
    "Semoga masukan ini bermanfaat.",
    "Mohon tanggapannya.",
    "Terima kasih.",
    "Saya berharap ada perbaikan tahun ini.",
    "",
)
_FIRST_NAMES = ("Agus", "Budi", "Citra", "Dewi", "Eka", "Fitri", "Gita", "Hadi", "Indah", "Joko", "Kartika", "Lestari")
_LAST_NAMES = ("Santoso", "Wijaya", "Saputra", "Lubis", "Siregar", "Nasution", "Hidayat", "Pratama", "Kusuma", "Rahman")


@dataclass
class LoadResult:
    round_id: int
    comments: int
    replies: int
    votes: int
    users: int
    stances: int
    seconds: float

    def summary(self) -> dict:
        return {
            "round_id": self.round_id,
            "comments": self.comments,
            "votes": self.votes,
            "users": self.users,
            "seconds": round(self.seconds, 2),
        }


def _bodies(rng: random.Random, n: int = 48) -> list[tuple[str, str]]:
    """A few dozen Indonesian-looking comment bodies, each rendered once through the sanitiser."""
    bodies = []
    for i in range(n):
        parts = [rng.choice(_OPENERS), " ".join(rng.sample(_MIDDLES, rng.randint(1, 3)))]
        if i % 6 == 0:
            parts.append(rng.choice(_LISTS))
        closer = rng.choice(_CLOSERS)
        if closer:
            parts.append(closer)
        body = "\n\n".join(parts)
        bodies.append((body, render_comment(body)))
    return bodies


def _at(start: dt.datetime, span: float, rng: random.Random) -> dt.datetime:
    return start + dt.timedelta(seconds=rng.random() * span)


def _insert(table: sa.Table, rows: list[dict]) -> None:
    for i in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[i : i + BATCH])


def _new_ids(table: sa.Table, n: int) -> list[int]:
    """Reserve `n` ids for rows inserted with explicit ids (so no RETURNING round trip is needed).

    PostgreSQL: taken from the column's sequence, safe beside concurrent writers. SQLite: the ids above the
    current maximum, which is what SQLite itself would assign; inside BEGIN IMMEDIATE no one else writes.
    """
    if n == 0:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        return list(
            db.session.scalars(
                sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n) ORDER BY 1"),
                {"table": table.name, "n": n},
            )
        )
    first = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))) + 1
    return list(range(first, first + n))


def _weighted(rng: random.Random, weights: tuple[tuple, ...], k: int) -> list:
    values, w = zip(*weights, strict=True)
    return rng.choices(values, w, k=k)


def load(round_id: int, *, comments: int, votes: int, users: int | None = None, seed: int | None = None) -> LoadResult:
    """Load `comments` comments (about 20% replies), `votes` votes and section stances into a round.

    `users` new synthetic users take part (default max(100, comments // 20)); created_at times are spread over
    the round's open period so far. Everything happens in one write transaction with one "seed.load" audit
    entry; on any error nothing is kept. Refuses a round that has not opened yet. For the CLI and benchmarks.

    The counters are computed while generating, so each comment row is written once, and then recomputed
    for the whole round by recount(), which is the authority: it rewrites any row whose counters differ from
    COUNT(*) (rows of earlier participation included).
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    n_users = users if users is not None else max(100, comments // 20)
    if n_users < 2 and votes:
        raise Conflict("Votes need at least two users (nobody votes on their own comment).")

    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise NotFound(f"There is no round {round_id}.")
    now = utcnow()
    if now < rnd.opens_at:
        raise Conflict("This round has not opened yet; synthetic participation needs an open or closed round.")
    start, end = rnd.opens_at, min(now, rnd.effective_closes_at)
    span = max((end - start).total_seconds(), 1.0)
    section_ids = list(db.session.scalars(sa.select(Section.id).where(Section.version_id == rnd.version_id)))

    with write_transaction():
        # --- users and their participants ----------------------------------------------------------------
        prefix = f"synthetic-{round_id}-"
        offset = db.session.scalar(
            sa.select(sa.func.count()).select_from(User).where(User.email.like(f"{prefix}%@seed.invalid"))
        )
        unusable = "!" + secrets.token_hex(16)  # not a werkzeug hash: no password matches it
        user_created = start - dt.timedelta(days=1)
        user_ids = _new_ids(User.__table__, n_users)
        _insert(
            User.__table__,
            [
                {
                    "id": uid,
                    "email": f"{prefix}{offset + n}@seed.invalid",
                    "name": f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}",
                    "password_hash": unusable,
                    "is_verified": True,
                    "is_admin": False,
                    "is_observer": False,
                    "is_active_account": True,
                    "show_name": False,
                    "session_token": secrets.token_urlsafe(24),
                    "created_at": user_created,
                }
                for n, uid in enumerate(user_ids, start=1)
            ],
        )
        taken = set(db.session.scalars(sa.select(Participant.pseudonym).where(Participant.round_id == round_id)))
        pseudonyms: list[str] = []
        while len(pseudonyms) < n_users:
            pseudonym = "Warga-" + "".join(rng.choices(PSEUDONYM_ALPHABET, k=5))
            if pseudonym not in taken:
                taken.add(pseudonym)
                pseudonyms.append(pseudonym)
        participant_ids = _new_ids(Participant.__table__, n_users)
        _insert(
            Participant.__table__,
            [
                {
                    "id": pid,
                    "round_id": round_id,
                    "user_id": uid,
                    "pseudonym": p,
                    "show_name": False,
                    "created_at": start,
                }
                for pid, uid, p in zip(participant_ids, user_ids, pseudonyms, strict=True)
            ],
        )

        # --- section stances: ~30% of users on one to three sections ----------------------------------------
        stances: dict[tuple[int, int], str] = {}  # (user index, section id) → value
        if section_ids:
            for u in range(n_users):
                if rng.random() < STANCE_USER_SHARE:
                    for sid in rng.sample(section_ids, min(len(section_ids), rng.randint(1, 3))):
                        stances[(u, sid)] = _weighted(rng, STANCE_WEIGHTS, 1)[0]

        # --- comments: top-level ones in time order, then replies to them in time order -----------------------
        n_replies = int(comments * REPLY_SHARE)
        n_top = comments - n_replies
        if n_top == 0:
            n_top, n_replies = comments, 0
        # a few people write much more than others
        author_weights = list(itertools.accumulate(1.0 / (i + 1) ** 0.7 for i in range(n_users)))
        authors = rng.choices(range(n_users), cum_weights=author_weights, k=n_top + n_replies)
        times = sorted(_at(start, span, rng) for _ in range(n_top))
        sections: list[int | None] = []
        comment_stances: list[str | None] = []
        for i in range(n_top):
            sid = None if not section_ids or rng.random() < WHOLE_DOCUMENT_SHARE else rng.choice(section_ids)
            stance = None
            if sid is not None and rng.random() < COMMENT_STANCE_SHARE:
                stance = stances.setdefault((authors[i], sid), _weighted(rng, STANCE_WEIGHTS, 1)[0])
            sections.append(sid)
            comment_stances.append(stance)
        replies = []  # (created_at, parent index)
        for _ in range(n_replies):
            p = rng.randrange(n_top)
            replies.append((_at(times[p], max((end - times[p]).total_seconds(), 1.0), rng), p))
        replies.sort()
        parents: list[int | None] = [None] * n_top
        for created, p in replies:
            times.append(created)
            parents.append(p)
            sections.append(sections[p])
            comment_stances.append(None)
        n_comments = n_top + n_replies
        comment_ids = _new_ids(Comment.__table__, n_comments)

        # --- votes: unique (comment, user) pairs, never on one's own comment --------------------------------
        capacity = n_comments * (n_users - 1)
        pairs: list[int] = []  # comment index * n_users + user index
        if votes >= capacity // 2:
            pairs = [c * n_users + u for c in range(n_comments) for u in range(n_users) if u != authors[c]]
            pairs = rng.sample(pairs, min(votes, len(pairs)))
        elif votes:
            seen: set[int] = set()
            while len(pairs) < votes:
                c, u = rng.randrange(n_comments), rng.randrange(n_users)
                key = c * n_users + u
                if u != authors[c] and key not in seen:
                    seen.add(key)
                    pairs.append(key)
            del seen
        values = _weighted(rng, VOTE_WEIGHTS, len(pairs))
        tallies = [[0, 0, 0, 0] for _ in range(n_comments)]  # agree, disagree, pass, replies
        column = {1: 0, -1: 1, 0: 2}
        vote_rows = []
        for key, value in zip(pairs, values, strict=True):
            c, u = divmod(key, n_users)
            created = _at(times[c], max((end - times[c]).total_seconds(), 1.0), rng)
            tallies[c][column[value]] += 1
            vote_rows.append(
                {"comment_id": comment_ids[c], "user_id": user_ids[u], "value": value, "created_at": created}
            )
        for p in parents[n_top:]:
            tallies[p][3] += 1

        bodies = _bodies(rng)
        comment_rows = []
        for i in range(n_comments):
            body, body_html = rng.choice(bodies)
            u, p = authors[i], parents[i]
            comment_rows.append(
                {
                    "id": comment_ids[i],
                    "round_id": round_id,
                    "section_id": sections[i],
                    "parent_id": None if p is None else comment_ids[p],
                    "participant_id": participant_ids[u],
                    "author_id": user_ids[u],
                    "stance": comment_stances[i],
                    "body": body,
                    "body_html": body_html,
                    "status": CommentStatus.VISIBLE.value,
                    "created_at": times[i],
                    "edited_at": None,
                    "withdrawn_at": None,
                    "agree_count": tallies[i][0],
                    "disagree_count": tallies[i][1],
                    "pass_count": tallies[i][2],
                    "reply_count": tallies[i][3],
                    "report_count": 0,
                }
            )
        _insert(Comment.__table__, comment_rows)
        del comment_rows, tallies
        for row in vote_rows:
            row["updated_at"] = row["created_at"]
        _insert(CommentVote.__table__, vote_rows)
        del vote_rows, pairs

        stance_rows = []
        for (u, sid), value in stances.items():
            created = _at(start, span, rng)
            stance_rows.append(
                {
                    "round_id": round_id,
                    "section_id": sid,
                    "user_id": user_ids[u],
                    "value": value,
                    "created_at": created,
                    "updated_at": created,
                }
            )
        _insert(SectionStance.__table__, stance_rows)

        recount(round_id)
        audit.record(
            "seed.load",
            None,
            {
                "round_id": round_id,
                "comments": n_comments,
                "replies": n_replies,
                "votes": len(values),
                "users": n_users,
                "stances": len(stance_rows),
                "synthetic": True,
            },
            actor=ACTOR,
            subject_type="rounds",
            subject_id=round_id,
        )
    _analyze()
    return LoadResult(
        round_id, n_comments, n_replies, len(values), n_users, len(stance_rows), time.perf_counter() - started
    )


def recount(round_id: int) -> None:
    """Set every cached counter of a round to COUNT(*) of the rows it counts, set-based (no row loop).

    comments.agree/disagree/pass_count: votes by value; comments.reply_count: replies (any status);
    section_stats.support/oppose/neutral: stances; section_stats.comments and rounds.comment_count: visible
    comments and replies. Missing section_stats rows are created for every section with activity.
    Call inside a write transaction.
    """
    c, v = Comment.__table__, CommentVote.__table__
    st, ss = SectionStance.__table__, SectionStats.__table__
    execute = db.session.execute
    in_round = c.c.round_id == round_id

    # comments: what every counter should be (LEFT JOINs: 0 when nothing is counted), written where it differs
    votes = (
        sa.select(
            v.c.comment_id,
            sa.func.sum(sa.case((v.c.value == 1, 1), else_=0)).label("agree"),
            sa.func.sum(sa.case((v.c.value == -1, 1), else_=0)).label("disagree"),
            sa.func.sum(sa.case((v.c.value == 0, 1), else_=0)).label("pass_"),
        )
        .where(v.c.comment_id.in_(sa.select(c.c.id).where(in_round)))
        .group_by(v.c.comment_id)
        .subquery("votes")
    )
    reply = c.alias("reply")
    replies = (
        sa.select(reply.c.parent_id, sa.func.count().label("n"))
        .where(reply.c.round_id == round_id, reply.c.parent_id.is_not(None))
        .group_by(reply.c.parent_id)
        .subquery("replies")
    )
    one = c.alias("one")
    want = (
        sa.select(
            one.c.id,
            sa.func.coalesce(votes.c.agree, 0).label("agree"),
            sa.func.coalesce(votes.c.disagree, 0).label("disagree"),
            sa.func.coalesce(votes.c.pass_, 0).label("pass_"),
            sa.func.coalesce(replies.c.n, 0).label("replies"),
        )
        .select_from(
            one.outerjoin(votes, votes.c.comment_id == one.c.id).outerjoin(replies, replies.c.parent_id == one.c.id)
        )
        .where(one.c.round_id == round_id)
        .subquery("want")
    )
    execute(
        sa.update(c)
        .where(
            c.c.id == want.c.id,
            sa.or_(
                c.c.agree_count != want.c.agree,
                c.c.disagree_count != want.c.disagree,
                c.c.pass_count != want.c.pass_,
                c.c.reply_count != want.c.replies,
            ),
        )
        .values(
            agree_count=want.c.agree,
            disagree_count=want.c.disagree,
            pass_count=want.c.pass_,
            reply_count=want.c.replies,
        )
    )

    # section_stats: one row per section with activity, then reset and set from the aggregates
    active = set(
        db.session.scalars(sa.select(c.c.section_id).where(in_round, c.c.section_id.is_not(None)).distinct())
    ) | set(db.session.scalars(sa.select(st.c.section_id).where(st.c.round_id == round_id).distinct()))
    existing = set(db.session.scalars(sa.select(ss.c.section_id).where(ss.c.round_id == round_id)))
    missing = sorted(active - existing)
    if missing:
        execute(
            sa.insert(ss),
            [
                {"round_id": round_id, "section_id": sid, "support": 0, "oppose": 0, "neutral": 0, "comments": 0}
                for sid in missing
            ],
        )
    execute(sa.update(ss).where(ss.c.round_id == round_id).values(support=0, oppose=0, neutral=0, comments=0))
    stance_tally = (
        sa.select(
            st.c.section_id,
            sa.func.sum(sa.case((st.c.value == "support", 1), else_=0)).label("support"),
            sa.func.sum(sa.case((st.c.value == "oppose", 1), else_=0)).label("oppose"),
            sa.func.sum(sa.case((st.c.value == "neutral", 1), else_=0)).label("neutral"),
        )
        .where(st.c.round_id == round_id)
        .group_by(st.c.section_id)
        .subquery("stance_tally")
    )
    execute(
        sa.update(ss)
        .where(ss.c.round_id == round_id, ss.c.section_id == stance_tally.c.section_id)
        .values(support=stance_tally.c.support, oppose=stance_tally.c.oppose, neutral=stance_tally.c.neutral)
    )
    visible = c.c.status == CommentStatus.VISIBLE.value
    section_comments = (
        sa.select(c.c.section_id, sa.func.count().label("n"))
        .where(in_round, visible, c.c.section_id.is_not(None))
        .group_by(c.c.section_id)
        .subquery("section_comments")
    )
    execute(
        sa.update(ss)
        .where(ss.c.round_id == round_id, ss.c.section_id == section_comments.c.section_id)
        .values(comments=section_comments.c.n)
    )

    # rounds.comment_count: visible comments and replies
    r = Round.__table__
    execute(
        sa.update(r)
        .where(r.c.id == round_id)
        .values(comment_count=sa.select(sa.func.count()).select_from(c).where(in_round, visible).scalar_subquery())
    )


def _analyze() -> None:
    """Leave PostgreSQL in the state a live database settles in: VACUUM (visibility map, so index-only scans
    work) and ANALYZE (planner statistics). Otherwise autovacuum does it a minute later, in the middle of
    whatever is being measured. SQLite needs neither."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    tables = ", ".join(("users", "participants", "comments", "comment_votes", "section_stances", "section_stats"))
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # outside any transaction
        conn.execute(sa.text(f"VACUUM (ANALYZE) {tables}"))
