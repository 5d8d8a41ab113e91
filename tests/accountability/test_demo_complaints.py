from __future__ import annotations

import sqlalchemy as sa

from consult.accountability.models import Complaint
from consult.demo_complaints import load_demo_complaints
from consult.extensions import db
from consult.timeutil import utcnow
from tests.accountability.complaint_world import build_world


def test_demo_complaints(make):
    world = build_world(make)
    make.user(email="warga@contoh.example", verified=True)
    now = utcnow()
    numbers = load_demo_complaints(world.agency, now)
    assert set(numbers) == {"confirmed", "disputed", "overdue", "fresh"}
    rows = {c.tracking_number: c for c in db.session.scalars(sa.select(Complaint))}
    assert rows[numbers["confirmed"]].status == "confirmed" and rows[numbers["confirmed"]].answered_on_time
    assert rows[numbers["disputed"]].status == "disputed"
    assert rows[numbers["overdue"]].is_overdue(now) and rows[numbers["overdue"]].channel == "counter"
    assert rows[numbers["fresh"]].status == "received" and not rows[numbers["fresh"]].is_overdue(now)
    assert load_demo_complaints(world.agency, now) == {}  # once
