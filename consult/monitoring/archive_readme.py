"""README.txt of a round's archive: what the files are, the licence, how to cite and how to verify."""

from __future__ import annotations

import datetime as dt
from typing import Any

_TEMPLATE = """\
Arsip publik konsultasi / Public record of a consultation
=========================================================

Putaran (round) {round_id}: {title}
Dibuat (created): {created_at} UTC
Sumber (source): {site}

Lisensi / Licence
-----------------
Data dalam arsip ini dilisensikan dengan {licence}.
The data in this archive is licensed under {licence}{licence_url}.
Teks dokumen milik instansi penerbitnya; komentar milik penulisnya (ditampilkan dengan nama samaran).
The document text belongs to the agency that published it; comments belong to their authors, shown under
the pseudonym they have in this round.

Cara mengutip / How to cite
---------------------------
{site_name}, "{title}", putaran/round {round_id}, arsip/archive {created_at} UTC,
audit head seq {head_seq} ({head_hash}), {site}.

Isi / Files
-----------
README.txt              this file
round.json              the round and its document: title, agency, dates, state
sections.csv            the sections of the version consulted on (stable key, title, text)
comments.csv            every comment and reply: pseudonym, channel, status, time, text (empty when the
                        comment was hidden by a moderator or withdrawn by its author); seeded=1 marks
                        synthetic rows bulk-loaded for tests or benchmarks, which have no audit entry
votes.csv               agree / disagree / pass counts per comment
participant-votes.csv   one row per voter pseudonym and comment (vote 1 agree, -1 disagree, 0 pass, as
                        Polis codes them), enough to recompute the opinion groups
moderation.csv          every moderation decision: action, house rule, reason, moderator pseudonym
audit.jsonl             the hash-chained audit log of the whole site up to the head below, one JSON entry
                        per line
summary.json            the deliberation summary, once published ("you said, we did")
adopted-version.json    the adopted version (the charter), once adopted
adopted-diff.json       its word-level difference from the version consulted on
manifest.json           SHA-256 of every file above, and the signed audit head
SHA256SUMS              the same checksums and that of manifest.json

The columns of each file are described in docs/DATA.md of consult (the software that published this).
No e-mail address, account name (unless its owner chose to show it), hidden or withdrawn text is in here.

Cara memeriksa / How to verify
------------------------------
1. Unzip the archive and check every file:   sha256sum -c SHA256SUMS
2. Check the chain, the signed head and that the data agree with the chain, with the standalone verifier
   (Python 3 and the `cryptography` package; it uses nothing else of consult):
       python3 verify_archive.py {archive_name} --key PUBLIC_KEY
   PUBLIC_KEY is the site's key with key_id {key_id}, as published at {site}/api/v1/audit/keys.
   It prints "OK ..." and exits 0, or names the first problem and exits 1.
3. If you saved an audit head from {site}/api/v1/audit/head earlier, add --head HEAD.json: the archive
   must contain that exact entry, or the site's history was rewritten.

Audit head: seq {head_seq}, hash {head_hash}, at {head_at}
"""


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)


def readme_text(archive: Any) -> str:
    """The README for a RoundArchive (consult.monitoring.archive)."""
    head = archive.audit_head
    licence = archive.licence
    site = archive.site_url.rstrip("/") or "(the publishing site)"
    return _TEMPLATE.format(
        round_id=archive.round["id"],
        title=" ".join(str(archive.round.get("title", "")).split()),
        created_at=_utc(archive.created_at).replace(microsecond=0).isoformat(sep=" "),
        site=site,
        site_name=archive.site_name,
        licence=licence,
        licence_url=" (https://creativecommons.org/licenses/by/4.0/)" if licence == "CC BY 4.0" else "",
        head_seq=head.get("seq"),
        head_hash=head.get("hash"),
        head_at=head.get("at"),
        key_id=head.get("key_id") or "(unsigned)",
        archive_name=f"round-{archive.round['id']}.zip",
    )
