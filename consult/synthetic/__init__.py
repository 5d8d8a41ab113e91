"""Synthetic participation for benchmarks: `flask seed load ROUND_ID --comments N --votes M`.

App-level glue, not a feature: it writes every feature's tables at once and no feature imports it.

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
)
from consult.participation.services import PSEUDONYM_ALPHABET
from consult.rounds.models import Round
from consult.synthetic.counters import analyze, recount
from consult.synthetic.text import FIRST_NAMES, LAST_NAMES, comment_bodies
from consult.timeutil import utcnow

BATCH = 5000
REPLY_SHARE = 0.2  # of all comments
WHOLE_DOCUMENT_SHARE = 0.2  # of top-level comments: section_id NULL
STANCE_USER_SHARE = 0.3  # of users take a stance on a few sections
COMMENT_STANCE_SHARE = 0.5  # of top-level comments on a section carry their author's stance
VOTE_WEIGHTS = ((1, 0.55), (-1, 0.3), (0, 0.15))
STANCE_WEIGHTS = (("support", 0.45), ("oppose", 0.35), ("neutral", 0.2))
ACTOR = "seed"


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
                    "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    "password_hash": unusable,
                    "is_verified": True,
                    "is_admin": False,
                    "is_observer": False,
                    "is_active_account": True,
                    "show_name": False,
                    "session_token": secrets.token_urlsafe(24),
                    "created_at": user_created,
                    "email_confirmed_at": user_created,  # synthetic participants take part as confirmed people do
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

        bodies = comment_bodies(rng)
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
    analyze()
    return LoadResult(
        round_id, n_comments, n_replies, len(values), n_users, len(stance_rows), time.perf_counter() - started
    )
