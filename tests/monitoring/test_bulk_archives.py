"""Every archive at once: the site's list with hashes (/arsip, per agency, paginated) and the bulk ZIP with
SHA256SUMS (/arsip/semua.zip) whose copies hash to what the site lists."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
import sqlalchemy as sa

from consult.extensions import db
from consult.monitoring import bulk_archives
from consult.monitoring.models import RoundArchive
from consult.rounds.models import Round
from consult.scheduler.jobs import run_due_jobs
from consult.timeutil import utcnow


@pytest.fixture
def frozen(app):
    from consult.demo import load_demo

    load_demo()
    db.session.commit()
    for _ in range(4):
        run_due_jobs(utcnow())
    rows = db.session.scalars(sa.select(RoundArchive).order_by(RoundArchive.id)).all()
    assert len(rows) >= 3
    return rows


def test_the_bulk_zip_holds_every_archive_as_listed(frozen, client):
    response = client.get("/arsip/semua.zip")
    assert response.status_code == 200 and response.is_streamed and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as zf:
        names = zf.namelist()
        sums = dict(line.split("  ", 1)[::-1] for line in zf.read("SHA256SUMS").decode().splitlines())
        assert set(sums) == set(names) - {"SHA256SUMS"} and len(sums) == len(frozen)
        for name, digest in sums.items():
            assert hashlib.sha256(zf.read(name)).hexdigest() == digest
        assert set(sums.values()) == {row.sha256 for row in frozen}
        inner = zipfile.ZipFile(io.BytesIO(zf.read(names[0])))
        assert "manifest.json" in inner.namelist()


def test_the_list_shows_every_archive_with_its_hashes_newest_first(frozen, client, monkeypatch):
    page = client.get("/arsip").get_data(as_text=True)
    positions = [page.index(row.sha256) for row in frozen]
    assert positions == sorted(positions, reverse=True)
    monkeypatch.setattr(bulk_archives, "PAGE_SIZE", 2)
    items, cursor = bulk_archives.page(None, None, limit=2)
    assert [i.archive.id for i in items] == [frozen[-1].id, frozen[-2].id] and cursor
    rest, _ = bulk_archives.page(None, cursor, limit=100)
    assert [i.archive.id for i in rest] == [r.id for r in reversed(frozen[:-2])]


def test_one_agencys_archives(frozen, client, make):
    rnd = db.session.get(Round, frozen[0].round_id)
    other = make.agency()
    db.session.commit()
    assert client.get(f"/arsip?instansi={other.slug}").status_code == 200
    with zipfile.ZipFile(io.BytesIO(client.get(f"/arsip/semua.zip?instansi={other.slug}").data)) as zf:
        assert zf.namelist() == ["SHA256SUMS"]
    with zipfile.ZipFile(io.BytesIO(client.get(f"/arsip/semua.zip?instansi={rnd.agency.slug}").data)) as zf:
        assert len(zf.namelist()) == len(frozen) + 1
        assert all(n.startswith(f"{rnd.agency.slug}/") for n in zf.namelist() if n != "SHA256SUMS")
    assert client.get("/arsip?instansi=tidak-ada").status_code == 404
