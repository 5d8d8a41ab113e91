"""The public statistics pages: /rounds/<id>/statistik and /instansi/<slug>/statistik.

A small world with known times gives exact figures (per local day in Jakarta, per section, per channel, stances,
moderation by rule, report waiting times, complaints); hidden and withdrawn texts never appear; the number of
queries does not grow with the data; unknown rounds and agencies are 404.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from consult.accountability.services import complaints
from consult.deliberation.summary_figures import participation
from consult.extensions import db, write_transaction
from consult.moderation import services as moderation
from consult.monitoring import statistics, stats_math
from consult.participation import services as part
from consult.participation.models import Comment, CommentVote, Report
from consult.rounds.models import Round
from tests.accountability.complaint_world import build_world as complaint_world

OPENS = dt.datetime(2026, 1, 5, 1, 0)  # 08:00 in Jakarta
CLOSES = dt.datetime(2026, 1, 12, 1, 0)
HIDDEN_TEXT = "Teks yang disembunyikan moderator xyzzy."
WITHDRAWN_TEXT = "Teks yang ditarik penulisnya plugh."


def _at(model, row_id, **values):
    db.session.execute(sa.update(model).where(model.id == row_id).values(**values))


def build(make) -> SimpleNamespace:
    agency = make.agency()
    moderation.add_rule("test", agency, "Tanpa hinaan")
    moderation.add_rule("test", agency, "Tanpa data pribadi")
    rnd = make.round(agency)
    s1, s2 = rnd.version.sections[1], rnd.version.sections[2]
    a, b, c, d = (make.user(verified=True) for _ in range(4))
    moderator = make.user("moderator", agency)
    first = part.post_comment(a, rnd, "Komentar pertama tentang bagian satu.", section_id=s1.id, stance="support")
    second = part.post_comment(a, rnd, WITHDRAWN_TEXT, section_id=s1.id)
    third = part.post_comment(b, rnd, "Komentar tentang bagian dua.", section_id=s2.id)
    hidden = part.post_comment(c, rnd, HIDDEN_TEXT)  # the whole document
    reply = part.post_comment(b, rnd, "Balasan untuk komentar pertama.", parent_id=first.id)
    paper = part.post_comment(d, rnd, "Komentar dari formulir kertas.", section_id=s2.id)
    official = part.post_comment(moderator, rnd, "Jawaban instansi.", parent_id=first.id)  # not counted
    part.vote(b, db.session.get(Comment, first.id), 1)
    part.vote(c, db.session.get(Comment, first.id), -1)
    part.vote(a, db.session.get(Comment, third.id), 1)
    part.set_stance(b, rnd, s1.id, "oppose")
    part.set_stance(c, rnd, s2.id, "neutral")
    part.withdraw_comment(a, db.session.get(Comment, second.id))
    for reporter, target in ((a, hidden), (b, hidden), (d, third), (a, reply)):
        part.report_comment(reporter, db.session.get(Comment, target.id), "Melanggar aturan.", rule=1)
    moderation.hide_comment(moderator, db.session.get(Comment, hidden.id), 1, "Menghina warga lain.")
    moderation.dismiss_reports(moderator, db.session.get(Comment, third.id), "Tidak melanggar.")
    with write_transaction():
        _at(Round, rnd.id, opens_at=OPENS, closes_at=CLOSES)
        # local days (UTC+7): 5, 6, 6, 7, 9, 9 January
        for comment, when in (
            (first, dt.datetime(2026, 1, 5, 10, 0)),
            (second, dt.datetime(2026, 1, 5, 20, 0)),  # 03:00 on the 6th in Jakarta
            (third, dt.datetime(2026, 1, 6, 2, 0)),
            (hidden, dt.datetime(2026, 1, 7, 3, 0)),
            (reply, dt.datetime(2026, 1, 9, 4, 0)),
            (paper, dt.datetime(2026, 1, 9, 5, 0)),
            (official, dt.datetime(2026, 1, 9, 6, 0)),
        ):
            _at(Comment, comment.id, created_at=when)
        _at(Comment, paper.id, channel="paper")
        votes = db.session.scalars(sa.select(CommentVote.id).order_by(CommentVote.id)).all()
        for vote_id, when in zip(votes, (dt.datetime(2026, 1, 6, 1), dt.datetime(2026, 1, 6, 2), OPENS), strict=True):
            _at(CommentVote, vote_id, created_at=when)
        reports = db.session.scalars(sa.select(Report.id).order_by(Report.id)).all()
        start = dt.datetime(2026, 1, 7, 4, 0)
        # waited 30 minutes, 3 hours 10 minutes and 50 hours; the reply's report is still open
        for report_id, waited in zip(reports, (30, 190, 3000, None), strict=True):
            handled = start + dt.timedelta(minutes=waited) if waited is not None else None
            _at(Report, report_id, created_at=start, handled_at=handled)
    db.session.commit()
    return SimpleNamespace(agency=agency, round=db.session.get(Round, rnd.id), s1=s1, s2=s2, moderator=moderator)


@pytest.fixture
def world(make):
    return build(make)


def test_the_round_figures_are_exact(world):
    stats = statistics.round_statistics(world.round, now=dt.datetime(2026, 2, 1))
    f = stats.figures
    assert (f.comments, f.replies, f.hidden, f.withdrawn, f.votes) == (6, 1, 1, 1, 3)
    assert f.stances == 3  # a's support (from the comment), b's oppose, c's neutral
    assert f.by_channel == {"web": 5, "counter": 0, "paper": 1, "phone": 0, "forum": 0}
    assert f.over_time.unit == "day"
    days = {day.day: counts for day, counts in f.over_time.points}
    assert list(days) == [5, 6, 7, 8, 9, 10, 11, 12]  # the round's days, Jakarta time, empty ones too
    assert days[5] == (1, 0) and days[6] == (2, 0) and days[7] == (1, 0)
    assert days[8] == (0, 0) and days[9] == (1, 1)
    rows = {row.title: row for row in stats.sections}
    assert rows[None].comments == 1  # the whole document: the hidden one
    assert (rows[world.s1.title].comments, rows[world.s2.title].comments) == (3, 2)  # the reply goes with its parent
    assert (rows[world.s1.title].support, rows[world.s1.title].oppose, rows[world.s2.title].neutral) == (1, 1, 1)
    assert f.by_action == {"hide": 1, "dismiss": 1}
    assert [(r.number, r.title, r.actions) for r in f.by_rule] == [(1, "Tanpa hinaan", 1), (None, None, 1)]
    r = f.reports
    assert (r.received, r.handled, r.open) == (4, 3, 1)
    assert r.median_minutes == 190 and (r.within_48h, r.share_within_48h) == (2, 66.7)
    assert dict(r.bands) == {"lt1h": 1, "1-6h": 1, "6-24h": 0, "24-48h": 0, "gt48h": 1}


def test_the_figures_agree_with_the_deliberation_summary(world):
    stats = statistics.round_statistics(world.round)
    summary = participation(world.round)
    assert (stats.figures.comments, stats.figures.votes, stats.figures.hidden) == (
        summary["comments"],
        summary["votes"],
        summary["hidden"],
    )
    assert stats.figures.by_channel == summary["by_channel"]


def test_the_round_page_shows_charts_with_tables_and_no_hidden_text(client, world):
    page = client.get(f"/rounds/{world.round.id}/statistik")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert HIDDEN_TEXT not in html and WITHDRAWN_TEXT not in html
    assert html.count('role="img"') == 7  # over time, sections, channels, stances, rules, actions, bands
    assert html.count('<table class="chart-table">') == 7  # each with its table
    assert '<title id="over-time-title">Komentar dan balasan per hari</title>' in html
    assert '<th scope="row">9 Jan 2026</th><td>1</td><td>1</td>' in html
    assert "3 j 10 mnt" in html and "66,7 %" in html  # the median, and the share handled within 48 hours
    assert "Aturan 1: Tanpa hinaan" in html and "Kertas" in html
    assert f'href="/instansi/{world.agency.slug}/statistik"' in html


def test_the_round_page_the_report_card_and_the_agency_rounds_link_to_the_statistics(client, world):
    html = client.get(f"/rounds/{world.round.id}").get_data(as_text=True)
    assert f'href="/rounds/{world.round.id}/statistik">Statistik</a>' in html
    agency_link = f'href="/instansi/{world.agency.slug}/statistik"'
    assert agency_link in client.get(f"/instansi/{world.agency.slug}/rapor").get_data(as_text=True)
    assert agency_link in client.get(f"/putaran?instansi={world.agency.slug}").get_data(as_text=True)
    assert agency_link not in client.get("/putaran").get_data(as_text=True)


def test_the_agency_figures_sum_its_rounds_and_its_complaints(make):
    cw = complaint_world(make)
    first = build_for(make, cw.agency)
    other_round = make.round(cw.agency)
    part.post_comment(make.user(verified=True), other_round, "Komentar di putaran kedua.")
    done = complaints.file_complaint(cw.citizen, cw.agency, what="Antrean lama.", commitment_id=cw.commitment.id)
    complaints.file_complaint(cw.citizen, cw.agency, what="Biaya diminta.", commitment_id=cw.commitment.id)
    complaints.answer_complaint(cw.admin, done.complaint, "Loket ditambah.")
    db.session.commit()
    stats = statistics.agency_statistics(db.session.get(type(cw.agency), cw.agency.id))
    f = stats.figures
    assert (f.comments, f.replies, f.hidden, f.withdrawn, f.votes, f.stances) == (7, 1, 1, 1, 3, 3)
    assert stats.round_count == 2 + first.extra_rounds
    comments = {row.round.id: row.comments for row in stats.rounds}
    assert comments[first.round.id] == 6 and comments[other_round.id] == 1
    assert (f.reports.received, f.reports.handled, f.reports.median_minutes) == (4, 3, 190)
    assert f.by_action == {"hide": 1, "dismiss": 1}
    c = stats.complaints
    assert (c.received, c.answered, c.answered_on_time) == (2, 1, 1) and stats.share_on_time == 100.0
    assert f.over_time.totals() == (6, 1)


def build_for(make, agency) -> SimpleNamespace:
    """build() in an agency that exists already (make.agency is swapped for it)."""
    existing = db.session.scalar(sa.select(sa.func.count()).select_from(Round).where(Round.agency_id == agency.id))
    original = make.agency
    make.agency = lambda *a, **k: agency
    try:
        built = build(make)
    finally:
        make.agency = original
    built.extra_rounds = existing
    return built


def test_the_agency_page_lists_rounds_and_links_each_statistics(client, world):
    page = client.get(f"/instansi/{world.agency.slug}/statistik")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert HIDDEN_TEXT not in html and WITHDRAWN_TEXT not in html
    assert f'href="/rounds/{world.round.id}/statistik"' in html
    assert f'href="/instansi/{world.agency.slug}/rapor"' in html
    assert html.count('role="img"') == 6  # over time, channels, stances per round, rules, actions, bands


def test_unknown_round_and_agency_are_404(client, world):
    assert client.get("/rounds/999999/statistik").status_code == 404
    assert client.get("/instansi/tidak-ada/statistik").status_code == 404


def _count_queries(app, client, url) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_query_count_does_not_grow_with_the_data(app, client, make, world):
    more = make.round(world.agency)
    section = more.version.sections[1].id
    db.session.commit()
    round_url, agency_url = f"/rounds/{more.id}/statistik", f"/instansi/{world.agency.slug}/statistik"
    client.get(round_url), client.get(agency_url)  # the published version's sections are now in memory
    before = _count_queries(app, client, round_url), _count_queries(app, client, agency_url)
    for n in range(12):
        person = make.user(verified=True)
        rnd = db.session.get(Round, more.id)
        comment = part.post_comment(person, rnd, f"Tambahan {n}.", section_id=section, stance="oppose")
        part.post_comment(make.user(verified=True), rnd, f"Balasan {n}.", parent_id=comment.id)
        part.vote(make.user(verified=True), db.session.get(Comment, comment.id), 1)
        part.report_comment(make.user(verified=True), db.session.get(Comment, comment.id), "Spam.", rule=2)
        if n % 3 == 0:
            moderation.hide_comment(world.moderator, db.session.get(Comment, comment.id), 2, "Iklan.")
    db.session.commit()
    after = _count_queries(app, client, round_url), _count_queries(app, client, agency_url)
    print("queries", before, after)
    assert after == before
    # the round page: the round and five aggregates; the agency page: the agency, the same five, the rounds counted and
    # listed, and the report card's three (services, complaints, commitments: no service has survey tallies here)
    assert before == (6, 11)


def test_the_statistics_math():
    assert stats_math.median({}) is None
    assert stats_math.median({5: 1}) == 5
    assert stats_math.median({1: 1, 3: 1}) == 2
    assert stats_math.median({1: 2, 10: 1}) == 1
    assert stats_math.median({1: 1, 2: 1, 10: 2}) == 6
    assert stats_math.within({10: 2, 2879: 1, 2880: 1}) == (3, 4)
    assert stats_math.share(2, 3) == 66.7 and stats_math.share(1, 0) is None
    day = dt.date(2026, 1, 1)
    long = stats_math.series({day: [1], day + dt.timedelta(days=100): [2]}, None, None, width=1)
    assert long.unit == "week" and long.points[0][0] == dt.date(2025, 12, 29) and long.totals() == (3,)
    years = stats_math.series({day: [1], dt.date(2028, 3, 3): [4]}, None, None, width=1)
    assert years.unit == "month" and len(years.points) == 27 and years.points[-1] == (dt.date(2028, 3, 1), (4,))
    assert stats_math.series({}, None, None, width=2).points == []
    assert stats_math.split_minutes(3 * 1440 + 125) == (3, 2, 5)


def test_the_pages_speak_english_too(client, world):
    client.get("/bahasa/en")
    html = client.get(f"/rounds/{world.round.id}/statistik").get_data(as_text=True)
    assert "<h1>Statistics</h1>" in html and "Comments and replies per day" in html and "3 h 10 min" in html
    assert "<h1>Statistics</h1>" in client.get(f"/instansi/{world.agency.slug}/statistik").get_data(as_text=True)
