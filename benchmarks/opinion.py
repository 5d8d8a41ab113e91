"""Opinion groups at Polis's largest scale, side by side with red-dwarf.

    .venv/bin/python benchmarks/opinion.py [--participants 33000] [--comments 783] [--votes 2000000]
        [--groups 4] [--seed 1] [--reddwarf benchmarks/.venv-reddwarf/bin/python]

1. Writes a synthetic conversation as a Polis export (comments.csv, votes.csv) with planted opinion groups
   (deterministic from --seed) into a temporary folder.
2. Runs `benchmarks/opinion.py command DIR` as its own process: the whole command as `flask opinion compute`
   will be (interpreter start-up, imports, reading the 2M votes, computing, printing the contract JSON).
   It reports its peak RSS and the time of the computation alone.
3. Runs red-dwarf (polis-community/red-dwarf, installed only in its own virtualenv, never a dependency of
   consult: `python3 -m venv benchmarks/.venv-reddwarf && benchmarks/.venv-reddwarf/bin/pip install
   red-dwarf==0.4.0`) on the same votes.csv, also as a whole process.
4. Prints wall time, peak RSS and the adjusted Rand index against the planted groups for each.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def generate(folder: Path, participants: int, comments: int, votes: int, groups: int, seed: int) -> np.ndarray:
    """A Polis export with planted groups; returns the planted group of each participant (ids 0..n-1)."""
    rng = np.random.default_rng(seed)
    weights = np.array([0.4, 0.3, 0.2, 0.1, 0.05, 0.05][:groups])
    weights = weights / weights.sum()
    group = rng.choice(groups, size=participants, p=weights)
    # Per group and comment, an agree probability: half the comments split the groups, half are common ground.
    base = rng.uniform(0.2, 0.8, size=comments)
    split = rng.random(comments) < 0.5
    p_agree = np.where(split[None, :], rng.choice([0.1, 0.9], size=(groups, comments)), base[None, :])
    p_pass = 0.15
    # Votes per participant: heavy-tailed like real conversations (many vote a little, some vote a lot).
    raw = rng.pareto(1.5, size=participants) + 1.0
    per = np.minimum(np.maximum((raw / raw.sum() * votes).astype(np.int64), 1), comments)
    while per.sum() < votes:
        room = np.flatnonzero(per < comments)
        per[rng.choice(room, size=min(room.size, votes - int(per.sum())), replace=False)] += 1
    while per.sum() > votes:
        big = np.flatnonzero(per > 1)
        per[rng.choice(big, size=min(big.size, int(per.sum()) - votes), replace=False)] -= 1
    rows = np.repeat(np.arange(participants), per)
    # Each participant sees comments in a random order (Polis shows them one at a time).
    keys = rng.random((participants, comments)).argsort(axis=1)
    starts = np.cumsum(per) - per
    cols = keys[rows, np.arange(rows.size) - np.repeat(starts, per)]
    u = rng.random(rows.size)
    pa = p_agree[group[rows], cols]
    value = np.where(u < p_pass, 0, np.where(rng.random(rows.size) < pa, 1, -1))
    ts = 1_500_000_000_000 + np.arange(rows.size) * 50
    order = rng.permutation(rows.size)  # interleave participants in time
    rows, cols, value = rows[order], cols[order], value[order]
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "comments.csv").open("w", encoding="utf-8") as f:
        f.write("timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n")
        for c in range(comments):
            f.write(f"{1_499_000_000_000 + c},x,{c},0,0,0,1,Statement {c}\n")
    with (folder / "votes.csv").open("w", encoding="utf-8") as f:
        f.write("timestamp,datetime,comment-id,voter-id,vote\n")
        lines = np.char.add(
            np.char.add(np.char.add(ts.astype(str), ",x,"), np.char.add(cols.astype(str), ",")),
            np.char.add(np.char.add(rows.astype(str), ","), value.astype(str)),
        )
        f.write("\n".join(lines.tolist()))
        f.write("\n")
    (folder / "summary.csv").write_text("topic,Synthetic benchmark conversation\nurl,\n", encoding="utf-8")
    np.save(folder / "planted.npy", group)
    return group


def command(folder: Path) -> None:
    """What `flask opinion compute` will do, minus the database: read the votes, compute, print the JSON."""
    t0 = time.perf_counter()
    from consult.deliberation.opinion import compute_opinion
    from consult.deliberation.polis_export import export_votes, read_polis_export

    export = read_polis_export(folder)
    votes = export_votes(export)
    t1 = time.perf_counter()
    result = compute_opinion(votes, excluded_comment_ids=export.moderated_out)
    t2 = time.perf_counter()
    out = json.dumps(result.to_contract(1), separators=(",", ":"))
    sys.stdout.write(out + "\n")
    t3 = time.perf_counter()
    peak = peak_rss_mb()
    sys.stderr.write(
        json.dumps({"read_s": t1 - t0, "compute_s": t2 - t1, "print_s": t3 - t2, "peak_mb": peak, "k": result.k}) + "\n"
    )


def peak_rss_mb() -> float:
    """This process's own peak RSS. (ru_maxrss would also count the parent's memory copied at fork time.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


