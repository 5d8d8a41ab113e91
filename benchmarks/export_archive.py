"""Archive benchmark: a round of 100,000 comments and 1,000,000 votes written as its public-record archive.

    .venv/bin/python benchmarks/export_archive.py [--comments 100000] [--votes 1000000] [--out FILE] [--keep]
        [--skip-verify]

Every row comes from a generator (nothing is built up front), as the monitoring service will stream rows
from the database: 100,000 comments (a fifth of them replies, 1 in 50 hidden and 1 in 100 withdrawn, bodies
of 40–400 characters of Indonesian-looking text), their 100,000 comment.posted audit entries (a real hash
chain, signed head), 1,000,000 participant votes and their counts, 2,000 moderation decisions with their
entries. consult.monitoring.archive.write_archive() writes the zip; this process measures the wall time and
its own peak RSS (getrusage ru_maxrss). Then tools/verify_archive.py checks the archive in a separate process
(wall time and that child's peak RSS).

Targets: written in at most 60 s with at most 300 MB peak RSS. Prints a Markdown table for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consult.monitoring.archive import RoundArchive, iso, write_archive  # noqa: E402
from consult.monitoring.signing import (  # noqa: E402
    canonical_json,
    generate_private_key_pem,
    load_private_key,
    public_key_b64,
    sign_head,
)

ROUND = 1
T0 = dt.datetime(2026, 11, 1, 1, 0)
WORDS = [
    "pelayanan",
    "persyaratan",
    "loket",
    "antrean",
    "petugas",
    "biaya",
    "gratis",
    "dokumen",
    "kartu",
    "keluarga",
    "berkas",
    "cepat",
    "lama",
    "mohon",
    "agar",
    "dan",
    "yang",
    "di",
    "dengan",
    "untuk",
    "tidak",
    "sudah",
    "harus",
    "bisa",
    "online",
    "aplikasi",
    "kantor",
    "kecamatan",
    "desa",
]
GENESIS = "0" * 64


def body(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 60))).capitalize() + "."


def status_of(cid: int) -> str:
    return "hidden" if cid % 50 == 0 else "withdrawn" if cid % 100 == 1 else "visible"


def comments(n: int, sections: int):
    rng = random.Random(1)
    for cid in range(1, n + 1):
        yield {
            "id": cid,
            "parent_id": rng.randint(1, cid - 1) if cid > 10 and cid % 5 == 0 else None,
            "section_key": f"bagian-{cid % sections + 1}",
            "section_id": cid % sections + 1,
            "author": f"Warga-{cid % 9973:05d}",
            "channel": "web",
            "status": status_of(cid),
            "created_at": T0 + dt.timedelta(seconds=cid * 7),
            "body": body(rng),
        }


class Chain:
    def __init__(self):
        self.seq, self.prev, self.last = 0, GENESIS, None

    def entry(self, action, subject_type, subject_id, data, actor):
        self.seq += 1
        at = iso(T0 + dt.timedelta(seconds=self.seq * 7, microseconds=self.seq % 1_000_000))
        payload = {
            "seq": self.seq,
            "at": at,
            "actor": actor,
            "action": action,
            "subject_type": subject_type,
            "subject_id": str(subject_id),
            "data": data,
            "prev_hash": self.prev,
        }
        digest = hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()
        self.prev = digest
        self.last = {**payload, "hash": digest}
        return self.last


def audit_entries(chain: Chain, n: int, sections: int, decisions: int):
    for c in comments(n, sections):
        data = {
            "round_id": ROUND,
            "section_id": c["section_id"],
            "parent_id": c["parent_id"],
            "author": c["author"],
            "stance": None,
            "body_sha256": hashlib.sha256(c["body"].encode("utf-8")).hexdigest(),
        }
        yield chain.entry("comment.posted", "comments", c["id"], data, c["author"])
    for row in moderation(decisions):
        data = {k: v for k, v in row.items() if k != "created_at"} | {"moderation_action_id": row["id"]}
        yield chain.entry("comment.hidden", "comments", row["comment_id"], data, row["moderator"])


def moderation(decisions: int):
    for mid in range(1, decisions + 1):
        yield {
            "id": mid,
            "created_at": T0 + dt.timedelta(days=1, seconds=mid),
            "action": "hide",
            "comment_id": mid * 50,
            "rule": 2,
            "rule_title": "Tanpa serangan pribadi",
            "reason": "Menyerang pribadi",
            "moderator": "Moderator-7KQ2M",
        }


def vote_value(voter: int, cid: int) -> int:
    return (voter * 7 + cid * 13) % 3 - 1  # -1, 0 or 1, deterministic, so counts can be recomputed


def vote_pairs(n_comments: int, n_votes: int):
    """(voter, comment) pairs without repeats: each voter votes on a run of distinct comments."""
    per_voter = 50
    for k in range(n_votes):
        voter, step = divmod(k, per_voter)
        yield voter, (voter * 37 + step * 1_999) % n_comments + 1


def participant_votes(n_comments: int, n_votes: int):
    for voter, cid in vote_pairs(n_comments, n_votes):
        yield {"voter": f"Warga-{voter:06d}", "comment_id": cid, "vote": vote_value(voter, cid), "created_at": T0}


def vote_counts(n_comments: int, n_votes: int):
    """Counts per comment, computed in one pass into arrays (3 ints a comment, not a row a vote)."""
    agree, disagree, passes = [0] * (n_comments + 1), [0] * (n_comments + 1), [0] * (n_comments + 1)
    for voter, cid in vote_pairs(n_comments, n_votes):
        value = vote_value(voter, cid)
        (agree if value == 1 else disagree if value == -1 else passes)[cid] += 1
    for cid in range(1, n_comments + 1):
        if agree[cid] or disagree[cid] or passes[cid]:
            yield {"comment_id": cid, "agree": agree[cid], "disagree": disagree[cid], "pass": passes[cid]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--votes", type=int, default=1_000_000)
    parser.add_argument("--sections", type=int, default=14)
    parser.add_argument("--decisions", type=int, default=2_000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the archive (default: delete it)")
    parser.add_argument("--skip-verify", action="store_true")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp()) / f"round-{ROUND}.zip"
    key = load_private_key(generate_private_key_pem())
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # the head is the last entry; the chain is generated twice (once to learn the head, as the service knows it
    # from audit.head(), once while writing): hashing 102,000 entries takes about a second
    head_chain = Chain()
    for _ in audit_entries(head_chain, args.comments, args.sections, args.decisions):
        pass
    head = sign_head(key, {k: head_chain.last[k] for k in ("seq", "hash", "at")})

    archive = RoundArchive(
        round={"id": ROUND, "title": "Standar Pelayanan (benchmark)", "state": "closed"},
        sections=(
            {"id": s, "key": f"bagian-{s}", "position": s, "level": 2, "title": f"Bagian {s}", "body": "…"}
            for s in range(1, args.sections + 1)
        ),
        comments=comments(args.comments, args.sections),
        votes=vote_counts(args.comments, args.votes),
        participant_votes=participant_votes(args.comments, args.votes),
        moderation=moderation(args.decisions),
        audit_entries=audit_entries(Chain(), args.comments, args.sections, args.decisions),
        audit_head=head,
        created_at=dt.datetime(2026, 12, 1, 0, 0),
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    write_archive(out, archive)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mb = out.stat().st_size / 1e6
    rows = [
        (
            "write archive (rows generated on the fly)",
            f"{elapsed:.1f} s ({cpu:.1f} s CPU)",
            f"{peak_mb:.0f} MB (before: {rss_before / 1024:.0f} MB)",
            f"{size_mb:.1f} MB",
        )
    ]
    if not args.skip_verify:
        started, children = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        result = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "verify_archive.py"), str(out), "--key", public_key_b64(key)],
            capture_output=True,
            text=True,
            check=False,
        )
        verify_s = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        child_cpu = usage.ru_utime + usage.ru_stime - children.ru_utime - children.ru_stime
        child_mb = usage.ru_maxrss / 1024
        rows.append(
            (
                "verify (tools/verify_archive.py)",
                f"{verify_s:.1f} s ({child_cpu:.1f} s CPU)",
                f"{child_mb:.0f} MB",
                result.stdout.strip()[:100] + "…",
            )
        )
        if result.returncode != 0:
            print(result.stdout, result.stderr, file=sys.stderr)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT, check=False
    )
    print(
        f"load average {os.getloadavg()[0]:.1f}; {args.comments:,} comments, {args.votes:,} votes, "
        f"{args.decisions:,} moderation decisions; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"commit {commit.stdout.strip()}, {dt.date.today().isoformat()}"
    )
    print("\n| step | wall time | peak RSS | result |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if not args.keep:
        out.unlink()
    targets = elapsed <= 60 and peak_mb <= 300
    print(f"\ntargets (<= 60 s, <= 300 MB): {'met' if targets else 'NOT met'}")


if __name__ == "__main__":
    main()
