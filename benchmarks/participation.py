"""Participation benchmark: a round with 20,000 comments under gunicorn, measured from a separate process.

    .venv/bin/python benchmarks/participation.py [--clients 16] [--seconds 15] [--post-seconds 60]
        [--workers 4] [--database-url URL [--reset-database]] [--only abcde] [--lcp-runs 3] [--skip-browser]

Builds a fresh database (SQLite in a temp folder unless --database-url is given; a PostgreSQL database must
be empty, or is emptied with --reset-database), migrates it and loads the demo data. The demo's open round
(round 1) becomes the big round: `flask seed load 1 --comments 20000 --votes 200000`. A second open round on
the same document version becomes the small one (20 comments), so the two pages differ only in the amount of
participation. Bench users with API tokens are created through the account services. Then gunicorn
(`-w 4 app:app`, rate limits off, its log kept) serves the app and this process measures:

  a. GET /rounds/<id>, big vs small: p50/p95/p99 at N concurrent keep-alive clients (closed loop), first
     interleaved (each client alternates between the two pages, so both see the same background work: the
     ratio comes from this run), then each page alone;
  b. "load more" at depth: the page and the htmx fragment (HX-Request + fragment=komentar) with the cursor
     of page 500, interleaved with the first page, newest first and most agreed first (cursors computed from
     the database with consult.participation.queries._encode, not by walking 500 pages);
  c. comment posting through the API for --post-seconds with N clients (one token each): req/s, p95, every
     non-201 status, "database is locked" in the gunicorn log, and afterwards every 201 id in the database
     and the round's counters equal to COUNT(*);
  d. 50 identical PUT /api/v1/comments/<id>/vote from one user, released together by a barrier: exactly one
     vote row afterwards and agree_count == COUNT(*);
  e. first-load weight of the round page (HTML, CSS, JS; raw and gzip level 6) and largest contentful paint
     in Chromium at 360x640 on a throttled network (400 ms latency, 50,000 bytes/s each way), both straight
     from gunicorn (uncompressed, it does not gzip) and through a small gzip proxy in this script (what a
     reverse proxy such as nginx would send). The app is not changed for either.

Prints Markdown tables for docs/PERFORMANCE.md. Load generator, gunicorn and the database share the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))

from consult.participation.queries import PAGE_SIZE, _encode  # noqa: E402 - needs ROOT on the path

BIG_COMMENTS, BIG_VOTES = 20_000, 200_000
SMALL_COMMENTS, SMALL_VOTES = 20, 60
DEPTH = 500  # the page whose cursor "load more" is measured with
PARALLEL_VOTES = 50
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

# Runs inside the app (venv python, app context): the small round on the big round's document version, and
# verified bench users with API tokens, through the same services as `flask users create` / `users token`.
SETUP = """
import datetime as dt, json, sys
from app import app
from consult.accounts.services import create_api_token
from consult.agencies.roles import create_user
from consult.extensions import db
from consult.rounds.models import Round
from consult.rounds.services import schedule_round
from consult.timeutil import utcnow

with app.app_context():
    big = db.session.get(Round, 1)
    small = schedule_round("bench", big.version, title=big.title + " (kecil)",
                           opens_at=utcnow() - dt.timedelta(days=2), closes_at=big.closes_at)
    users = []
    for i in range(int(sys.argv[1])):
        user = create_user(f"bench-{i}@example.org", f"Peserta Uji {i}", "Bench-Kata-Sandi-2026", verified=True,
                           actor="bench")
        users.append({"id": user.id, "token": create_api_token(user, "bench")})
    print(json.dumps({"small": small.id, "users": users, "sections": [s.id for s in big.version.sections]}))
