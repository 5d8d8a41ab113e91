"""`flask opinion compute` as a whole command on votes in the database, side by side with red-dwarf.

    .venv/bin/python benchmarks/opinion_database.py [--participants 33000] [--comments 783] [--votes 2000000]
        [--postgres-url postgresql+psycopg://…/DB] [--skip-reddwarf]

1. Writes the synthetic conversation of benchmarks/opinion.py (planted groups, deterministic from --seed) as a
   Polis export into a temporary folder.
2. `flask polis import` puts it into a fresh SQLite database (and, with --postgres-url, into that PostgreSQL
   database, whose tables are dropped first and after: give it a database made for the benchmark).
3. Times `flask opinion compute ROUND --json --force` as its own process: interpreter start-up, the app's
   imports, reading the 2M votes from the database, computing, storing the result, printing the contract JSON;
   its peak RSS from /usr/bin/time. The ARI is against the planted groups (participants are the Polis ids).
4. Runs red-dwarf (its own virtualenv, see benchmarks/opinion.py) on the same votes.csv as a whole process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.opinion import REDDWARF, ari, generate  # noqa: E402

FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]


def flask(env: dict, *args: str, timed: bool = False) -> tuple[str, float, float]:
    """Run a flask command; (stdout, wall seconds, peak RSS MB when timed)."""
    prefix = ["/usr/bin/time", "-f", "%M"] if timed else []
    start = time.perf_counter()
    proc = subprocess.run(prefix + FLASK + list(args), env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    peak = int(proc.stderr.strip().splitlines()[-1]) / 1024 if timed else 0.0
    return proc.stdout, wall, peak


def reset_postgres(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def measure(label: str, url: str, folder: Path, planted) -> float:
    env = dict(os.environ, DATABASE_URL=url, CONSULT_ENV="development", RATELIMIT_ENABLED="false")
    flask(env, "db", "upgrade")
    out, import_wall, import_peak = flask(env, "polis", "import", str(folder), timed=True)
    round_id = json.loads(out.strip().splitlines()[-1])["round_id"]
    out, wall, peak = flask(env, "opinion", "compute", str(round_id), "--json", "--force", timed=True)
    result = json.loads(out.strip().splitlines()[-1])
    mine = {p["participant"]: p["group"] for p in result["participants"]}
    ids = sorted(mine)
    score = ari([planted[i] for i in ids], [mine[i] for i in ids])
    print(
        f"{label}: polis import {import_wall:.1f} s ({import_peak:.0f} MB); opinion compute {wall:.1f} s, "
        f"peak RSS {peak:.0f} MB, k {result['k']}, clustered {len(ids)}, ARI vs planted {score:.4f}"
    )
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--participants", type=int, default=33_000)
    ap.add_argument("--comments", type=int, default=783)
    ap.add_argument("--votes", type=int, default=2_000_000)
    ap.add_argument("--groups", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--postgres-url")
    ap.add_argument("--reddwarf", default=str(ROOT / "benchmarks" / ".venv-reddwarf" / "bin" / "python"))
    ap.add_argument("--skip-reddwarf", action="store_true")
    args = ap.parse_args()
    print(f"load average: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="opinion-db-bench-") as tmp:
        folder = Path(tmp) / "export"
        planted = generate(folder, args.participants, args.comments, args.votes, args.groups, args.seed)
        walls = {"SQLite": measure("SQLite", f"sqlite:///{tmp}/bench.db", folder, planted)}
        if args.postgres_url:
            reset_postgres(args.postgres_url)
            try:
                walls["PostgreSQL"] = measure("PostgreSQL", args.postgres_url, folder, planted)
            finally:
                reset_postgres(args.postgres_url)
        if args.skip_reddwarf:
            return
        start = time.perf_counter()
        proc = subprocess.run([args.reddwarf, "-c", REDDWARF, str(folder)], capture_output=True, text=True)
        rd_wall = time.perf_counter() - start
        if proc.returncode:
            sys.exit(proc.stderr[-3000:])
        rd = json.loads(proc.stdout.strip().splitlines()[-1])
        labels = {int(k): v for k, v in rd["labels"].items()}
        rids = sorted(labels)
        print(
            f"red-dwarf: wall {rd_wall:.1f} s (read {rd['read_s']:.1f} s, compute {rd['compute_s']:.1f} s), "
            f"peak RSS {rd['peak_mb']:.0f} MB, k {len(set(labels.values()))}, "
            f"ARI vs planted {ari([planted[i] for i in rids], [labels[i] for i in rids]):.4f}"
        )
        for label, wall in walls.items():
            print(f"time ratio flask opinion compute ({label}) / red-dwarf: {wall / rd_wall:.3f}")
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
