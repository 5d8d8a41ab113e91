"""What one comment post costs in CPU instructions, for this checkout and another one, counted by valgrind.

    .venv/bin/python benchmarks/post_cost.py [--other PATH] [--posts 200] [--warm 30]

Wall-clock figures move by ±20 % and more when other sessions share the 2 cores; instruction counts do not
(they vary by well under 1 % between runs). For each checkout (this one and, with --other, another one, for
example a `git worktree add /tmp/base <commit>` of an earlier commit sharing this .venv) the script migrates a
fresh SQLite database, loads the demo and creates a verified user with an API token, in a child process run
under `valgrind --tool=callgrind`. The child posts --warm comments, then --posts more through the Flask test
client (POST /api/v1/rounds/1/comments with the bearer token, rate limits off); it is run twice, once with
--posts 0, and the difference of the two instruction totals divided by --posts is what one post costs
(start-up, migrations, the demo and the warm-up cancel out). The request goes through the whole app — the
token, the rate-limit bookkeeping, the service, the audit entry, the counters, the JSON answer — but not
through gunicorn or the network.

Prints a Markdown table for docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DRIVER = r"""
import logging, os, sys, tempfile
tmp = tempfile.mkdtemp(prefix="consult-cost-")
os.environ.update(CONSULT_INSTANCE_PATH=tmp, RATELIMIT_ENABLED="false", DATABASE_URL=f"sqlite:///{tmp}/c.db",
                  SECRET_KEY="bench-only", TRUSTED_HOSTS="*")
sys.path.insert(0, os.getcwd())
from consult import create_app
from flask_migrate import upgrade
app = create_app()
logging.disable(logging.INFO)
with app.app_context():
    upgrade()
    from consult.demo import load_demo
    load_demo()
    try:
        from consult.agencies.roles import create_user
    except ImportError:  # before the house issue moved it
        from consult.accounts.services import create_user
    from consult.accounts.services import create_api_token
    user = create_user("peserta.uji@example.org", "Peserta Uji", "Bench-Kata-Sandi-2026", verified=True, actor="bench")
    token = create_api_token(user)
client = app.test_client()
headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "br, gzip"}
warm, posts = int(sys.argv[1]), int(sys.argv[2])
for i in range(warm + posts):
    answer = client.post("/api/v1/rounds/1/comments", json={"body": f"Komentar nomor {i} untuk uji biaya."},
                         headers=headers)
    assert answer.status_code == 201, answer.get_data(as_text=True)
"""


def instructions(checkout: Path, warm: int, posts: int) -> int:
    """Total instructions of one child run under callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                str(ROOT / ".venv/bin/python"),
                "-c",
                DRIVER,
                str(warm),
                str(posts),
            ],
            cwd=checkout,
            check=True,
            capture_output=True,
            env=dict(os.environ, PYTHONHASHSEED="0"),
        )
        text = out.read_text(errors="replace")
    found = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
    if not found:
        sys.exit(f"no instruction total in the callgrind output of {checkout}")
    return int(found.group(1))


def cost(checkout: Path, warm: int, posts: int) -> float:
    return (instructions(checkout, warm, posts) - instructions(checkout, warm, 0)) / posts


def commit_of(checkout: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=checkout, capture_output=True, text=True, check=True
    ).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--other", type=Path, help="another checkout to compare with (it uses this checkout's .venv)")
    ap.add_argument("--posts", type=int, default=200)
    ap.add_argument("--warm", type=int, default=30)
    args = ap.parse_args()
    rows = [(ROOT, cost(ROOT, args.warm, args.posts))]
    if args.other:
        rows.append((args.other.resolve(), cost(args.other.resolve(), args.warm, args.posts)))
    print("| checkout | commit | instructions per post (millions) | vs this checkout |")
    print("|---|---|---|---|")
    for path, value in rows:
        print(f"| {path} | {commit_of(path)} | {value / 1e6:.2f} | {value / rows[0][1]:.3f}× |")


if __name__ == "__main__":
    main()
