"""Database helpers every feature shares: dialect-aware inserts, row locks and text digests.

Shared module: it imports no feature. SQLite and PostgreSQL both support INSERT … ON CONFLICT, but
SQLAlchemy builds it with each dialect's own `insert()`; this is the one place that chooses.
"""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa

from consult.extensions import db


def dialect_insert(model: Any):
    """`insert(model)` of the session's dialect, which knows ON CONFLICT (PostgreSQL or SQLite)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def insert_or_nothing(model: Any, *, index_elements: list[str] | None = None, **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING (on `index_elements`, or any UNIQUE constraint); whether a row was
    inserted. Read from RETURNING, not rowcount: psycopg reports -1 for such an insert through SQLAlchemy."""
    statement = dialect_insert(model).values(**values).on_conflict_do_nothing(index_elements=index_elements)
    returning = statement.returning(*model.__table__.primary_key.columns)
    return db.session.execute(returning).first() is not None


def upsert(model: Any, *, index_elements: list[str], set_: dict[str, Any], **values: Any) -> None:
    """INSERT … ON CONFLICT (index_elements) DO UPDATE SET set_ (values may refer to `excluded` via the
    statement: pass a callable taking it to compute set_ from the excluded row)."""
    statement = dialect_insert(model).values(**values)
    if callable(set_):
        set_ = set_(statement.excluded)
    db.session.execute(statement.on_conflict_do_update(index_elements=index_elements, set_=set_))


def lock_row(model: Any, row_id: int):
    """Load a row for update: a row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers.
    The row is read again (populate_existing), never taken from the session's older copy. Only the model's own
    row is locked (FOR UPDATE OF its table): a model with eagerly joined relationships (Round joins its agency
    and document with LEFT OUTER JOINs) would otherwise be refused by PostgreSQL ("FOR UPDATE cannot be
    applied to the nullable side of an outer join")."""
    return db.session.scalar(
        sa.select(model).where(model.id == row_id).with_for_update(of=model).execution_options(populate_existing=True)
    )


def digest(text: str) -> str:
    """SHA-256 of a text (UTF-8), hex: what the audit chain records instead of the text itself."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
