"""How requests end their database transactions.

A page (GET) ends its read transaction with COMMIT: psycopg forgets every prepared statement when it sees a
ROLLBACK, and PostgreSQL would then plan the page's queries afresh on every request. Anything else (a
write, an error) keeps the rollback, so nothing half-done is ever committed by the teardown.
"""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from consult.extensions import db


@contextmanager
def transaction_ends():
    ends: list[str] = []

    def on_commit(_conn):
        ends.append("commit")

    def on_rollback(_conn):
        ends.append("rollback")

    sa.event.listen(db.engine, "commit", on_commit)
    sa.event.listen(db.engine, "rollback", on_rollback)
    try:
        yield ends
    finally:
        sa.event.remove(db.engine, "commit", on_commit)
        sa.event.remove(db.engine, "rollback", on_rollback)


def test_a_page_ends_its_read_transaction_with_commit_not_rollback(client, make):
    rnd = make.round(state="open")
    db.session.commit()
    with transaction_ends() as ends:
        assert client.get(f"/rounds/{rnd.id}").status_code == 200
        assert client.get("/api/v1/rounds").status_code == 200
    assert ends and set(ends) == {"commit"}, ends


def test_a_page_that_fails_still_rolls_back(client, app, monkeypatch):
    def broken(*_args, **_kwargs):
        db.session.execute(sa.text("SELECT 1"))  # a transaction is open when the view fails
        raise RuntimeError("view failed")

    monkeypatch.setitem(app.view_functions, "healthz", broken)
    monkeypatch.setattr(app, "testing", False)  # answer 500 instead of re-raising into the test
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with transaction_ends() as ends:
        assert client.get("/healthz").status_code == 500
    assert "commit" not in ends and "rollback" in ends, ends
