#!/usr/bin/env python3
"""Verify a consult round archive without consult: python3 verify_archive.py ARCHIVE.zip [--key B64] [--head F]

Stops at the first problem (exit 1, naming it), checking in order: manifest.json, SHA256SUMS and every file's
checksum (none missing or extra); audit.jsonl as an unbroken hash chain (hash = SHA-256 of the canonical JSON
of seq, at, actor, action, subject_type, subject_id, data, prev_hash; the first prev_hash is 64 zeros) ending
at the manifest's head; with --key, the head's Ed25519 signature over the canonical JSON of seq, hash and at;
with --head, a head saved earlier found unchanged in the chain; then that the data agree with the chain
(comment.posted per comment: author, reply, section, round, latest body_sha256 of a visible text; an entry
per moderation decision; summary.published; version.adopted; vote counts = the participants' votes). Seeded
(synthetic) rows need no entry but must not outnumber what seed.load entries declared. Else prints "OK ...".
Needs Python 3.10+ and, for --key, the `cryptography` package. It imports nothing of consult, on purpose.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import csv
import datetime as dt
import hashlib
import io
import json
import re
import sys
import zipfile

GENESIS = "0" * 64
COLUMNS = {
    "sections.csv": ["id", "key", "position", "level", "title", "body"],
    "comments.csv": ["id", "parent_id", "section_key", "author", "channel", "status", "created_at", "body", "seeded"],
    "votes.csv": ["comment_id", "agree", "disagree", "pass"],
    "participant-votes.csv": ["voter", "comment_id", "vote", "created_at", "seeded"],
    "moderation.csv": ["id", "created_at", "action", "comment_id", "rule", "rule_title", "reason", "moderator"],
}
REQUIRED = ("README.txt", "round.json", *COLUMNS, "audit.jsonl")
FIELDS = ("seq", "at", "actor", "action", "subject_type", "subject_id", "data", "prev_hash", "hash")
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
csv.field_size_limit(2**31 - 1)


class Problem(Exception):
    """The first thing that does not agree."""


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_time(value):
    try:
        return bool(TIME.match(value)) and bool(dt.datetime.fromisoformat(value[:-1]))
    except (TypeError, ValueError):
        return False


def read_json(zf, name):
    try:
        return json.loads(zf.read(name).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise Problem(f"{name} is not valid JSON ({error})") from None


def check_files(zf):
    names = zf.namelist()
    if "manifest.json" not in names:
        raise Problem("missing file manifest.json")
    manifest = read_json(zf, "manifest.json")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise Problem("manifest.json has no files")
    for key in [k for k in ("round_id", "created_at", "audit_head") if k not in manifest]:
        raise Problem(f"manifest.json has no {key}")
    if "SHA256SUMS" not in names:
        raise Problem("missing file SHA256SUMS")
    sums = {}
    for n, line in enumerate(zf.read("SHA256SUMS").decode("utf-8", "replace").splitlines(), 1):
        match = re.match(r"^([0-9a-f]{64})  (\S.*)$", line)
        if not match:
            raise Problem(f"SHA256SUMS line {n} is not '<sha256>  <name>'")
        sums[match.group(2)] = match.group(1)
    expected = dict(manifest["files"])
    if "manifest.json" not in sums:
        raise Problem("SHA256SUMS does not list manifest.json")
    for name in sorted((set(sums) | set(expected)) - {"manifest.json"}):
        if sums.get(name) != expected.get(name):
            raise Problem(f"SHA256SUMS and manifest.json disagree on {name}")
    expected["manifest.json"] = sums["manifest.json"]
    for name in names:
        if name != "SHA256SUMS" and name not in expected:
            raise Problem(f"unexpected file {name} (not in manifest.json)")
    for name, digest in expected.items():
        if name not in names:
            raise Problem(f"missing file {name}")
        sha = hashlib.sha256()
        with zf.open(name) as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                sha.update(block)
        if sha.hexdigest() != digest:
            raise Problem(f"checksum of {name} does not match (file changed after the archive was made)")
    for name in [name for name in REQUIRED if name not in expected][:1]:
        raise Problem(f"missing file {name}")
    return manifest


class Chain:
    """What the data checks need from the chain, gathered in one pass."""

    def __init__(self, round_id):
        self.round_id, self.count, self.last, self.saved, self.seeded_declared = str(round_id), 0, None, None, 0
        self.posted, self.moderation, self.summary, self.adopted = {}, {}, None, {}

    def note(self, entry):
        action, kind, sid, data = entry["action"], entry["subject_type"], entry["subject_id"], entry["data"]
        if kind == "comments" and action in ("comment.posted", "comment.assisted"):  # assisted: entered by staff
            self.posted[sid] = dict(data)
        elif kind == "comments" and action == "comment.edited" and sid in self.posted:
            self.posted[sid]["body_sha256"] = data.get("body_sha256")
        if "moderation_action_id" in data:
            self.moderation[str(data["moderation_action_id"])] = data
        if action == "summary.published" and kind in ("rounds", "summaries") and sid == self.round_id:
            self.summary = data
        if kind == "rounds" and sid == self.round_id:
            if action == "seed.load":
                self.seeded_declared += sum(n for n in (data.get("comments"), data.get("replies")) if type(n) is int)
            elif action == "round.imported" and type(data.get("comments")) is int:
                self.seeded_declared += data["comments"]  # a Polis import: its comments came in bulk
        if action == "version.adopted":
            self.adopted[sid] = data


def walk_chain(zf, chain, saved_seq):
    prev, expected = GENESIS, 1
    with zf.open("audit.jsonl") as raw:
        for n, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="\n"), 1):
            where = f"audit.jsonl line {n}"
            try:
                entry = json.loads(line)
            except ValueError:
                raise Problem(f"{where}: not valid JSON") from None
            if not isinstance(entry, dict):
                raise Problem(f"{where}: not a JSON object")
            for field in [field for field in FIELDS if field not in entry][:1]:
                raise Problem(f"{where}: no {field}")
            seq = entry["seq"]
            if not isinstance(seq, int) or isinstance(seq, bool):
                raise Problem(f"{where}: seq {seq!r} is not a whole number")
            if seq != expected:
                raise Problem(f"{where}: expected entry {expected}, found {seq} (entries deleted, inserted or moved)")
            where = f"audit entry {seq}"
            if not is_time(entry["at"]):
                raise Problem(f"{where}: time {entry['at']!r} is not an ISO time with microseconds and Z")
            if not isinstance(entry["data"], dict):
                raise Problem(f"{where}: data is not a JSON object")
            if entry["prev_hash"] != prev:
                raise Problem(f"{where}: previous hash does not match the entry before it")
            body = {field: entry[field] for field in FIELDS if field != "hash"}
            if _sha(canonical(body)) != entry["hash"]:
                raise Problem(f"{where}: content does not match its hash (entry edited)")
            chain.note(entry)
            if seq == saved_seq:
                chain.saved = entry
            prev, expected, chain.count, chain.last = entry["hash"], expected + 1, chain.count + 1, entry
    if chain.last is None:
        raise Problem("audit.jsonl has no entries")


def load_key(b64):
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        raise Problem("the cryptography package is needed to check the signature (pip install cryptography)") from None
    try:
        raw = base64.b64decode(b64.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise Problem("--key is not valid base64") from None
    if len(raw) != 32:
        raise Problem(f"--key is not an Ed25519 public key (32 bytes, not {len(raw)})")
    return Ed25519PublicKey.from_public_bytes(raw), hashlib.sha256(raw).hexdigest()[:16]


def check_signature(head, key, key_id, what):
    from cryptography.exceptions import InvalidSignature

    if not head.get("signature"):
        raise Problem(f"{what} is not signed")
    if head.get("key_id") != key_id:
        raise Problem(f"{what} was signed with key {head.get('key_id')}, not the given key ({key_id})")
    try:
        signature = base64.b64decode(str(head["signature"]), validate=True)
        key.verify(signature, canonical({"seq": head["seq"], "hash": head["hash"], "at": head["at"]}).encode())
    except (InvalidSignature, binascii.Error, ValueError, KeyError):
        raise Problem(f"the signature of {what} is not valid for the given key") from None


def rows(zf, name):
    """(line number, dict) for each row, after checking the header; text that is not UTF-8 reads as U+FFFD."""
    with zf.open(name) as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline=""), strict=True)
        try:
            header = next(reader, None)
            if header != COLUMNS[name]:
                raise Problem(f"{name}: the columns are {header}, expected {COLUMNS[name]}")
            for row in reader:
                if len(row) != len(header):
                    raise Problem(f"{name} line {reader.line_num}: {len(row)} fields, expected {len(header)}")
                yield reader.line_num, dict(zip(header, row, strict=True))
        except csv.Error as error:
            raise Problem(f"{name} line {reader.line_num}: not readable as CSV ({error})") from None


def whole(name, line, row, column, optional=False):
    value = row[column]
    if optional and value == "":
        return None
    if not re.fullmatch(r"-?\d+", value):
        raise Problem(f"{name} line {line}: {column} {value!r} is not a whole number")
    return int(value)


def when(name, line, row, column, optional=False):
    if not (optional and row[column] == "") and not is_time(row[column]):
        raise Problem(f"{name} line {line}: {column} {row[column]!r} is not a time")


def same(a, b):
    return ("" if a is None else str(a)) == ("" if b is None else str(b))


def check_data(zf, manifest, chain):
    keys = {whole("sections.csv", line, row, "id"): row["key"] for line, row in rows(zf, "sections.csv")}
    known = set(keys.values())
    comments, parents, seeded = set(), [], 0
    for line, row in rows(zf, "comments.csv"):
        f = "comments.csv"
        cid, parent = whole(f, line, row, "id"), whole(f, line, row, "parent_id", optional=True)
        when(f, line, row, "created_at")
        if row["status"] not in ("visible", "hidden", "withdrawn"):
            raise Problem(f"{f} line {line}: status {row['status']!r} is not visible, hidden or withdrawn")
        if row["status"] != "visible" and row["body"]:
            raise Problem(f"{f} line {line}: comment {cid} is {row['status']} but its text is in the archive")
        if row["section_key"] and row["section_key"] not in known:
            raise Problem(f"{f} line {line}: comment {cid} is on section {row['section_key']!r}, not in sections.csv")
        comments.add(cid)
        if parent is not None:
            parents.append((line, cid, parent))
        if row["seeded"] not in ("", "1"):
            raise Problem(f"{f} line {line}: seeded {row['seeded']!r} is not empty or 1")
        if row["seeded"] == "1":
            seeded += 1
            continue
        posted = chain.posted.get(str(cid))
        if posted is None:
            raise Problem(f"comment {cid} has no comment.posted entry in audit.jsonl")
        section = keys.get(posted.get("section_id"), "") if posted.get("section_id") is not None else ""
        for what, mine, theirs in (
            ("round", manifest["round_id"], posted.get("round_id")),
            ("author", row["author"], posted.get("author")),
            ("parent_id", parent, posted.get("parent_id")),
            ("section", row["section_key"], section),
        ):
            if not same(mine, theirs):
                raise Problem(f"comment {cid}: {what} {mine!r} does not match the chain ({theirs!r})")
        if row["status"] == "visible" and _sha(row["body"]) != posted.get("body_sha256"):
            raise Problem(f"comment {cid}: its text does not match the body_sha256 in the chain")
    for line, cid, parent in parents:
        if parent not in comments:
            raise Problem(f"comments.csv line {line}: comment {cid} replies to comment {parent}, not in the archive")
    if seeded > chain.seeded_declared:
        raise Problem(
            f"{seeded} comments are marked seeded; the chain's seed.load entries declare {chain.seeded_declared}"
        )
    tallies = {}
    for line, row in rows(zf, "participant-votes.csv"):
        f = "participant-votes.csv"
        cid, vote = whole(f, line, row, "comment_id"), whole(f, line, row, "vote")
        when(f, line, row, "created_at", optional=True)
        if cid not in comments:
            raise Problem(f"{f} line {line}: a vote on comment {cid}, which is not in comments.csv")
        if vote not in (1, -1, 0) or not row["voter"]:
            raise Problem(f"{f} line {line}: vote {vote} by {row['voter']!r} is not 1, -1 or 0 by a pseudonym")
        tallies.setdefault(cid, [0, 0, 0])[{1: 0, -1: 1, 0: 2}[vote]] += 1
    counted = set()
    for line, row in rows(zf, "votes.csv"):
        cid = whole("votes.csv", line, row, "comment_id")
        counts = [whole("votes.csv", line, row, c) for c in ("agree", "disagree", "pass")]
        if counts != tallies.get(cid, [0, 0, 0]):
            raise Problem(
                f"votes.csv line {line}: comment {cid} has {counts}, its participant votes {tallies.get(cid)}"
            )
        counted.add(cid)
    for cid in sorted(set(tallies) - counted):
        raise Problem(f"votes.csv has no counts for comment {cid}, which participant-votes.csv has votes on")
    decisions = 0
    for line, row in rows(zf, "moderation.csv"):
        f = "moderation.csv"
        mid = whole(f, line, row, "id")
        whole(f, line, row, "comment_id", optional=True)
        when(f, line, row, "created_at")
        entry = chain.moderation.get(str(mid))
        if entry is None:
            raise Problem(f"moderation decision {mid} has no entry in audit.jsonl")
        for column in ("action", "comment_id", "rule", "reason", "moderator"):
            if not same(row[column], entry.get(column)):
                raise Problem(f"moderation decision {mid}: {column} {row[column]!r} does not match the chain")
        decisions += 1
    names = manifest["files"]
    if "summary.json" in names:
        if chain.summary is None:
            raise Problem(f"summary.json has no summary.published entry for round {manifest['round_id']}")
        digest = chain.summary.get("summary_sha256")
        if digest and _sha(canonical(read_json(zf, "summary.json"))) != digest:
            raise Problem("summary.json does not match the summary_sha256 of its summary.published entry")
    if "adopted-version.json" in names:
        version = read_json(zf, "adopted-version.json")
        entry = chain.adopted.get(str(version.get("id"))) if isinstance(version, dict) else None
        if entry is None:
            raise Problem("adopted-version.json has no version.adopted entry in audit.jsonl")
        if entry.get("version_sha256") and _sha(canonical(version)) != entry["version_sha256"]:
            raise Problem("adopted-version.json does not match the version_sha256 of its version.adopted entry")
        digests = {s.get("key"): s.get("sha256") for s in entry.get("sections") or [] if isinstance(s, dict)}
        for section in version.get("sections") or []:
            text = f"{section.get('key')}\n{section.get('title')}\n{section.get('body')}"
            if digests and digests.get(section.get("key")) != _sha(text):
                raise Problem(f"adopted-version.json: section {section.get('key')!r} is not the text that was adopted")
    return len(comments), seeded, decisions


def open_archive(path):
    """Our own handle, closed on the way out even while a row reader still holds a member open."""
    try:
        handle = open(path, "rb")  # noqa: SIM115
    except OSError as error:
        raise Problem(f"{path}: not a readable zip archive ({error})") from None
    try:
        return handle, zipfile.ZipFile(handle)
    except zipfile.BadZipFile as error:
        handle.close()
        raise Problem(f"{path}: not a readable zip archive ({error})") from None


def verify(path, key_b64=None, head_path=None):
    saved = None
    if head_path:
        try:
            with open(head_path, encoding="utf-8") as handle:
                saved = json.load(handle)
        except (OSError, ValueError) as error:
            raise Problem(f"{head_path}: cannot read a saved head ({error})") from None
        if not isinstance(saved, dict) or not isinstance(saved.get("seq"), int) or "hash" not in saved:
            raise Problem(f"{head_path}: a saved head has seq, hash and at")
    key = load_key(key_b64) if key_b64 else None
    handle, zf = open_archive(path)
    with handle, zf:
        manifest = check_files(zf)
        round_json = read_json(zf, "round.json")
        if not isinstance(round_json, dict) or not same(round_json.get("id"), manifest["round_id"]):
            raise Problem("round.json is not the round of manifest.json")
        chain = Chain(manifest["round_id"])
        walk_chain(zf, chain, saved["seq"] if saved else None)
        head, last = manifest["audit_head"], chain.last
        if not isinstance(head, dict) or [head.get(k) for k in ("seq", "hash", "at")] != [
            last[k] for k in ("seq", "hash", "at")
        ]:
            raise Problem(f"the head in manifest.json is not the last entry of audit.jsonl (seq {last['seq']})")
        if key:
            check_signature(head, key[0], key[1], "the head")
        if saved:
            if chain.saved is None:
                raise Problem(
                    f"history rewritten or archive older: the chain ends at seq {last['seq']}, "
                    f"before the saved head (seq {saved['seq']})"
                )
            if chain.saved["hash"] != saved["hash"] or ("at" in saved and chain.saved["at"] != saved["at"]):
                raise Problem(f"history rewritten: entry {saved['seq']} is not the one in the saved head")
            if key and saved.get("signature"):
                check_signature(saved, key[0], key[1], "the saved head")
        comments, seeded, decisions = check_data(zf, manifest, chain)
    signed = f"head signed by key {key[1]}" if key else "signature not checked (no --key)"
    return (
        f"round {manifest['round_id']}: {len(manifest['files']) + 2} files, chain of {chain.count} entries up to "
        f"seq {last['seq']} ({last['hash'][:12]}…), {signed}; {comments} comments ({seeded} seeded), "
        f"{decisions} moderation decisions" + ("; saved head found in the chain" if saved else "")
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description="Verify a consult round archive.")
    parser.add_argument("archive")
    parser.add_argument("--key", help="the site's Ed25519 public key, base64 (GET /api/v1/audit/keys)")
    parser.add_argument("--head", help="a head saved earlier from GET /api/v1/audit/head (JSON file)")
    args = parser.parse_args(argv)
    try:
        print("OK " + verify(args.archive, args.key, args.head))
        return 0
    except Problem as problem:
        print(f"FAILED: {problem}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
