"""Concurrent appends from separate OS processes never fork or break the audit chain.

Each worker is a fresh Python process with its own app and engine (as gunicorn workers, the scheduler and
`flask` commands are). They wait on a file barrier, then append as fast as they can, one write transaction
per entry. SQLite serialises them with BEGIN IMMEDIATE and the busy timeout, PostgreSQL with an advisory
lock; either way no worker may see "database is locked" or an IntegrityError.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult import audit
from consult.audit import AuditEntry
from consult.extensions import db
from tests.conftest import database_url, needs_postgres_server, postgres_variant
from tests.processes import run_workers

WORKERS = 4
PER_WORKER = 50
ROOT = Path(__file__).resolve().parents[2]

WORKER = r"""
import json, sys, time
from pathlib import Path

import sqlalchemy as sa

from consult import audit, create_app
from consult.config import TestConfig
from consult.extensions import db, write_transaction

url, worker, count, barrier = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
app = create_app({**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
                  "SQLALCHEMY_DATABASE_URI": url})
errors = []
with app.app_context():
    db.session.execute(sa.text("SELECT 1"))  # connect before the start
    db.session.rollback()
    (barrier / f"ready-{worker}").touch()
    deadline = time.monotonic() + 60
    while not (barrier / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.001)
    for n in range(1, count + 1):
        try:
            with write_transaction():
                audit.record("test.concurrent", None, {"worker": worker, "n": n}, actor="test",
                             subject_type="worker", subject_id=worker)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
    db.session.remove()
    db.engine.dispose()
print(json.dumps({"worker": worker, "errors": errors}))
"""


def _run_workers(url: str, barrier: Path) -> list[dict]:
    """Start the workers, release them together once all are connected, and collect their reports."""
    return run_workers(WORKER, [[url, str(w), str(PER_WORKER), str(barrier)] for w in range(1, WORKERS + 1)], barrier)


def _assert_one_unbroken_chain(reports: list[dict]) -> None:
    assert {r["worker"]: r["errors"] for r in reports} == {w: [] for w in range(1, WORKERS + 1)}
    table = AuditEntry.__table__
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(table.c.seq, table.c.data_json).order_by(table.c.seq)).all()
    total = WORKERS * PER_WORKER
    assert len(rows) == total
    assert [row.seq for row in rows] == list(range(1, total + 1))  # no gap, no duplicate
    by_worker: dict[int, list[int]] = {}
    for row in rows:
        data = json.loads(row.data_json)
        by_worker.setdefault(data["worker"], []).append(data["n"])
    # every entry of every worker is there once, in the order the worker appended them
    assert by_worker == {w: list(range(1, PER_WORKER + 1)) for w in range(1, WORKERS + 1)}
    result = audit.verify()
    assert (result.ok, result.entries, result.bad_seq) == (True, total, None)


def test_processes_appending_at_once_build_one_unbroken_chain(app, tmp_path):
    reports = _run_workers(database_url(), tmp_path)

    _assert_one_unbroken_chain(reports)


@pytest.mark.postgres
@needs_postgres_server
def test_processes_appending_at_once_on_postgresql_build_one_unbroken_chain(app, tmp_path):
    with postgres_variant() as url:
        reports = _run_workers(url, tmp_path)
        _assert_one_unbroken_chain(reports)
