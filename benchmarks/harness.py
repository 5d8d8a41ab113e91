"""What every benchmark script shares: a fresh database, the app under gunicorn as docs/OPERATIONS.md deploys it,
load from this (second) process with keep-alive clients, CPU per request split by process, Chromium at
360x640, and the Markdown rows for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
THROTTLE = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}


def bench_environment(args: argparse.Namespace, title: str) -> tuple[Path, str, dict]:
    """A temp folder, the database URL (SQLite there unless --database-url) and the environment of the app's
    processes (rate limits off, a throwaway key); prints the run's heading with the machine and the load."""
    tmp = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    url = getattr(args, "database_url", None) or f"sqlite:///{tmp / 'bench.db'}"
    env = dict(
        os.environ,
        CONSULT_INSTANCE_PATH=str(tmp),
        RATELIMIT_ENABLED="false",
        DATABASE_URL=url,
        SECRET_KEY="bench-only",  # noqa: S106 - throwaway key for a local benchmark
    )
    dialect = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"## {title}: {dialect}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"\n{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, load {load_avg()}")
    if getattr(args, "database_url", None):
        prepare_database(url, getattr(args, "reset_database", False))
    return tmp, url, env


# --- server --------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def flask(env: dict, *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def start_server(env: dict, port: int, workers: int, log: Path) -> subprocess.Popen:
    """gunicorn -w N app:app on 127.0.0.1:port, its output in `log`, in its own process group."""
    with log.open("w") as out:
        proc = subprocess.Popen(
            # --timeout 120 as docs/OPERATIONS.md: the largest open-data downloads stream for tens of seconds
            [str(BIN / "gunicorn"), "-w", str(workers), "--timeout", "120", "-b", f"127.0.0.1:{port}", "app:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
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


def prepare_database(url: str, reset: bool) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            tables = sa.inspect(conn).get_table_names()
            if tables and not reset:
                sys.exit(f"{url.split('@')[-1]} is not empty ({len(tables)} tables); use --reset-database to empty it")
            if tables and engine.dialect.name == "postgresql":
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


# --- CPU accounting -------------------------------------------------------------------------------------------
#
# On a machine shared with other work, latencies move with the neighbours; CPU seconds per request do much
# less. Each measured run also reports them, split between the server (the gunicorn process group), the
# database server (PostgreSQL backends connected to the benchmark's database) and this load generator.

CPU_SOURCES: dict[str, object] = {"server_pgid": None, "database": None}


def _proc_cpu(stat: str) -> float:
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot() -> dict[str, float]:
    server = database = 0.0
    pgid, dbname = CPU_SOURCES["server_pgid"], CPU_SOURCES["database"]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if pgid is not None and int(stat.rsplit(")", 1)[1].split()[2]) == pgid:
                server += _proc_cpu(stat)
                continue
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if dbname and f" {dbname} " in title:  # "postgres: 15/main: consult consult_bench 127.0.0.1(…) idle"
                database += _proc_cpu(stat)
        except (OSError, ValueError, IndexError):
            continue
    return {"server": server, "database": database, "load generator": time.process_time()}


def cpu_per_request(before: dict[str, float], after: dict[str, float], requests: int) -> str:
    if not requests:
        return ""
    parts = [f"{name} {1000 * (after[name] - before[name]) / requests:.2f}" for name in before]
    return "CPU ms per request: " + ", ".join(parts)


# --- load generation -----------------------------------------------------------------------------------------


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    collected: list = field(default_factory=list)
    elapsed: float = 0.0
    by_path: dict[str, Run] = field(default_factory=dict)  # the same figures for each path requested
    cpu: str = ""  # CPU ms per request of server, database and load generator (whole run)

    def q(self, pct: int) -> float:
        if len(self.latencies) < 2:
            return float("nan")
        return statistics.quantiles(self.latencies, n=100)[pct - 1] * 1000

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def errors(self, ok: int) -> int:
        return sum(n for status, n in self.statuses.items() if status != ok)


def closed_loop(port: int, clients: int, seconds: float, make_request, on_response=None) -> Run:
    """N keep-alive clients, each sending its next request as soon as the previous answer arrived.

    make_request(client, n) -> (method, path, body bytes | None, headers); on_response(status, body) -> a value
    to collect (None: nothing). Connection errors count as status 0. Figures are also kept per path.
    """
    run, lock = Run(), threading.Lock()
    samples: list[tuple[str, float]] = []
    path_statuses: Counter = Counter()
    deadline = time.perf_counter() + seconds

    def worker(k: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, statuses, collected, n = [], Counter(), [], 0
        while time.perf_counter() < deadline:
            method, path, body, headers = make_request(k, n)
            n += 1
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except OSError:
                statuses[(path, 0)] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append((path, time.perf_counter() - t0))
            statuses[(path, response.status)] += 1
            if on_response is not None:
                value = on_response(response.status, data)
                if value is not None:
                    collected.append(value)
        with lock:
            samples.extend(mine)
            path_statuses.update(statuses)
            run.collected.extend(collected)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    cpu_before = cpu_snapshot()
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    run.elapsed = time.perf_counter() - start
    run.cpu = cpu_per_request(cpu_before, cpu_snapshot(), len(samples))
    run.latencies = sorted(latency for _, latency in samples)
    for (path, status), n in path_statuses.items():
        run.statuses[status] += n
        part = run.by_path.setdefault(path, Run(elapsed=run.elapsed))
        part.statuses[status] += n
    for path, latency in samples:
        run.by_path[path].latencies.append(latency)
    for part in run.by_path.values():
        part.latencies.sort()
    return run


def compare(port: int, targets: dict[str, tuple[str, dict]], clients: int, seconds: float) -> dict[str, Run]:
    """GET several pages at once, interleaved: client k's n-th request goes to target (k + n) mod len(targets).

    Every page then runs under the same conditions (background work such as a checkpoint or autovacuum after
    the bulk load hits them all alike), which is what a ratio between them needs. 2 s warm-up first.
    """
    requests = [("GET", path, None, headers) for path, headers in targets.values()]

    def make_request(k: int, n: int):
        return requests[(k + n) % len(requests)]

    closed_loop(port, clients, 2, make_request)
    run = closed_loop(port, clients, seconds, make_request)
    parts = {label: run.by_path.get(path, Run()) for label, (path, _) in targets.items()}
    for part in parts.values():
        part.cpu = run.cpu
    return parts


def fetch(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.read()


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def row(*cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def read_row(label: str, r: Run, size: int | None = None) -> str:
    return row(
        label,
        len(r.latencies),
        r.errors(200),
        f"{r.rps:.0f}",
        f"{r.q(50):.1f}",
        f"{r.q(95):.1f}",
        f"{r.q(99):.1f}",
        "" if size is None else size,
    )


READ_HEADER = (
    "| request | requests | non-200 | req/s | p50 ms | p95 ms | p99 ms | bytes |\n|---|---|---|---|---|---|---|---|"
)


# --- browser ---------------------------------------------------------------------------------------------------

LCP_SCRIPT = """() => new Promise(resolve => {
  const nav = performance.getEntriesByType('navigation')[0];
  const paints = Object.fromEntries(performance.getEntriesByType('paint').map(p => [p.name, p.startTime]));
  const bytes = [nav, ...performance.getEntriesByType('resource')].reduce((s, e) => s + e.transferSize, 0);
  const done = lcp => resolve({lcp, fcp: paints['first-contentful-paint'] ?? null, load: nav.loadEventEnd,
                               html: nav.responseEnd, bytes});
  new PerformanceObserver(list => { const e = list.getEntries(); done(e[e.length - 1].startTime); })
    .observe({type: 'largest-contentful-paint', buffered: true});
  setTimeout(() => done(null), 5000);
})"""


def measure_lcp(url: str, runs: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2)
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                cdp.send("Network.emulateNetworkConditions", THROTTLE)
                page.goto(url, wait_until="load", timeout=120_000)
                results.append(page.evaluate(LCP_SCRIPT))
                context.close()
        finally:
            browser.close()
    return results


REPEAT_SCRIPT = """() => [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]
  .map(e => ({name: e.name, transferSize: e.transferSize}))"""


def measure_repeat_visit(url: str) -> dict:
    """Open the page in a fresh phone-sized context, then navigate to it again: what the second visit fetched.
    A file served from the browser's cache without asking has transferSize 0; a revalidation costs headers."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2)
            page = context.new_page()
            page.goto(url, wait_until="load", timeout=120_000)
            first = page.evaluate(REPEAT_SCRIPT)
            page.goto("about:blank")
            page.goto(url, wait_until="load", timeout=120_000)
            second = page.evaluate(REPEAT_SCRIPT)
            context.close()
        finally:
            browser.close()
    statics = [e for e in second if "/static/" in e["name"] and (".css" in e["name"] or ".js" in e["name"])]
    return {
        "first_bytes": sum(e["transferSize"] for e in first),
        "repeat_bytes": sum(e["transferSize"] for e in second),
        "repeat_static_requests": sum(1 for e in statics if e["transferSize"] > 0),
    }
