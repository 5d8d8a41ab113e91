"""Participation rules, specified at the service level: stances, comments, replies, votes, reports, edits and
withdrawals, who may take part and why not, pseudonyms, the audit trail, cached counters against COUNT(*),
keyset pages, and concurrent writers in separate processes (SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from consult import audit
from consult.accounts.models import User
from consult.audit import AuditEntry
from consult.errors import Conflict, Invalid, LoginRequired, NotAllowed, NotFound, ServiceError
from consult.extensions import db, write_transaction
from consult.participation import queries, services
from consult.participation.models import (
    Comment,
    CommentStatus,
    CommentVote,
    Participant,
    Report,
    SectionStance,
    SectionStats,
)
from consult.rounds.models import Round
from consult.sanitize import render_comment
from consult.timeutil import utcnow
from tests.conftest import database_url, needs_postgres_server, postgres_variant
from tests.processes import run_workers

ROOT = Path(__file__).resolve().parents[2]


# --- helpers -----------------------------------------------------------------------------------------------


def said(exc: ServiceError) -> str:
    """Everything an error tells the person (message and field messages), in English."""
    with force_locale("en"):
        return " ".join([str(exc.message), *(str(m) for m in exc.fields.values())])


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _snapshot() -> dict:
    """Everything a participation action could have written, row by row (with every counter and value)."""
    db.session.rollback()  # read what is committed, nothing cached

    def rows(*columns):
        return sorted(tuple(row) for row in db.session.execute(sa.select(*columns)))

    c = Comment
    return {
        "participants": rows(Participant.id, Participant.pseudonym, Participant.show_name),
        "comments": rows(
            c.id,
            c.status,
            c.body,
            c.body_html,
            c.edited_at,
            c.agree_count,
            c.disagree_count,
            c.pass_count,
            c.reply_count,
            c.report_count,
        ),
        "votes": rows(CommentVote.comment_id, CommentVote.user_id, CommentVote.value),
        "stances": rows(SectionStance.round_id, SectionStance.section_id, SectionStance.user_id, SectionStance.value),
        "stats": rows(
            SectionStats.round_id,
            SectionStats.section_id,
            SectionStats.support,
            SectionStats.oppose,
            SectionStats.neutral,
            SectionStats.comments,
        ),
        "reports": rows(Report.comment_id, Report.user_id),
        "rounds": rows(Round.id, Round.comment_count),
        "audit": _count(AuditEntry),
    }


@contextmanager
def refused(error: type[ServiceError], *words: str):
    """The action is refused with `error`, its message says each of `words`, and nothing is saved."""
    before = _snapshot()
    with pytest.raises(error) as info:
        yield info
    text = said(info.value).lower()
    for word in words:
        assert word.lower() in text, f"{word!r} not in {text!r}"
    assert _snapshot() == before, "a refused action saved something"


def _sections(rnd: Round):
    return list(db.session.get(Round, rnd.id).version.sections)


def _fresh(obj):
    db.session.rollback()
    return db.session.get(type(obj), obj.id)


def _close(rnd: Round) -> Round:
    """Close the round a minute ago (the services refuse past times, so write them directly)."""
    with write_transaction():
        db.session.get(Round, rnd.id).closes_at = utcnow() - dt.timedelta(minutes=1)
    return db.session.get(Round, rnd.id)


def _age(comment: Comment, minutes: float) -> None:
    """Pretend the comment was posted `minutes` ago (the services never backdate)."""
    with write_transaction():
        db.session.execute(
            sa.update(Comment)
            .where(Comment.id == comment.id)
            .values(created_at=utcnow() - dt.timedelta(minutes=minutes))
        )


def _block(user: User) -> User:
    with write_transaction():
        db.session.get(User, user.id).is_active_account = False
    return db.session.get(User, user.id)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def counter_mismatches() -> dict:
    """Every cached counter that differs from COUNT(*) of the rows it counts: {(what, id): (cached, counted)}."""
    db.session.rollback()
    bad = {}
    votes = {
        (cid, value): n
        for cid, value, n in db.session.execute(
            sa.select(CommentVote.comment_id, CommentVote.value, sa.func.count()).group_by(
                CommentVote.comment_id, CommentVote.value
            )
        )
    }
    replies = dict(
        db.session.execute(
            sa.select(Comment.parent_id, sa.func.count())
            .where(Comment.parent_id.is_not(None))
            .group_by(Comment.parent_id)
        ).all()
    )
    reports = dict(db.session.execute(sa.select(Report.comment_id, sa.func.count()).group_by(Report.comment_id)).all())
    for row in db.session.execute(
        sa.select(
            Comment.id,
            Comment.agree_count,
            Comment.disagree_count,
            Comment.pass_count,
            Comment.reply_count,
            Comment.report_count,
        )
    ):
        for name, cached, counted in [
            ("agree", row.agree_count, votes.get((row.id, 1), 0)),
            ("disagree", row.disagree_count, votes.get((row.id, -1), 0)),
            ("pass", row.pass_count, votes.get((row.id, 0), 0)),
            ("replies", row.reply_count, replies.get(row.id, 0)),  # every reply keeps its place in the thread
            ("reports", row.report_count, reports.get(row.id, 0)),
        ]:
            if cached != counted:
                bad[f"comment.{name}", row.id] = (cached, counted)
    stances = {
        (rid, sid, value): n
        for rid, sid, value, n in db.session.execute(
            sa.select(SectionStance.round_id, SectionStance.section_id, SectionStance.value, sa.func.count()).group_by(
                SectionStance.round_id, SectionStance.section_id, SectionStance.value
            )
        )
    }
    visible = Comment.status == CommentStatus.VISIBLE
    section_comments = {
        (rid, sid): n
        for rid, sid, n in db.session.execute(
            sa.select(Comment.round_id, Comment.section_id, sa.func.count())
            .where(visible, Comment.section_id.is_not(None))
            .group_by(Comment.round_id, Comment.section_id)
        )
    }
    stats_keys = set()
    for s in db.session.scalars(sa.select(SectionStats)):
        stats_keys.add((s.round_id, s.section_id))
        for name, cached in [("support", s.support), ("oppose", s.oppose), ("neutral", s.neutral)]:
            counted = stances.get((s.round_id, s.section_id, name), 0)
            if cached != counted:
                bad[f"section.{name}", (s.round_id, s.section_id)] = (cached, counted)
        counted = section_comments.get((s.round_id, s.section_id), 0)
        if s.comments != counted:
            bad["section.comments", (s.round_id, s.section_id)] = (s.comments, counted)
    # activity on a section without a tally row would be invisible
    for key in {(r, s) for r, s, _ in stances} | set(section_comments):
        if key not in stats_keys:
            bad["section.missing_stats", key] = (None, "rows exist")
    round_comments = dict(
        db.session.execute(sa.select(Comment.round_id, sa.func.count()).where(visible).group_by(Comment.round_id)).all()
    )
    for rid, cached in db.session.execute(sa.select(Round.id, Round.comment_count)):
        if cached != round_comments.get(rid, 0):
            bad["round.comment_count", rid] = (cached, round_comments.get(rid, 0))
    return bad


@pytest.fixture
def open_round(make):
    return make.round(make.agency())


# --- who may take part, and why not ------------------------------------------------------------------------


def test_anonymous_visitor_is_asked_to_log_in_for_every_action(make, open_round):
    author = make.user()
    section = _sections(open_round)[1]
    comment = services.post_comment(author, open_round, "Setuju.", section_id=section.id)

    with refused(LoginRequired, "log in"):
        services.post_comment(None, open_round, "Halo", section_id=section.id)
    with refused(LoginRequired, "log in"):
        services.vote(None, comment, 1)
    with refused(LoginRequired, "log in"):
        services.set_stance(None, open_round, section.id, "support")
    with refused(LoginRequired, "log in", "report"):
        services.report_comment(None, comment, "Spam iklan.")
    with refused(LoginRequired, "log in"):
        services.edit_comment(None, comment, "Diubah")
    with refused(LoginRequired, "log in"):
        services.withdraw_comment(None, comment)


def test_citizen_cannot_comment_after_round_closes(make, open_round):
    author, citizen = make.user(), make.user()
    section = _sections(open_round)[1]
    comment = services.post_comment(author, open_round, "Sebelum ditutup.", section_id=section.id)
    closed = _close(open_round)

    with refused(Conflict, "closed", "no longer accepts comments"):
        services.post_comment(citizen, closed, "Terlambat.", section_id=section.id)
    with refused(Conflict, "closed"):
        services.post_comment(citizen, closed, "Balasan terlambat.", parent_id=comment.id)


def test_comment_racing_a_close_that_committed_first_is_refused_and_leaves_nothing(make, open_round, monkeypatch):
    """The request loaded the round while it was open; the close commits before the comment's transaction.
    The database's own check (the guarded counter update) refuses it, and nothing is stored."""
    citizen = make.user()
    section = _sections(open_round)[1]
    before = _snapshot()
    loaded = db.session.get(Round, open_round.id)
    assert loaded.state.value == "open"
    with db.engine.begin() as other:  # another process closes the round meanwhile
        other.execute(sa.update(Round).where(Round.id == open_round.id).values(closed_at=utcnow()))
    checks = []
    from consult.participation.services import comments as comment_rules

    real_check = comment_rules.require_participation
    monkeypatch.setattr(comment_rules, "require_participation", lambda u, r: checks.append(r.state) or real_check(u, r))

    with pytest.raises(Conflict) as info:  # not refused(): its snapshot would reload the round first
        services.post_comment(citizen, loaded, "Tepat saat ditutup.", section_id=section.id)
    assert "closed" in said(info.value)
    # passed with the request's copy, then refused after the database said no and the round was read again
    assert [str(state) for state in checks] == ["open", "closed"]
    assert _snapshot() == before
    assert db.session.scalar(sa.select(Round.comment_count).where(Round.id == open_round.id)) == 0


