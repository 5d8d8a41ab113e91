"""Report card at scale: 100,000 complaints and 100,000 survey responses of the demo agency, its report card (page
and API) and a complaint's status page.

`flask seed demo` makes the demo agency (an adopted charter, a few dozen survey responses); benchmarks/complaints.py's
build() adopts a second service standard and bulk-inserts N complaints; this script then bulk-inserts M survey
responses with raw INSERTs over the eight quarters the report card's trend shows (mostly paper forms, entered by the
demo moderator; some web ones from the seeded users, once per person, service and quarter) and brings
survey_tallies into agreement in the same transactions, as record_survey() does (responses, paper_responses and
the nine sums per service and quarter). It checks the tallies against the rows and the report card's IKM against
the regulation's formula over the rows, counts the SQL queries of each page in-process (demo only, then full),
then gunicorn serves as docs/OPERATIONS.md deploys it and this process loads it with keep-alive clients.

    .venv/bin/python benchmarks/report_card.py [--complaints 100000] [--surveys 100000] [--port 5212]
        [--database-url URL [--reset-database]]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import signal
import sys
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402

from benchmarks.complaints import GZIP  # noqa: E402
from benchmarks.complaints import build as build_complaints  # noqa: E402
from benchmarks.harness import (  # noqa: E402
    CPU_SOURCES,
    READ_HEADER,
    bench_environment,
    closed_loop,
    fetch,
    flask,
    read_row,
    row,
    start_server,
)
from benchmarks.moderation_queue import MODERATOR  # noqa: E402

CHUNK = 5_000
TREND = 8  # quarters on the report card's chart (consult.accountability.services.report_card.TREND_QUARTERS)
WINDOW = 4  # quarters in the index (IKM_QUARTERS)
MOOD = ((0.1, 0.6), (0.3, 1.5), (1, 4), (0.5, 3))  # ranges of the weights of scores 1-4 per service and quarter


def _app():
    from consult import create_app

    return create_app()


def _demo_agency():
    from consult.agencies.models import Agency
    from consult.demo_content import AGENCY
    from consult.extensions import db

    return db.session.scalar(sa.select(Agency).where(Agency.slug == AGENCY["slug"]))


def _trend_quarters(now: dt.datetime, tz: str) -> list:
    from consult.accountability import ikm

    last = ikm.quarter_of(now, tz)
    first = last
    for _ in range(TREND - 1):
        first = ikm.Quarter(first.year - 1, 4) if first.quarter == 1 else ikm.Quarter(first.year, first.quarter - 1)
    return ikm.quarters(first, last)


def seed_surveys(env: dict, n: int, web_share: float) -> float:
    """Insert `n` survey responses and their tallies; returns the seconds it took."""
    os.environ.update(env)
    from consult.accountability import ikm
    from consult.accountability.models import ELEMENT_COLUMNS, Service, SurveyResponse, SurveyTally
    from consult.accounts.models import User
    from consult.db import insert_or_nothing
    from consult.extensions import db, write_transaction
    from consult.timeutil import utcnow

    app = _app()
    with app.app_context():
        agency = _demo_agency()
        tz = agency.timezone or "Asia/Jakarta"
        services = list(db.session.scalars(sa.select(Service.id).where(Service.agency_id == agency.id)))
        clerk = db.session.scalar(sa.select(User.id).where(User.email == MODERATOR))
        users = list(db.session.scalars(sa.select(User.id).order_by(User.id)))
        now = utcnow()
        today = now.replace(tzinfo=dt.UTC).astimezone(ikm.ZoneInfo(tz)).date()
        quarters = _trend_quarters(now, tz)
        taken = set(
            db.session.execute(
                sa.select(
                    SurveyResponse.service_id, SurveyResponse.respondent_id, SurveyResponse.year, SurveyResponse.quarter
                ).where(SurveyResponse.respondent_id.is_not(None))
            ).all()
        )
        rng = random.Random(13)
        web = [(s, u, q) for s in services for u in users for q in quarters if (s, u, q.year, q.quarter) not in taken]
        rng.shuffle(web)
        web = web[: min(len(web), int(n * web_share))]
        # satisfaction per service and quarter: a mood that drifts, so the index and the trend vary
        mood = {(s, q): [rng.uniform(lo, hi) for lo, hi in MOOD] for s in services for q in quarters}
        plan = [(s, u, q) for s, u, q in web] + [
            (rng.choice(services), None, rng.choice(quarters)) for _ in range(n - len(web))
        ]
        rng.shuffle(plan)
        start = time.perf_counter()
        for first in range(0, len(plan), CHUNK):
            rows, tallies = [], {}
            for service_id, user_id, q in plan[first : first + CHUNK]:
                scores = rng.choices((1, 2, 3, 4), weights=mood[(service_id, q)], k=9)
                last_day = min(today, q.end - dt.timedelta(days=1))
                served = q.start + dt.timedelta(days=rng.randrange((last_day - q.start).days + 1))
                at = dt.datetime.combine(served, dt.time(3)) + dt.timedelta(minutes=rng.randrange(600))
                rows.append(
                    {
                        "agency_id": agency.id, "service_id": service_id, "respondent_id": user_id,
                        "channel": "web" if user_id else "paper", "entered_by_id": None if user_id else clerk,
                        "year": q.year, "quarter": q.quarter, "served_on": None if user_id else served,
                        "created_at": min(at, now), **dict(zip(ELEMENT_COLUMNS, scores, strict=True)),
                    }
                )  # fmt: skip
                tally = tallies.setdefault((service_id, q.year, q.quarter), [0] * 11)
                tally[0] += 1
                tally[1] += 0 if user_id else 1
                for k, score in enumerate(scores):
                    tally[2 + k] += score
            t = SurveyTally.__table__.c
            with write_transaction():
                db.session.execute(sa.insert(SurveyResponse), rows)
                for (service_id, year, quarter), (count, paper, *sums) in tallies.items():
                    key = {"service_id": service_id, "year": year, "quarter": quarter}
                    insert_or_nothing(SurveyTally, index_elements=["service_id", "year", "quarter"], **key)
                    db.session.execute(
                        sa.update(SurveyTally)
                        .where(*(getattr(SurveyTally, k) == v for k, v in key.items()))
                        .values(
                            responses=t.responses + count,
                            paper_responses=t.paper_responses + paper,
                            **{f"sum_{c}": t[f"sum_{c}"] + s for c, s in zip(ELEMENT_COLUMNS, sums, strict=True)},
                        )
                    )
        took = time.perf_counter() - start
        print(
            f"{n:,} survey responses ({len(web):,} web, {n - len(web):,} paper; {len(services)} services, "
            f"{len(quarters)} quarters) inserted with their tallies in {took:.1f} s\n"
        )
        return took


def verify(env: dict) -> dict:
    """The tallies equal the rows' aggregates, and the report card's IKM (index and trend) equals the formula over
    the rows: the mean of the nine element means x 25, rounded half up to 2 decimals. Returns {service slug: index}."""
    os.environ.update(env)
    from consult.accountability import ikm
    from consult.accountability.models import ELEMENT_COLUMNS, Service, SurveyResponse, SurveyTally
    from consult.accountability.services import report_card as cards
    from consult.extensions import db

    app = _app()
    with app.app_context():
        agency = _demo_agency()
        r = SurveyResponse
        from_rows = {
            (s, y, q): (n, p, *sums)
            for s, y, q, n, p, *sums in db.session.execute(
                sa.select(
                    r.service_id, r.year, r.quarter, sa.func.count(),
                    sa.func.sum(sa.case((r.channel == "paper", 1), else_=0)),
                    *(sa.func.sum(getattr(r, c)) for c in ELEMENT_COLUMNS),
                )
                .join(Service, Service.id == r.service_id)
                .where(Service.agency_id == agency.id)
                .group_by(r.service_id, r.year, r.quarter)
            )
        }  # fmt: skip
        t = SurveyTally
        tallied = {
            (s, y, q): (n, p, *sums)
            for s, y, q, n, p, *sums in db.session.execute(
                sa.select(t.service_id, t.year, t.quarter, t.responses, t.paper_responses,
                          *(getattr(t, f"sum_{c}") for c in ELEMENT_COLUMNS))
                .join(Service, Service.id == t.service_id)
                .where(Service.agency_id == agency.id, t.responses > 0)
            )
        }  # fmt: skip
        if from_rows != tallied:
            sys.exit(f"survey_tallies disagree with survey_responses: {set(from_rows) ^ set(tallied)}")

        def formula(keys: list) -> Decimal | None:  # the regulation's, over the rows' aggregates
            count = sum(from_rows[k][0] for k in keys)
            if not count:
                return None
            means = [Fraction(sum(from_rows[k][2 + e] for k in keys), count) for e in range(len(ELEMENT_COLUMNS))]
            return ikm.round_half_up(sum(means, Fraction(0)) / len(means) * 25)

        card = cards.report_card(agency)
        window = card.trend_quarters[-WINDOW:]
        indexes = {}
        for row_ in card.services:
            sid = row_.service.id
            keys = [(sid, q.year, q.quarter) for q in window if (sid, q.year, q.quarter) in from_rows]
            expected = formula(keys)
            if row_.ikm.index != expected:
                sys.exit(f"{row_.service.slug}: the report card says IKM {row_.ikm.index}, the rows {expected}")
            for q, result in row_.trend:
                key = (sid, q.year, q.quarter)
                if result.index != formula([key] if key in from_rows else []):
                    sys.exit(f"{row_.service.slug} {q}: the trend says {result.index}, the rows otherwise")
            indexes[row_.service.slug] = row_.ikm.index
            print(
                f"- {row_.service.name}: IKM {row_.ikm.index} ({row_.ikm.grade.letter if row_.ikm.grade else '-'}) "
                f"over {row_.ikm.responses:,} responses in {window[0]}…{window[-1]}, "
                f"{row_.complaints.received:,} complaints ({row_.complaints.overdue:,} overdue)"
            )
        print(f"\nTallies equal the rows ({len(tallied)} service-quarters); IKM and trend equal the formula.\n")
        return {slug: float(index) if index is not None else None for slug, index in indexes.items()}


@contextlib.contextmanager
def _statements(engine):
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def _demo_complaint(env: dict) -> str:
    os.environ.update(env)
    from consult.accountability.models import Complaint
    from consult.extensions import db

    with _app().app_context():
        return db.session.scalar(sa.select(Complaint.tracking_number).order_by(Complaint.id).limit(1))


def count_queries(env: dict, paths: dict[str, str]) -> dict[str, int]:
    """SQL statements per request, in-process (the test client on the same database), second request of each."""
    os.environ.update(env)
    from consult.extensions import db

    app = _app()
    client = app.test_client()
    counts = {}
    with app.app_context():
        engine = db.engine
    host = {"headers": GZIP, "base_url": "http://127.0.0.1"}  # TRUSTED_HOSTS: the host of PUBLIC_URL
    for label, path in paths.items():
        status = client.get(path, **host).status_code
        assert status == 200, (path, status)
        with _statements(engine) as seen:
            assert client.get(path, **host).status_code == 200, path
        counts[label] = len(seen)
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--complaints", type=int, default=100_000)
    ap.add_argument("--surveys", type=int, default=100_000)
    ap.add_argument("--web-share", type=float, default=0.05, help="share of web responses (the rest are paper)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--port", type=int, default=5212)
    ap.add_argument("--database-url")
    ap.add_argument("--reset-database", action="store_true")
    args = ap.parse_args()
    tmp, url, env = bench_environment(args, "Report card")
    flask(env, "db", "upgrade")
    flask(env, "seed", "demo")
    from consult.demo_content import AGENCY

    slug = AGENCY["slug"]
    card_paths = {
        "report card page": f"/instansi/{slug}/rapor",
        "report card API": f"/api/v1/agencies/{slug}/report-card",
    }
    before = count_queries(env, {**card_paths, "complaint status page": f"/pengaduan/{_demo_complaint(env)}"})
    start = time.perf_counter()
    slug, number = build_complaints(env, args.complaints)
    seed_surveys(env, args.surveys, args.web_share)
    print(f"Seeding (complaints and surveys, after the demo) took {time.perf_counter() - start:.1f} s\n")
    indexes = verify(env)
    paths = {**card_paths, "complaint status page": f"/pengaduan/{number}"}
    after = count_queries(env, paths)
    print("### SQL queries per request (in-process)\n")
    print("| request | demo only | full |\n|---|---|---|")
    for label in paths:
        print(row(label, before[label], after[label]))
    proc = start_server(env, args.port, args.workers, tmp / "gunicorn.log")
    CPU_SOURCES["server_pgid"] = proc.pid  # start_new_session: the workers share the master's group
    CPU_SOURCES["database"] = sa.engine.make_url(url).database if url.startswith("postgresql") else None
    try:
        status, body = fetch(args.port, paths["report card API"])
        served = {s["service_slug"]: s["ikm"]["index"] for s in json.loads(body)["services"]}
        assert status == 200 and served == indexes, (status, served, indexes)
        print(f"\n### Under load ({args.workers} workers, {args.clients} clients, {args.complaints:,} complaints, "
              f"{args.surveys:,} survey responses)\n")  # fmt: skip
        print(READ_HEADER)
        notes = []
        for label, path in paths.items():
            closed_loop(args.port, args.clients, 2, lambda k, n, p=path: ("GET", p, None, GZIP))
            run = closed_loop(args.port, args.clients, args.seconds, lambda k, n, p=path: ("GET", p, None, GZIP))
            size = len(fetch(args.port, path, GZIP)[1])
            print(read_row(path, run, size), flush=True)
            notes.append(f"{label}: {run.cpu}; {len(fetch(args.port, path)[1]):,} bytes uncompressed")
        print("\n" + "\n".join(f"- {note}" for note in notes))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)


if __name__ == "__main__":
    main()
