"""Campaign detection on real public statements mixed with planted form letters.

    .venv/bin/python benchmarks/campaigns.py [--total 100000] [--big 30000] [--seed 1] [--database]

With --database the texts become the comments of a round in a fresh SQLite database (DATABASE_URL overrides,
e.g. a PostgreSQL database made for it) and the command measured is `flask campaigns detect ROUND --json` as its
own process: start-up, reading the comments from the database, detecting, computing what each sender added,
storing it all, printing the contract JSON (peak RSS by /usr/bin/time).

Distinct texts: the comment bodies of the Polis conversation in ../shared/data/polis/scoop-hivemind.ubi and the
sentences of ../shared/data/documents/us-omb-draft-federal-source-code-policy-2016.txt (real statements on one
topic), topped up to --total with synthetic comments drawn from the same vocabulary (distinct from each other,
sharing the topic's words). Planted: one form letter of --big copies with small edits, a greeting and an added
personal sentence; small campaigns of 3 to 20 copies in Indonesian and English, one written without spaces.
The detection runs in a child process (a command as the lead will wire it: read the texts from a file, detect,
print the JSON), timed with its peak RSS; then pairwise precision, recall and F1 against the planted truth,
the planted campaigns found, and the distinct statements pulled into a campaign.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"

BIG_LETTER = (
    "I am writing to express my strong support for the draft Federal Source Code Policy. Releasing custom "
    "developed government code as open source saves taxpayer money, avoids duplicate purchases across agencies "
    "and lets the public inspect how their government works. I urge the Office of Management and Budget to "
    "require that at least twenty percent of new custom code be released each year, to publish an inventory "
    "of all code on code.gov, and to choose licenses that allow anyone to reuse and improve the software. "
    "Please strengthen this policy rather than weaken it."
)
SMALL_LETTERS = [
    "Kami warga Kelurahan Sukamaju menolak rencana penutupan puskesmas pembantu di wilayah kami karena jarak ke "
    "puskesmas induk terlalu jauh bagi lansia dan ibu hamil, dan kami meminta dinas kesehatan menambah jam "
    "pelayanan pada hari Sabtu.",
    "Saya mendukung standar pelayanan perizinan yang baru asalkan waktu penyelesaian izin usaha mikro paling "
    "lama tiga hari kerja, biayanya diumumkan secara terbuka di kantor dan di situs web, dan ada nomor pengaduan "
    "yang dijawab.",
    "The proposed fee schedule for building permits is too high for small households. Please keep the old fee "
    "for homes under seventy square metres and publish how the fee is calculated.",
    "Open source should be the default for every agency. Code paid for by the public should be available to the "
    "public, with exceptions only for national security, and each exception should be justified in writing.",
    "Tolong perpanjang masa konsultasi publik ini sampai akhir bulan depan karena banyak warga desa belum "
    "mendapat informasi dan jaringan internet di daerah kami sering terputus.",
    "We ask the agency to translate the service standard into regional languages and to post a printed copy at "
    "every service counter so that citizens without internet access can read it.",
    "Saya keberatan dengan persyaratan fotokopi KTP yang dilegalisir untuk setiap permohonan karena dokumen "
    "kependudukan sudah terhubung secara elektronik dan legalisir menambah biaya serta waktu.",
    "Please require every agency to publish its source code inventory in a machine readable format and update "
    "it every quarter, so that developers can find and reuse existing projects.",
    # written without spaces (as Thai or Japanese are, or a pasted slogan)
    "パブリックコメントの期間を延長し、地方の住民にも説明会を開催してください。オンラインだけでは意見を出せない人がいます。",
    "Kamimenolakkenaikantarifretribusipasartradisionalkarenapedagangkecilbelumpulihsetelahpandemi"
    "danmemintapemerintahdaerahmenundakenaikanhinggatahundepan.",
]
GREETINGS = ["Dear OMB,", "Hello,", "To whom it may concern,", "Dear Sir or Madam,", "Hi,", "Greetings.", ""]
ID_GREETINGS = ["Yth. Bapak/Ibu,", "Salam sejahtera,", "Dengan hormat,", "Assalamualaikum,", ""]
SIGN_OFFS = ["Thank you.", "Sincerely, a concerned citizen.", "Regards.", "", "Thanks for reading."]
PERSONAL = [
    "As a software developer in {city} I have seen projects rebuilt three times by different offices.",
    "My daughter studies computer science in {city} and learned a lot from public code.",
    "I run a small business in {city} and we depend on open standards.",
    "In {city} our library already shares its software with neighbouring towns.",
    "Saya tinggal di {city} dan sudah dua kali mengalami hal ini.",
    "Keluarga saya di {city} juga merasakan dampaknya setiap bulan.",
]
CITIES = ["Denver", "Austin", "Bandung", "Surabaya", "Medan", "Portland", "Boise", "Makassar", "Tulsa", "Malang"]


def real_statements() -> list[str]:
    import csv

    texts = []
    with (SHARED / "polis" / "scoop-hivemind.ubi" / "comments.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            body = row["comment-body"].strip()
            if len(body) >= 20:
                texts.append(body)
    doc = (SHARED / "documents" / "us-omb-draft-federal-source-code-policy-2016.txt").read_text(encoding="utf-8")
    for para in re.split(r"\n\s*\n", doc):
        para = " ".join(para.split())
        if para.startswith(("=", "PAGE:", "#")):
            continue
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z(])", para):
            if len(sentence) >= 40:
                texts.append(sentence)
    seen, out = set(), []
    for t in texts:  # the same sentence can appear twice in a document: keep one, it is not a campaign
        key = " ".join(re.sub(r"[\W_]+", " ", t.casefold()).split())
        if key not in seen:
            seen.add(key)
            out.append(t)
    return out


def edit(text: str, rng: random.Random) -> str:
    """Small edits a sender makes: drop or duplicate a word, change case, a typo, punctuation."""
    words = text.split(" ")
    for _ in range(rng.randint(0, 3)):
        i = rng.randrange(len(words))
        op = rng.random()
        if op < 0.3 and len(words) > 5:
            del words[i]
        elif op < 0.5:
            words.insert(i, words[i])
        elif op < 0.8 and len(words[i]) > 3:
            w = words[i]
            j = rng.randrange(1, len(w) - 1)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        else:
            words[i] = words[i].upper()
    out = " ".join(words)
    if rng.random() < 0.3:
        out = out.replace(",", "")
    return out


def build(total: int, big: int, seed: int) -> tuple[list[str], list[int]]:
    """Texts and their planted campaign (-1 for a distinct statement)."""
    rng = random.Random(seed)
    texts: list[str] = []
    truth: list[int] = []
    for _ in range(big):
        parts = [rng.choice(GREETINGS), edit(BIG_LETTER, rng)]
        if rng.random() < 0.7:
            parts.append(rng.choice(PERSONAL).format(city=rng.choice(CITIES)))
        parts.append(rng.choice(SIGN_OFFS))
        texts.append(" ".join(p for p in parts if p))
        truth.append(0)
    for c, letter in enumerate(SMALL_LETTERS, start=1):
        n = [3, 4, 5, 7, 9, 12, 15, 20, 6, 8][c - 1]
        spaced = " " in letter
        for _ in range(n):
            if spaced:
                greet = rng.choice(ID_GREETINGS if c in (1, 2, 5, 7) else GREETINGS)
                body = edit(letter, rng)
                extra = rng.choice(PERSONAL).format(city=rng.choice(CITIES)) if rng.random() < 0.5 else ""
                texts.append(" ".join(p for p in (greet, body, extra) if p))
            else:
                # no spaces to edit around: drop one character, sometimes add a short personal ending
                i = rng.randrange(len(letter))
                body = letter[:i] + letter[i + 1 :]
                texts.append(body + (rng.choice(["よろしくお願いします。", "Terimakasih.", ""])))
            truth.append(c)
    distinct = real_statements()
    n_real = len(distinct)
    vocab = sorted({w for t in distinct for w in re.findall(r"[A-Za-z]{3,}", t)})
    while len(texts) + len(distinct) < total:
        distinct.append(" ".join(rng.choice(vocab) for _ in range(rng.randint(12, 60))) + ".")
    distinct = distinct[: total - len(texts)]
    texts.extend(distinct)
    truth.extend([-1] * len(distinct))
    order = list(range(len(texts)))
    rng.shuffle(order)
    return [texts[i] for i in order], [truth[i] for i in order], n_real


def pairwise_scores(truth: list[int], predicted: list[int]) -> tuple[float, float, float]:
    from collections import Counter

    def comb2(x: int) -> int:
        return x * (x - 1) // 2

    both = Counter((t, p) for t, p in zip(truth, predicted, strict=True) if t >= 0 and p >= 0)
    tp = sum(comb2(v) for v in both.values())
    true_pairs = sum(comb2(v) for k, v in Counter(t for t in truth if t >= 0).items())
    pred_pairs = sum(comb2(v) for k, v in Counter(p for p in predicted if p >= 0).items())
    precision = tp / pred_pairs if pred_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


CHILD = """
import json, sys, time
t0 = time.perf_counter()
from consult.deliberation.campaigns import detect_campaigns, campaign_additions
texts = json.load(open(sys.argv[1], encoding="utf-8"))
ids = list(range(1, len(texts) + 1))
t1 = time.perf_counter()
result = detect_campaigns(ids, texts)
t2 = time.perf_counter()
by_id = dict(zip(ids, texts))
additions = {c.id: campaign_additions(c, by_id) for c in result.campaigns}
t3 = time.perf_counter()
peak = [int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
print(json.dumps({"peak_mb": peak, "detect_s": t2 - t1, "additions_s": t3 - t2, "import_read_s": t1 - t0,
                  "out": result.to_contract(1), "sample": {c.id: list(additions[c.id].items())[:3]
                  for c in result.campaigns}}))
"""


def through_the_database(texts: list[str], tmp: Path) -> tuple[dict, float, float]:
    """Load the texts as a round's comments, then time `flask campaigns detect` as its own process."""
    import os

    env = dict(os.environ, CONSULT_ENV="development", RATELIMIT_ENABLED="false")
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/campaigns.db")
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]
    for args in (["db", "upgrade"], ["seed", "demo"]):
        subprocess.run(flask + args, env=env, cwd=ROOT, check=True, capture_output=True)
    rounds = json.loads(
        subprocess.run(flask + ["rounds", "list"], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    round_id = next(r["id"] for r in rounds if r["state"] == "open")
    subprocess.run(
        flask
        + [
            "seed",
            "load",
            str(round_id),
            "--comments",
            str(len(texts)),
            "--votes",
            "0",
            "--users",
            "2000",
            "--seed",
            "1",
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    loader = """
import json, sys
import sqlalchemy as sa
from consult import create_app
from consult.extensions import db
from consult.participation.models import Comment
from consult.sanitize import render_comment
app = create_app()
with app.app_context():
    texts = json.load(open(sys.argv[1], encoding="utf-8"))
    ids = list(db.session.scalars(sa.select(Comment.id).where(Comment.round_id == int(sys.argv[2]),
                                  Comment.official_role.is_(None)).order_by(Comment.id)))
    rows = [{"i": cid, "b": t, "h": render_comment(t)} for cid, t in zip(ids[-len(texts):], texts)]
    db.session.execute(sa.text("UPDATE comments SET body = :b, body_html = :h WHERE id = :i"), rows)
    db.session.commit()
    print(json.dumps(ids[-len(texts):]))
"""
    (tmp / "texts.json").write_text(json.dumps(texts), encoding="utf-8")
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", loader, str(tmp / "texts.json"), str(round_id)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    comment_ids = json.loads(out.stdout.strip().splitlines()[-1])
    start = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%M"] + flask + ["campaigns", "detect", str(round_id), "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    if proc.returncode:
        sys.exit(proc.stderr)
    peak_mb = int(proc.stderr.strip().splitlines()[-1]) / 1024
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    index = {cid: i + 1 for i, cid in enumerate(comment_ids)}  # back to the texts' numbering 1..n
    for c in data["campaigns"]:
        c["comment_ids"] = [index[x] for x in c["comment_ids"] if x in index]
    return {"round_id": round_id, "campaigns": data["campaigns"]}, wall, peak_mb


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--total", type=int, default=100_000)
    ap.add_argument("--big", type=int, default=30_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--database", action="store_true", help="through the database and `flask campaigns detect`")
    args = ap.parse_args()
    texts, truth, n_real = build(args.total, args.big, args.seed)
    if args.database:
        with tempfile.TemporaryDirectory() as tmp:
            out, wall, peak_mb = through_the_database(texts, Path(tmp))
        report(texts, truth, n_real, {"out": out, "sample": {}}, wall, peak_mb, None)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "texts.json"
        path.write_text(json.dumps(texts), encoding="utf-8")
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - start
    if proc.returncode:
        sys.exit(proc.stderr)
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    report(texts, truth, n_real, data, wall, data["peak_mb"], data)


def report(texts, truth, n_real, data, wall, peak_mb, timings) -> None:
    predicted = [-1] * len(texts)
    for c in data["out"]["campaigns"]:
        for cid in c["comment_ids"]:
            predicted[cid - 1] = c["id"]
    precision, recall, f1 = pairwise_scores(truth, predicted)
    planted = sorted({t for t in truth if t >= 0})
    found = []
    for t in planted:
        members = [i for i, x in enumerate(truth) if x == t]
        labels = {predicted[i] for i in members}
        whole = len(labels) == 1 and -1 not in labels
        found.append((t, len(members), whole, len([p for p in labels if p >= 0])))
    pulled = sum(1 for t, p in zip(truth, predicted, strict=True) if t < 0 and p >= 0)
    print(f"comments {len(texts)} (real distinct statements {n_real}, planted campaigns {len(planted)})")
    if timings:
        print(
            f"command wall {wall:.1f} s (detect {data['detect_s']:.1f} s, additions {data['additions_s']:.1f} s), "
            f"peak RSS {peak_mb:.0f} MB"
        )
    else:
        print(f"flask campaigns detect: wall {wall:.1f} s, peak RSS {peak_mb:.0f} MB")
    print(f"pairwise precision {precision:.4f} recall {recall:.4f} F1 {f1:.4f}")
    print(
        f"campaigns found {len(data['out']['campaigns'])}; planted found whole: "
        f"{sum(1 for f in found if f[2])}/{len(found)}"
    )
    for t, size, whole, pieces in found:
        print(f"  planted {t}: {size} copies, found whole {whole}, in {pieces} campaign(s)")
    print(f"distinct statements pulled into a campaign: {pulled}")
    for cid, sample in list(data["sample"].items())[:3]:
        print(f"  campaign {cid} additions: {sample}")


if __name__ == "__main__":
    main()
