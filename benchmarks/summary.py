"""The deliberation summary at scale: tagging, the draft's figures, publishing (with its e-mails) and the published
page under load.

`flask seed load 1` puts N comments and M votes from U synthetic people into the demo's open round; this process
then closes it, computes its campaigns and opinion groups, makes one theme per section and tags every comment of
that section into it (the largest bulk tagging a moderator can ask for), answers every theme, computes the draft
summary and publishes it, each step timed in this process through the services. Then gunicorn serves the
published page and the API's summary, loaded from this process with keep-alive clients.

    .venv/bin/python benchmarks/summary.py [--comments 100000 --votes 1000000 --users 30000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (  # noqa: E402
    READ_HEADER,
    bench_environment,
    closed_loop,
    fetch,
    flask,
    free_port,
    read_row,
    start_server,
)

GZIP = {"Accept-Encoding": "gzip"}


def timed(label: str, fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    print(f"| {label} | {time.perf_counter() - start:.2f} s |", flush=True)
    return result


def deliberate(env: dict) -> None:
    """Close, compute, theme, answer, draft and publish in this process (timed), against the benchmark database."""
    os.environ.update(env)
    import sqlalchemy as sa

    from consult import create_app
    from consult.accounts.models import User
    from consult.deliberation.services import refresh_campaigns, refresh_round_opinions
    from consult.deliberation.services.dispositions import set_theme_disposition
    from consult.deliberation.services.summary import publish_summary, summary_for
    from consult.deliberation.services.themes import create_theme, tag
    from consult.documents.models import Section
    from consult.extensions import db
    from consult.notifications.models import OutboxMessage
    from consult.participation.models import Comment
    from consult.rounds.models import Round
    from consult.rounds.services import close_round

    app = create_app()
    with app.app_context(), app.test_request_context():
        admin = db.session.scalar(sa.select(User).where(User.email == "pengelola@disdukcapil-sukamaju.example"))
        moderator = db.session.scalar(sa.select(User).where(User.email == "moderator@disdukcapil-sukamaju.example"))
        rnd = db.session.get(Round, 1)
        print("| step | time |\n|---|---|")
        timed("close the round", close_round, moderator, rnd, "Benchmark.")
        timed("campaigns (final scan)", refresh_campaigns, rnd.id, actor="bench")
        timed("opinion groups (round and sections)", refresh_round_opinions, rnd.id, actor="bench")
        sections = dict(
            db.session.execute(
                sa.select(Section.key, sa.func.count(Comment.id))
                .join(Comment, Comment.section_id == Section.id)
                .where(Comment.round_id == rnd.id)
                .group_by(Section.key)
            ).all()
        )  # comments per section: the size of each bulk tag
        biggest = max(sections, key=sections.get)
        themes = []
        for key in sorted(sections):
            theme = create_theme(moderator, rnd, f"Tema {key}", "Sintesis.")
            label = f"tag all {sections[key]:,} comments of section {key}"
            count = (
                timed(label, tag, moderator, theme, section_key=key)
                if key == biggest
                else tag(moderator, theme, section_key=key)
            )
            themes.append((theme, count))
        for theme, _ in themes:
            set_theme_disposition(admin, theme, "adopted", "Diterima.")
        db.session.expire_all()
        rnd = db.session.get(Round, 1)
        timed("draft summary (summary_for, staff)", summary_for, rnd, admin)
        before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
        timed("publish (freeze + audit + queue e-mails)", publish_summary, rnd, admin)
        after = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
        print(f"\n{after - before:,} e-mails queued by the publication; {len(themes)} themes.")
        print(f"Peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--comments", type=int, default=100_000)
    ap.add_argument("--votes", type=int, default=1_000_000)
    ap.add_argument("--users", type=int, default=30_000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--database-url")
    ap.add_argument("--reset-database", action="store_true")
    args = ap.parse_args()
    tmp, _url, env = bench_environment(args, "Deliberation summary")
    flask(env, "db", "upgrade")
    flask(env, "seed", "demo")
    start = time.perf_counter()
    flask(env, "seed", "load", "1", "--comments", str(args.comments), "--votes", str(args.votes),
          "--users", str(args.users), "--seed", "1", "--force")  # fmt: skip
    print(f"\nseed load: {args.comments:,} comments, {args.votes:,} votes, {args.users:,} people in "
          f"{time.perf_counter() - start:.0f} s\n")  # fmt: skip
    deliberate(env)
    port = free_port()
    proc = start_server(env, port, args.workers, tmp / "gunicorn.log")
    try:
        for path in ("/rounds/1/ringkasan", "/api/v1/rounds/1/summary"):
            assert fetch(port, path)[0] == 200, path
        print(f"\n### Published summary under load ({args.workers} workers, {args.clients} clients)\n")
        print(READ_HEADER)
        for path in ("/rounds/1/ringkasan", "/api/v1/rounds/1/summary"):
            closed_loop(port, args.clients, 2, lambda k, n, p=path: ("GET", p, None, GZIP))
            run = closed_loop(port, args.clients, args.seconds, lambda k, n, p=path: ("GET", p, None, GZIP))
            print(read_row(path, run, len(fetch(port, path, GZIP)[1])), flush=True)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)


if __name__ == "__main__":
    main()