def test_citizen_cannot_vote_or_take_a_stance_after_round_closes(make, open_round):
    author, citizen = make.user(), make.user()
    section = _sections(open_round)[1]
    comment = services.post_comment(author, open_round, "Sebelum ditutup.", section_id=section.id)
    services.vote(citizen, comment, 1)
    services.set_stance(citizen, open_round, section.id, "support")
    closed = _close(open_round)

    with refused(Conflict, "closed", "votes"):
        services.vote(citizen, _fresh(comment), -1)  # not even changing an earlier vote
    with refused(Conflict, "closed", "stances"):
        services.set_stance(citizen, closed, section.id, "oppose")


def test_citizen_cannot_take_part_before_round_opens(make):
    rnd = make.round(make.agency(), state="scheduled")
    citizen = make.user(verified=True)
    section = _sections(rnd)[1]

    with refused(Conflict, "not opened yet", "come back"):
        services.post_comment(citizen, rnd, "Terlalu awal.", section_id=section.id)
    with refused(Conflict, "not opened yet"):
        services.set_stance(citizen, rnd, section.id, "support")


def test_round_for_verified_citizens_refuses_unverified_ones_and_says_how_to_get_verified(make):
    rnd = make.round(make.agency(), verified_only=True)
    unverified, verified = make.user(verified=False), make.user(verified=True)
    section = _sections(rnd)[1]
    comment = services.post_comment(verified, rnd, "Saya terverifikasi.", section_id=section.id)

    with refused(NotAllowed, "only verified citizens", "ask the agency to verify"):
        services.post_comment(unverified, rnd, "Saya belum.", section_id=section.id)
    with refused(NotAllowed, "verified"):
        services.vote(unverified, comment, 1)
    with refused(NotAllowed, "verified"):
        services.set_stance(unverified, rnd, section.id, "oppose")
    assert services.participation_refusal(verified, rnd) is None
    refusal = services.participation_refusal(unverified, rnd)
    assert isinstance(refusal, NotAllowed) and "verif" in said(refusal)


def test_round_open_to_everyone_accepts_unverified_citizens(make, open_round):
    citizen = make.user(verified=False)
    comment = services.post_comment(citizen, open_round, "Boleh ikut.")
    assert comment.id and comment.is_visible


def test_blocked_account_cannot_take_part(make, open_round):
    author = make.user()
    comment = services.post_comment(author, open_round, "Komentar.")
    blocked = _block(make.user())
    section = _sections(open_round)[1]

    with refused(NotAllowed, "blocked"):
        services.post_comment(blocked, open_round, "Halo")
    with refused(NotAllowed, "blocked"):
        services.vote(blocked, comment, 1)
    with refused(NotAllowed, "blocked"):
        services.set_stance(blocked, open_round, section.id, "support")
    with refused(NotAllowed, "blocked"):
        services.report_comment(blocked, comment, "Spam iklan.")


# --- comments ----------------------------------------------------------------------------------------------


def test_empty_comment_is_refused_with_a_clear_message(make, open_round):
    citizen = make.user()
    for body in ["", "   ", "\r\n\n\t", None]:
        with refused(Invalid, "write your comment") as info:
            services.post_comment(citizen, open_round, body)
        assert set(info.value.fields) == {"body"}


def test_comment_over_2000_characters_is_refused_saying_how_long_it_is_and_the_limit(make, open_round):
    citizen = make.user()
    with refused(Invalid, "2001 characters", "limit is 2000", "shorten it") as info:
        services.post_comment(citizen, open_round, "a" * 2001)
    assert set(info.value.fields) == {"body"}

    exactly = services.post_comment(citizen, open_round, "\n  " + "b" * 2000 + "  \n")  # surrounding space is trimmed
    assert exactly.body == "b" * 2000


