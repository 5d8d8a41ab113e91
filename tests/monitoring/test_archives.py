"""Frozen archives of a round's public record: frozen by the scheduler at the close and at the summary's
publication, immutable, listed with their hashes, served; `flask export round`; checked end to end by the
standalone verifier (tools/verify_archive.py, in its own process) with the site's published key."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.audit import AuditEntry
from consult.deliberation.services.summary import publish_summary
from consult.extensions import db
from consult.moderation import services as moderation
from consult.monitoring import archives
from consult.monitoring.models import RoundArchive
from consult.participation.models import Comment
from consult.participation.services import post_comment, vote
from consult.rounds.models import Round
from consult.scheduler.jobs import run_due_jobs
from consult.timeutil import utcnow
from tests.deliberation.theme_world import build, close

VERIFIER = Path(__file__).resolve().parents[2] / "tools" / "verify_archive.py"
HIDDEN = "Komentar kasar yang disembunyikan moderator, nomor telepon 0812-0000-1111."


@pytest.fixture
def w(make):
    world = build(make, closed=False)
    rnd = world.round
    voters = [make.user(verified=True) for _ in range(3)]
    for n, voter in enumerate(voters):
        for comment in world.comments[:3]:
            vote(voter, db.session.get(Comment, comment.id), (1, -1, 0)[(n + comment.id) % 3])
    hidden = post_comment(world.citizen, rnd, HIDDEN)
    moderation.add_rule("test", world.agency, "Hormati sesama")
    moderation.hide_comment(world.moderator, db.session.get(Comment, hidden.id), 1, "Menghina.")
    close(rnd)
    db.session.commit()
    world.round, world.hidden = db.session.get(Round, rnd.id), hidden
    return world


def _verify(path: Path, client, *extra: str) -> subprocess.CompletedProcess:
    key = client.get("/api/v1/audit/keys").get_json()[-1]["public_key"]
    return subprocess.run(
        [sys.executable, str(VERIFIER), str(path), "--key", key, *extra], capture_output=True, text=True, timeout=120
    )


def _download(client, url: str):
    """A file response, read and closed (send_file streams from an open file)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def _read(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name).decode("utf-8")


def test_the_scheduler_freezes_the_close_and_the_summary_and_a_monitor_verifies_them(app, w, client, tmp_path):
    run_due_jobs(utcnow())
    rows = archives.archives_of(w.round.id)
    assert [r.reason for r in rows] == ["closed"]
    run_due_jobs(utcnow())  # idempotent
    assert len(archives.archives_of(w.round.id)) == 1

    listed = client.get(f"/api/v1/rounds/{w.round.id}/archives").get_json()
    assert [a["reason"] for a in listed] == ["closed"]
    served = _download(client, f"/rounds/{w.round.id}/archive.zip")
    assert served.status_code == 200 and served.mimetype == "application/zip"
    assert hashlib.sha256(served.data).hexdigest() == listed[0]["sha256"] == served.headers["X-Content-SHA256"]
    first = tmp_path / "closed.zip"
    first.write_bytes(served.data)
    result = _verify(first, client)
    assert result.returncode == 0 and result.stdout.startswith("OK"), result.stdout + result.stderr

    comments = list(csv.DictReader(io.StringIO(_read(first, "comments.csv"))))
    assert len(comments) == len(w.comments) + len(w.copies) + 1
    hidden = next(c for c in comments if c["id"] == str(w.hidden.id))
    assert hidden["status"] == "hidden" and hidden["body"] == ""
    with zipfile.ZipFile(first) as zf:
        everything = b"".join(zf.read(name) for name in zf.namelist()).decode("utf-8")
    assert HIDDEN not in everything and "0812-0000-1111" not in everything
    assert w.author.email not in everything and w.citizen.email not in everything
    assert w.author.name not in everything
    votes = list(csv.DictReader(io.StringIO(_read(first, "participant-votes.csv"))))
    assert len(votes) == 9 and all(v["voter"].strip() for v in votes)
    manifest = json.loads(_read(first, "manifest.json"))
    assert manifest["audit_head"] == listed[0]["audit_head"]
    frozen = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "archive.frozen"))
    assert frozen.data["sha256"] == listed[0]["sha256"] and frozen.seq > manifest["audit_head"]["seq"]

    publish_summary(db.session.get(Round, w.round.id), w.admin)
    db.session.commit()
    run_due_jobs(utcnow())
    listed = client.get(f"/api/v1/rounds/{w.round.id}/archives").get_json()
    assert [a["reason"] for a in listed] == ["closed", "summary_published"]
    second = tmp_path / "summary.zip"
    second.write_bytes(_download(client, f"/rounds/{w.round.id}/archive.zip").data)
    assert hashlib.sha256(second.read_bytes()).hexdigest() == listed[1]["sha256"]
    assert "summary.json" in json.loads(_read(second, "manifest.json"))["files"]
    result = _verify(second, client)
    assert result.returncode == 0, result.stdout + result.stderr
    # the first archive is unchanged and still served
    again = _download(client, listed[0]["url"].split("localhost", 1)[-1])
    assert hashlib.sha256(again.data).hexdigest() == listed[0]["sha256"]
    page = client.get(f"/rounds/{w.round.id}/arsip").get_data(as_text=True)
    assert listed[0]["sha256"] in page and listed[1]["sha256"] in page


def test_a_damaged_archive_is_named_by_the_verifier(app, w, client, tmp_path):
    run_due_jobs(utcnow())
    good = tmp_path / "good.zip"
    good.write_bytes(_download(client, f"/rounds/{w.round.id}/archive.zip").data)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "comments.csv":
                data = data.replace(b"Antrean daring", b"Antrean luring")
            dst.writestr(item, data)
    result = _verify(bad, client)
    assert result.returncode == 1 and "comments.csv" in result.stdout + result.stderr


def test_flask_export_round_writes_a_fresh_archive_that_verifies(app, w, client, runner, tmp_path):
    out = tmp_path / "export.zip"
    result = runner.invoke(args=["export", "round", str(w.round.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _verify(out, client).returncode == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoundArchive)) == 0  # stored nowhere
    missing = runner.invoke(args=["export", "round", "999999", "--out", str(tmp_path / "x.zip")])
    assert missing.exit_code == 1 and "999999" in missing.output


def test_no_archive_before_the_close(make, client):
    rnd = make.round(make.agency())
    db.session.commit()
    assert client.get(f"/rounds/{rnd.id}/archive.zip").status_code == 404
    assert client.get(f"/api/v1/rounds/{rnd.id}/archives").get_json() == []
    assert _download(client, "/alat/verify_archive.py").data == VERIFIER.read_bytes()


def test_every_archive_of_the_demo_verifies_the_adopted_charter_included(app, client, tmp_path):
    from consult.demo import load_demo

    load_demo()
    db.session.commit()
    for _ in range(4):  # BATCH archives per run
        run_due_jobs(utcnow())
    rows = db.session.scalars(sa.select(RoundArchive).order_by(RoundArchive.id)).all()
    assert {r.reason for r in rows} == {"closed", "summary_published", "adopted"}
    for row in rows:
        path = tmp_path / f"{row.id}.zip"
        path.write_bytes(_download(client, f"/rounds/{row.round_id}/arsip/{row.id}.zip").data)
        result = _verify(path, client)
        assert result.returncode == 0, f"{row.reason} of round {row.round_id}: {result.stdout}{result.stderr}"
        if row.reason == "adopted":
            names = json.loads(_read(path, "manifest.json"))["files"]
            assert {"adopted-version.json", "adopted-diff.json", "summary.json"} <= set(names)
