"""The votes of an export: votes.csv by a vectorised parser (the csv module when the file is unusual, to name
the bad line), deduplicated to the latest vote per pair; or participants-votes.csv, with Polis's groups."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from consult.deliberation.polis_export.csvfile import _check_header, _int, _open, data_rows, once
from consult.deliberation.polis_export.model import PolisExportError

VOTES_HEADER = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
PARTICIPANTS_FIXED = ("participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")
CHUNK = 250_000


def _to_int64(strings: list[str], name: str, file: str, lines: list[int]) -> np.ndarray:
    """Convert a chunk of numeric strings at numpy speed; on failure find and name the first bad line."""
    try:
        return np.array(strings, dtype=np.str_).astype(np.int64)
    except ValueError:
        pass
    out = np.empty(len(strings), dtype=np.int64)
    for i, s in enumerate(strings):
        out[i] = _int(s, name, file, lines[i])
    return out


def _read_votes(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(participant, comment, value, latest timestamp, first timestamp) of every pair, one row per pair."""
    fast = _read_votes_fast(path)
    if fast is not None:
        return _latest(*fast)
    return _latest(*_read_votes_csv(path))


def _read_votes_fast(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """votes.csv as Polis writes it (the standard header, no quoting, integers) parsed by numpy in one pass:
    two million rows in about a second instead of ten. Anything unusual returns None, and the csv module
    then reads the file and names the first bad line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolisExportError(f"cannot be read ({exc.strerror})", path.name) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    head, _, body = data.partition(b"\n")
    if head.rstrip(b"\r").decode("utf-8", "replace").split(",") != list(VOTES_HEADER) or b'"' in body:
        return None
    if body and not body.endswith(b"\n"):
        body += b"\n"
    buf = np.frombuffer(body, dtype=np.uint8)
    if buf.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy(), np.zeros(0, dtype=np.int8)
    newline = np.flatnonzero(buf == 10)
    comma = np.flatnonzero(buf == 44)
    starts = np.concatenate([[0], newline[:-1] + 1])
    ends = newline.copy()
    ends -= (buf[np.maximum(ends - 1, 0)] == 13) & (ends > starts)  # \r\n line endings
    per_line = np.diff(np.searchsorted(comma, np.concatenate([starts, [buf.size]])))
    if per_line.size != starts.size or not np.all(per_line == 4):
        return None
    c = comma.reshape(-1, 4)
    fields = []
    for lo, hi in ((starts, c[:, 0]), (c[:, 1] + 1, c[:, 2]), (c[:, 2] + 1, c[:, 3]), (c[:, 3] + 1, ends)):
        parsed = _parse_ints(buf, lo, hi)
        if parsed is None:
            return None
        fields.append(parsed)
    ts, cid, pid, vote = fields
    if not np.all((vote == 1) | (vote == -1) | (vote == 0)):
        return None
    return ts, cid, pid, vote.astype(np.int8)


def _parse_ints(buf: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray | None:
    """Vectorised decimal parse of buf[lo:hi] per row (an optional leading minus); None if any is not an integer.
    Horner's rule one character column at a time, so no row x width temporary is ever built."""
    width = hi - lo
    if width.size == 0:
        return np.zeros(0, dtype=np.int64)
    if width.min() < 1 or width.max() > 18:
        return None
    last = buf.size - 1
    first = buf[lo]
    negative = first == 45
    value = np.zeros(lo.size, dtype=np.int64)
    ok = np.ones(lo.size, dtype=bool)
    for j in range(int(width.max())):
        inside = j < width
        ch = buf[np.minimum(lo + j, last)].astype(np.int64) - 48
        if j == 0:
            ch = np.where(negative, 0, ch)
        ok &= ~inside | ((ch >= 0) & (ch <= 9))
        value = np.where(inside, value * 10 + ch, value)
    if not ok.all() or np.any(negative & (width == 1)):
        return None
    return np.where(negative, -value, value)


def _read_votes_csv(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    name = path.name
    ts_parts, cid_parts, pid_parts, val_parts = [], [], [], []
    with _open(path) as f:
        reader = csv.reader(f)
        try:
            idx = _check_header(next(reader, None), VOTES_HEADER, name)
            width = max(idx.values()) + 1
            it, ic, ip, iv = idx["timestamp"], idx["comment-id"], idx["voter-id"], idx["vote"]
            while True:
                ts, cid, pid, val, lines = [], [], [], [], []
                for row in reader:
                    if len(row) < width:
                        if not row:
                            continue
                        raise PolisExportError(f"expected {width} columns, found {len(row)}", name, reader.line_num)
                    ts.append(row[it])
                    cid.append(row[ic])
                    pid.append(row[ip])
                    val.append(row[iv])
                    lines.append(reader.line_num)
                    if len(ts) >= CHUNK:
                        break
                if not ts:
                    break
                values = _to_int64(val, "vote", name, lines)
                bad = np.flatnonzero((values != 1) & (values != -1) & (values != 0))
                if bad.size:
                    raise PolisExportError(f"vote must be 1, -1 or 0, got {val[bad[0]]!r}", name, lines[bad[0]])
                ts_parts.append(_to_int64(ts, "timestamp", name, lines))
                cid_parts.append(_to_int64(cid, "comment-id", name, lines))
                pid_parts.append(_to_int64(pid, "voter-id", name, lines))
                val_parts.append(values.astype(np.int8))
        except csv.Error as exc:
            raise PolisExportError(f"malformed CSV ({exc})", name, reader.line_num) from exc
    if not ts_parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy(), np.zeros(0, dtype=np.int8)
    return np.concatenate(ts_parts), np.concatenate(cid_parts), np.concatenate(pid_parts), np.concatenate(val_parts)


def _latest(
    ts_all: np.ndarray, cid_all: np.ndarray, pid_all: np.ndarray, val_all: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One vote per (participant, comment): the latest; file order breaks timestamp ties. In time order.
    Also the time of the pair's first vote (a changed vote was cast first then: comment_votes.created_at)."""
    if ts_all.size == 0:
        return pid_all, cid_all, val_all, ts_all, ts_all.copy()
    if np.any(ts_all[1:] < ts_all[:-1]):  # Polis writes the log in time order; sort only when it is not
        order = np.argsort(ts_all, kind="stable")
        ts_all, cid_all, pid_all, val_all = ts_all[order], cid_all[order], pid_all[order], val_all[order]
    # one int64 key per pair (ids are far below 2**31 in any real export); sort once, keep each run's last
    key = (pid_all - pid_all.min()) * (int(cid_all.max() - cid_all.min()) + 1) + (cid_all - cid_all.min())
    by_key = np.argsort(key, kind="stable")
    sorted_key = key[by_key]
    boundary = sorted_key[1:] != sorted_key[:-1]
    last = by_key[np.concatenate([boundary, [True]])]
    first = by_key[np.concatenate([[True], boundary])]  # the same runs, in the same order
    in_time = np.argsort(last, kind="stable")
    keep = last[in_time]
    return pid_all[keep], cid_all[keep], val_all[keep], ts_all[keep], ts_all[first[in_time]]


def _votes_line_of(path: Path, index_after_dedupe: int) -> int:
    """The line of a vote named by its position after deduplication (only on the error path: re-read)."""
    pids, cids, *_ = _read_votes(path)
    target = (int(pids[index_after_dedupe]), int(cids[index_after_dedupe]))
    with _open(path) as f:
        reader = csv.reader(f)
        idx = _check_header(next(reader, None), VOTES_HEADER, path.name)
        found = 1
        for row in reader:
            if row and (_safe(row[idx["voter-id"]]), _safe(row[idx["comment-id"]])) == target:
                found = reader.line_num
        return found


def _safe(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _read_participants_votes(path: Path, with_votes: bool = True):
    """participant, group-id and (unless ``with_votes`` is false: votes.csv has them) the vote cells."""
    name = path.name
    with _open(path) as f:
        text = f.read()
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        idx = _check_header(header, PARTICIPANTS_FIXED, name)
        assert header is not None
        first_comment = max(idx.values()) + 1
        header_ids = []
        for col in header[first_comment:]:
            header_ids.append(_int(col, "comment column", name, 1))
        if len(set(header_ids)) != len(header_ids):
            raise PolisExportError("a comment column appears twice", name, 1)
        n_cols = len(header_ids)
        col_ids = np.array(header_ids, dtype=np.int64)
        pid_parts, cid_parts, val_parts = [], [], []
        published: dict[int, int] = {}
        seen: set[int] = set()
        for line, row in data_rows(reader, name, first_comment, at_least=True):
            pid = _int(row[idx["participant"]], "participant", name, line)
            once(seen, pid, "participant", name, line)
            group = _int(row[idx["group-id"]], "group-id", name, line, optional=True)
            if group is not None:
                published[pid] = group
            if not with_votes:
                continue
            cells = row[first_comment : first_comment + n_cols]
            extra = row[first_comment + n_cols :]
            if any(c.strip() for c in extra):
                raise PolisExportError(f"more vote cells than comment columns ({len(row)} columns)", name, line)
            filled = [j for j, cell in enumerate(cells) if cell]
            try:
                values = [int(cells[j]) for j in filled]
            except ValueError:
                values = [_int(cells[j], f"vote on comment {header_ids[j]}", name, line) for j in filled]
            for j, value in zip(filled, values, strict=True):
                if value not in (-1, 0, 1):
                    raise PolisExportError(
                        f"vote on comment {header_ids[j]} must be 1, -1 or 0, got {cells[j]!r}", name, line
                    )
            pid_parts.append(np.full(len(filled), pid, dtype=np.int64))
            cid_parts.append(col_ids[filled])
            val_parts.append(np.array(values, dtype=np.int8))
    except csv.Error as exc:
        raise PolisExportError(f"malformed CSV ({exc})", name, reader.line_num) from exc

    def join(parts, dtype):
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    return join(pid_parts, np.int64), join(cid_parts, np.int64), join(val_parts, np.int8), header_ids, published
