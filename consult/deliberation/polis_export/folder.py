"""read_polis_export: a whole export folder (summary.csv, comments.csv and the votes), its files checked against
each other; export_votes: the votes as an opinion vote matrix."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from consult.deliberation.polis_export.csvfile import _check_header, _int, _open, data_rows, once
from consult.deliberation.polis_export.model import PolisComment, PolisExport, PolisExportError
from consult.deliberation.polis_export.readers import _read_participants_votes, _read_votes, _votes_line_of

COMMENTS_HEADER = (
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
)


def read_polis_export(folder: str | Path) -> PolisExport:
    """Read a Polis export folder; raise PolisExportError (naming file and line) for anything malformed."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PolisExportError(f"{folder} is not a folder")
    comments_path = folder / "comments.csv"
    votes_path = folder / "votes.csv"
    pv_path = folder / "participants-votes.csv"
    if not votes_path.exists() and not pv_path.exists():
        raise PolisExportError(
            f"{folder} is not a Polis export: it has neither votes.csv nor participants-votes.csv", None
        )
    if votes_path.exists() and not comments_path.exists():
        raise PolisExportError(f"{folder} is not a Polis export: votes.csv without comments.csv", None)

    summary = _read_summary(folder / "summary.csv")
    comments = _read_comments(comments_path) if comments_path.exists() else []
    published: dict[int, int] = {}
    pv = None
    if pv_path.exists():
        pv = _read_participants_votes(pv_path, with_votes=not votes_path.exists())
        published = pv[4]
    if votes_path.exists():
        pids, cids, values, ts, first_ts = _read_votes(votes_path)
        source = "votes.csv"
    else:
        assert pv is not None
        pids, cids, values, ts, first_ts = pv[0], pv[1], pv[2], None, None
        source = "participants-votes.csv"
    if comments:
        known = np.array(sorted(c.comment_id for c in comments), dtype=np.int64)
        unknown = ~np.isin(cids, known)
        if unknown.any():
            bad = int(np.flatnonzero(unknown)[0])
            if source == "votes.csv":
                line = int(_votes_line_of(votes_path, bad))
                raise PolisExportError(f"comment-id {int(cids[bad])} is not in comments.csv", "votes.csv", line)
            raise PolisExportError(f"comment column {int(cids[bad])} is not in comments.csv", source, 1)
    else:
        header_ids = pv[3] if pv is not None else np.unique(cids)
        comments = [PolisComment(int(c), None, None, 1, None) for c in header_ids]
    return PolisExport(
        folder=folder,
        topic=summary.get("topic"),
        url=summary.get("url"),
        summary=summary,
        comments=comments,
        participant_ids=pids,
        comment_ids=cids,
        values=values,
        timestamps=ts,
        first_timestamps=first_ts,
        votes_source=source,
        published_groups=published,
    )


def _read_summary(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    out: dict[str, str] = {}
    with _open(path) as f:
        reader = csv.reader(f)
        try:
            for row in reader:
                if not row:
                    continue
                if len(row) < 2:
                    raise PolisExportError("expected key,value", path.name, reader.line_num)
                out[row[0].strip()] = row[1]
        except csv.Error as exc:
            raise PolisExportError(f"malformed CSV ({exc})", path.name, reader.line_num) from exc
    return out


def _read_comments(path: Path) -> list[PolisComment]:
    name = path.name
    comments: list[PolisComment] = []
    seen: set[int] = set()
    with _open(path) as f:
        reader = csv.reader(f)
        try:
            idx = _check_header(next(reader, None), COMMENTS_HEADER, name)
            width = max(idx.values()) + 1
            for line, row in data_rows(reader, name, width):
                cid = _int(row[idx["comment-id"]], "comment-id", name, line)
                once(seen, cid, "comment-id", name, line)
                moderated = _int(row[idx["moderated"]], "moderated", name, line)
                if moderated not in (-1, 0, 1):
                    raise PolisExportError(f"moderated must be 1, 0 or -1, got {moderated}", name, line)
                comments.append(
                    PolisComment(
                        comment_id=cid,
                        author_id=_int(row[idx["author-id"]], "author-id", name, line, optional=True),
                        text=row[idx["comment-body"]],
                        moderated=moderated,
                        created_ms=_int(row[idx["timestamp"]], "timestamp", name, line, optional=True),
                    )
                )
        except csv.Error as exc:
            raise PolisExportError(f"malformed CSV ({exc})", name, reader.line_num) from exc
    comments.sort(key=lambda c: c.comment_id)
    return comments


def export_votes(export: PolisExport):
    """The export's votes as an opinion.Votes matrix (participants and comments in id order, which for Polis is
    the order they joined or were written), ready for opinion.compute_opinion."""
    from consult.deliberation.opinion import build_votes

    pids, rows = np.unique(export.participant_ids, return_inverse=True)
    cids, cols = np.unique(export.comment_ids, return_inverse=True)
    return build_votes([int(p) for p in pids], [int(c) for c in cids], rows, cols, export.values)