def test_comment_is_rendered_once_at_write_time_from_the_markdown_subset(make, open_round):
    citizen = make.user()
    body = "Saya *setuju*, lihat [kajian](https://example.org/kajian).\r\n\r\n<script>alert(1)</script>"
    comment = services.post_comment(citizen, open_round, body)
    stored = _fresh(comment)
    assert stored.body == body.replace("\r\n", "\n")
    assert stored.body_html == render_comment(stored.body)
    assert '<a href="https://example.org/kajian" rel="nofollow ugc noopener">kajian</a>' in stored.body_html
    assert "<script>" not in stored.body_html and "&lt;script&gt;" in stored.body_html


def test_comment_on_a_section_or_on_the_whole_document(make, open_round):
    citizen = make.user()
    section = _sections(open_round)[2]
    on_section = services.post_comment(citizen, open_round, "Tentang bagian dua.", section_id=section.id)
    on_document = services.post_comment(citizen, open_round, "Tentang seluruh dokumen.")

    assert (on_section.section_id, on_document.section_id) == (section.id, None)
    stats = queries.section_stats(open_round.id)
    assert set(stats) == {section.id} and stats[section.id].comments == 1
    assert _fresh(open_round).comment_count == 2


def test_comment_on_a_section_of_another_document_is_refused(make, open_round):
    other = make.round(make.agency())
    with refused(Invalid, "not part of the document") as info:
        services.post_comment(make.user(), open_round, "Salah tempat.", section_id=_sections(other)[1].id)
    assert set(info.value.fields) == {"section_id"}


def test_comment_with_a_stance_on_a_section_also_sets_the_authors_stance(make, open_round):
    citizen = make.user()
    section = _sections(open_round)[1]
    services.post_comment(citizen, open_round, "Mendukung.", section_id=section.id, stance="support")
    assert queries.stances_of(citizen, open_round.id) == {section.id: "support"}

    comment = services.post_comment(citizen, open_round, "Berubah pikiran.", section_id=section.id, stance="oppose")
    assert comment.stance == "oppose"
    assert queries.stances_of(citizen, open_round.id) == {section.id: "oppose"}
    stats = queries.section_stats(open_round.id)[section.id]
    assert (stats.support, stats.oppose, stats.neutral, stats.comments) == (0, 1, 0, 2)
    assert counter_mismatches() == {}


def test_comment_with_a_stance_on_the_whole_document_keeps_it_on_the_comment_only(make, open_round):
    citizen = make.user()
    comment = services.post_comment(citizen, open_round, "Umumnya setuju.", stance="support")
    assert comment.stance == "support"
    assert queries.stances_of(citizen, open_round.id) == {}
    assert _count(SectionStance) == 0


def test_comment_without_a_stance_leaves_the_stance_alone(make, open_round):
    citizen = make.user()
    section = _sections(open_round)[1]
    services.set_stance(citizen, open_round, section.id, "neutral")
    comment = services.post_comment(citizen, open_round, "Hanya bertanya.", section_id=section.id, stance="")
    assert comment.stance is None
    assert queries.stances_of(citizen, open_round.id) == {section.id: "neutral"}


def test_unknown_stance_on_a_comment_is_refused(make, open_round):
    with refused(Invalid, "support, oppose or neutral") as info:
        services.post_comment(make.user(), open_round, "Hmm.", section_id=_sections(open_round)[1].id, stance="maybe")
    assert set(info.value.fields) == {"stance"}


# --- replies -----------------------------------------------------------------------------------------------


def test_reply_inherits_the_section_and_carries_no_stance(make, open_round):
    author, replier = make.user(), make.user()
    first, second = _sections(open_round)[1:3]
    top = services.post_comment(author, open_round, "Pokok.", section_id=first.id, stance="support")

    reply = services.post_comment(
        replier, open_round, "Jawaban.", parent_id=top.id, section_id=second.id, stance="oppose"
    )

    assert (reply.parent_id, reply.section_id, reply.stance) == (top.id, first.id, None)
    assert queries.stances_of(replier, open_round.id) == {}  # a reply takes no stance for its author either
    assert _fresh(top).reply_count == 1
    stats = queries.section_stats(open_round.id)
    assert stats[first.id].comments == 2 and second.id not in stats
    assert _fresh(open_round).comment_count == 2
    assert counter_mismatches() == {}


def test_reply_to_a_reply_joins_the_thread(make, open_round):
    a, b, c = make.user(), make.user(), make.user()
    top = services.post_comment(a, open_round, "Pokok.")
    reply = services.post_comment(b, open_round, "Balasan.", parent_id=top.id)
    nested = services.post_comment(c, open_round, "Balasan atas balasan.", parent_id=reply.id)

    assert nested.parent_id == top.id
    assert _fresh(top).reply_count == 2 and _fresh(reply).reply_count == 0
    assert [r.id for r in queries.replies_page(top.id).items] == [reply.id, nested.id]


def test_reply_to_a_withdrawn_comment_is_refused(make, open_round):
    author, replier = make.user(), make.user()
    top = services.post_comment(author, open_round, "Akan ditarik.")
    reply = services.post_comment(replier, open_round, "Balasan.", parent_id=top.id)
    services.withdraw_comment(author, top)

    with refused(Conflict, "withdrawn or hidden", "cannot be answered"):
        services.post_comment(replier, open_round, "Lagi.", parent_id=top.id)
    with refused(Conflict, "withdrawn"):  # through a reply in the same thread, too
        services.post_comment(replier, open_round, "Lagi.", parent_id=reply.id)


def test_reply_to_a_comment_that_does_not_exist_or_is_in_another_round_is_not_found(make, open_round):
    other = make.round(make.agency())
    elsewhere = services.post_comment(make.user(), other, "Di ronde lain.")
    citizen = make.user()
    with refused(NotFound, "does not exist"):
        services.post_comment(citizen, open_round, "Balasan.", parent_id=elsewhere.id)
    with refused(NotFound, "does not exist"):
        services.post_comment(citizen, open_round, "Balasan.", parent_id=987654)


# --- stances -----------------------------------------------------------------------------------------------


def test_stance_change_moves_the_tally(make, open_round):
    a, b = make.user(), make.user()
    section = _sections(open_round)[1]
    services.set_stance(a, open_round, section.id, "support")
    services.set_stance(b, open_round, section.id, "support")
    stats = services.set_stance(a, open_round, section.id, "oppose")

    assert (stats.support, stats.oppose, stats.neutral, stats.stance_total) == (1, 1, 0, 2)
    services.set_stance(a, open_round, section.id, "neutral")
    stats = queries.section_stats(open_round.id)[section.id]
    assert (stats.support, stats.oppose, stats.neutral) == (1, 0, 1)
    assert counter_mismatches() == {}


