"""`flask seed load`: bulk synthetic participation that keeps every rule the services keep."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
import sqlalchemy as sa
from werkzeug.security import check_password_hash

from consult.accounts.models import User
from consult.accounts.services import authenticate
from consult.audit import AuditEntry
from consult.documents.models import Section
from consult.extensions import db, write_transaction
from consult.participation import services
from consult.participation.models import Comment, CommentVote, Participant, SectionStance, SectionStats
from consult.rounds.models import Round
from consult.sanitize import render_comment
from consult.synthetic import load, recount
from consult.timeutil import utcnow
from tests.conftest import PASSWORD

PSEUDONYM = re.compile(r"^Warga-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{5}$")


def seed_load(runner, round_id: int, *args: str, ok: bool = True):
    result = runner.invoke(args=["seed", "load", str(round_id), *args])
    if ok:
        assert result.exit_code == 0, (result.output, result.exception)
    db.session.rollback()  # see what the command committed
    return result


def last_json(result) -> dict:
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_counters_equal_counts(round_id: int) -> None:
    """Every cached counter of the round equals COUNT(*) of what it counts."""
    db.session.rollback()
    comments = db.session.scalars(sa.select(Comment).where(Comment.round_id == round_id)).all()
    votes = Counter(
        db.session.execute(
            sa.select(CommentVote.comment_id, CommentVote.value)
            .join(Comment, Comment.id == CommentVote.comment_id)
            .where(Comment.round_id == round_id)
        ).all()
    )
    replies = Counter(c.parent_id for c in comments if c.parent_id is not None)
    for c in comments:
        assert (c.agree_count, c.disagree_count, c.pass_count, c.reply_count) == (
            votes[(c.id, 1)],
            votes[(c.id, -1)],
            votes[(c.id, 0)],
            replies[c.id],
        ), c.id

    stats = {
        s.section_id: s for s in db.session.scalars(sa.select(SectionStats).where(SectionStats.round_id == round_id))
    }
    stances = Counter(
        db.session.execute(
            sa.select(SectionStance.section_id, SectionStance.value).where(SectionStance.round_id == round_id)
        ).all()
    )
    on_section = Counter(c.section_id for c in comments if c.section_id is not None and c.status == "visible")
    active = {sid for sid, _ in stances} | set(on_section)
    assert active <= set(stats), "a section with activity has no tally row"
    for sid, s in stats.items():
        assert (s.support, s.oppose, s.neutral, s.comments) == (
            stances[(sid, "support")],
            stances[(sid, "oppose")],
            stances[(sid, "neutral")],
            on_section[sid],
        ), sid

    rnd = db.session.get(Round, round_id)
    assert rnd.comment_count == sum(1 for c in comments if c.status == "visible")


def test_seed_load_fills_a_round_that_keeps_every_rule(runner, make):
    rnd = make.round(state="open")
    round_id, version_id, opens_at = rnd.id, rnd.version_id, rnd.opens_at

    result = seed_load(runner, round_id, "--comments", "300", "--votes", "2000", "--users", "40", "--seed", "7")

    summary = last_json(result)
    assert set(summary) == {"round_id", "comments", "votes", "users", "seconds"}
    assert (summary["round_id"], summary["comments"], summary["votes"], summary["users"]) == (round_id, 300, 2000, 40)
    comments = db.session.scalars(sa.select(Comment).where(Comment.round_id == round_id)).all()
    assert len(comments) == 300
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentVote)) == 2000
    assert_counters_equal_counts(round_id)

    # users: new, unable to log in; one participant each with a unique pseudonym
    users = db.session.scalars(sa.select(User).where(User.email.like(f"synthetic-{round_id}-%@seed.invalid"))).all()
    assert len(users) == 40
    for user in users[:3]:
        assert not check_password_hash(user.password_hash, PASSWORD)
        assert authenticate(user.email, PASSWORD) is None
    participants = db.session.scalars(sa.select(Participant).where(Participant.round_id == round_id)).all()
    assert len({p.user_id for p in participants}) == len(participants) == 40
    assert len({p.pseudonym for p in participants}) == 40
    assert all(PSEUDONYM.match(p.pseudonym) for p in participants)
    participant_of = {p.user_id: p.id for p in participants}

    # comments: sections of the round's document, replies to top-level comments of the same round
    by_id = {c.id: c for c in comments}
    section_ids = set(db.session.scalars(sa.select(Section.id).where(Section.version_id == version_id)))
    top = [c for c in comments if c.parent_id is None]
    replies = [c for c in comments if c.parent_id is not None]
    assert len(replies) == 60
    assert 0.1 < sum(c.section_id is None for c in top) / len(top) < 0.3  # about 20% on the whole document
    now = utcnow()
    for c in comments:
        assert c.section_id is None or c.section_id in section_ids
        assert c.participant_id == participant_of[c.author_id]
        assert opens_at <= c.created_at <= now
        assert c.status == "visible"
    for reply in replies:
        parent = by_id[reply.parent_id]
        assert parent.parent_id is None and parent.round_id == round_id
        assert reply.section_id == parent.section_id and reply.stance is None
        assert reply.id > parent.id and reply.created_at >= parent.created_at
    for body, html in {(c.body, c.body_html) for c in comments}:
        assert html == render_comment(body)

    # a top-level comment's stance is its author's stance on the section
    stance_of = {
        (s.user_id, s.section_id): s.value
        for s in db.session.scalars(sa.select(SectionStance).where(SectionStance.round_id == round_id))
    }
    with_stance = [c for c in top if c.stance is not None]
    assert with_stance
    for c in with_stance:
        assert stance_of[(c.author_id, c.section_id)] == c.stance
    assert set(stance_of.values()) <= {"support", "oppose", "neutral"}

    # votes: one per (comment, user), never on one's own comment, values 1, -1, 0
    pairs = db.session.execute(
        sa.select(CommentVote.comment_id, CommentVote.user_id, CommentVote.value, Comment.author_id).join(
            Comment, Comment.id == CommentVote.comment_id
        )
    ).all()
    assert len({(p.comment_id, p.user_id) for p in pairs}) == len(pairs)
    assert all(p.user_id != p.author_id for p in pairs)
    assert {p.value for p in pairs} == {1, -1, 0}

    # one audit entry with the counts, and the chain still verifies
    entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
    assert entry.action == "seed.load" and entry.subject_type == "rounds" and entry.subject_id == str(round_id)
    assert entry.data["comments"] == 300 and entry.data["votes"] == 2000 and entry.data["users"] == 40
    assert "@" not in entry.data_json  # counts only, no e-mail addresses
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 0 and verify.output.startswith("OK ")


def test_seed_load_adds_to_real_participation_and_to_an_earlier_load(runner, make):
    rnd = make.round(state="open")
    author, voter = make.user(), make.user()
    section_id = db.session.scalars(sa.select(Section.id).where(Section.version_id == rnd.version_id)).first()
    comment = services.post_comment(author, rnd, "Komentar asli.", section_id=section_id, stance="support")
    services.vote(voter, comment, 1)
    services.post_comment(voter, rnd, "Balasan asli.", parent_id=comment.id)

    seed_load(runner, rnd.id, "--comments", "120", "--votes", "500", "--users", "20")
    seed_load(runner, rnd.id, "--comments", "50", "--votes", "100", "--users", "10")

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 172
    assert db.session.scalar(sa.select(sa.func.count()).where(User.email.like("synthetic-%"))) == 30
    pseudonyms = db.session.scalars(sa.select(Participant.pseudonym).where(Participant.round_id == rnd.id)).all()
    assert len(pseudonyms) == len(set(pseudonyms)) == 32
    assert db.session.get(Comment, comment.id).agree_count == 1
    assert db.session.get(Comment, comment.id).reply_count == 1
    assert_counters_equal_counts(rnd.id)


def test_recount_repairs_counters_that_drifted(runner, make):
    rnd = make.round(state="open")
    seed_load(runner, rnd.id, "--comments", "200", "--votes", "800", "--users", "30", "--seed", "3")
    with write_transaction():
        db.session.execute(sa.update(Comment).where(Comment.id % 3 == 0).values(agree_count=Comment.agree_count + 5))
        db.session.execute(sa.update(Comment).where(Comment.id % 5 == 0).values(reply_count=7, pass_count=0))
        db.session.execute(sa.update(SectionStats).values(comments=999, support=0))
        db.session.execute(
            sa.delete(SectionStats).where(SectionStats.id == sa.select(sa.func.min(SectionStats.id)).scalar_subquery())
        )
        db.session.execute(sa.update(Round).where(Round.id == rnd.id).values(comment_count=0))
    with write_transaction():
        recount(rnd.id)
    assert_counters_equal_counts(rnd.id)


def test_seed_load_refuses_production_unless_forced(runner, make, monkeypatch):
    rnd = make.round(state="open")
    monkeypatch.setenv("CONSULT_ENV", "production")
    result = seed_load(runner, rnd.id, "--comments", "10", "--votes", "10", ok=False)
    assert result.exit_code == 1 and "production" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0

    result = seed_load(runner, rnd.id, "--comments", "10", "--votes", "10", "--force")
    assert last_json(result)["comments"] == 10


def test_seed_load_refuses_unknown_and_unopened_rounds(runner, make):
    result = seed_load(runner, 999999, "--comments", "10", "--votes", "10", ok=False)
    assert result.exit_code == 1 and "999999" in result.output
    scheduled = make.round(state="scheduled")
    result = seed_load(runner, scheduled.id, "--comments", "10", "--votes", "10", ok=False)
    assert result.exit_code == 1 and "not opened" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_seed_load_in_a_closed_round_stays_within_its_open_period(make):
    rnd = make.round(state="closed")
    result = load(rnd.id, comments=40, votes=100, users=10, seed=1)
    assert result.comments == 40 and result.votes == 100
    times = db.session.scalars(sa.select(Comment.created_at).where(Comment.round_id == rnd.id)).all()
    assert all(rnd.opens_at <= t <= rnd.closes_at for t in times)
    assert_counters_equal_counts(rnd.id)


@pytest.mark.parametrize(("comments", "votes", "users"), [(0, 0, 5), (1, 0, 2), (5, 40, 10)])
def test_seed_load_handles_tiny_and_saturated_loads(make, comments, votes, users):
    """Edge cases: nothing at all, a single comment, and every possible vote (5 comments x 9 other users)."""
    rnd = make.round(state="open")
    result = load(rnd.id, comments=comments, votes=votes, users=users, seed=2)
    assert (result.comments, result.votes) == (comments, votes)
    assert_counters_equal_counts(rnd.id)
