"""Moderation queue benchmark: the queue page with 5,000 open reports under gunicorn, measured from a second
process.

    .venv/bin/python benchmarks/moderation_queue.py [--reports 5000] [--clients 8] [--seconds 15] [--workers 4]
        [--database-url URL [--reset-database]]

Builds a fresh database (SQLite in a temp folder unless --database-url is given; a PostgreSQL database must be
empty, or is emptied with --reset-database), migrates it and loads the demo data. `flask seed load` puts
comments into the demo's open round (round 1); then --reports open reports (1 to 6 per comment, from the
synthetic users, so about a third of the comments are reported) and as many already handled ones go straight
into the reports table, with the moderation queue rows they imply, in bulk. The queue's figures are checked
against COUNT(*) before measuring. Then gunicorn (`-w 4 app:app`, rate limits off) serves the app, the demo
moderator logs in through the login form, and this process measures with N concurrent keep-alive clients:

  a. the queue (/kelola/<agency>/moderasi): its first page and the page at --depth (a cursor computed from the
     database), interleaved so both see the same background work;
  b. the public moderation log (/moderasi) and GET /api/v1/moderation-log, after 1,000 logged decisions.

Prints Markdown tables for docs/PERFORMANCE.md (target: queue p95 ≤ 100 ms). Load generator, gunicorn and the
database share the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.harness import (  # noqa: E402 - needs ROOT on the path
    BIN,
    READ_HEADER,
    bench_environment,
    compare,
    fetch,
    flask,
    free_port,
    load_avg,
    read_row,
    row,
    start_server,
)
from consult.participation.queries import _encode  # noqa: E402

MODERATOR = "moderator@disdukcapil-sukamaju.example"
DEMO_PASSWORD = "Demo-Konsultasi-2026"  # noqa: S105 - the published demo password (consult/demo.py)
SLUG = "disdukcapil-sukamaju"
LOGGED = 1_000  # moderation log rows for measurement b

# Runs inside the app (venv python, app context): the reports, their queue rows and some logged decisions, in
# bulk (the services would take minutes for this many). Prints a JSON summary as its last line.
SETUP = """
import datetime as dt, json, random, sys
import sqlalchemy as sa
from app import app
from consult.extensions import db
from consult.moderation.models import ModerationAction, QueueEntry
from consult.participation.models import Comment, Report
from consult.rounds.models import Round
from consult.timeutil import utcnow

wanted, logged = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(1)
with app.app_context():
    rnd = db.session.get(Round, 1)
    comments = db.session.execute(sa.select(Comment.id, Comment.author_id).where(Comment.round_id == 1)).all()
    users = list(db.session.scalars(sa.select(Comment.author_id).distinct()))
    now, reports, queue, left, handled = utcnow(), [], [], wanted, 0
    rng.shuffle(comments)
    for comment_id, author_id in comments:
        if left <= 0:
            break
        n = min(left, rng.choice((1, 1, 1, 2, 2, 3, 4, 6)))
        reporters = rng.sample([u for u in users if u != author_id], n + 1)
        times = sorted(now - dt.timedelta(minutes=rng.randint(1, 60 * 24 * 14)) for _ in range(n))
        for user_id, at in zip(reporters, times):
            reports.append({"comment_id": comment_id, "user_id": user_id, "reason": "Menghina warga lain.",
                            "created_at": at, "handled_at": None})
        # one earlier report on the same comment, already handled: the table holds history too
        reports.append({"comment_id": comment_id, "user_id": reporters[-1], "reason": "Spam.",
                        "created_at": times[0] - dt.timedelta(days=1), "handled_at": times[0]})
        handled += 1
        queue.append({"comment_id": comment_id, "agency_id": rnd.agency_id, "round_id": 1, "open_reports": n,
                      "first_report_at": times[0], "last_report_at": times[-1]})
        left -= n
    with db.engine.begin() as conn:
        for i in range(0, len(reports), 5000):
            conn.execute(sa.insert(Report), reports[i:i + 5000])
        conn.execute(sa.insert(QueueEntry), queue)
        counts = {}
        for r in reports:
            counts[r["comment_id"]] = counts.get(r["comment_id"], 0) + 1
        conn.execute(sa.update(Comment).where(Comment.id == sa.bindparam("cid")).values(report_count=sa.bindparam("n")),
                     [{"cid": c, "n": n} for c, n in counts.items()])
        decided = [c for c, _ in comments[-logged:]]
        conn.execute(sa.insert(ModerationAction), [
            {"action": "dismiss", "agency_id": rnd.agency_id, "round_id": 1, "comment_id": c, "reason":
             "Kritik pada layanan, bukan hinaan.", "moderator": "Moderator-BENCH", "created_at": now} for c in decided])
    print(json.dumps({"open_reports": wanted - left, "handled_reports": handled, "queued_comments": len(queue),
                      "comments": len(comments), "logged": len(decided)}))