def test_one_stance_per_person_section_and_round(make, open_round):
    citizen = make.user()
    first, second = _sections(open_round)[1:3]
    for value in ["support", "support", "oppose", "oppose", "support"]:
        services.set_stance(citizen, open_round, first.id, value)
    services.set_stance(citizen, open_round, second.id, "neutral")
    other_round = make.round(open_round.agency, document=open_round.document)  # same document, another round
    services.set_stance(citizen, other_round, _sections(other_round)[1].id, "oppose")

    assert _count(SectionStance, SectionStance.user_id == citizen.id) == 3
    assert queries.stances_of(citizen, open_round.id) == {first.id: "support", second.id: "neutral"}
    assert queries.stances_of(citizen, other_round.id) == {_sections(other_round)[1].id: "oppose"}
    assert queries.section_stats(open_round.id)[first.id].stance_total == 1
    assert counter_mismatches() == {}


def test_unknown_stance_value_is_refused(make, open_round):
    with refused(Invalid, "support, oppose or neutral") as info:
        services.set_stance(make.user(), open_round, _sections(open_round)[1].id, "strongly-support")
    assert set(info.value.fields) == {"value"}


def test_stance_on_a_section_outside_the_round_is_not_found(make, open_round):
    other = make.round(make.agency())
    with refused(NotFound, "not part of the document"):
        services.set_stance(make.user(), open_round, _sections(other)[1].id, "support")
    with refused(NotFound):
        services.set_stance(make.user(), open_round, 987654, "support")


# --- votes -------------------------------------------------------------------------------------------------


def test_votes_agree_disagree_and_pass_are_counted_and_changeable(make, open_round):
    author = make.user()
    voters = [make.user() for _ in range(3)]
    comment = services.post_comment(author, open_round, "Pilih saya.")
    for voter, value in zip(voters, [1, -1, 0], strict=True):
        services.vote(voter, comment, value)
    assert _fresh(comment).counts == {"agree": 1, "disagree": 1, "pass": 1}

    services.vote(voters[1], comment, 1)  # disagree → agree
    services.vote(voters[2], comment, -1)  # pass → disagree
    assert _fresh(comment).counts == {"agree": 2, "disagree": 1, "pass": 0}
    assert queries.votes_of(voters[1], [comment.id]) == {comment.id: 1}
    assert _count(CommentVote) == 3
    assert counter_mismatches() == {}


def test_repeating_a_vote_changes_nothing(make, open_round):
    author, voter = make.user(), make.user()
    comment = services.post_comment(author, open_round, "Sekali saja.")
    for _ in range(3):
        services.vote(voter, comment, 1)
    assert _fresh(comment).counts == {"agree": 1, "disagree": 0, "pass": 0}
    assert _count(CommentVote) == 1


def test_citizen_cannot_vote_on_their_own_comment(make, open_round):
    author = make.user()
    comment = services.post_comment(author, open_round, "Milik saya.")
    with refused(NotAllowed, "your own comment"):
        services.vote(author, comment, 1)


def test_vote_value_must_be_agree_disagree_or_pass(make, open_round):
    comment = services.post_comment(make.user(), open_round, "Nilai.")
    for value in [2, -2, "1", None]:
        with refused(Invalid, "1 (agree)", "-1 (disagree)", "0 (pass)") as info:
            services.vote(make.user(), comment, value)
        assert set(info.value.fields) == {"value"}


def test_withdrawn_comment_cannot_be_voted_on(make, open_round):
    author, voter = make.user(), make.user()
    comment = services.post_comment(author, open_round, "Ditarik.")
    services.vote(voter, comment, 1)
    services.withdraw_comment(author, comment)
    with refused(Conflict, "withdrawn or hidden", "cannot be voted on"):
        services.vote(voter, _fresh(comment), -1)


# --- reports -----------------------------------------------------------------------------------------------


def test_report_once_per_comment_with_a_reason(make, open_round):
    author, reporter, other = make.user(), make.user(), make.user()
    comment = services.post_comment(author, open_round, "Iklan obat.")
    report = services.report_comment(reporter, comment, "  Spam   iklan\n obat.  ")
    assert report.reason == "Spam iklan obat."
    with refused(Conflict, "already reported", "moderators"):
        services.report_comment(reporter, comment, "Lagi.")
    services.report_comment(other, comment, "Spam.")
    assert _fresh(comment).report_count == 2
    assert counter_mismatches() == {}


def test_report_needs_a_reason_of_reasonable_length(make, open_round):
    comment = services.post_comment(make.user(), open_round, "Komentar.")
    reporter = make.user()
    for reason in ["", "  ", "ab", None]:
        with refused(Invalid, "say briefly why") as info:
            services.report_comment(reporter, comment, reason)
        assert set(info.value.fields) == {"reason"}
    with refused(Invalid, "at most 500"):
        services.report_comment(reporter, comment, "x" * 501)


def test_citizen_cannot_report_their_own_comment_but_can_withdraw_it(make, open_round):
    author = make.user()
    comment = services.post_comment(author, open_round, "Milik saya.")
    with refused(NotAllowed, "your own comment", "withdraw it"):
        services.report_comment(author, comment, "Salah tulis.")


def test_reports_stay_possible_after_the_round_closes_but_not_on_withdrawn_comments(make, open_round):
    author, reporter = make.user(), make.user()
    kept = services.post_comment(author, open_round, "Tetap.")
    gone = services.post_comment(author, open_round, "Ditarik.")
    services.withdraw_comment(author, gone)
    _close(open_round)

    services.report_comment(reporter, _fresh(kept), "Melanggar aturan.")
    with refused(Conflict, "withdrawn or hidden"):
        services.report_comment(reporter, _fresh(gone), "Melanggar aturan.")


# --- editing and withdrawing -------------------------------------------------------------------------------


def test_author_may_edit_within_15_minutes_and_the_public_sees_it_was_edited(make, open_round):
    author = make.user()
    comment = services.post_comment(author, open_round, "Versi *pertama*.")
    assert services.can_edit(author, comment)
    _age(comment, 14)

    edited = services.edit_comment(author, _fresh(comment), "Versi **kedua**.")

    stored = _fresh(edited)
    assert stored.body == "Versi **kedua**."
    assert stored.body_html == "<p>Versi <strong>kedua</strong>.</p>"
    assert stored.edited_at is not None and stored.edited_at > stored.created_at
    (listed,) = queries.comments_page(open_round.id).items
    assert listed.edited_at == stored.edited_at


def test_editing_with_the_same_text_changes_nothing(make, open_round):
    author = make.user()
    comment = services.post_comment(author, open_round, "Sama.")
    services.edit_comment(author, comment, "  Sama.  ")
    assert _fresh(comment).edited_at is None
    assert [e.action for e in db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("comment.%")))] == [
        "comment.posted"
    ]


def test_edit_after_15_minutes_is_refused(make, open_round):
    author = make.user()
    comment = services.post_comment(author, open_round, "Terlambat diubah.")
    _age(comment, 16)
    assert not services.can_edit(author, _fresh(comment))
    with refused(Conflict, "only in the first 15 minutes"):
        services.edit_comment(author, _fresh(comment), "Diubah.")
    assert _fresh(comment).body == "Terlambat diubah." and _fresh(comment).edited_at is None