"""


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
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}", "app:app"],
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


# --- gzip proxy (benchmark only: what a reverse proxy would send) --------------------------------------------

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


def start_gzip_proxy(upstream_port: int) -> ThreadingHTTPServer:
    local = threading.local()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 - http.server's naming
            conn = getattr(local, "conn", None) or http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
            local.conn = conn
            headers = {k: v for k, v in self.headers.items() if k.lower() not in {"accept-encoding", "connection"}}
            conn.request("GET", self.path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            gzipped = "gzip" in self.headers.get("Accept-Encoding", "") and any(
                (response.getheader("Content-Type") or "").startswith(t) for t in COMPRESSIBLE
            )
            if gzipped:
                body = gzip.compress(body, 6)
            self.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in HOP_BY_HOP:
                    self.send_header(key, value)
            if gzipped:
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Vary", "Accept-Encoding")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


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


# --- the measurements -------------------------------------------------------------------------------------------


@dataclass
class Bench:
    args: argparse.Namespace
    port: int
    engine: sa.Engine
    log: Path
    big: int
    small: int
    sections: list[int]
    posters: list[dict]
    voter: dict

    def scalar(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar_one()


def round_pages(b: Bench) -> None:
    """a. GET /rounds/<id> of the big and the small round: interleaved (for the ratio), then each alone."""
    c, secs = b.args.clients, b.args.seconds
    print(f"\n### a. Round page, {c} clients, {secs:.0f} s per run (load {load_avg()})\n")
    print(READ_HEADER)
    targets = {"big": (f"/rounds/{b.big}", {}), "small": (f"/rounds/{b.small}", {})}
    size = {label: len(fetch(b.port, path)[1]) for label, (path, _) in targets.items()}
    mixed = compare(b.port, targets, c, secs)
    cpu = [f"- interleaved: {mixed['big'].cpu}"]
    for label, (path, _) in targets.items():
        print(read_row(f"{path} ({label}), interleaved", mixed[label], size[label]), flush=True)
    for label, (path, _) in targets.items():
        alone = compare(b.port, {label: (path, {})}, c, secs)[label]
        print(read_row(f"{path} ({label}), alone", alone, size[label]), flush=True)
        cpu.append(f"- {label} alone: {alone.cpu}")
    big, small = mixed["big"], mixed["small"]
    print("\n" + "\n".join(cpu))
    print(
        f"\nbig/small, interleaved: p50 {big.q(50) / small.q(50):.2f}×, p95 {big.q(95) / small.q(95):.2f}× "
        "(target: big p95 ≤ 100 ms and ≤ 1.3× small)"
    )


def load_more(b: Bench) -> None:
    """b. The page and the htmx fragment with the cursor of page DEPTH, against the first page (interleaved)."""
    offset = (DEPTH - 1) * PAGE_SIZE - 1  # the last item of page DEPTH - 1: its position is the cursor
    with b.engine.connect() as conn:
        top = "SELECT id, agree_count FROM comments WHERE round_id = :r AND parent_id IS NULL ORDER BY "
        new = conn.execute(sa.text(top + "id DESC LIMIT 1 OFFSET :o"), {"r": b.big, "o": offset}).one()
        agreed = conn.execute(sa.text(top + "agree_count DESC, id DESC LIMIT 1 OFFSET :o"), {"r": b.big, "o": offset})
        agreed = agreed.one()
    cursors = {"baru": _encode(new.id), "setuju": _encode(agreed.agree_count, agreed.id)}
    c, secs = b.args.clients, b.args.seconds
    print(f"\n### b. Load more: first page and page {DEPTH} interleaved, {c} clients, {secs:.0f} s per pair\n")
    print(READ_HEADER)
    ratios = []
    for order in ("baru", "setuju"):
        for kind, suffix, headers in (("page", "", {}), ("fragment", "&fragment=komentar", {"HX-Request": "true"})):
            targets = {
                where: (f"/rounds/{b.big}?urut={order}{cursor}{suffix}", headers)
                for where, cursor in (("first", ""), (f"page {DEPTH}", f"&cursor={cursors[order]}"))
            }
            sizes = {}
            for where, (path, _) in targets.items():
                status, body = fetch(b.port, path, headers)
                if status != 200:
                    sys.exit(f"{path} answered HTTP {status}")
                sizes[where] = len(body)
            runs = compare(b.port, targets, c, secs)
            for where, r in runs.items():
                print(read_row(f"{kind}, urut={order}, {where}", r, sizes[where]), flush=True)
            deep, first = runs[f"page {DEPTH}"], runs["first"]
            ratios.append(
                f"- {kind}, urut={order}: page {DEPTH} / first page: p50 {deep.q(50) / first.q(50):.2f}×, "
                f"p95 {deep.q(95) / first.q(95):.2f}× (target ≤ 1.5×)"
            )
    print("\n" + "\n".join(ratios))


def posting(b: Bench) -> None:
    """c. Sustained comment posting through the API, then every 201 checked in the database."""
    before = b.scalar("SELECT COUNT(*) FROM comments WHERE round_id = :r", r=b.big)
    log_before = b.log.read_text(errors="replace")
    headers = [{"Authorization": f"Bearer {u['token']}", "Content-Type": "application/json"} for u in b.posters]
    path = f"/api/v1/rounds/{b.big}/comments"

    def post_request(k: int, n: int):
        section = None if n % 5 == 0 else b.sections[(k + n) % len(b.sections)]
        text = f"Komentar uji beban {n} dari peserta {k}: jam pelayanan perlu diperpanjang sampai sore."
        return "POST", path, json.dumps({"body": text, "section_id": section}).encode(), headers[k]

    def posted_id(status: int, body: bytes):
        return json.loads(body)["id"] if status == 201 else None

    clients, seconds = len(b.posters), b.args.post_seconds
    print(f"\n### c. Comment posting through the API, {clients} clients, {seconds:.0f} s (load {load_avg()})\n")
    run = closed_loop(b.port, clients, seconds, post_request, posted_id)
    log = b.log.read_text(errors="replace")[len(log_before) :]
    ids = sorted(set(run.collected))
    created = run.statuses.get(201, 0)
    found: set[int] = set()
    by_id = sa.text("SELECT id FROM comments WHERE id IN :ids").bindparams(sa.bindparam("ids", expanding=True))
    with b.engine.connect() as conn:
        for i in range(0, len(ids), 500):
            found |= set(conn.execute(by_id, {"ids": ids[i : i + 500]}).scalars())
    after = b.scalar("SELECT COUNT(*) FROM comments WHERE round_id = :r", r=b.big)
    visible = b.scalar("SELECT COUNT(*) FROM comments WHERE round_id = :r AND status = 'visible'", r=b.big)
    cached = b.scalar("SELECT comment_count FROM rounds WHERE id = :r", r=b.big)
    stats_off = b.scalar(
        "SELECT COUNT(*) FROM section_stats s WHERE s.round_id = :r AND s.comments <> (SELECT COUNT(*) FROM comments c"
        " WHERE c.round_id = :r AND c.section_id = s.section_id AND c.status = 'visible')",
        r=b.big,
    )
    ok = len(found) == len(ids) == created == after - before
    print(
        "| requests | 201/s | p50 ms | p95 ms | p99 ms | statuses | 201 ids found in the database | new rows in the "
        "round | 'database is locked' in the log | tracebacks in the log |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        row(
            sum(run.statuses.values()),
            f"{created / run.elapsed:.0f}",
            f"{run.q(50):.1f}",
            f"{run.q(95):.1f}",
            f"{run.q(99):.1f}",
            ", ".join(f"{s}: {n}" for s, n in sorted(run.statuses.items())),
            f"{len(found)} of {len(ids)}" + ("" if ok else " MISMATCH"),
            after - before,
            log.count("database is locked"),
            log.count("Traceback"),
        )
    )
    print(f"\n{run.cpu}")
    print(
        f"\nAfterwards: rounds.comment_count {cached}, COUNT(*) of visible comments {visible}; "
        f"section_stats rows whose comments differ from COUNT(*): {stats_off}. (target ≥ 200/s, no errors)"
    )


def parallel_votes(b: Bench) -> None:
    """d. PARALLEL_VOTES identical votes by one user, released together."""
    target = b.scalar(
        "SELECT id FROM comments WHERE round_id = :r AND parent_id IS NULL AND author_id <> :u ORDER BY id LIMIT 1",
        r=b.big,
        u=b.voter["id"],
    )
    barrier, statuses, lock = threading.Barrier(PARALLEL_VOTES), Counter(), threading.Lock()
    body = json.dumps({"value": 1}).encode()
    headers = {"Authorization": f"Bearer {b.voter['token']}", "Content-Type": "application/json"}

    def vote_once():
        conn = http.client.HTTPConnection("127.0.0.1", b.port, timeout=60)
        conn.connect()
        barrier.wait()
        try:
            conn.request("PUT", f"/api/v1/comments/{target}/vote", body=body, headers=headers)
            status = conn.getresponse().status
        except OSError:
            status = 0
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=vote_once) for _ in range(PARALLEL_VOTES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = b.scalar(
        "SELECT COUNT(*) FROM comment_votes WHERE comment_id = :c AND user_id = :u", c=target, u=b.voter["id"]
    )
    agrees = b.scalar("SELECT COUNT(*) FROM comment_votes WHERE comment_id = :c AND value = 1", c=target)
    cached = b.scalar("SELECT agree_count FROM comments WHERE id = :c", c=target)
    print(f"\n### d. {PARALLEL_VOTES} identical votes at once (one user, comment {target})\n")
    print("| statuses | vote rows of the user | agree_count | COUNT(*) agree | ok |\n|---|---|---|---|---|")
    statuses_text = ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items()))
    print(row(statuses_text, rows, cached, agrees, "yes" if rows == 1 and cached == agrees else "NO"))


def first_load(b: Bench) -> None:
    """e. First-load weight of the round page, and LCP on a throttled network."""
    print(f"\n### e. First load of the round page (round {b.big})\n")
    print("| file | bytes | gzip bytes |\n|---|---|---|")
    files = [f"/rounds/{b.big}", "/static/css/app.css", "/static/js/htmx-2.0.11.min.js", "/static/js/consult.js"]
    total_raw = total_gz = 0
    for path in files:
        body = fetch(b.port, path)[1]
        raw, gz = len(body), len(gzip.compress(body, 6))
        total_raw, total_gz = total_raw + raw, total_gz + gz
        print(row(path, raw, gz))
    print(row("**total**", total_raw, total_gz))
    print(f"\n{total_gz / 1000:.1f} KB compressed, {total_raw / 1000:.1f} KB uncompressed (target ≤ 60 KB).")
    if b.args.skip_browser:
        return
    proxy = start_gzip_proxy(b.port)
    try:
        print(
            "\nLargest contentful paint, Chromium 360x640, cache off, 400 ms latency, 50,000 bytes/s each way "
            f"(median of {b.args.lcp_runs} loads; ms, bytes):\n"
        )
        print("| served | LCP | FCP | HTML received | load event | bytes transferred |\n|---|---|---|---|---|---|")
        for label, port in (("gunicorn (uncompressed)", b.port), ("gzip proxy (compressed)", proxy.server_address[1])):
            runs = measure_lcp(f"http://127.0.0.1:{port}/rounds/{b.big}", b.args.lcp_runs)

            def median(key, runs=runs):
                values = [r[key] for r in runs if r[key] is not None]
                return f"{statistics.median(values):.0f}" if values else "n/a"

            print(row(label, median("lcp"), median("fcp"), median("html"), median("load"), median("bytes")), flush=True)
        print("\n(target: LCP ≤ 2,500 ms)")
    finally:
        proxy.shutdown()


MEASUREMENTS = {"a": round_pages, "b": load_more, "c": posting, "d": parallel_votes, "e": first_load}


# --- main ---------------------------------------------------------------------------------------------------------


def setup(env: dict, clients: int) -> tuple[dict, list[dict]]:
    """Migrate, load the demo, make the small round and the bench users, then `seed load` both rounds."""
    flask(env, "db", "upgrade")
    flask(env, "seed", "demo")
    result = subprocess.run(
        [str(BIN / "python"), "-c", SETUP, str(clients + 1)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"setup failed:\n{result.stderr}")
    info = json.loads(result.stdout.strip().splitlines()[-1])
    loads = []
    for rid, comments, votes in ((1, BIG_COMMENTS, BIG_VOTES), (info["small"], SMALL_COMMENTS, SMALL_VOTES)):
        # --force: the database was just created by this script, whatever CONSULT_ENV the caller's shell has
        out = flask(
            env, "seed", "load", str(rid), "--comments", str(comments), "--votes", str(votes), "--seed", "1", "--force"
        )
        loads.append(json.loads(out.strip().splitlines()[-1]))
    return info, loads


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=15, help="per measured read (after a 2 s warm-up)")
    ap.add_argument("--post-seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--database-url")
    ap.add_argument("--reset-database", action="store_true", help="empty the --database-url database first")
    ap.add_argument("--lcp-runs", type=int, default=3)
    ap.add_argument("--skip-browser", action="store_true")
    ap.add_argument("--only", default="abcde", help="which measurements, e.g. 'ae' (default: all)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    env = dict(
        os.environ,
        CONSULT_INSTANCE_PATH=str(tmp),
        RATELIMIT_ENABLED="false",
        DATABASE_URL=url,
        SECRET_KEY="bench-only",  # noqa: S106 - throwaway key for a local benchmark
    )
    dialect = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"## Participation benchmark: {dialect}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"\n{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, load {load_avg()}")
    if args.database_url:
        prepare_database(url, args.reset_database)
    engine = sa.create_engine(url)
    proc = None
    try:
        info, loads = setup(env, args.clients)
        print("\n### Setup: `flask seed load`\n")
        print("| round | comments | votes | users | seconds |\n|---|---|---|---|---|")
        for s in loads:
            print(row(s["round_id"], s["comments"], s["votes"], s["users"], s["seconds"]))
        port, log = free_port(), tmp / "gunicorn.log"
        proc = start_server(env, port, args.workers, log)
        CPU_SOURCES["server_pgid"] = proc.pid  # start_new_session: the workers share the master's group
        CPU_SOURCES["database"] = sa.engine.make_url(url).database if url.startswith("postgresql") else None
        users = info["users"]
        bench = Bench(args, port, engine, log, 1, info["small"], info["sections"], users[:-1], users[-1])
        for key, measure in MEASUREMENTS.items():
            if key in args.only:
                measure(bench)
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        engine.dispose()
        print(f"\nload at the end: {load_avg()}")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