"""


def log_in(port: int) -> str:
    """Log the demo moderator in through the form; the session cookie to send with every request."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    form = urlencode({"email": MODERATOR, "password": DEMO_PASSWORD, "csrf_token": token.group(1) if token else ""})
    conn.request(
        "POST",
        "/login",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = conn.getresponse()
    response.read()
    session = response.getheader("Set-Cookie", "").split(";")[0]
    if response.status != 303 or not session:
        sys.exit(f"the moderator could not log in (HTTP {response.status})")
    return session


def check_queue(engine: sa.Engine) -> tuple[int, int, int]:
    """(queue rows, their open reports, COUNT(*) of open reports): the last two must agree."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT COUNT(*), COALESCE(SUM(open_reports), 0) FROM moderation_queue")).one()
        counted = conn.execute(sa.text("SELECT COUNT(*) FROM reports WHERE handled_at IS NULL")).scalar_one()
    return rows[0], rows[1], counted


def deep_cursor(engine: sa.Engine, depth: int) -> str | None:
    """The queue's cursor at the end of page depth - 1 (as consult.moderation.queries encodes it)."""
    with engine.connect() as conn:
        last = conn.execute(
            sa.text(
                "SELECT open_reports, first_report_at, comment_id FROM moderation_queue "
                "ORDER BY open_reports DESC, first_report_at, comment_id LIMIT 1 OFFSET :o"
            ),
            {"o": (depth - 1) * 20 - 1},
        ).one_or_none()
    if last is None:
        return None
    first = last.first_report_at
    if isinstance(first, str):  # SQLite hands back the stored text
        first = dt.datetime.fromisoformat(first)
    micros = (first - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)
    return _encode(last.open_reports, micros, last.comment_id)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=5000, help="open reports in the queue")
    ap.add_argument("--comments", type=int, default=6000, help="comments loaded into the round first")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=15, help="per measurement (after a 2 s warm-up)")
    ap.add_argument("--depth", type=int, default=50, help="the deep page of the queue that is measured")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--database-url")
    ap.add_argument("--reset-database", action="store_true", help="empty the --database-url database first")
    args = ap.parse_args()

    tmp, url, env = bench_environment(args, "Moderation queue benchmark")
    engine = sa.create_engine(url)
    proc = None
    try:
        started = time.perf_counter()
        flask(env, "db", "upgrade")
        flask(env, "seed", "demo")
        users = max(100, args.comments // 20)
        flask(env, "seed", "load", "1", "--comments", str(args.comments), "--votes", "0", "--users", str(users),
              "--seed", "1", "--force")  # fmt: skip
        result = subprocess.run(
            [str(BIN / "python"), "-c", SETUP, str(args.reports), str(LOGGED)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            sys.exit(f"setup failed:\n{result.stderr}")
        info = json.loads(result.stdout.strip().splitlines()[-1])
        queued, summed, counted = check_queue(engine)
        print(f"\n### Setup ({time.perf_counter() - started:.0f} s)\n")
        print("| comments | queued comments | open reports (queue) | open reports (COUNT) | handled reports | ok |")
        print("|---|---|---|---|---|---|")
        print(
            row(
                info["comments"], queued, summed, counted, info["handled_reports"], "yes" if summed == counted else "NO"
            )
        )

        port, log = free_port(), tmp / "gunicorn.log"
        proc = start_server(env, port, args.workers, log)
        cookie = {"Cookie": log_in(port)}
        queue = f"/kelola/{SLUG}/moderasi"
        cursor = deep_cursor(engine, args.depth)
        targets = {"queue, first page": (queue, cookie)}
        if cursor:
            targets[f"queue, page {args.depth}"] = (f"{queue}?cursor={cursor}", cookie)
        sizes = {}
        for label, (path, headers) in targets.items():
            status, body = fetch(port, path, headers)
            if status != 200 or b"queue-item" not in body:
                sys.exit(f"{path} answered HTTP {status} without queue items")
            sizes[label] = len(body)
        print(f"\n### a. The queue, {args.clients} clients, {args.seconds:.0f} s (load {load_avg()})\n")
        print(READ_HEADER)
        for label, r in compare(port, targets, args.clients, args.seconds).items():
            print(read_row(label, r, sizes[label]), flush=True)
        print("\n(target: p95 ≤ 100 ms)")

        logs = {"log page (/moderasi)": ("/moderasi", {}), "log API": ("/api/v1/moderation-log", {})}
        sizes = {label: len(fetch(port, path)[1]) for label, (path, _) in logs.items()}
        print(f"\n### b. The public moderation log ({info['logged']} decisions), {args.clients} clients\n")
        print(READ_HEADER)
        for label, r in compare(port, logs, args.clients, args.seconds).items():
            print(read_row(label, r, sizes[label]), flush=True)
        errors = log.read_text(errors="replace").count("Traceback")
        print(f"\nTracebacks in the gunicorn log: {errors}")
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        engine.dispose()
        print(f"\nload at the end: {load_avg()}")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