def test_edit_is_refused_after_the_round_closes(make, open_round):
    author = make.user()
    comment = services.post_comment(author, open_round, "Sebelum tutup.")
    _close(open_round)
    with refused(Conflict, "closed"):
        services.edit_comment(author, _fresh(comment), "Sesudah tutup.")


def test_edited_text_is_still_checked_for_length(make, open_round):
    author = make.user()
    comment = services.post_comment(author, open_round, "Pendek.")
    with refused(Invalid, "limit is 2000"):
        services.edit_comment(author, comment, "x" * 2001)
    with refused(Invalid, "write your comment"):
        services.edit_comment(author, comment, " ")


def test_only_the_author_may_edit_or_withdraw(make, open_round):
    author, other = make.user(), make.user()
    comment = services.post_comment(author, open_round, "Milik penulis.")
    assert not services.can_edit(other, comment) and not services.can_withdraw(other, comment)
    with refused(NotAllowed, "only its author can edit"):
        services.edit_comment(other, comment, "Dibajak.")
    with refused(NotAllowed, "only its author can withdraw"):
        services.withdraw_comment(other, comment)


def test_withdraw_keeps_the_row_and_decrements_section_and_round_counters(make, open_round):
    author, replier, voter = make.user(), make.user(), make.user()
    section = _sections(open_round)[1]
    comment = services.post_comment(author, open_round, "Akan ditarik.", section_id=section.id, stance="support")
    services.post_comment(replier, open_round, "Balasan.", parent_id=comment.id)
    services.vote(voter, comment, 1)
    assert queries.section_stats(open_round.id)[section.id].comments == 2
    assert _fresh(open_round).comment_count == 2

    withdrawn = services.withdraw_comment(author, comment)

    stored = _fresh(withdrawn)
    assert stored.status == "withdrawn" and stored.withdrawn_at is not None
    assert stored.body == "Akan ditarik."  # kept for the record; pages show a notice instead
    assert _count(Comment) == 2
    assert queries.section_stats(open_round.id)[section.id].comments == 1
    assert _fresh(open_round).comment_count == 1
    assert stored.counts == {"agree": 1, "disagree": 0, "pass": 0}  # votes stay as they were
    assert queries.stances_of(author, open_round.id) == {section.id: "support"}  # the stance is separate
    assert [c.status for c in queries.comments_page(open_round.id).items] == ["withdrawn"]  # keeps its place
    assert counter_mismatches() == {}


def test_withdraw_is_allowed_at_any_time_but_only_once(make, open_round):
    author = make.user()
    comment = services.post_comment(author, open_round, "Lama sekali.")
    _age(comment, 60 * 24 * 5)
    _close(open_round)
    services.withdraw_comment(author, _fresh(comment))
    assert not services.can_withdraw(author, _fresh(comment))
    with refused(Conflict, "already withdrawn"):
        services.withdraw_comment(author, _fresh(comment))
    with refused(Conflict):
        services.edit_comment(author, _fresh(comment), "Bangkit lagi.")


# --- pseudonyms --------------------------------------------------------------------------------------------


def test_pseudonym_is_stable_within_a_round_and_differs_across_rounds(make, open_round):
    citizen = make.user(name="Siti Rahayu")
    other_round = make.round(make.agency())
    here = [services.post_comment(citizen, open_round, f"Komentar {i}.") for i in range(3)]
    here.append(services.post_comment(citizen, open_round, "Balasan.", parent_id=here[0].id))
    there = services.post_comment(citizen, other_round, "Di ronde lain.")

    names = {_fresh(c).author_name for c in here}
    assert len(names) == 1
    (pseudonym,) = names
    assert pseudonym.startswith("Warga-") and "Siti" not in pseudonym
    assert _fresh(there).author_name != pseudonym
    assert _count(Participant, Participant.user_id == citizen.id) == 2


def test_voting_or_taking_a_stance_first_gives_the_same_pseudonym_later(make, open_round):
    author, citizen = make.user(), make.user()
    comment = services.post_comment(author, open_round, "Komentar.")
    services.vote(citizen, comment, 1)
    services.set_stance(citizen, open_round, _sections(open_round)[1].id, "support")
    (participant,) = db.session.scalars(sa.select(Participant).filter_by(user_id=citizen.id))
    mine = services.post_comment(citizen, open_round, "Sekarang menulis.")
    assert _fresh(mine).author_name == participant.pseudonym


def test_showing_ones_name_uses_the_users_name(make, open_round):
    citizen = make.user(name="Budi Santoso")
    named = services.post_comment(citizen, open_round, "Dengan nama.", show_name=True)
    later = services.post_comment(citizen, open_round, "Tanpa memilih lagi.")
    assert _fresh(named).author_name == "Budi Santoso" and _fresh(later).author_name == "Budi Santoso"

    services.post_comment(citizen, open_round, "Kembali anonim.", show_name=False)
    assert _fresh(named).author_name.startswith("Warga-")  # the choice is per participant in the round


def test_a_name_typed_by_the_participant_is_marked_so_it_cannot_pass_for_a_pseudonym(client, make, open_round):
    """A person named "Warga-NAVXF" (an older account, before names were checked) is marked as a typed name."""
    impostor, real = make.user(), make.user()
    with write_transaction():
        db.session.get(User, impostor.id).name = "Warga-NAVXF"
    services.post_comment(db.session.get(User, impostor.id), open_round, "Saya setuju.", show_name=True)
    services.post_comment(real, open_round, "Saya juga.")
    html = client.get(f"/rounds/{open_round.id}").get_data(as_text=True)
    metas = re.findall(r'<p class="comment-meta">(.*?)</p>', html, re.S)
    marked = [m for m in metas if 'class="badge badge-name"' in m]
    assert len(metas) == 2 and len(marked) == 1 and "Warga-NAVXF" in marked[0]
    assert "nama sendiri" in marked[0]


@pytest.mark.parametrize("htmx", [False, True])
def test_a_web_reply_leaves_the_choice_to_show_ones_name_as_it_is(client, auth, make, open_round, htmx):
    citizen = make.user(name="Budi Santoso")
    named = services.post_comment(citizen, open_round, "Dengan nama.", show_name=True)
    other = services.post_comment(make.user(), open_round, "Komentar orang lain.")
    auth.login(citizen)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(
        f"/rounds/{open_round.id}/komentar", data={"body": "Balasan saya.", "parent_id": str(other.id)}, headers=headers
    )
    assert response.status_code == (200 if htmx else 303)
    reply = db.session.scalar(sa.select(Comment).where(Comment.parent_id == other.id))
    assert _fresh(named).author_name == "Budi Santoso" and _fresh(reply).author_name == "Budi Santoso"


