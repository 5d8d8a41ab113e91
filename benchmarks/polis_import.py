"""`flask polis import` at Polis's largest scale: 33,000 participants, 783 comments, 2,000,000 votes.

    .venv/bin/python benchmarks/polis_import.py [--participants 33000] [--comments 783] [--votes 2000000]
        [--seed 1] [--postgres-url postgresql+psycopg://consult:…@127.0.0.1:5432/consult_h2] [--skip-sqlite]

1. Writes a synthetic Polis export (comments.csv, votes.csv, summary.csv) with the generator of
   benchmarks/opinion.py into a temporary folder.
2. For each database: a fresh one (SQLite: a new file in a temporary folder; PostgreSQL: the given database's
   public schema dropped and created again, so it must be a database for benchmarks only), migrated with
   `flask db upgrade`, then `flask polis import DIR` run as its own process, as an operator runs it: interpreter
   start-up, imports, reading and checking the export, the one write transaction, ANALYZE on PostgreSQL.
   Its wall time and peak RSS (wait4's ru_maxrss of that process; this one stays small, the export is generated
   by a process of its own) are printed with its progress lines.
3. Checks the result: COUNT(*) of users, participants, comments and comment_votes against the export, and
   the cached counters against COUNT(*). The PostgreSQL schema is dropped again at the end.

Prints Markdown rows for docs/PERFORMANCE.md, with the machine's load before and after.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
FLASK = ROOT / ".venv" / "bin" / "flask"


def load_avg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def reset_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def run_timed(args: list[str], env: dict) -> tuple[float, float, int, str, str]:
    """Run a command as its own process: (wall seconds, peak RSS in MB, exit status, stdout, stderr)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        _pid, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_maxrss / 1024, process.returncode, out.read(), err.read()


def check(url: str, votes: int, participants: int, comments: int) -> str:
    """COUNT(*) of what was imported, and the cached counters against COUNT(*)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        q = lambda sql: conn.execute(sa.text(sql)).scalar()  # noqa: E731
        counts = {t: q(f"SELECT COUNT(*) FROM {t}") for t in ("users", "participants", "comments", "comment_votes")}  # noqa: S608
        wrong_comments = q(
            "SELECT COUNT(*) FROM comments c WHERE agree_count + disagree_count + pass_count <> "
            "(SELECT COUNT(*) FROM comment_votes v WHERE v.comment_id = c.id) OR agree_count <> "
            "(SELECT COUNT(*) FROM comment_votes v WHERE v.comment_id = c.id AND v.value = 1)"
        )
        wrong_round = q(
            "SELECT COUNT(*) FROM rounds r WHERE comment_count <> "
            "(SELECT COUNT(*) FROM comments c WHERE c.round_id = r.id AND c.status = 'visible')"
        )
    engine.dispose()
    expected = {"users": participants, "participants": participants, "comments": comments, "comment_votes": votes}
    ok = counts == expected and wrong_comments == 0 and wrong_round == 0
    return f"{'OK' if ok else 'WRONG'} {counts} (comments with wrong counters: {wrong_comments}, rounds: {wrong_round})"


def bench(label: str, url: str, folder: Path, instance: Path, expected: tuple[int, int, int]) -> None:
    env = dict(os.environ, DATABASE_URL=url, CONSULT_INSTANCE_PATH=str(instance), SECRET_KEY="bench-only")  # noqa: S106
    subprocess.run([str(FLASK), "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    before = load_avg()
    wall, peak, status, out, err = run_timed([str(FLASK), "--app", "app", "polis", "import", str(folder)], env)
    after = load_avg()
    print(f"\n### {label}\n")
    for line in out.strip().splitlines():
        print(f"    {line}")
    if status != 0:
        print(f"FAILED (exit {status}):\n{err}")
        return
    print("\n| database | wall time | peak RSS | load before → after |\n|---|---|---|---|")
    print(f"| {label} | {wall:.1f} s | {peak:.0f} MB | {before} → {after} |")
    print(f"\ncheck: {check(url, *expected)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=33_000)
    parser.add_argument("--comments", type=int, default=783)
    parser.add_argument("--votes", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url", help="a PostgreSQL database for benchmarks only (its schema is reset)")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="consult-polis-import-"))
    folder = tmp / "export"
    started = time.perf_counter()
    # In a process of its own: this one stays small, so the import's peak RSS (wait4) is the import's alone (a
    # child's ru_maxrss also counts the memory it shared with its parent between fork and exec).
    generator = (
        "import sys; from pathlib import Path; from benchmarks.opinion import generate; "
        f"generate(Path(sys.argv[1]), {args.participants}, {args.comments}, {args.votes}, 4, {args.seed})"
    )
    subprocess.run([sys.executable, "-c", generator, str(folder)], cwd=ROOT, check=True)
    (folder / "planted.npy").unlink()
    size = (folder / "votes.csv").stat().st_size / 1e6
    print(f"## flask polis import: {args.participants} participants, {args.comments} comments, {args.votes} votes")
    print(f"\n{os.cpu_count()} CPUs, load {load_avg()}; export generated in {time.perf_counter() - started:.0f} s")
    print(f"(votes.csv {size:.0f} MB) at {folder}")

    # the generator's export: every participant votes at least once, all on distinct comments, author 0 wrote all
    expected = (args.votes, args.participants, args.comments)

    if not args.skip_sqlite:
        sqlite_dir = tmp / "sqlite"
        sqlite_dir.mkdir()
        bench("SQLite", f"sqlite:///{sqlite_dir / 'bench.db'}", folder, sqlite_dir, expected)
    if args.postgres_url:
        reset_schema(args.postgres_url)
        try:
            bench("PostgreSQL", args.postgres_url, folder, tmp, expected)
        finally:
            reset_schema(args.postgres_url)  # leave the benchmark database empty


if __name__ == "__main__":
    main()
