"""The Atom feeds monitors and feed readers subscribe to: /feeds/rounds.atom, /feeds/moderation.atom (everywhere
or one agency's) and /rounds/<id>/feed.atom. Parsed with feedparser (what feed readers use) and with the standard
library; the signed audit head in each checks with the site's published key; hidden text never appears."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser
import pytest
import sqlalchemy as sa

from consult.deliberation.services.summary import publish_summary
from consult.extensions import db
from consult.moderation import services as moderation
from consult.monitoring.atom import AUDIT_NS
from consult.monitoring.signing import verify_head
from consult.participation.models import Comment
from consult.participation.services import post_comment
from consult.rounds.models import Round
from consult.rounds.services import close_round
from consult.scheduler.jobs import run_due_jobs
from consult.timeutil import utcnow
from tests.deliberation.theme_world import build

HIDDEN = "Kata kasar yang disembunyikan, nomor 0812-3333-4444."


@pytest.fixture
def w(make):
    world = build(make, closed=False)
    hidden = post_comment(world.citizen, world.round, HIDDEN)
    moderation.add_rule("test", world.agency, "Hormati sesama")
    moderation.hide_comment(world.moderator, db.session.get(Comment, hidden.id), 1, "Menghina warga lain.")
    db.session.commit()
    world.hidden = hidden
    return world


def _feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert parsed.version == "atom10" and not parsed.bozo, (url, parsed.get("bozo_exception"))
    return response, parsed


def _terms(parsed) -> list[str]:
    return [e.tags[0].term for e in parsed.entries]


def test_the_round_feed_follows_the_round_from_announcement_to_summary_and_archive(app, w, client):
    rnd = w.round
    close_round(w.moderator, db.session.get(Round, rnd.id), "Jadwal rapat dengar pendapat dimajukan.")
    db.session.commit()
    run_due_jobs(utcnow())  # freezes the close's archive
    publish_summary(db.session.get(Round, rnd.id), w.admin)
    db.session.commit()

    response, parsed = _feed(client, f"/rounds/{rnd.id}/feed.atom")
    terms = _terms(parsed)
    assert {"round", "closed_early", "hide", "summary", "archive-closed"} <= set(terms), terms
    assert terms[0] == "summary"  # newest first
    early = next(e for e in parsed.entries if e.tags[0].term == "closed_early")
    assert "Ditutup lebih awal" in early.title and "Jadwal rapat dengar pendapat dimajukan." in early.summary
    assert early.link == f"http://127.0.0.1:5000/rounds/{rnd.id}"  # PUBLIC_URL, whatever host was asked
    hide = next(e for e in parsed.entries if e.tags[0].term == "hide")
    assert f"#{w.hidden.id}" in hide.title
    assert "Menghina warga lain." in hide.summary and "Hormati sesama" in hide.summary
    assert hide.author.startswith("Moderator-")
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)
    assert all(e.id.startswith("tag:127.0.0.1,2026:") for e in parsed.entries)

    body = response.get_data(as_text=True)
    assert HIDDEN not in body and "0812-3333-4444" not in body
    assert w.moderator.email not in body and w.moderator.name not in body and w.citizen.email not in body


def test_every_feed_carries_the_signed_audit_head_of_its_moment(app, w, client):
    key = client.get("/api/v1/audit/keys").get_json()[-1]["public_key"]
    api_head = client.get("/api/v1/audit/head").get_json()
    for url in ("/feeds/rounds.atom", "/feeds/moderation.atom", f"/rounds/{w.round.id}/feed.atom"):
        root = ET.fromstring(client.get(url).data)  # noqa: S314 - our own feed
        element = root.find(f"{{{AUDIT_NS}}}head")
        assert element is not None, url
        head = dict(element.attrib)
        head["seq"] = int(head["seq"])
        assert {k: head[k] for k in ("seq", "hash", "at", "key_id", "signature")} == api_head
        assert verify_head(key, head)
        head["hash"] = "0" * 64
        assert not verify_head(key, head)


def test_site_and_agency_feeds(app, w, make, client):
    other = make.round(make.agency())
    db.session.commit()
    _, everything = _feed(client, "/feeds/rounds.atom")
    links = {e.link.rsplit("/", 1)[-1] for e in everything.entries}
    assert {str(w.round.id), str(w.other_round.id), str(other.id)} <= links
    _, mine = _feed(client, f"/feeds/rounds.atom?instansi={w.agency.slug}")
    assert mine.feed.title == f"Konsultasi {w.agency.name}"
    assert {e.link.rsplit("/", 1)[-1] for e in mine.entries} == {str(w.round.id)}
    assert {e.author for e in mine.entries} == {w.agency.name}

    _, log = _feed(client, "/feeds/moderation.atom")
    assert _terms(log) == ["hide"]
    assert log.entries[0].link.endswith(f"/rounds/{w.round.id}/moderasi#log-{_first_action_id()}")
    _, other_log = _feed(client, f"/feeds/moderation.atom?instansi={other.agency.slug}")
    assert other_log.entries == []
    assert client.get("/feeds/rounds.atom?instansi=tidak-ada").status_code == 404
    assert client.get("/rounds/999999/feed.atom").status_code == 404


def _first_action_id() -> int:
    from consult.moderation.models import ModerationAction

    return db.session.scalar(sa.select(sa.func.min(ModerationAction.id)))


def test_an_unchanged_feed_answers_304_and_a_change_moves_its_etag(app, w, client):
    first = client.get("/feeds/moderation.atom")
    etag = first.headers["ETag"]
    assert "max-age=300" in first.headers["Cache-Control"] and "public" in first.headers["Cache-Control"]
    again = client.get("/feeds/moderation.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    moderation.restore_comment(w.moderator, db.session.get(Comment, w.hidden.id), 1, "Salah paham, dipulihkan.")
    db.session.commit()
    changed = client.get("/feeds/moderation.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert _terms(feedparser.parse(changed.data))[:2] == ["restore", "hide"]
    # restoring shows the comment again on its page, never in a feed
    assert HIDDEN not in changed.get_data(as_text=True)


def test_a_feed_costs_the_same_queries_whatever_the_number_of_rounds(app, w, make, client):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    def queries(url: str) -> int:
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    urls = ("/feeds/rounds.atom", "/feeds/moderation.atom", f"/rounds/{w.round.id}/feed.atom")
    before = [queries(url) for url in urls]
    for n in range(6):
        rnd = make.round(w.agency)
        comment = post_comment(w.citizen, rnd, f"Komentar {n}.")
        moderation.hide_comment(w.moderator, db.session.get(Comment, comment.id), 1, f"Alasan {n}.")
    db.session.commit()
    assert [queries(url) for url in urls] == before


def test_pages_point_feed_readers_at_their_feeds(app, w, client):
    home = client.get("/").get_data(as_text=True)
    assert 'type="application/atom+xml"' in home and "/feeds/rounds.atom" in home
    page = client.get(f"/rounds/{w.round.id}").get_data(as_text=True)
    assert f'href="/rounds/{w.round.id}/feed.atom"' in page
    log = client.get(f"/moderasi?instansi={w.agency.slug}").get_data(as_text=True)
    assert f"/feeds/moderation.atom?instansi={w.agency.slug}" in log
