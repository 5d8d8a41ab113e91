"""A small synthetic round archive, built the way the app will build it, for the archive and verifier tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile

from consult.audit import GENESIS, compute_hash
from consult.monitoring.archive import RoundArchive, iso, write_archive
from consult.monitoring.signing import canonical_json, generate_private_key_pem, load_private_key, sign_head

KEY = load_private_key(generate_private_key_pem())
OTHER_KEY = load_private_key(generate_private_key_pem())
ROUND = 7
T0 = dt.datetime(2026, 11, 1, 8, 0)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain(events):
    """Audit entries (as AuditEntry.as_dict() gives them) for (action, subject_type, subject_id, data, actor)."""
    entries, prev = [], GENESIS
    for seq, (action, subject_type, subject_id, data, actor) in enumerate(events, 1):
        at = iso(T0 + dt.timedelta(minutes=seq, microseconds=seq))
        digest = compute_hash(seq, at, actor, action, subject_type, str(subject_id), canonical_json(data), prev)
        entries.append(
            {
                "seq": seq,
                "at": at,
                "actor": actor,
                "action": action,
                "subject_type": subject_type,
                "subject_id": str(subject_id),
                "data": data,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    return entries


SECTIONS = [
    {"id": 11, "key": "persyaratan", "position": 1, "level": 2, "title": "Persyaratan", "body": "KTP-el; KK."},
    {"id": 12, "key": "biaya-tarif", "position": 2, "level": 2, "title": "Biaya/tarif", "body": "Gratis."},
]


def comment(cid, author, body, *, parent=None, section=11, status="visible", seeded=False):
    return {
        "id": cid,
        "parent_id": parent,
        "section_key": {11: "persyaratan", 12: "biaya-tarif", None: ""}[section],
        "section_id": section,
        "author": author,
        "channel": "web",
        "status": status,
        "created_at": T0 + dt.timedelta(hours=cid),
        "body": body,
        "seeded": seeded,
        "email": "jangan@bocor.example",  # must never reach the archive
    }


COMMENTS = [
    comment(1, "Warga-AB12", "Fotokopi KK tidak perlu lagi, datanya sudah ada di sistem."),
    comment(2, "Warga-CD34", 'Setuju, "fotokopi" itu pemborosan,\nbaris baru.', parent=1),
    comment(3, "Warga-EF56", "Teks yang disembunyikan moderator.", section=12, status="hidden"),
    comment(4, "Warga-AB12", "Teks yang ditarik penulisnya.", section=None, status="withdrawn"),
    comment(5, "Warga-GH78", "Versi akhir setelah diedit."),
    comment(6, "Sintetis-0001", "komentar sintetis", seeded=True),
    comment(7, "Sintetis-0002", "komentar sintetis", parent=6, seeded=True),
]
SUMMARY = {"state": "published", "themes": [{"id": 1, "title": "Fotokopi", "comment_count": 2}]}
VERSION = {"id": 31, "number": 2, "sections": [{"key": "persyaratan", "title": "Persyaratan", "body": "KTP-el."}]}
MODERATION = [
    {
        "id": 1,
        "created_at": T0 + dt.timedelta(hours=9),
        "action": "hide",
        "comment_id": 3,
        "rule": 2,
        "rule_title": "Tanpa serangan pribadi",
        "reason": "Menyerang pribadi",
        "moderator": "Moderator-7KQ2M",
    }
]
VOTES = [
    ("Warga-CD34", 1, 1),
    ("Warga-EF56", 1, -1),
    ("Warga-GH78", 1, 0),
    ("Warga-AB12", 5, 1),
    ("Sintetis-0002", 6, 1),
]


def events():
    posted = []
    for c in COMMENTS:
        if c["seeded"]:
            continue
        body = "Versi pertama." if c["id"] == 5 else c["body"]
        data = {
            "round_id": ROUND,
            "section_id": c["section_id"],
            "parent_id": c["parent_id"],
            "author": c["author"],
            "stance": None,
            "body_sha256": sha(body),
        }
        posted.append(("comment.posted", "comments", c["id"], data, c["author"]))
    hide = {
        "moderation_action_id": 1,
        "action": "hide",
        "round_id": ROUND,
        "comment_id": 3,
        "rule": 2,
        "rule_title": "Tanpa serangan pribadi",
        "reason": "Menyerang pribadi",
        "moderator": "Moderator-7KQ2M",
        "body_sha256": sha(COMMENTS[2]["body"]),
    }
    return [
        (
            "agency.created",
            "agencies",
            1,
            {"slug": "disdukcapil", "name": "Disdukcapil", "timezone": "Asia/Jakarta"},
            "cli",
        ),
        ("seed.load", "rounds", ROUND, {"round_id": ROUND, "comments": 1, "replies": 1, "synthetic": True}, "seed"),
        ("round.opened", "rounds", 99, {"round_id": 99}, "system"),  # another round: the chain is the whole site's
        *posted,
        ("comment.edited", "comments", 5, {"round_id": ROUND, "body_sha256": sha(COMMENTS[4]["body"])}, "Warga-GH78"),
        (
            "comment.withdrawn",
            "comments",
            4,
            {"round_id": ROUND, "body_sha256": sha(COMMENTS[3]["body"])},
            "Warga-AB12",
        ),
        ("comment.hidden", "comments", 3, hide, "Moderator-7KQ2M"),
        ("summary.published", "rounds", ROUND, {"summary_sha256": sha(canonical_json(SUMMARY))}, "user:2"),
        ("version.adopted", "document_versions", 31, {"version_sha256": sha(canonical_json(VERSION))}, "user:2"),
    ]


def vote_counts():
    counts = {}
    for _, cid, vote in VOTES:
        counts.setdefault(cid, {"comment_id": cid, "agree": 0, "disagree": 0, "pass": 0})
        counts[cid][{1: "agree", -1: "disagree", 0: "pass"}[vote]] += 1
    return [counts[k] for k in sorted(counts)]


def sample_archive(key=KEY, *, summary=True, adopted=True, signed=True, entries=None):
    entries = entries if entries is not None else chain(events())
    last = entries[-1]
    head = {"seq": last["seq"], "hash": last["hash"], "at": last["at"]}
    head = sign_head(key, head) if signed else {**head, "signature": None, "key_id": None}
    return RoundArchive(
        round={"id": ROUND, "title": "Standar Pelayanan Kartu Keluarga", "agency": "disdukcapil"},
        sections=iter(SECTIONS),
        comments=(c for c in COMMENTS),
        votes=iter(vote_counts()),
        participant_votes=(
            {"voter": v, "comment_id": c, "vote": n, "created_at": T0, "seeded": v.startswith("Sintetis")}
            for v, c, n in VOTES
        ),
        moderation=iter(MODERATION),
        audit_entries=iter(entries),
        audit_head=head,
        created_at=dt.datetime(2026, 12, 1, 9, 0),
        summary=SUMMARY if summary else None,
        adopted_version=VERSION if adopted else None,
        adopted_diff={"sections": []} if adopted else None,
        site_url="https://konsultasi.contoh.go.id",
    )


def build(path, **kwargs):
    write_archive(path, sample_archive(**kwargs))
    return path


def members(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def rewrite(path, changes, *, reseal=True, out=None):
    """A copy of an archive with members replaced (bytes), removed (None) or added; with reseal the
    manifest and SHA256SUMS are recomputed, as a forger would."""
    files = members(path)
    for name, content in changes.items():
        if content is None:
            files.pop(name, None)
        else:
            files[name] = content
    if reseal:
        manifest = json.loads(files["manifest.json"])
        manifest["files"] = {
            name: hashlib.sha256(files[name]).hexdigest()
            for name in files
            if name not in ("manifest.json", "SHA256SUMS")
        }
        files["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
        digests = {**manifest["files"], "manifest.json": hashlib.sha256(files["manifest.json"]).hexdigest()}
        files["SHA256SUMS"] = "".join(f"{d}  {n}\n" for n, d in digests.items()).encode()
    target = out or path
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    target.write_bytes(buffer.getvalue())
    return target
