"""Agreement of our opinion groups with the groups Polis published, side by side with red-dwarf.

    .venv/bin/python benchmarks/polis_agreement.py [EXPORT_DIR ...] [--reddwarf PYTHON]

Each EXPORT_DIR is a Polis export folder (default: every folder in ../shared/data/polis). Other public
conversations (compdemocracy/openData, CC BY 4.0) can be fetched into /tmp and named here; they are never
copied into the repository. For each conversation: the adjusted Rand index between our groups and the
participants-votes.csv group-id column, over the participants both place in a group, and the same for
red-dwarf (run in its own virtualenv; see benchmarks/opinion.py). Votes come from participants-votes.csv
for both, so both see exactly the matrix Polis published.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consult.deliberation.opinion import adjusted_rand_index, build_votes, compute_opinion  # noqa: E402
from consult.deliberation.polis_export import read_polis_export  # noqa: E402

REDDWARF = """
import csv, json, sys
from reddwarf.implementations.polis import run_pipeline
rows = list(csv.reader(open(sys.argv[1] + "/participants-votes.csv", encoding="utf-8")))
header, votes = rows[0], []
first = header.index("n-disagree") + 1  # newer exports have an xid column after participant
for r in rows[1:]:
    for cid, v in zip(header[first:], r[first:]):
        if v.strip():
            votes.append({"participant_id": int(r[0]), "statement_id": int(cid), "vote": int(float(v)), "modified": 0})
mod_out = []
try:
    for c in csv.DictReader(open(sys.argv[1] + "/comments.csv", encoding="utf-8")):
        if c["moderated"].strip() == "-1":
            mod_out.append(int(c["comment-id"]))
except FileNotFoundError:
    pass
result = run_pipeline(votes=votes, mod_out_statement_ids=mod_out, random_state=0)
labels = result.participants_df["cluster_id"].dropna()
print(json.dumps({str(int(k)): int(v) for k, v in labels.items()}))
"""


def ours(folder: Path) -> tuple[dict[int, int], dict[int, int]]:
    export = read_polis_export(folder)
    if export.votes_source != "participants-votes.csv":
        # the same matrix as red-dwarf: the published one, not the raw log
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "participants-votes.csv").write_bytes((folder / "participants-votes.csv").read_bytes())
            pv = read_polis_export(tmp)
        pids, cids, values = pv.participant_ids, pv.comment_ids, pv.values
    else:
        pids, cids, values = export.participant_ids, export.comment_ids, export.values
    import numpy as np

    up, rows = np.unique(pids, return_inverse=True)
    uc, cols = np.unique(cids, return_inverse=True)
    votes = build_votes([int(p) for p in up], [int(c) for c in uc], rows, cols, values)
    result = compute_opinion(votes, excluded_comment_ids=export.moderated_out)
    return {p.participant: p.group for p in result.participants}, export.published_groups


def score(mine: dict[int, int], published: dict[int, int]) -> tuple[float, int]:
    common = [p for p in published if p in mine]
    return adjusted_rand_index([published[p] for p in common], [mine[p] for p in common]), len(common)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--reddwarf", default=str(ROOT / "benchmarks" / ".venv-reddwarf" / "bin" / "python"))
    args = ap.parse_args()
    folders = args.folders or sorted(p for p in (ROOT.parent / "shared" / "data" / "polis").iterdir() if p.is_dir())
    rows = []
    for folder in folders:
        mine, published = ours(folder)
        our_ari, n = score(mine, published)
        rd_ari = float("nan")
        if Path(args.reddwarf).exists():
            proc = subprocess.run([args.reddwarf, "-c", REDDWARF, str(folder)], capture_output=True, text=True)
            if proc.returncode == 0:
                rd = {int(k): v for k, v in json.loads(proc.stdout.strip().splitlines()[-1]).items()}
                rd_ari, _ = score(rd, published)
        rows.append((folder.name, n, len(published), len(set(mine.values())), our_ari, rd_ari))
        print(
            f"{folder.name}: compared {n} of {len(published)} published, k {rows[-1][3]}, "
            f"ARI consult {our_ari:.4f}, red-dwarf {rd_ari:.4f}"
        )
    if rows:
        mean_ours = sum(r[4] for r in rows) / len(rows)
        mean_rd = sum(r[5] for r in rows) / len(rows)
        print(f"mean ARI consult {mean_ours:.4f}, red-dwarf {mean_rd:.4f} over {len(rows)} conversation(s)")


if __name__ == "__main__":
    main()