def test_the_comment_form_starts_with_the_choice_made_in_this_round(client, auth, make, open_round):
    """Not with the account's default: sending the form as it comes would switch the person's name off (or on)
    for all their comments in the round."""
    citizen = make.user(name="Budi Santoso")  # the account's default: a pseudonym
    services.post_comment(citizen, open_round, "Dengan nama.", show_name=True)
    auth.login(citizen)

    def box(round_id: int) -> str:
        (tag,) = re.findall(
            r'<input[^>]*name="show_name"[^>]*>', client.get(f"/rounds/{round_id}").get_data(as_text=True)
        )
        return tag

    assert " checked" in box(open_round.id)
    assert " checked" not in box(make.round().id)


def test_the_users_preference_to_show_their_name_is_the_default(make, open_round):
    citizen = make.user(name="Dewi Lestari")
    with write_transaction():
        db.session.get(User, citizen.id).show_name = True
    comment = services.post_comment(db.session.get(User, citizen.id), open_round, "Nama saya tampil.")
    assert _fresh(comment).author_name == "Dewi Lestari"


# --- audit -------------------------------------------------------------------------------------------------


def test_comment_actions_are_audited_under_the_pseudonym_with_a_text_hash_and_never_an_email(make, open_round):
    author = make.user(name="Rahasia Nama", email="rahasia.penulis@example.org")
    replier = make.user(email="rahasia.pembalas@example.org")
    comment = services.post_comment(
        author, open_round, "Teks asli.", section_id=_sections(open_round)[1].id, stance="oppose", show_name=True
    )
    services.edit_comment(author, comment, "Teks diubah.")
    reply = services.post_comment(replier, open_round, "Balasan.", parent_id=comment.id)
    services.withdraw_comment(author, comment)

    pseudonym = db.session.scalar(sa.select(Participant.pseudonym).filter_by(user_id=author.id))
    entries = list(
        db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("comment.%")).order_by(AuditEntry.seq))
    )
    assert [(e.action, e.subject_id) for e in entries] == [
        ("comment.posted", str(comment.id)),
        ("comment.edited", str(comment.id)),
        ("comment.posted", str(reply.id)),
        ("comment.withdrawn", str(comment.id)),
    ]
    posted, edited, reply_posted, withdrawn = entries
    assert posted.actor == edited.actor == withdrawn.actor == pseudonym  # even though the author shows their name
    assert reply_posted.actor != pseudonym and reply_posted.actor.startswith("Warga-")
    assert posted.data["body_sha256"] == _sha("Teks asli.")
    assert edited.data["body_sha256"] == _sha("Teks diubah.")
    assert withdrawn.data["body_sha256"] == _sha("Teks diubah.")  # which text was withdrawn
    assert reply_posted.data["body_sha256"] == _sha("Balasan.")
    assert posted.data["stance"] == "oppose" and reply_posted.data["parent_id"] == comment.id
    for entry in entries:
        blob = entry.actor + entry.data_json
        assert "@" not in blob and "Rahasia" not in blob and "Teks" not in blob
        assert entry.actor != f"user:{author.id}"
    assert audit.verify().ok


# --- counters equal COUNT(*) -------------------------------------------------------------------------------


def test_counters_equal_count_after_300_random_operations(make, open_round):
    rng = random.Random(20261123)
    users = [make.user(verified=True) for _ in range(6)]
    sections = [s.id for s in _sections(open_round)]
    comments: list[Comment] = []
    done: dict[str, int] = {}

    def post():
        parent = rng.choice(comments) if comments and rng.random() < 0.4 else None
        comment = services.post_comment(
            rng.choice(users),
            open_round,
            f"Komentar {len(comments)}",
            section_id=rng.choice([None, *sections]),
            parent_id=parent.id if parent else None,
            stance=rng.choice([None, "support", "oppose", "neutral"]),
        )
        comments.append(comment)

    def vote():
        services.vote(rng.choice(users), rng.choice(comments), rng.choice([1, -1, 0]))

    def stance():
        services.set_stance(
            rng.choice(users), open_round, rng.choice(sections), rng.choice(["support", "oppose", "neutral"])
        )

    def withdraw():
        comment = rng.choice(comments)
        services.withdraw_comment(db.session.get(User, comment.author_id), comment)

    def report():
        services.report_comment(rng.choice(users), rng.choice(comments), "Melanggar aturan.")

    operations = [(post, 25), (vote, 45), (stance, 18), (withdraw, 7), (report, 5)]
    for _ in range(300):
        operation = rng.choices([op for op, _ in operations], weights=[w for _, w in operations])[0]
        if operation is not post and not comments:
            operation = post
        try:
            operation()
        except (NotAllowed, Conflict) as exc:  # own comment, withdrawn comment, reported twice: refusals
            done[f"{operation.__name__} refused"] = done.get(f"{operation.__name__} refused", 0) + 1
            assert said(exc)
        else:
            done[operation.__name__] = done.get(operation.__name__, 0) + 1

    assert counter_mismatches() == {}
    assert all(done.get(name, 0) >= 5 for name in ["post", "vote", "stance", "withdraw", "report"]), done
    assert _count(CommentVote) > 30 and _count(SectionStance) > 10
    assert _count(Comment, Comment.status == CommentStatus.WITHDRAWN) >= 5
    assert _count(Comment, Comment.parent_id.is_not(None)) >= 10
    assert audit.verify().ok


# --- keyset pages ------------------------------------------------------------------------------------------


@pytest.fixture
def busy_round(make, open_round):
    """45 top-level comments (every third on section one, every third on section two), agreement with ties,
    and a few replies that the top-level lists must not show."""
    authors = [make.user() for _ in range(3)]
    voters = [make.user() for _ in range(3)]
    critic = make.user()
    first, second = _sections(open_round)[1:3]
    section_of = [first.id, second.id, None]
    comments = []
    for i in range(45):
        comment = services.post_comment(authors[i % 3], open_round, f"Komentar {i}", section_id=section_of[i % 3])
        for voter in voters[: [0, 0, 1, 2, 0, 1, 0, 3][i % 8]]:
            services.vote(voter, comment, 1)
        if i % 5 == 0:
            services.vote(critic, comment, -1)  # disagreement does not count towards "most agreed"
        comments.append(comment)
    for i in range(0, 45, 9):
        services.post_comment(voters[0], open_round, "Balasan.", parent_id=comments[i].id)
    db.session.rollback()
    rows = db.session.execute(
        sa.select(Comment.id, Comment.agree_count, Comment.section_id).where(Comment.parent_id.is_(None))
    ).all()
    return open_round, rows, first.id


def _walk(round_id, order, section_id=None, limit=queries.PAGE_SIZE):
    pages, cursor = [], None
    while True:
        page = queries.comments_page(round_id, section_id=section_id, order=order, cursor=cursor, limit=limit)
        pages.append([c.id for c in page.items])
        if page.next_cursor is None:
            return pages
        assert len(page.items) == limit
        cursor = page.next_cursor
        assert len(pages) < 50, "the cursor does not advance"


