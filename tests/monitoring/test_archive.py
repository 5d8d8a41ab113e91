"""The round archive writer (consult/monitoring/archive.py): layout, checksums, privacy, streaming."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import zipfile

import pytest

from consult.monitoring.archive import COLUMNS, write_archive
from tests.archive_samples import ROUND, build, chain, events, members, sample_archive

ORDER = [
    "README.txt",
    "round.json",
    "sections.csv",
    "comments.csv",
    "votes.csv",
    "participant-votes.csv",
    "moderation.csv",
    "audit.jsonl",
    "summary.json",
    "adopted-version.json",
    "adopted-diff.json",
    "manifest.json",
    "SHA256SUMS",
]


def read_csv(files, name):
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8"), newline="")))


def test_the_archive_holds_the_documented_files_in_order(tmp_path):
    with zipfile.ZipFile(build(tmp_path / "a.zip")) as zf:
        assert zf.namelist() == ORDER


def test_without_summary_or_adoption_those_files_are_absent(tmp_path):
    with zipfile.ZipFile(build(tmp_path / "a.zip", summary=False, adopted=False)) as zf:
        assert zf.namelist() == [
            n for n in ORDER if n not in ("summary.json", "adopted-version.json", "adopted-diff.json")
        ]


def test_the_manifest_lists_every_file_with_its_sha256_and_the_signed_head(tmp_path):
    files = members(build(tmp_path / "a.zip"))
    manifest = json.loads(files["manifest.json"])
    assert set(manifest) == {"round_id", "created_at", "audit_head", "files", "licence"}
    assert manifest["round_id"] == ROUND and manifest["created_at"] == "2026-12-01T09:00:00.000000Z"
    assert manifest["licence"] == "CC BY 4.0"
    assert sorted(manifest["files"]) == sorted(ORDER[:-2])  # every file but the manifest and SHA256SUMS
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == digest
    last = chain(events())[-1]
    head = manifest["audit_head"]
    assert list(head) == ["seq", "hash", "at", "signature", "key_id"] or set(head) == {
        "seq",
        "hash",
        "at",
        "signature",
        "key_id",
    }
    assert (head["seq"], head["hash"], head["at"]) == (last["seq"], last["hash"], last["at"])
    assert head["signature"] and len(head["key_id"]) == 16


def test_sha256sum_checks_the_unzipped_archive(tmp_path):
    if shutil.which("sha256sum") is None:
        pytest.skip("coreutils sha256sum not installed")
    archive = build(tmp_path / "a.zip")
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(folder)
    result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": OK") == len(ORDER) - 1
    (folder / "comments.csv").write_text("id\n", encoding="utf-8")
    result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "comments.csv: FAILED" in result.stdout


def test_every_csv_has_its_documented_columns(tmp_path):
    files = members(build(tmp_path / "a.zip"))
    for name, columns in COLUMNS.items():
        assert files[name].decode("utf-8").splitlines()[0] == ",".join(columns)


def test_hidden_and_withdrawn_comments_have_no_text_whatever_the_caller_passes(tmp_path):
    files = members(build(tmp_path / "a.zip"))
    rows = {row["id"]: row for row in read_csv(files, "comments.csv")}
    assert rows["3"]["status"] == "hidden" and rows["3"]["body"] == ""
    assert rows["4"]["status"] == "withdrawn" and rows["4"]["body"] == ""
    everything = b"".join(files.values())
    assert b"disembunyikan moderator" not in everything and b"ditarik penulisnya" not in everything


def test_columns_outside_the_documented_ones_never_reach_the_archive(tmp_path):
    files = members(build(tmp_path / "a.zip"))
    assert b"jangan@bocor.example" not in b"".join(files.values())


def test_texts_with_quotes_commas_and_newlines_round_trip_through_csv(tmp_path):
    rows = {row["id"]: row for row in read_csv(members(build(tmp_path / "a.zip")), "comments.csv")}
    assert rows["2"]["body"] == 'Setuju, "fotokopi" itu pemborosan,\nbaris baru.'
    assert rows["2"]["parent_id"] == "1" and rows["1"]["parent_id"] == ""
    assert rows["6"]["seeded"] == "1" and rows["1"]["seeded"] == ""
    assert rows["1"]["created_at"] == "2026-11-01T09:00:00.000000Z"


def test_audit_jsonl_is_the_chain_in_canonical_json_one_entry_a_line(tmp_path):
    lines = members(build(tmp_path / "a.zip"))["audit.jsonl"].decode("utf-8").splitlines()
    entries = chain(events())
    assert len(lines) == len(entries)
    for line, entry in zip(lines, entries, strict=True):
        assert json.loads(line) == entry
        assert line == json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_the_readme_says_what_the_files_are_the_licence_how_to_cite_and_verify(tmp_path):
    readme = members(build(tmp_path / "a.zip"))["README.txt"].decode("utf-8")
    for needle in [
        "CC BY 4.0",
        "Standar Pelayanan Kartu Keluarga",
        "participant-votes.csv",
        "sha256sum -c SHA256SUMS",
        "verify_archive.py round-7.zip --key",
        "https://konsultasi.contoh.go.id/api/v1/audit/keys",
        "How to cite",
        "--head HEAD.json",
    ]:
        assert needle in readme, needle


def test_an_operator_may_choose_another_licence(tmp_path):
    archive = sample_archive()
    archive.licence = "CC0 1.0"
    write_archive(tmp_path / "a.zip", archive)
    files = members(tmp_path / "a.zip")
    assert "CC0 1.0" in files["README.txt"].decode() and json.loads(files["manifest.json"])["licence"] == "CC0 1.0"


def test_the_same_input_gives_the_same_bytes(tmp_path):
    assert build(tmp_path / "a.zip").read_bytes() == build(tmp_path / "b.zip").read_bytes()


def test_the_writer_takes_one_pass_iterators_and_writes_to_a_file_object():
    buffer = io.BytesIO()
    manifest = write_archive(buffer, sample_archive())
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
        assert hashlib.sha256(zf.read("comments.csv")).hexdigest() == manifest["files"]["comments.csv"]


def test_entries_that_do_not_end_at_the_head_are_refused(tmp_path):
    archive = sample_archive()
    archive.audit_entries = iter(chain(events())[:-1])
    with pytest.raises(ValueError, match="do not end at the given head"):
        write_archive(tmp_path / "a.zip", archive)


def test_an_unsigned_head_is_written_with_empty_signature(tmp_path):
    manifest = write_archive(tmp_path / "a.zip", sample_archive(signed=False))
    assert manifest["audit_head"]["signature"] is None and manifest["audit_head"]["key_id"] is None


def test_an_aware_creation_time_is_written_in_utc(tmp_path):
    import datetime as dt

    archive = sample_archive()
    archive.created_at = dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    manifest = write_archive(tmp_path / "a.zip", archive)
    assert manifest["created_at"] == "2026-12-01T09:00:00.000000Z"
    assert "Dibuat (created): 2026-12-01 09:00:00 UTC" in members(tmp_path / "a.zip")["README.txt"].decode()
