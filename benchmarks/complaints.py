"""Complaints at scale: 100,000 complaints of the demo agency, its complaint status page and its staff list.

`flask seed demo` makes the demo agency; this process adopts a service standard for it (the version_adopted signal,
as the charter's adoption sends it), publishes its commitments, then bulk-inserts N complaints with raw INSERTs
(a quarter answered, some disputed, some confirmed, the rest open; one "received" history row each). gunicorn then
serves, as docs/OPERATIONS.md deploys it, and a second process (this one) loads with keep-alive clients:
the public status page of one complaint, its API answer, and the staff list (first page, "overdue" filter), the
latter logged in as the demo moderator through the login form.

    .venv/bin/python benchmarks/complaints.py [--complaints 100000] [--port 5211] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import (  # noqa: E402
    CPU_SOURCES,
    READ_HEADER,
    bench_environment,
    closed_loop,
    fetch,
    flask,
    read_row,
    start_server,
)
from benchmarks.moderation_queue import MODERATOR  # noqa: E402

GZIP = {"Accept-Encoding": "gzip"}
CHUNK = 5_000


def log_in(port: int) -> str:
    """Log the demo moderator in through the form; every cookie the login set, for the staff pages."""
    import http.client
    import re
    from urllib.parse import urlencode

    from consult.demo import DEMO_PASSWORD

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    response = conn.getresponse()
    page = response.read().decode()
    jar = dict(c.split(";")[0].split("=", 1) for c in response.headers.get_all("Set-Cookie") or [])
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    form = urlencode({"email": MODERATOR, "password": DEMO_PASSWORD, "csrf_token": token.group(1) if token else ""})
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    conn.request("POST", "/login", body=form, headers=headers)
    response = conn.getresponse()
    response.read()
    jar.update(dict(c.split(";")[0].split("=", 1) for c in response.headers.get_all("Set-Cookie") or []))
    if response.status != 303:
        sys.exit(f"the moderator could not log in (HTTP {response.status})")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def build(env: dict, n: int) -> tuple[str, str]:
    """Adopt a standard, publish its commitments, insert `n` complaints. Returns (agency slug, a tracking number)."""
    os.environ.update(env)
    import sqlalchemy as sa

    from consult import create_app, signals
    from consult.accountability import deadlines
    from consult.accountability.models import Commitment, Complaint, ComplaintEvent, Service
    from consult.accountability.services import commitments
    from consult.accounts.models import User
    from consult.agencies.models import Agency
    from consult.demo_content import AGENCY
    from consult.documents.components import COMPONENT_KEYS
    from consult.documents.models import DocumentKind, DocumentVersion
    from consult.documents.services import create_document, publish_version
    from consult.extensions import db, write_transaction
    from consult.timeutil import utcnow

    app = create_app()
    with app.app_context(), app.test_request_context():
        agency = db.session.scalar(sa.select(Agency).where(Agency.slug == AGENCY["slug"]))
        admin = db.session.scalar(sa.select(User).where(User.email == "pengelola@disdukcapil-sukamaju.example"))
        components = {k: f"Isi komponen {k}." for k in COMPONENT_KEYS}
        components |= {
            "jangka-waktu": "Paling lama 14 hari kerja.",
            "biaya-tarif": "Tidak dipungut biaya (gratis).",
        }
        document = create_document(
            admin, agency, DocumentKind.SERVICE_STANDARD, "Standar Pelayanan Bench", "Bench",
            components=components, service_name="Layanan Bench",
        )  # fmt: skip
        publish_version(admin, document.latest_version)
        version = db.session.get(DocumentVersion, document.latest_version.id)
        with write_transaction():
            version.adopted_at = utcnow()
            signals.version_adopted.send(version, revision=None, round=None, actor=admin)
        service = db.session.scalar(sa.select(Service).where(Service.agency_id == agency.id))
        commitments.publish_commitments(admin, agency, service)
        commitment_ids = list(db.session.scalars(sa.select(Commitment.id).where(Commitment.state == "published")))
        citizens = list(db.session.scalars(sa.select(User.id).limit(200)))
        now = utcnow()
        rng = random.Random(1)
        digest = deadlines.secret_digest("BENC-HBEN-CHBE", b"bench")
        start = time.perf_counter()
        seen: set[str] = set()
        sample = None
        for first in range(0, n, CHUNK):
            rows, events = [], []
            for i in range(first, min(n, first + CHUNK)):
                number = deadlines.new_tracking_number()
                while number in seen:
                    number = deadlines.new_tracking_number()
                seen.add(number)
                received = now - dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
                state = rng.random()
                answered = received + dt.timedelta(days=rng.randrange(1, 20)) if state < 0.5 else None
                if answered is not None and answered > now:
                    answered = None
                status = "received"
                if answered is not None:
                    status = "confirmed" if state < 0.3 else "answered"
                due = received + dt.timedelta(days=14)
                rows.append(
                    {
                        "tracking_number": number, "secret_digest": digest, "agency_id": agency.id,
                        "service_id": service.id, "commitment_id": rng.choice(commitment_ids),
                        "complainant_id": rng.choice(citizens), "channel": "web", "what": f"Keluhan nomor {i}.",
                        "what_html": f"<p>Keluhan nomor {i}.</p>", "confidential": False, "text_visibility": "private",
                        "status": status, "received_at": received, "due_at": due, "first_due_at": due,
                        "answered_at": answered, "first_answered_at": answered,
                        "answer": "Jawaban." if answered else None,
                        "answer_html": "<p>Jawaban.</p>" if answered else None,
                        "answered_on_time": (answered <= due) if answered else None, "dispute_count": 0,
                        "created_at": received,
                    }
                )  # fmt: skip
            with write_transaction():
                db.session.execute(sa.insert(Complaint), rows)
                ids = db.session.execute(
                    sa.select(Complaint.id, Complaint.received_at).where(
                        Complaint.tracking_number.in_([r["tracking_number"] for r in rows])
                    )
                ).all()
                events = [
                    {"complaint_id": cid, "kind": "received", "at": at, "actor_role": "complainant"} for cid, at in ids
                ]
                db.session.execute(sa.insert(ComplaintEvent), events)
            sample = sample or rows[0]["tracking_number"]
        print(f"\n{n:,} complaints inserted in {time.perf_counter() - start:.1f} s\n")
        return agency.slug, sample


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--complaints", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--port", type=int, default=5211)
    ap.add_argument("--database-url")
    ap.add_argument("--reset-database", action="store_true")
    args = ap.parse_args()
    tmp, url, env = bench_environment(args, "Complaints")
    flask(env, "db", "upgrade")
    flask(env, "seed", "demo")
    slug, number = build(env, args.complaints)
    proc = start_server(env, args.port, args.workers, tmp / "gunicorn.log")
    CPU_SOURCES["server_pgid"] = proc.pid  # start_new_session: the workers share the master's group
    CPU_SOURCES["database"] = url.rsplit("/", 1)[-1] if url.startswith("postgresql") else None
    try:
        cookie = {"Cookie": log_in(args.port), **GZIP}
        targets = [
            (f"/pengaduan/{number}", GZIP),
            (f"/api/v1/complaints/{number}", GZIP),
            (f"/kelola/{slug}/pengaduan", cookie),
            (f"/kelola/{slug}/pengaduan?status=overdue", cookie),
        ]
        for path, headers in targets:
            status = fetch(args.port, path, headers)[0]
            assert status == 200, (path, status)
        print(f"### Complaints under load ({args.workers} workers, {args.clients} clients, {args.complaints:,} rows)\n")
        print(READ_HEADER)
        cpu = []
        for path, headers in targets:
            closed_loop(args.port, args.clients, 2, lambda k, n, p=path, h=headers: ("GET", p, None, h))
            run = closed_loop(
                args.port, args.clients, args.seconds, lambda k, n, p=path, h=headers: ("GET", p, None, h)
            )
            print(read_row(path, run, len(fetch(args.port, path, headers)[1])), flush=True)
            cpu.append(f"- {path.split('?')[-1] if '?' in path else path}: {run.cpu}")
        print("\n" + "\n".join(cpu))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)


if __name__ == "__main__":
    main()
