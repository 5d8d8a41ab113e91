"""Opening a CSV file of an export and reading its header and integers, every error naming file and line."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from consult.deliberation.polis_export.model import PolisExportError

# Comment bodies can be long; the csv module's default field limit (128 KiB) would reject a legal export.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _open(path: Path):
    try:
        return path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise PolisExportError(f"cannot be read ({exc.strerror})", path.name) from exc


def _int(value: str, name: str, file: str, line: int, *, optional: bool = False) -> int | None:
    value = value.strip()
    if optional and value == "":
        return None
    try:
        return int(value)
    except ValueError:
        try:
            as_float = float(value)
        except ValueError:
            as_float = None
        if as_float is not None and as_float.is_integer():
            return int(as_float)
        raise PolisExportError(f"{name} must be an integer, got {value!r}", file, line) from None


def _check_header(header: list[str] | None, expected: tuple[str, ...], file: str) -> dict[str, int]:
    if header is None:
        raise PolisExportError("is empty: not a Polis export", file, 1)
    names = [h.strip() for h in header]
    missing = [c for c in expected if c not in names]
    if missing:
        raise PolisExportError(
            f"not a Polis export header: missing {', '.join(missing)} (expected {','.join(expected)})", file, 1
        )
    return {name: names.index(name) for name in expected}


def data_rows(reader, name: str, width: int, *, at_least: bool = False):
    """(line number, row) of every non-empty row of a csv.reader after its header; a row with fewer than `width`
    columns is a PolisExportError naming the file and the line."""
    for row in reader:
        line = reader.line_num
        if not row:
            continue
        if len(row) < width:
            expected = f"at least {width}" if at_least else str(width)
            raise PolisExportError(f"expected {expected} columns, found {len(row)}", name, line)
        yield line, row


def once(seen: set[int], value: int, what: str, name: str, line: int) -> None:
    """Refuse the second row with the same id (comment-id, participant)."""
    if value in seen:
        raise PolisExportError(f"{what} {value} appears twice", name, line)
    seen.add(value)