def test_newest_first_pages_through_45_comments_without_gaps_or_duplicates(busy_round):
    rnd, rows, _ = busy_round
    pages = _walk(rnd.id, "new")
    assert [len(p) for p in pages] == [20, 20, 5]
    seen = [i for page in pages for i in page]
    assert seen == sorted((r.id for r in rows), reverse=True)
    assert len(set(seen)) == 45
    # a last page that is exactly full ends the list too (no empty page after it)
    assert [len(p) for p in _walk(rnd.id, "new", limit=15)] == [15, 15, 15]


def test_most_agreed_first_pages_by_agreement_then_newest(busy_round):
    rnd, rows, _ = busy_round
    assert len({r.agree_count for r in rows}) == 4  # ties on every count: the id breaks them
    pages = _walk(rnd.id, "agreed")
    assert [len(p) for p in pages] == [20, 20, 5]
    seen = [i for page in pages for i in page]
    assert seen == [r.id for r in sorted(rows, key=lambda r: (r.agree_count, r.id), reverse=True)]
    assert len(set(seen)) == 45


def test_section_filter_pages_only_that_sections_comments_in_both_orders(busy_round):
    rnd, rows, section_id = busy_round
    mine = [r for r in rows if r.section_id == section_id]
    for order, key in [("new", lambda r: r.id), ("agreed", lambda r: (r.agree_count, r.id))]:
        pages = _walk(rnd.id, order, section_id=section_id, limit=4)
        assert [len(p) for p in pages] == [4, 4, 4, 3], order
        assert [i for page in pages for i in page] == [r.id for r in sorted(mine, key=key, reverse=True)], order


@pytest.fixture
def small_round(make, open_round):
    author = make.user()
    for text in ["Satu.", "Dua."]:
        services.post_comment(author, open_round, text)
    return open_round


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "bm90LWEtbnVtYmVy",  # "not-a-number"
        "MS4yLjM",  # "1.2.3": more parts than any list expects
        "_w",  # not UTF-8
        "OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",  # 999999999999999999999999: beyond any id
        "LTU",  # "-5"
    ],
)
def test_a_bad_cursor_is_invalid(small_round, cursor):
    rnd = small_round
    with pytest.raises(Invalid) as info:
        queries.comments_page(rnd.id, order="new", cursor=cursor)
    assert "cursor" in info.value.fields
    with pytest.raises(Invalid):
        queries.comments_page(rnd.id, order="agreed", cursor=cursor)
    with pytest.raises(Invalid):
        queries.replies_page(1, cursor=cursor)


def test_a_cursor_of_one_order_is_invalid_in_the_other_and_an_unknown_order_is_invalid(small_round):
    rnd = small_round
    new_cursor = queries.comments_page(rnd.id, order="new", limit=1).next_cursor
    agreed_cursor = queries.comments_page(rnd.id, order="agreed", limit=1).next_cursor
    assert new_cursor and agreed_cursor
    with pytest.raises(Invalid):
        queries.comments_page(rnd.id, order="agreed", cursor=new_cursor)
    with pytest.raises(Invalid):
        queries.comments_page(rnd.id, order="new", cursor=agreed_cursor)
    with pytest.raises(Invalid) as info:
        queries.comments_page(rnd.id, order="oldest")
    assert "order" in info.value.fields


def test_replies_page_lists_a_thread_oldest_first_20_at_a_time(make, open_round):
    author, a, b = make.user(), make.user(), make.user()
    top = services.post_comment(author, open_round, "Pokok.")
    replies = []
    for i in range(25):
        target = replies[-1].id if replies and i % 4 == 0 else top.id  # some answer a reply: same thread
        replies.append(services.post_comment([a, b][i % 2], open_round, f"Balasan {i}", parent_id=target))
    services.withdraw_comment(a, replies[2])

    first = queries.replies_page(top.id)
    second = queries.replies_page(top.id, cursor=first.next_cursor)
    assert second.next_cursor is None
    assert [c.id for c in first.items + second.items] == [r.id for r in replies]
    assert [len(first.items), len(second.items)] == [20, 5]
    assert first.items[2].status == "withdrawn"  # keeps its place in the conversation
    assert _fresh(top).reply_count == 25
    assert queries.replies_page(replies[0].id).items == []


def test_votes_of_stances_of_and_section_stats_show_one_persons_activity(make, open_round):
    author, citizen, other = make.user(), make.user(), make.user()
    first, second, third = (s.id for s in _sections(open_round))
    c1 = services.post_comment(author, open_round, "Satu.", section_id=first)
    c2 = services.post_comment(author, open_round, "Dua.", section_id=second)
    c3 = services.post_comment(author, open_round, "Tiga.")
    services.vote(citizen, c1, 1)
    services.vote(citizen, c2, 0)
    services.vote(other, c2, -1)
    services.set_stance(citizen, open_round, first, "support")
    services.set_stance(citizen, open_round, third, "neutral")
    services.set_stance(other, open_round, first, "oppose")

    assert queries.votes_of(citizen, [c1.id, c2.id, c3.id]) == {c1.id: 1, c2.id: 0}
    assert queries.votes_of(other, [c1.id, c2.id]) == {c2.id: -1}
    assert queries.votes_of(None, [c1.id]) == {} and queries.votes_of(citizen, []) == {}
    assert queries.stances_of(citizen, open_round.id) == {first: "support", third: "neutral"}
    assert queries.stances_of(None, open_round.id) == {}
    stats = queries.section_stats(open_round.id)
    assert {k: (s.support, s.oppose, s.neutral, s.comments) for k, s in stats.items()} == {
        first: (1, 1, 0, 1),
        second: (0, 0, 0, 1),
        third: (0, 0, 1, 0),
    }
    assert queries.section_stats(make.round(make.agency()).id) == {}


# --- concurrency: separate processes on one database ------------------------------------------------------

WORKERS = 8
SAME_VOTE_CALLS = 7  # 8 x 7 = 56 identical vote requests at once

WORKER = r"""
import json, sys, time
from pathlib import Path

import sqlalchemy as sa

from consult import create_app
from consult.config import TestConfig
from consult.extensions import db

url, worker, barrier, plan = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), json.loads(sys.argv[4])
app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                  "SQLALCHEMY_DATABASE_URI": url})
errors = []
with app.app_context():
    from consult.accounts.models import User
    from consult.participation import services
    from consult.participation.models import Comment
    from consult.rounds.models import Round

    for phase, steps in plan:
        db.session.execute(sa.text("SELECT 1"))  # connected before the start
        db.session.rollback()
        (barrier / f"ready-{phase}-{worker}").touch()
        deadline = time.monotonic() + 60
        while not (barrier / f"go-{phase}").exists():
            if time.monotonic() > deadline:
                raise SystemExit(f"no start signal for {phase}")
            time.sleep(0.001)
        for step in steps:
            try:
                if step[0] == "vote":
                    _, user_id, comment_id, value = step
                    services.vote(db.session.get(User, user_id), db.session.get(Comment, comment_id), value)
                else:
                    _, user_id, round_id, section_id, value = step
                    user, rnd = db.session.get(User, user_id), db.session.get(Round, round_id)
                    services.set_stance(user, rnd, section_id, value)
            except Exception as exc:
                errors.append(f"{phase}: {type(exc).__name__}: {exc}"[:400])
                db.session.rollback()
    db.session.remove()
    db.engine.dispose()
print(json.dumps({"worker": worker, "errors": errors}))
"""