REDDWARF = """
import csv, json, resource, sys, time
t0 = time.perf_counter()
import pandas as pd
from reddwarf.implementations.polis import run_pipeline
df = pd.read_csv(sys.argv[1] + "/votes.csv")
df = df.sort_values("timestamp", kind="stable").drop_duplicates(["voter-id", "comment-id"], keep="last")
votes = [{"participant_id": int(p), "statement_id": int(c), "vote": int(v), "modified": int(t)}
         for p, c, v, t in zip(df["voter-id"], df["comment-id"], df["vote"], df["timestamp"])]
t1 = time.perf_counter()
result = run_pipeline(votes=votes, random_state=0)
t2 = time.perf_counter()
labels = result.participants_df["cluster_id"].dropna()
print(json.dumps({"labels": {str(int(k)): int(v) for k, v in labels.items()}, "read_s": t1 - t0,
                  "compute_s": t2 - t1, "peak_mb": [int(l.split()[1]) / 1024 for l in open("/proc/self/status")
                  if l.startswith("VmHWM:")][0]}))
"""


def ari(a, b) -> float:
    sys.path.insert(0, str(ROOT))
    from consult.deliberation.opinion import adjusted_rand_index

    return adjusted_rand_index(a, b)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "command":
        command(Path(sys.argv[2]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--participants", type=int, default=33_000)
    ap.add_argument("--comments", type=int, default=783)
    ap.add_argument("--votes", type=int, default=2_000_000)
    ap.add_argument("--groups", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reddwarf", default=str(ROOT / "benchmarks" / ".venv-reddwarf" / "bin" / "python"))
    ap.add_argument("--skip-reddwarf", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="opinion-bench-") as tmp:
        folder = Path(tmp) / "export"
        t = time.perf_counter()
        planted = generate(folder, args.participants, args.comments, args.votes, args.groups, args.seed)
        print(f"generated {args.participants} x {args.comments}, {args.votes} votes in {time.perf_counter() - t:.1f} s")

        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "command", str(folder)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        wall = time.perf_counter() - start
        if proc.returncode:
            sys.exit(proc.stderr)
        stats = json.loads(proc.stderr.strip().splitlines()[-1])
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        mine = {p["participant"]: p["group"] for p in out["participants"]}
        ids = sorted(mine)
        our_ari = ari([planted[i] for i in ids], [mine[i] for i in ids])
        print(
            f"consult: wall {wall:.1f} s (read {stats['read_s']:.1f} s, compute {stats['compute_s']:.1f} s), "
            f"peak RSS {stats['peak_mb']:.0f} MB, k {out['k']}, clustered {len(ids)}, ARI {our_ari:.4f}"
        )
        if args.skip_reddwarf:
            return
        start = time.perf_counter()
        proc = subprocess.run([args.reddwarf, "-c", REDDWARF, str(folder)], capture_output=True, text=True)
        rd_wall = time.perf_counter() - start
        if proc.returncode:
            sys.exit(proc.stderr[-3000:])
        rd = json.loads(proc.stdout.strip().splitlines()[-1])
        rd_labels = {int(k): v for k, v in rd["labels"].items()}
        rids = sorted(rd_labels)
        rd_ari = ari([planted[i] for i in rids], [rd_labels[i] for i in rids])
        print(
            f"red-dwarf: wall {rd_wall:.1f} s (read {rd['read_s']:.1f} s, compute {rd['compute_s']:.1f} s), "
            f"peak RSS {rd['peak_mb']:.0f} MB, k {len(set(rd_labels.values()))}, clustered {len(rids)}, "
            f"ARI {rd_ari:.4f}"
        )
        print(f"time ratio consult / red-dwarf: {wall / rd_wall:.3f}")


if __name__ == "__main__":
    main()
