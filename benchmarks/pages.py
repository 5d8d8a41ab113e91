"""Reads at a spike: anonymous readers of a big round page, with the page cache and without it, side by side.

    .venv/bin/python benchmarks/pages.py [--clients 16] [--seconds 20] [--workers 2] [--comments 20000]
        [--votes 200000] [--database-url URL [--reset-database]]

Builds a fresh database (SQLite in a temp folder unless --database-url), migrates it, loads the demo and
`flask seed load 1 --comments N --votes M` into the demo's open round. Then two gunicorn servers (`-w W
app:app`, as docs/OPERATIONS.md deploys it) serve the same database: one as deployed, one with
PAGE_CACHE_ENABLED=false. From this second process:

  a. anonymous GET /rounds/1 with Accept-Encoding: br, half the clients on each server at the same moment (so
     both see the same machine): requests/s, latency, CPU ms per request of each server's process group, and
     the ratio;
  b. a phone coming back with the page it has (If-None-Match): 304s per second on the cached server;
  c. the other public pages and the API, on the cached server: requests/s and bytes on the wire.

Prints Markdown tables for docs/PERFORMANCE.md. Load generator, both servers and the database share the machine.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (  # noqa: E402 - needs the checkout on the path
    READ_HEADER,
    Run,
    bench_environment,
    closed_loop,
    fetch,
    flask,
    free_port,
    read_row,
    start_server,
)

BR = {"Accept-Encoding": "br, gzip"}


def group_cpu(pgid: int) -> float:
    """CPU seconds used so far by every process of a process group (a gunicorn master and its workers)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def side_by_side(servers: dict[str, tuple[int, int]], path: str, clients: int, seconds: float) -> dict[str, Run]:
    """Half the clients on each server at the same moment; each Run carries its server's CPU ms per request."""
    runs: dict[str, Run] = {}
    before = {label: group_cpu(pgid) for label, (_, pgid) in servers.items()}

    def drive(label: str, port: int):
        runs[label] = closed_loop(port, max(1, clients // len(servers)), seconds, lambda k, n: ("GET", path, None, BR))

    threads = [threading.Thread(target=drive, args=(label, port)) for label, (port, _) in servers.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for label, (_, pgid) in servers.items():
        used = group_cpu(pgid) - before[label]
        runs[label].cpu = f"{1000 * used / max(1, len(runs[label].latencies)):.2f}"
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (two servers run)")
    ap.add_argument("--comments", type=int, default=20_000)
    ap.add_argument("--votes", type=int, default=200_000)
    ap.add_argument("--database-url")
    ap.add_argument("--reset-database", action="store_true")
    args = ap.parse_args()
    tmp, _url, env = bench_environment(args, "Anonymous reads: the page cache side by side")
    flask(env, "db", "upgrade")
    flask(env, "seed", "demo")
    flask(env, "seed", "load", "1", "--comments", str(args.comments), "--votes", str(args.votes), "--seed", "1",
          "--force")  # fmt: skip
    procs = []
    try:
        servers = {}
        for label, extra in (("cache", {}), ("no cache", {"PAGE_CACHE_ENABLED": "false"})):
            port = free_port()
            proc = start_server({**env, **extra}, port, args.workers, tmp / f"gunicorn-{port}.log")
            procs.append(proc)
            servers[label] = (port, proc.pid)  # start_new_session: the workers share the master's group
        cached_port = servers["cache"][0]
        for label, (port, _) in servers.items():  # warm both: the published version, the first render
            assert fetch(port, "/rounds/1")[0] == 200, label

        print(f"\n### a. Anonymous GET /rounds/1 ({args.comments:,} comments, {args.votes:,} votes), both at once\n")
        side_by_side(servers, "/rounds/1", args.clients, 2)  # warm-up
        runs = side_by_side(servers, "/rounds/1", args.clients, args.seconds)
        print(
            READ_HEADER.replace("| bytes |", "| server CPU ms/request |").replace(
                "|---|---|---|---|---|---|---|---|", "|---|---|---|---|---|---|---|---|"
            )
        )
        for label, run in runs.items():
            print(read_row(f"{label} ({args.workers} workers, {args.clients // 2} clients)", run, run.cpu))
        ratio = runs["cache"].rps / runs["no cache"].rps if runs["no cache"].rps else float("nan")
        cpu = float(runs["no cache"].cpu) / float(runs["cache"].cpu) if float(runs["cache"].cpu) else float("nan")
        print(f"\nThroughput with the cache ÷ without: **{ratio:.1f}×** (target ≥ 5×); server CPU per request "
              f"without ÷ with: {cpu:.1f}×.")  # fmt: skip

        print("\n### b. A phone that has the page (If-None-Match), cached server\n")
        conn_headers = _etag_headers(cached_port)
        closed_loop(cached_port, args.clients, 2, lambda k, n: ("GET", "/rounds/1", None, conn_headers))
        run = closed_loop(
            cached_port, args.clients, args.seconds / 2, lambda k, n: ("GET", "/rounds/1", None, conn_headers)
        )
        print(READ_HEADER)
        print(read_row("GET /rounds/1 with If-None-Match (304 expected)", _as_ok(run, 304), 0))

        print("\n### c. Other pages, cached server, Accept-Encoding: br, gzip\n")
        print(READ_HEADER.replace("| bytes |", "| bytes on the wire |"))
        for path in ("/", "/putaran", "/rounds/1?urut=setuju", "/api/v1/rounds", "/api/v1/rounds/1", "/healthz"):
            closed_loop(cached_port, args.clients, 1, lambda k, n, p=path: ("GET", p, None, BR))
            r = closed_loop(cached_port, args.clients, args.seconds / 4, lambda k, n, p=path: ("GET", p, None, BR))
            print(read_row(path, r, len(fetch(cached_port, path, BR)[1])), flush=True)
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)


def _etag_headers(port: int) -> dict[str, str]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/rounds/1", headers=BR)
    response = conn.getresponse()
    response.read()
    return {**BR, "If-None-Match": response.getheader("ETag") or ""}


def _as_ok(run: Run, ok: int) -> Run:
    """read_row counts non-200 answers as errors: here the expected answer is `ok`."""
    if ok in run.statuses:
        run.statuses[200] += run.statuses.pop(ok)
    return run


if __name__ == "__main__":
    main()