PHASES = ["same_vote", "many_voters", "first_stances", "first_participation"]
FRESH_ROUNDS = 3
VOTE_SEQUENCES = [[1, -1, 0, 1, 0, -1][w % 6 :] + [1, -1, 0, 1, 0, -1][: w % 6] for w in range(WORKERS)]
STANCE_SEQUENCES = [
    ["support", "oppose", "neutral", "support"][w % 4 :] + ["neutral"] * (w % 4) for w in range(WORKERS)
]


def _concurrency_setup(make) -> dict:
    """The rounds, people and comments of the phases, committed before the workers start."""
    agency = make.agency()
    rnd = make.round(agency)
    fresh_rounds = [make.round(agency, document=rnd.document) for _ in range(FRESH_ROUNDS)]
    author, same_voter, newcomer = make.user(), make.user(), make.user()
    voters = [make.user() for _ in range(WORKERS)]
    same = services.post_comment(author, rnd, "Semua menyetujui ini sekaligus.")
    contested = services.post_comment(author, rnd, "Diperdebatkan.")
    fresh = [
        {
            "round": r.id,
            "section": _sections(r)[1].id,
            "comments": [services.post_comment(author, r, f"Komentar {w}").id for w in range(WORKERS)],
        }
        for r in fresh_rounds
    ]
    ids = {
        "round": rnd.id,
        "section": _sections(rnd)[2].id,  # nobody has touched it yet: its tally row is created under contention
        "same_voter": same_voter.id,
        "newcomer": newcomer.id,  # has never taken part in the fresh rounds
        "voters": [v.id for v in voters],
        "same": same.id,
        "contested": contested.id,
        "fresh": fresh,
    }
    db.session.commit()
    return ids


def _newcomer_step(ids: dict, fresh: dict, w: int) -> list:
    """In each fresh round, the newcomer votes from even workers and takes a stance from odd ones, all at once."""
    if w % 2 == 0:
        return ["vote", ids["newcomer"], fresh["comments"][w], 1]
    return ["stance", ids["newcomer"], fresh["round"], fresh["section"], ["support", "oppose"][w % 4 // 2]]


def _plan(ids: dict, w: int) -> list:
    return [
        ["same_vote", [["vote", ids["same_voter"], ids["same"], 1]] * SAME_VOTE_CALLS],
        ["many_voters", [["vote", ids["voters"][w], ids["contested"], v] for v in VOTE_SEQUENCES[w]]],
        ["first_stances", [["stance", ids["voters"][w], ids["round"], ids["section"], v] for v in STANCE_SEQUENCES[w]]],
        ["first_participation", [_newcomer_step(ids, fresh, w) for fresh in ids["fresh"]]],
    ]


def _run_workers(url: str, barrier: Path, ids: dict) -> list[dict]:
    return run_workers(
        WORKER,
        [[url, str(w), str(barrier), json.dumps(_plan(ids, w))] for w in range(WORKERS)],
        barrier,
        phases=PHASES,  # released together, phase by phase
        forbidden=("database is locked", "IntegrityError"),
    )


def _assert_exact_after_concurrency(reports: list[dict], ids: dict) -> None:
    assert {r["worker"]: r["errors"] for r in reports} == {w: [] for w in range(WORKERS)}
    db.session.rollback()

    # 56 identical votes: exactly one row, counted once
    same_votes = db.session.execute(
        sa.select(CommentVote.user_id, CommentVote.value).where(CommentVote.comment_id == ids["same"])
    ).all()
    assert [tuple(v) for v in same_votes] == [(ids["same_voter"], 1)]
    assert db.session.get(Comment, ids["same"]).counts == {"agree": 1, "disagree": 0, "pass": 0}

    # different people changing their votes on one comment: one row each, the last value wins
    contested = dict(
        db.session.execute(
            sa.select(CommentVote.user_id, CommentVote.value).where(CommentVote.comment_id == ids["contested"])
        ).all()
    )
    assert contested == {ids["voters"][w]: VOTE_SEQUENCES[w][-1] for w in range(WORKERS)}
    finals = list(contested.values())
    assert db.session.get(Comment, ids["contested"]).counts == {
        "agree": finals.count(1),
        "disagree": finals.count(-1),
        "pass": finals.count(0),
    }

    # first stances on an untouched section: one tally row, one stance each
    stances = dict(
        db.session.execute(
            sa.select(SectionStance.user_id, SectionStance.value).where(
                SectionStance.round_id == ids["round"], SectionStance.section_id == ids["section"]
            )
        ).all()
    )
    assert stances == {ids["voters"][w]: STANCE_SEQUENCES[w][-1] for w in range(WORKERS)}
    assert _count(SectionStats, SectionStats.round_id == ids["round"], SectionStats.section_id == ids["section"]) == 1

    # the newcomer raced themselves into each fresh round: one participant, every vote, one stance
    newcomer = ids["newcomer"]
    for fresh in ids["fresh"]:
        assert _count(Participant, Participant.user_id == newcomer, Participant.round_id == fresh["round"]) == 1
        voted = fresh["comments"][0::2]
        assert _count(
            CommentVote, CommentVote.user_id == newcomer, CommentVote.comment_id.in_(fresh["comments"])
        ) == len(voted)
        assert [db.session.get(Comment, c).agree_count for c in voted] == [1] * len(voted)
        assert _count(SectionStance, SectionStance.user_id == newcomer, SectionStance.round_id == fresh["round"]) == 1
        (stats,) = db.session.scalars(sa.select(SectionStats).filter_by(round_id=fresh["round"]))
        assert stats.stance_total == 1

    assert counter_mismatches() == {}
    assert audit.verify().ok


def test_concurrent_votes_and_first_stances_from_separate_processes_stay_exact(make, tmp_path):
    ids = _concurrency_setup(make)
    reports = _run_workers(database_url(), tmp_path, ids)
    _assert_exact_after_concurrency(reports, ids)


@pytest.mark.postgres
@needs_postgres_server
def test_concurrent_votes_and_first_stances_on_postgresql_stay_exact(make, tmp_path):
    with postgres_variant() as url:
        ids = _concurrency_setup(make)
        reports = _run_workers(url, tmp_path, ids)
        _assert_exact_after_concurrency(reports, ids)
