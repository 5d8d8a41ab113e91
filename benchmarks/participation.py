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
import gzip
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (  # noqa: E402 - needs the checkout on the path
    BIN,
    CPU_SOURCES,
    READ_HEADER,
    ROOT,
    bench_environment,
    closed_loop,
    compare,
    fetch,
    flask,
    free_port,
    load_avg,
    measure_lcp,
    measure_repeat_visit,
    read_row,
    row,
    start_server,
)
from consult.participation.queries import PAGE_SIZE, _encode  # noqa: E402

BIG_COMMENTS, BIG_VOTES = 20_000, 200_000
SMALL_COMMENTS, SMALL_VOTES = 20, 60
DEPTH = 500  # the page whose cursor "load more" is measured with
PARALLEL_VOTES = 50
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
                           opens_at=utcnow(), closes_at=big.closes_at)
    users = []
    for i in range(int(sys.argv[1])):
        user = create_user(f"bench-{i}@example.org", f"Peserta Uji {i}", "Bench-Kata-Sandi-2026", verified=True,
                           actor="bench")
        users.append({"id": user.id, "token": create_api_token(user, "bench")})
    print(json.dumps({"small": small.id, "users": users, "sections": [s.id for s in big.version.sections]}))
"""


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
    """e. The round page's first load as transferred straight from gunicorn (the app compresses its pages, and
    its static files once per process), a repeat visit, and LCP on a throttled network."""
    print(f"\n### e. First load of the round page (round {b.big}), as transferred from gunicorn\n")
    print("| file | bytes | on the wire (br) | encoding | Cache-Control |\n|---|---|---|---|---|")
    html = fetch(b.port, f"/rounds/{b.big}")[1].decode()
    statics = [p for p in re.findall(r'(?:href|src)="(/static/[^"]+)"', html) if ".css" in p or ".js" in p]
    total_raw = total_wire = 0
    for path in [f"/rounds/{b.big}", *statics]:
        raw = fetch(b.port, path)[1]
        conn = http.client.HTTPConnection("127.0.0.1", b.port, timeout=30)
        conn.request("GET", path, headers={"Accept-Encoding": "br, gzip"})
        response = conn.getresponse()
        wire = response.read()
        total_raw, total_wire = total_raw + len(raw), total_wire + len(wire)
        print(row(path, len(raw), len(wire), response.getheader("Content-Encoding") or "-",
                  response.getheader("Cache-Control") or "-"))  # fmt: skip
    print(row("**total**", total_raw, total_wire, "", ""))
    print(f"\n{total_wire / 1000:.1f} KB on the wire, {total_raw / 1000:.1f} KB uncompressed (target ≤ 60 KB).")
    if b.args.skip_browser:
        return
    url = f"http://127.0.0.1:{b.port}/rounds/{b.big}"
    repeat = measure_repeat_visit(url)
    print(
        f"\nChromium 360x640, straight from gunicorn: first load {repeat['first_bytes']} bytes transferred; a repeat "
        f"visit (a new navigation to the page) fetched {repeat['repeat_static_requests']} CSS/JS files "
        f"({repeat['repeat_bytes']} bytes transferred in all, the page's 304 or 200 included)."
    )
    print(
        "\nLargest contentful paint, Chromium 360x640, cache off, 400 ms latency, 50,000 bytes/s each way "
        f"(median of {b.args.lcp_runs} loads; ms, bytes):\n"
    )
    print("| served | LCP | FCP | HTML received | load event | bytes transferred |\n|---|---|---|---|---|---|")
    runs = measure_lcp(url, b.args.lcp_runs)

    def median(key):
        values = [r[key] for r in runs if r[key] is not None]
        return f"{statistics.median(values):.0f}" if values else "n/a"

    print(row("gunicorn (compressed by the app)", median("lcp"), median("fcp"), median("html"), median("load"),
              median("bytes")), flush=True)  # fmt: skip
    print("\n(target: LCP ≤ 2,500 ms)")


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

    tmp, url, env = bench_environment(args, "Participation benchmark")
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
