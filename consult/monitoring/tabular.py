"""Rows as CSV or JSON, streamed in chunks (pure): what the open-data downloads send, in constant memory.

csv_chunks() and json_chunks() take the column names and an iterable of mappings and yield UTF-8 bytes of about
CHUNK bytes each, so a WSGI server sends 100,000 comments while holding one chunk. Cells are written as in the
archives (consult.monitoring.archive.cell): times ISO 8601 UTC with "Z", booleans 1 or empty in CSV, and JSON
native types (true/false, null, numbers). `progress(rows_done)` is called every PROGRESS_EVERY rows and at the
end, for the page's progress bar.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from consult.monitoring.archive import cell, iso

CHUNK = 1 << 16
PROGRESS_EVERY = 2_000
_AS_IS = frozenset({int, str, float, type(None)})  # what csv.writer writes as cell() would (None: empty)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _chunks(
    rows: Iterable[Mapping[str, Any]],
    write_row: Callable[[Mapping[str, Any]], None],
    buffer: io.StringIO,
    progress: Callable[[int], None] | None,
) -> Iterator[bytes]:
    done = 0
    for row in rows:
        write_row(row)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done)
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if progress is not None:
        progress(done)


def csv_chunks(
    columns: Sequence[str], rows: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)

    def write(row: Mapping[str, Any]) -> None:  # the common types inline: a million rows, five cells each
        writer.writerow([v if type(v) in _AS_IS else cell(v) for v in map(row.get, columns)])

    yield from _chunks(rows, write, buffer, progress)
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def json_chunks(
    columns: Sequence[str], rows: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """A JSON array of objects with exactly `columns` as keys, one object per line."""
    buffer = io.StringIO()
    buffer.write("[")
    first = [True]

    def write(row: Mapping[str, Any]) -> None:
        buffer.write("\n" if first[0] else ",\n")
        first[0] = False
        buffer.write(json.dumps({c: _json_value(row.get(c)) for c in columns}, ensure_ascii=False))

    yield from _chunks(rows, write, buffer, progress)
    buffer.write("\n]\n")
    yield buffer.getvalue().encode("utf-8")
