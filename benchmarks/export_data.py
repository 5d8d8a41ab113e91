"""Export benchmark through the database: a round of 100,000 comments and 1,000,000 votes, exported as its archive
by `flask export round` and downloaded as open data from gunicorn.

    .venv/bin/python benchmarks/export_data.py [--comments 100000] [--votes 1000000] [--users 30000]
        [--workers 2] [--database-url URL --reset-database] [--skip-verify]

1. A fresh database: migrations, the demo, then `flask seed load 1` puts the synthetic participation into the
   demo's open round (round 1).
2. `flask export round 1 --out FILE.zip` as a whole command (start-up, reading every row in one snapshot, writing
   the zip): wall time and the command's peak RSS (wait4's ru_maxrss of that child). Then tools/verify_archive.py
   checks the archive in its own process.
3. gunicorn as docs/OPERATIONS.md runs it; this (second) process downloads /rounds/1/data/<table>.csv and .json
   and the site's /data/comments.csv, reading the stream to the end: wall time, bytes, rows, and the server
   workers' peak RSS (VmHWM) after all downloads.

Targets (issue 14): 100,000 comments and 1,000,000 votes exported in at most 60 s and 300 MB. Prints Markdown
for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.harness import BIN, bench_environment, flask, free_port, start_server  # noqa: E402


def run_child(env: dict, args: list[str]) -> tuple[float, float, subprocess.CompletedProcess | None]:
    """Wall seconds and peak RSS (MB) of one command, from wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(args)} failed ({code}):\n{out}\n{err}")
    return wall, usage.ru_maxrss / 1024, subprocess.CompletedProcess(args, code, out, err)


def download(port: int, path: str) -> tuple[float, int, int]:
    """Seconds, bytes and lines of one streamed download read to its end."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", path)
    response = conn.getresponse()
    if response.status != 200:
        sys.exit(f"GET {path}: {response.status}")
    size = lines = 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        lines += chunk.count(b"\n")
    conn.close()
    return time.perf_counter() - start, size, lines


def workers_peak_rss(master_pid: int) -> float:
    """The largest VmHWM (peak resident set) among gunicorn's workers, MB."""
    peak = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid) and "VmHWM" in fields:
            peak = max(peak, int(fields["VmHWM"].split()[0]))
    return peak / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--comments", type=int, default=100_000)
    ap.add_argument("--votes", type=int, default=1_000_000)
    ap.add_argument("--users", type=int, default=30_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--database-url")
    ap.add_argument("--reset-database", action="store_true")
    ap.add_argument("--skip-verify", action="store_true")
    args = ap.parse_args()
    tmp, _url, env = bench_environment(args, "Export through the database")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    print(f"\ncommit {commit.stdout.strip()}")
    flask(env, "db", "upgrade")
    flask(env, "seed", "demo")
    start = time.perf_counter()
    flask(env, "seed", "load", "1", "--comments", str(args.comments), "--votes", str(args.votes),
          "--users", str(args.users), "--seed", "1", "--force")  # fmt: skip
    print(f"\nseed load: {args.comments:,} comments, {args.votes:,} votes, {args.users:,} people in "
          f"{time.perf_counter() - start:.0f} s\n")  # fmt: skip

    print("| step | wall time | peak RSS | result |\n|---|---|---|---|")
    archive = tmp / "round-1.zip"
    wall, rss, _ = run_child(env, [str(BIN / "flask"), "--app", "app", "export", "round", "1", "--out", str(archive)])
    print(f"| `flask export round 1 --out FILE.zip` (whole command) | **{wall:.1f} s** | **{rss:.0f} MB** | "
          f"{archive.stat().st_size / 1e6:.1f} MB zip |", flush=True)  # fmt: skip
    port = free_port()
    proc = start_server(env, port, args.workers, tmp / "gunicorn.log")
    try:
        if not args.skip_verify:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/api/v1/audit/keys")
            key = json.loads(conn.getresponse().read())[-1]["public_key"]
            wall, rss, done = run_child(
                env, [sys.executable, str(ROOT / "tools" / "verify_archive.py"), str(archive), "--key", key]
            )
            print(f"| tools/verify_archive.py (own process) | {wall:.1f} s | {rss:.0f} MB | "
                  f"{done.stdout.strip().splitlines()[-1][:70]} |", flush=True)  # fmt: skip
        print(f"\n### Open-data downloads from gunicorn ({args.workers} workers), one at a time\n")
        print("| download | wall time | bytes | lines |\n|---|---|---|---|")
        for path in (
            "/rounds/1/data/comments.csv",
            "/rounds/1/data/comments.json",
            "/rounds/1/data/votes.csv",
            "/rounds/1/data/participant-votes.csv",
            "/rounds/1/data/participant-votes.json",
            "/data/comments.csv",
        ):
            wall, size, lines = download(port, path)
            print(f"| {path} | {wall:.1f} s | {size / 1e6:.1f} MB | {lines:,} |", flush=True)
        print(f"\nPeak RSS of the largest gunicorn worker after all downloads: {workers_peak_rss(proc.pid):.0f} MB")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)


if __name__ == "__main__":
    main()
