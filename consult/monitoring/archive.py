"""The frozen public record of a round: a zip archive written in one pass, in constant memory (pure).

The caller (the monitoring service, `flask export round`) gives plain iterables of rows that it streams from
the database; every file is written row by row into its zip entry while its SHA-256 is computed, so 100,000
comments and 1,000,000 votes never sit in memory (benchmarks/export_archive.py measures it). The layout and
every column are documented in docs/DATA.md; tools/verify_archive.py checks an archive without the app.

Files, in this order: README.txt, round.json, sections.csv, comments.csv, votes.csv, participant-votes.csv,
moderation.csv, audit.jsonl, then summary.json (once published), adopted-version.json and adopted-diff.json
(once adopted), then manifest.json (the checksums of all of those and the signed audit head) and SHA256SUMS
(the same checksums plus manifest.json's, for `sha256sum -c SHA256SUMS`).

Privacy is enforced here too, whatever the caller passes: the body of a hidden or withdrawn comment is
written empty, and only the documented columns are written (an e-mail address in a row's extra keys goes
nowhere).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from consult.monitoring.archive_readme import readme_text
from consult.monitoring.signing import canonical_json

COLUMNS: dict[str, tuple[str, ...]] = {
    "sections.csv": ("id", "key", "position", "level", "title", "body"),
    "comments.csv": (
        "id",
        "parent_id",
        "section_key",
        "author",
        "channel",
        "status",
        "created_at",
        "body",
        "seeded",
    ),
    "votes.csv": ("comment_id", "agree", "disagree", "pass"),
    "participant-votes.csv": ("voter", "comment_id", "vote", "created_at", "seeded"),
    "moderation.csv": ("id", "created_at", "action", "comment_id", "rule", "rule_title", "reason", "moderator"),
}
AUDIT_FIELDS = ("seq", "at", "actor", "action", "subject_type", "subject_id", "data", "prev_hash", "hash")
HEAD_FIELDS = ("seq", "hash", "at", "signature", "key_id")
PRIVATE_STATUSES = frozenset({"hidden", "withdrawn"})
LICENCE = "CC BY 4.0"


@dataclass
class RoundArchive:
    """What goes into a round's archive; every iterable is consumed once, in order."""

    round: Mapping[str, Any]  # round.json: at least "id"; the public fields of the round and its document
    sections: Iterable[Mapping[str, Any]]
    comments: Iterable[Mapping[str, Any]]
    votes: Iterable[Mapping[str, Any]]  # counts per comment
    participant_votes: Iterable[Mapping[str, Any]]  # one row per voter pseudonym and comment
    moderation: Iterable[Mapping[str, Any]]
    audit_entries: Iterable[Mapping[str, Any]]  # AuditEntry.as_dict() from seq 1 up to the head, in order
    audit_head: Mapping[str, Any]  # signing.sign_head(...) of the last entry ("signature"/"key_id" may be None)
    created_at: dt.datetime
    summary: Mapping[str, Any] | None = None  # GET …/summary once published
    adopted_version: Mapping[str, Any] | None = None  # {"id", "number", "sections": [...]} once adopted
    adopted_diff: Mapping[str, Any] | None = None  # documents.diff.diff_versions(consulted, adopted)
    licence: str = LICENCE
    site_name: str = "consult"
    site_url: str = ""


def iso(value: dt.datetime) -> str:
    """Naive UTC (or aware) → "2026-11-23T10:00:00.123456Z", the audit chain's format."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, dt.datetime):
        return iso(value)
    return str(value)


class _Hashing(io.RawIOBase):
    """Passes bytes on to a zip entry and hashes them on the way."""

    def __init__(self, raw: IO[bytes]):
        self.raw, self.sha, self.size = raw, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self.sha.update(view)
        self.raw.write(view)
        self.size += len(view)
        return len(view)

    def close(self) -> None:
        if not self.closed:
            self.raw.close()
        super().close()


class _Writer:
    def __init__(self, zf: zipfile.ZipFile, created_at: dt.datetime):
        self.zf = zf
        self.stamp = created_at.astimezone(dt.UTC).timetuple()[:6] if created_at.tzinfo else created_at.timetuple()[:6]
        self.files: dict[str, str] = {}

    def _open(self, name: str) -> tuple[_Hashing, io.TextIOWrapper]:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        hashing = _Hashing(self.zf.open(info, "w", force_zip64=True))
        text = io.TextIOWrapper(io.BufferedWriter(hashing, 1 << 16), encoding="utf-8", newline="")
        return hashing, text

    def _close(self, name: str, hashing: _Hashing, text: io.TextIOWrapper) -> None:
        text.close()
        self.files[name] = hashing.sha.hexdigest()

    def text(self, name: str, content: str) -> None:
        hashing, out = self._open(name)
        out.write(content)
        self._close(name, hashing, out)

    def json(self, name: str, value: Any) -> None:
        self.text(name, json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=_json_default) + "\n")

    def csv(self, name: str, rows: Iterable[Mapping[str, Any]], fix=None) -> int:
        columns = COLUMNS[name]
        hashing, out = self._open(name)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        count = 0
        for row in rows:
            if fix is not None:
                row = fix(row)
            writer.writerow([cell(row.get(column)) for column in columns])
            count += 1
        self._close(name, hashing, out)
        return count

    def jsonl(self, name: str, rows: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
        hashing, out = self._open(name)
        last = None
        for row in rows:
            entry = {field: row[field] for field in AUDIT_FIELDS}
            if isinstance(entry["at"], dt.datetime):
                entry["at"] = iso(entry["at"])
            out.write(canonical_json(entry) + "\n")
            last = entry
        self._close(name, hashing, out)
        return last


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def _public_comment(row: Mapping[str, Any]) -> Mapping[str, Any]:
    if row.get("status") in PRIVATE_STATUSES and row.get("body"):
        return {**row, "body": ""}
    return row


def write_archive(target: str | os.PathLike[str] | IO[bytes], archive: RoundArchive) -> dict[str, Any]:
    """Write the archive to a path or a binary file object; returns the manifest.

    Raises ValueError when the audit entries do not end at the given head (the archive would not verify).
    """
    head = {field: archive.audit_head.get(field) for field in HEAD_FIELDS}
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        out = _Writer(zf, archive.created_at)
        out.text("README.txt", readme_text(archive))
        out.json("round.json", dict(archive.round))
        out.csv("sections.csv", archive.sections)
        out.csv("comments.csv", archive.comments, fix=_public_comment)
        out.csv("votes.csv", archive.votes)
        out.csv("participant-votes.csv", archive.participant_votes)
        out.csv("moderation.csv", archive.moderation)
        last = out.jsonl("audit.jsonl", archive.audit_entries)
        if last is None or (last["seq"], last["hash"], last["at"]) != (head["seq"], head["hash"], head["at"]):
            raise ValueError("the audit entries do not end at the given head")
        if archive.summary is not None:
            out.json("summary.json", dict(archive.summary))
        if archive.adopted_version is not None:
            out.json("adopted-version.json", dict(archive.adopted_version))
        if archive.adopted_diff is not None:
            out.json("adopted-diff.json", dict(archive.adopted_diff))
        manifest = {
            "round_id": archive.round["id"],
            "created_at": iso(archive.created_at),
            "audit_head": head,
            "licence": archive.licence,
            "files": dict(out.files),
        }
        out.json("manifest.json", manifest)
        sums = "".join(f"{digest}  {name}\n" for name, digest in out.files.items())
        out.text("SHA256SUMS", sums)
    return manifest
