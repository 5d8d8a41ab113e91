"""Load benchmark of the public pages under gunicorn, from a separate process.

    .venv/bin/python benchmarks/pages.py [--clients 16] [--seconds 20] [--workers 4] [--database-url URL]

Starts gunicorn (app:app) on 127.0.0.1 with a fresh database (SQLite in a temp folder unless
--database-url is given), migrates it, loads the demo data, then runs a closed-loop load generator with N
concurrent keep-alive clients per page and prints requests/s, p50, p95 and p99 latency and page size
(raw and gzip). Rate limits are off for the run (RATELIMIT_ENABLED=false). Results go to stdout as a
Markdown table for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, port: int, workers: int) -> subprocess.Popen:
    subprocess.run(
        [str(BIN / "flask"), "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    subprocess.run(
        [str(BIN / "flask"), "--app", "app", "seed", "demo"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "app:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("gunicorn did not start")


def load(port: int, path: str, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker():
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, bad = [], 0
        while time.perf_counter() < deadline:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except OSError:
                bad += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {
        "path": path,
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
    }


def page_size(port: int, path: str) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    body = conn.getresponse().read()
    return len(body), len(gzip.compress(body, 6))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    env = dict(
        os.environ,
        CONSULT_INSTANCE_PATH=str(tmp),
        RATELIMIT_ENABLED="false",
        DATABASE_URL=args.database_url or f"sqlite:///{tmp / 'bench.db'}",
        SECRET_KEY="bench-only",  # noqa: S106 - throwaway key for a local benchmark
    )
    port = free_port()
    proc = start_server(env, port, args.workers)
    try:
        paths = ["/", "/rounds/1", "/api/v1/rounds", "/api/v1/rounds/1", "/healthz"]
        print("| page | clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms | bytes | gzip bytes |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for path in paths:
            load(port, path, args.clients, 2)  # warm-up
            r = load(port, path, args.clients, args.seconds)
            raw, gz = page_size(port, path)
            print(
                f"| {path} | {args.clients} | {r['requests']} | {r['errors']} | {r['rps']:.0f} | {r['p50']:.1f} | "
                f"{r['p95']:.1f} | {r['p99']:.1f} | {raw} | {gz} |",
                flush=True,
            )
        print()
        print("| first load of the round page | bytes | gzip bytes |")
        print("|---|---|---|")
        total_raw = total_gz = 0
        for path in ["/rounds/1", "/static/css/app.css", "/static/js/htmx-2.0.11.min.js"]:
            raw, gz = page_size(port, path)
            total_raw, total_gz = total_raw + raw, total_gz + gz
            print(f"| {path} | {raw} | {gz} |")
        print(f"| total | {total_raw} | {total_gz} |")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
