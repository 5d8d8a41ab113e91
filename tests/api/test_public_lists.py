"""The public lists monitors page through to the end: an agency's complaint statuses, every archive, every
published summary (keyset pages, no personal data)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.accountability.models import Complaint
from consult.agencies.models import Agency
from consult.deliberation.models import Summary
from consult.extensions import db
from consult.monitoring.models import RoundArchive
from consult.scheduler.jobs import run_due_jobs
from consult.timeutil import utcnow


@pytest.fixture
def demo(app):
    from consult.demo import load_demo

    load_demo()
    db.session.commit()
    for _ in range(4):
        run_due_jobs(utcnow())
    return db.session.scalar(sa.select(Agency).order_by(Agency.id))


def _all(client, url: str) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        sep = "&" if "?" in url else "?"
        response = client.get(f"{url}{sep}limit=1" + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        items += body["items"]
        cursor, pages = body["next_cursor"], pages + 1
        if cursor is None:
            return items
        assert pages < 100


def test_every_complaint_status_of_an_agency(demo, client):
    items = _all(client, f"/api/v1/agencies/{demo.slug}/complaints")
    stored = db.session.scalars(sa.select(Complaint).where(Complaint.agency_id == demo.id)).all()
    assert sorted(i["tracking_number"] for i in items) == sorted(c.tracking_number for c in stored)
    assert [i["received_at"] for i in items] == sorted((i["received_at"] for i in items), reverse=True)
    text = str(items)
    for c in stored:
        assert c.what not in text and (not c.complainant_name or c.complainant_name not in text)
    overdue = {i["tracking_number"] for i in items if i["overdue"]}
    assert overdue == {c.tracking_number for c in stored if c.is_overdue(utcnow())} and overdue
    assert client.get("/api/v1/agencies/tidak-ada/complaints").status_code == 404


def test_every_archive_and_every_summary(demo, client):
    archives = _all(client, "/api/v1/archives")
    assert sorted(a["sha256"] for a in archives) == sorted(db.session.scalars(sa.select(RoundArchive.sha256)))
    assert all(a["agency"] == demo.slug and a["audit_head"]["signature"] for a in archives)
    assert _all(client, f"/api/v1/archives?agency={demo.slug}") == archives
    summaries = _all(client, "/api/v1/summaries")
    published = db.session.scalars(sa.select(Summary.round_id).where(Summary.state == "published")).all()
    assert sorted(s["round_id"] for s in summaries) == sorted(published) and len(published) >= 2
    one = client.get(summaries[0]["url"].split("localhost", 1)[-1]).get_json()
    assert one["state"] == "published"
