"""Bulk writes for an import: ids reserved up front, rows written by COPY on PostgreSQL (psycopg 3) and by one
executemany of plain tuples per batch on SQLite; never an ORM object per row. Call inside a write transaction:
the rows go through the session's own connection, so they commit or roll back with everything else.

Columns are given as numpy arrays or lists of plain values, already in the form the database stores (times as
"YYYY-MM-DD HH:MM:SS.ffffff" text, see `sql_times`, which is also what SQLAlchemy writes for a DateTime on
SQLite, so such rows compare and read back like any other).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import numpy as np
import sqlalchemy as sa

from consult.extensions import db

BATCH = 100_000  # rows per executemany or COPY write: a few tens of MB of Python objects at most


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def reserve_ids(table: sa.Table, n: int) -> np.ndarray:
    """`n` fresh ids of `table`, in increasing order, for rows inserted with explicit ids (no RETURNING).

    PostgreSQL: taken from the column's sequence, safe beside concurrent writers. SQLite: the ids above the current
    maximum, which SQLite itself would assign; inside BEGIN IMMEDIATE nobody else writes.
    """
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if is_postgres():
        ids = db.session.scalars(
            sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": table.name, "n": n},
        ).all()
        return np.sort(np.array(ids, dtype=np.int64))
    first = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))) + 1
    return np.arange(first, first + n, dtype=np.int64)


def sql_times(epoch_ms: np.ndarray) -> np.ndarray:
    """Epoch milliseconds → naive UTC "YYYY-MM-DD HH:MM:SS.ffffff" strings, vectorised (no datetime objects)."""
    text = np.datetime_as_string(np.asarray(epoch_ms, dtype=np.int64).astype("datetime64[ms]"), unit="us")
    text = np.ascontiguousarray(text, dtype="<U26")
    text.view(np.uint32).reshape(-1, 26)[:, 10] = ord(" ")  # ISO's "T" → the space SQL and SQLAlchemy use
    return text


def _column_lists(names: Sequence[str], columns: Sequence, times: frozenset[str], lo: int, hi: int) -> list[list]:
    out = []
    for name, column in zip(names, columns, strict=True):
        part = column[lo:hi]
        if name in times and isinstance(column, np.ndarray):  # epoch milliseconds: text one batch at a time
            out.append(sql_times(part).tolist())
        else:
            out.append(part.tolist() if isinstance(part, np.ndarray) else list(part))
    return out


def write_rows(
    table: str, names: Sequence[str], columns: Sequence, *, times: Sequence[str] = (), text_safe: bool = False
) -> int:
    """Insert the rows whose columns are `columns` (equal lengths) into `table` (a trusted name); how many.

    Columns named in `times` may be numpy arrays of epoch milliseconds, turned into SQL time text one batch at a
    time (two million times as text at once would take hundreds of MB). PostgreSQL: COPY … FROM STDIN on the
    session's connection; with ``text_safe`` (numbers and times only: nothing to escape) each batch is written as
    COPY text in one piece, else row by row through psycopg's `write_row`, which escapes. SQLite: executemany of
    plain tuples, one per batch of BATCH rows.
    """
    n = len(columns[0]) if columns else 0
    if n == 0:
        return 0
    times = frozenset(times)
    column_list = ", ".join(names)
    connection = db.session.connection()
    if is_postgres():
        from psycopg.copy import QueuedLibpqWriter

        raw = connection.connection.driver_connection
        line = "\t".join(["{}"] * len(names)) + "\n"
        statement = f"COPY {table} ({column_list}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
            # the writer thread sends one batch to the server while this one formats the next
            for lo in range(0, n, BATCH):
                batch = _column_lists(names, columns, times, lo, min(lo + BATCH, n))
                if text_safe:
                    copy.write("".join([line.format(*row) for row in zip(*batch, strict=True)]))
                else:
                    for row in zip(*batch, strict=True):
                        copy.write_row(row)
        return n
    statement = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join('?' * len(names))})"  # noqa: S608 - trusted
    for lo in range(0, n, BATCH):
        batch = _column_lists(names, columns, times, lo, min(lo + BATCH, n))
        connection.exec_driver_sql(statement, list(zip(*batch, strict=True)))
    return n


@contextlib.contextmanager
def large_cache(megabytes: int = 256):
    """SQLite: a page cache of `megabytes` for this connection while a bulk write runs (its indexes then stay in
    memory instead of being read back from the file for every row), the previous size afterwards. PostgreSQL's
    shared buffers are the server's: nothing to do there."""
    if is_postgres():
        yield
        return
    connection = db.session.connection()
    previous = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = {-1024 * int(megabytes)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(previous)}")
