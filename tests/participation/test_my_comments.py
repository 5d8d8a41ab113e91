"""'Komentar saya': the person's comments across rounds on the profile and at /profil/komentar, newest first,
keyset-paginated, each with its round, section, state, votes and replies, in a constant number of queries."""

from __future__ import annotations

import contextlib
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from consult.extensions import db
from consult.moderation import services as moderation
from consult.participation import queries
from consult.participation import services as participation
from consult.participation.models import Comment


@contextlib.contextmanager
def count_queries():
    """The statements run inside the block (not BEGIN/COMMIT), from an empty identity map as a real request."""
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    db.session.remove()
    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


@pytest.fixture
def two_rounds(make):
    agency = make.agency(slug="dinas-saya")
    moderation.add_rule("test", agency, "Hormati sesama")
    return make.round(agency), make.round(agency)


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="saya-(\d+)"', html)]


def test_my_comments_lists_the_persons_comments_across_rounds_newest_first_with_state_and_replies(
    client, auth, make, two_rounds
):
    first, second = two_rounds
    me, other, mod = make.user(), make.user(), make.user("moderator", first.agency)
    section = first.version.sections[1]
    a = participation.post_comment(me, first, "Bagian satu perlu jelas.", section_id=section.id)
    b = participation.post_comment(me, second, "Komentar di putaran kedua.")
    c = participation.post_comment(me, first, "Komentar yang akan saya tarik.")
    d = participation.post_comment(me, second, "Komentar yang akan disembunyikan.")
    participation.post_comment(other, first, "Komentar orang lain.")
    participation.post_comment(other, first, "Balasan untuk saya.", parent_id=a.id)
    participation.vote(other, db.session.get(Comment, a.id), 1)
    participation.withdraw_comment(me, db.session.get(Comment, c.id))
    moderation.hide_comment(mod, db.session.get(Comment, d.id), 1, "Menyerang pribadi.")
    reply = participation.post_comment(me, first, "Balasan saya sendiri.", parent_id=a.id)
    db.session.commit()

    auth.login(me)
    response = client.get("/profil/komentar")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert _ids(html) == [reply.id, d.id, c.id, b.id, a.id]
    card = html[html.index(f'id="saya-{a.id}"') :]
    card = card[: card.index("</li>")]
    assert first.title in card and section.title in card and "Bagian satu perlu jelas." in card
    assert "2 balasan" in card or "2 replies" in card
    assert f"/comments/{a.id}#balasan" in card
    assert re.search(r"Setuju: 1|Agree: 1", card)
    hidden = html[html.index(f'id="saya-{d.id}"') :]
    hidden = hidden[: hidden.index("</li>")]
    assert "Menyerang pribadi." in hidden and "Hormati sesama" in hidden
    assert "Komentar yang akan disembunyikan." not in html  # a hidden text is on no page, not even its author's
    assert "Komentar yang akan saya tarik." not in html
    assert "Komentar orang lain." not in html and "Balasan untuk saya." not in html
    reply_card = html[html.index(f'id="saya-{reply.id}"') :]
    assert f"/comments/{a.id}" in reply_card[: reply_card.index("</li>")]


def test_the_profile_shows_the_newest_comments_and_links_to_all(client, auth, make, two_rounds):
    me = make.user()
    ids = [participation.post_comment(me, two_rounds[0], f"Komentar nomor {i}.").id for i in range(5)]
    db.session.commit()
    auth.login(me)
    html = client.get("/profil").get_data(as_text=True)
    assert _ids(html) == ids[::-1][:3]
    assert "/profil/komentar" in html


def test_my_comments_is_keyset_paginated_with_the_one_cursor_format(client, auth, make, two_rounds):
    me = make.user()
    ids = [participation.post_comment(me, two_rounds[i % 2], f"Komentar ke-{i}.").id for i in range(25)]
    db.session.commit()
    auth.login(me)
    first = client.get("/profil/komentar").get_data(as_text=True)
    assert _ids(first) == ids[::-1][:20]
    cursor = re.search(r'href="/profil/komentar\?cursor=([^"]+)"', first).group(1)
    second = client.get(f"/profil/komentar?cursor={cursor}").get_data(as_text=True)
    assert _ids(second) == ids[::-1][20:]
    assert "cursor=" not in second.split("<main", 1)[1].split("</main>")[0]
    assert client.get("/profil/komentar?cursor=not-ours").status_code == 422
    page = queries.my_comments_page(me, limit=20)
    assert page.next_cursor == cursor


def test_my_comments_needs_a_login(client):
    response = client.get("/profil/komentar")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/profil/komentar", "/profil"])
def test_my_comments_runs_the_same_number_of_queries_for_3_or_20_comments(client, auth, make, two_rounds, path):
    few, many, other = make.user(), make.user(), make.user()
    for i in range(3):
        participation.post_comment(few, two_rounds[i % 2], f"Sedikit {i}.")
    for i in range(20):
        rnd = two_rounds[i % 2]
        c = participation.post_comment(many, rnd, f"Banyak {i}.", section_id=rnd.version.sections[1].id)
        if i % 5 == 0:
            participation.post_comment(other, rnd, "Balasan.", parent_id=c.id)
    db.session.commit()
    counts = []
    for user in (SimpleNamespace(email=few.email), SimpleNamespace(email=many.email)):
        auth.login(user)
        with count_queries() as queries_run:
            assert client.get(path).status_code == 200
        counts.append(len(queries_run))
        auth.logout()
    assert counts[0] == counts[1], counts


def test_my_comments_query_uses_the_author_index(make, two_rounds):
    me = make.user()
    participation.post_comment(me, two_rounds[0], "Komentar.")
    db.session.commit()
    query = "SELECT id FROM comments WHERE author_id = :a ORDER BY id DESC LIMIT 21"
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(str(row) for row in db.session.execute(sa.text(f"EXPLAIN QUERY PLAN {query}"), {"a": me.id}))
        assert "ix_comments_author_new" in plan and "TEMP B-TREE" not in plan
    else:  # PostgreSQL picks by statistics: with sequential scans off, the index must serve order and filter
        # Fresh statistics of a table where the author's rows are few among many (as on a real site): what earlier
        # tests left in pg_statistic (a bulk import runs ANALYZE) must not decide the plan.
        other = make.user()
        for i in range(150):
            participation.post_comment(other, two_rounds[1], f"Komentar orang lain {i}.")
        db.session.commit()
        db.session.execute(sa.text("ANALYZE comments"))
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(str(row) for row in db.session.execute(sa.text(f"EXPLAIN {query}"), {"a": me.id}))
        db.session.rollback()
        assert "ix_comments_author_new" in plan and "Sort" not in plan, plan
