"""Open-data downloads: every table of the public record as CSV and JSON, for one round and for the site, streamed,
with the documented columns, with a progress report for the page, and without personal data or hidden text."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from consult.accountability.models import Complaint
from consult.accountability.services.complaint_reads import public_view
from consult.deliberation.services.summary import publish_summary
from consult.extensions import db
from consult.moderation import services as moderation
from consult.monitoring import exports
from consult.participation.models import Comment
from consult.participation.services import post_comment, vote, withdraw_comment
from consult.rounds.models import Round
from consult.timeutil import utcnow
from tests.deliberation.theme_world import build, close

HIDDEN = "Teks kasar yang disembunyikan, nomor 0812-5555-6666."
WITHDRAWN = "Komentar yang ditarik penulisnya sendiri."


@pytest.fixture
def w(make):
    world = build(make, closed=False)
    for n, voter in enumerate(make.user(verified=True) for _ in range(3)):
        for comment in world.comments[:2]:
            vote(voter, db.session.get(Comment, comment.id), (1, -1, 0)[n])
    world.hidden = post_comment(world.citizen, world.round, HIDDEN)
    moderation.add_rule("test", world.agency, "Hormati sesama")
    moderation.hide_comment(world.moderator, db.session.get(Comment, world.hidden.id), 1, "Menghina.")
    world.withdrawn = post_comment(world.citizen, world.round, WITHDRAWN)
    withdraw_comment(world.citizen, db.session.get(Comment, world.withdrawn.id))
    close(world.round)
    db.session.commit()
    world.round = db.session.get(Round, world.round.id)
    return world


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.is_streamed and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _json(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/json", url
    return json.loads(response.get_data(as_text=True))


def test_every_table_downloads_as_csv_and_json_with_its_documented_columns(app, w, client):
    for name, table in exports.TABLES.items():
        for base in (f"/rounds/{w.round.id}/data/{name}", f"/data/{name}"):
            rows = _csv(client, f"{base}.csv")
            assert tuple(rows[0]) == table.columns, name
            objects = _json(client, f"{base}.json")
            assert isinstance(objects, list)
            assert all(tuple(o) == table.columns for o in objects), name
    page = client.get(f"/rounds/{w.round.id}/data").get_data(as_text=True)
    assert all(f"/rounds/{w.round.id}/data/{name}.csv" in page for name in exports.TABLES)
    assert client.get("/data").status_code == 200
    assert client.get("/data/emails.csv").status_code == 404
    assert client.get("/data/comments.xml").status_code == 404
    assert client.get("/rounds/999999/data/comments.csv").status_code == 404


def test_comments_and_votes_are_the_public_record_and_nothing_more(app, w, client):
    rows = _json(client, f"/rounds/{w.round.id}/data/comments.json")
    by_id = {r["id"]: r for r in rows}
    assert len(rows) == len(w.comments) + len(w.copies) + 2  # not the other round's comment
    assert by_id[w.hidden.id]["status"] == "hidden" and by_id[w.hidden.id]["body"] == ""
    assert by_id[w.withdrawn.id]["status"] == "withdrawn" and by_id[w.withdrawn.id]["body"] == ""
    assert by_id[w.comments[0].id]["body"] == w.comments[0].body
    assert by_id[w.comments[0].id]["author"].startswith("Warga-")
    site = _json(client, "/data/comments.json")
    assert {r["round_id"] for r in site} == {w.round.id, w.other_round.id}

    votes = {r["comment_id"]: r for r in _json(client, f"/rounds/{w.round.id}/data/votes.json")}
    assert (votes[w.comments[0].id]["agree"], votes[w.comments[0].id]["disagree"]) == (1, 1)
    assert votes[w.comments[0].id]["pass"] == 1
    per_voter = _json(client, f"/rounds/{w.round.id}/data/participant-votes.json")
    assert len(per_voter) == 6 and len({v["voter"] for v in per_voter}) == 3
    log = _json(client, f"/rounds/{w.round.id}/data/moderation.json")
    assert [(m["action"], m["comment_id"], m["reason"]) for m in log] == [("hide", w.hidden.id, "Menghina.")]

    everything = b""
    for name in exports.TABLES:
        for base in (f"/rounds/{w.round.id}/data/{name}", f"/data/{name}"):
            everything += client.get(f"{base}.csv").data + client.get(f"{base}.json").data
    text = everything.decode("utf-8")
    assert HIDDEN not in text and "0812-5555-6666" not in text and WITHDRAWN not in text
    for person in (w.author, w.citizen, w.moderator, w.admin):
        assert person.email not in text and person.name not in text


def test_themes_and_summaries_appear_once_published(app, w, client):
    from consult.deliberation.services import themes as theme_service
    from consult.deliberation.services.dispositions import set_theme_disposition

    theme = theme_service.create_theme(w.moderator, w.round, "Jam layanan sore", "Warga meminta jam sore.")
    db.session.commit()
    assert _json(client, f"/rounds/{w.round.id}/data/themes.json") == []  # the staff's draft is not public
    set_theme_disposition(w.admin, theme, "adopted", "Mulai bulan depan buka sampai pukul 18.00.")
    db.session.commit()
    publish_summary(db.session.get(Round, w.round.id), w.admin)
    db.session.commit()
    themes = _json(client, f"/rounds/{w.round.id}/data/themes.json")
    assert [(t["theme_id"], t["title"], t["disposition"]) for t in themes] == [
        (theme.id, "Jam layanan sore", "adopted")
    ]
    (summary,) = _json(client, f"/rounds/{w.round.id}/data/summaries.json")
    assert summary["round_id"] == w.round.id and summary["comments"] >= len(w.comments)


def test_a_download_reports_its_progress_for_the_page(app, w, client):
    token = "a1b2c3d4e5f6a7b8c9d0"
    assert client.get(f"/data/progress/{token}").get_json() == {"done": 0, "total": None, "finished": False}
    rows = _csv(client, f"/rounds/{w.round.id}/data/participant-votes.csv?progress={token}")
    assert len(rows) == 7
    assert client.get(f"/data/progress/{token}").get_json() == {"done": 6, "total": 6, "finished": True}
    assert client.get("/data/progress/..%2Fsecret").status_code == 404
    assert client.get("/data/progress/short").status_code == 404
    page = client.get(f"/rounds/{w.round.id}/data").get_data(as_text=True)
    assert 'data-progress="6"' in page and "6 baris" in page


def test_the_accountability_tables_of_the_demo(app, client):
    from consult.demo import load_demo

    load_demo()
    db.session.commit()
    now = utcnow()
    complaints = _json(client, "/data/complaints.json")
    stored = db.session.scalars(sa.select(Complaint)).all()
    assert len(complaints) == len(stored) >= 3
    for row in complaints:
        complaint = next(c for c in stored if c.tracking_number == row["tracking_number"])
        public = public_view(complaint, now)
        assert (row["status"], row["overdue"]) == (public["status"], public["overdue"])
    text = client.get("/data/complaints.csv").get_data(as_text=True)
    for c in stored:
        assert c.what not in text
        assert not c.complainant_name or c.complainant_name not in text
        assert not c.complainant_contact or c.complainant_contact not in text
    from consult.agencies.models import Agency

    slug = db.session.scalar(sa.select(Agency.slug).order_by(Agency.id))
    card = client.get(f"/api/v1/agencies/{slug}/report-card").get_json()
    rows = _json(client, "/data/report-card.json")
    for service in card["services"]:
        row = next(r for r in rows if r["service"] == service["service"])
        assert row["complaints_received"] == service["complaints"]["received"]
        assert row["ikm"] == service["ikm"]["index"] and row["responses"] == service["ikm"]["responses"]
    commitments = _json(client, "/data/commitments.json")
    assert commitments and all(c["state"] != "draft" for c in commitments)
    diffs = _json(client, "/data/diffs.json")
    assert diffs and all(d["change"] in ("changed", "added", "removed", "moved", "renamed") for d in diffs)
