"""tools/verify_archive.py: OK for an intact archive, the first problem named for every kind of damage."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from consult.monitoring.signing import public_key_b64, sign_head
from tests.archive_samples import KEY, OTHER_KEY, build, chain, events, members, rewrite

TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_archive.py"
sys.path.insert(0, str(TOOL.parent))
import verify_archive  # noqa: E402  -- a standalone script, imported from its folder

PUBLIC = public_key_b64(KEY)


def run(*args):
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], capture_output=True, text=True, check=False)


def problem(path, key=PUBLIC, head=None):
    with pytest.raises(verify_archive.Problem) as caught:
        verify_archive.verify(str(path), key, head)
    return str(caught.value)


@pytest.fixture
def archive(tmp_path):
    return build(tmp_path / "round-7.zip")


def text(path, name):
    return members(path)[name].decode("utf-8")


def edit(path, name, old, new, *, reseal=True):
    content = text(path, name)
    assert old in content, (name, old)
    return rewrite(path, {name: content.replace(old, new, 1).encode("utf-8")}, reseal=reseal)


def audit_lines(path):
    return text(path, "audit.jsonl").splitlines(keepends=True)


def with_audit(path, lines):
    return rewrite(path, {"audit.jsonl": "".join(lines).encode("utf-8")})


def test_an_intact_archive_verifies_as_a_separate_process(archive):
    result = run(archive, "--key", PUBLIC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK round 7: 13 files, chain of 13 entries up to seq 13")
    assert "head signed by key" in result.stdout and "7 comments (2 seeded), 1 moderation decisions" in result.stdout


def test_without_a_key_everything_but_the_signature_is_checked_and_it_says_so(archive):
    result = run(archive)
    assert result.returncode == 0 and "signature not checked (no --key)" in result.stdout


def test_the_verifier_needs_nothing_but_the_standard_library_without_a_key(archive, tmp_path):
    # -I -S: no site-packages at all, so neither consult nor any other installed package can be imported
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(TOOL), str(archive)], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(TOOL), str(archive), "--key", PUBLIC],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "the cryptography package is needed" in result.stdout


def test_the_verifier_imports_only_the_standard_library_and_cryptography():
    tree = ast.parse(TOOL.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported - {"__future__", "cryptography"} <= set(sys.stdlib_module_names)
    assert "consult" not in imported


def test_a_damaged_archive_fails_as_a_process_with_exit_1_naming_the_problem(archive):
    edit(archive, "comments.csv", "Fotokopi KK", "Fotokopi KTP", reseal=False)
    result = run(archive, "--key", PUBLIC)
    assert result.returncode == 1
    assert (
        result.stdout == "FAILED: checksum of comments.csv does not match (file changed after the archive was made)\n"
    )


def test_not_a_zip(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK garbage")
    assert "not a readable zip archive" in problem(path)
    assert "not a readable zip archive" in problem(tmp_path / "missing.zip")


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ({"manifest.json": None}, "missing file manifest.json"),
        ({"manifest.json": b"{not json"}, "manifest.json is not valid JSON"),
        ({"manifest.json": b'{"files": {}}'}, "manifest.json has no round_id"),
        ({"SHA256SUMS": None}, "missing file SHA256SUMS"),
        ({"SHA256SUMS": b"nonsense\n"}, "SHA256SUMS line 1 is not '<sha256>  <name>'"),
        ({"votes.csv": None}, "missing file votes.csv"),
        ({"evil.txt": b"x"}, "unexpected file evil.txt (not in manifest.json)"),
        ({"comments.csv": b"id\n"}, "checksum of comments.csv does not match"),
        ({"README.txt": b"changed"}, "checksum of README.txt does not match"),
    ],
)
def test_damaged_files_without_new_checksums(archive, damage, expected):
    assert expected in problem(rewrite(archive, damage, reseal=False))


def test_sha256sums_that_disagree_with_the_manifest(archive):
    sums = text(archive, "SHA256SUMS").replace(text(archive, "SHA256SUMS")[:64], "0" * 64, 1)
    assert problem(rewrite(archive, {"SHA256SUMS": sums.encode()}, reseal=False)) == (
        "SHA256SUMS and manifest.json disagree on README.txt"
    )


def test_a_required_file_removed_and_resealed(archive):
    assert problem(rewrite(archive, {"moderation.csv": None})) == "missing file moderation.csv"


def test_round_json_of_another_round(archive):
    assert problem(edit(archive, "round.json", '"id": 7', '"id": 8')) == "round.json is not the round of manifest.json"


def test_a_broken_json_line_in_the_chain(archive):
    lines = audit_lines(archive)
    lines[2] = lines[2][:40] + "\n"
    assert problem(with_audit(archive, lines)) == "audit.jsonl line 3: not valid JSON"


def test_a_garbage_timestamp_in_the_chain(archive):
    lines = audit_lines(archive)
    entry = json.loads(lines[3])
    entry["at"] = "yesterday"
    lines[3] = json.dumps(entry) + "\n"
    assert (
        problem(with_audit(archive, lines))
        == "audit entry 4: time 'yesterday' is not an ISO time with microseconds and Z"
    )


def test_an_impossible_date_in_the_chain(archive):
    lines = audit_lines(archive)
    lines[3] = lines[3].replace('"at":"2026-11-01T', '"at":"2026-13-01T')
    assert "audit entry 4: time '2026-13-01T" in problem(with_audit(archive, lines))


def test_an_edited_entry(archive):
    lines = audit_lines(archive)
    lines[4] = lines[4].replace("Warga-CD34", "Warga-XX99")
    assert problem(with_audit(archive, lines)) == "audit entry 5: content does not match its hash (entry edited)"


def test_a_deleted_entry(archive):
    lines = audit_lines(archive)
    del lines[2]
    assert problem(with_audit(archive, lines)) == (
        "audit.jsonl line 3: expected entry 3, found 4 (entries deleted, inserted or moved)"
    )


def test_an_entry_without_a_field_and_one_whose_data_is_not_an_object(archive):
    lines = audit_lines(archive)
    entry = json.loads(lines[1])
    del entry["actor"]
    assert (
        problem(with_audit(archive, [*lines[:1], json.dumps(entry) + "\n", *lines[2:]]))
        == "audit.jsonl line 2: no actor"
    )
    entry = json.loads(audit_lines(build(archive))[1])
    entry["data"] = [1]
    lines = audit_lines(archive)
    assert problem(with_audit(archive, [*lines[:1], json.dumps(entry) + "\n", *lines[2:]])) == (
        "audit entry 2: data is not a JSON object"
    )


def test_an_empty_chain(archive):
    assert problem(with_audit(archive, [])) == "audit.jsonl has no entries"


def test_entries_removed_from_the_end_no_longer_match_the_head(archive):
    assert problem(with_audit(archive, audit_lines(archive)[:-2])) == (
        "the head in manifest.json is not the last entry of audit.jsonl (seq 11)"
    )


def forged(archive, entries, key=KEY):
    """A forger's archive: chain rebuilt and resealed, head signed with `key`."""
    lines = [json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n" for e in entries]
    last = entries[-1]
    manifest = json.loads(members(archive)["manifest.json"])
    manifest["audit_head"] = sign_head(key, {"seq": last["seq"], "hash": last["hash"], "at": last["at"]})
    return rewrite(archive, {"audit.jsonl": "".join(lines).encode(), "manifest.json": json.dumps(manifest).encode()})


def test_a_rewritten_history_signed_with_another_key_is_caught_by_the_key(archive):
    path = forged(archive, chain(events()[:-1]), OTHER_KEY)
    assert "the head was signed with key" in problem(path)
    assert "not the given key" in problem(path)


def test_a_rewritten_history_that_keeps_the_old_signature_is_caught_by_the_signature(archive):
    forger_events = events()
    forger_events[-1] = (*forger_events[-1][:3], {"version_sha256": "0" * 64}, forger_events[-1][4])
    entries = chain(forger_events)  # a consistent chain again: every hash recomputed
    manifest = json.loads(members(archive)["manifest.json"])
    manifest["audit_head"].update({"seq": 13, "hash": entries[-1]["hash"], "at": entries[-1]["at"]})
    lines = "".join(json.dumps(e, sort_keys=True, separators=(",", ":")) + "\n" for e in entries)
    path = rewrite(archive, {"audit.jsonl": lines.encode(), "manifest.json": json.dumps(manifest).encode()})
    assert problem(path) == "the signature of the head is not valid for the given key"


def test_a_head_without_signature_fails_only_when_a_key_is_given(tmp_path):
    path = build(tmp_path / "unsigned.zip", signed=False)
    assert problem(path) == "the head is not signed"
    assert verify_archive.verify(str(path), None, None).startswith("round 7:")


@pytest.mark.parametrize(
    ("key", "expected"), [("!!!", "--key is not valid base64"), ("YWJj", "--key is not an Ed25519 public key")]
)
def test_a_bad_key_argument(archive, key, expected):
    assert expected in problem(archive, key)


def saved_head(tmp_path, entry, **extra):
    path = tmp_path / "HEAD.json"
    path.write_text(json.dumps({"seq": entry["seq"], "hash": entry["hash"], "at": entry["at"], **extra}))
    return path


def test_a_saved_head_found_unchanged_in_the_chain(archive, tmp_path):
    entries = chain(events())
    head = saved_head(
        tmp_path, entries[9], **{k: v for k, v in sign_head(KEY, entries[9]).items() if k in ("signature", "key_id")}
    )
    assert verify_archive.verify(str(archive), PUBLIC, str(head)).endswith("saved head found in the chain")
    result = run(archive, "--key", PUBLIC, "--head", head)
    assert result.returncode == 0 and "saved head found" in result.stdout


def test_a_saved_head_that_the_chain_contradicts_means_history_was_rewritten(archive, tmp_path):
    entry = dict(chain(events())[9], hash="f" * 64)
    assert problem(archive, head=str(saved_head(tmp_path, entry))) == (
        "history rewritten: entry 10 is not the one in the saved head"
    )


def test_a_saved_head_beyond_the_chain(archive, tmp_path):
    entry = {"seq": 50, "hash": "a" * 64, "at": "2026-12-01T00:00:00.000000Z"}
    assert problem(archive, head=str(saved_head(tmp_path, entry))) == (
        "history rewritten or archive older: the chain ends at seq 13, before the saved head (seq 50)"
    )


def test_a_saved_head_file_that_does_not_parse(archive, tmp_path):
    bad = tmp_path / "HEAD.json"
    bad.write_text("{")
    assert "cannot read a saved head" in problem(archive, head=str(bad))
    bad.write_text('{"seq": "x"}')
    assert "a saved head has seq, hash and at" in problem(archive, head=str(bad))


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "comments.csv",
            "datanya sudah ada",
            "datanya belum ada",
            "comment 1: its text does not match the body_sha256 in the chain",
        ),
        (
            "comments.csv",
            "1,,persyaratan,Warga-AB12",
            "1,,persyaratan,Warga-ZZ00",
            "comment 1: author 'Warga-ZZ00' does not match the chain ('Warga-AB12')",
        ),
        ("comments.csv", "2,1,persyaratan", "2,5,persyaratan", "comment 2: parent_id 5 does not match the chain (1)"),
        (
            "comments.csv",
            "5,,persyaratan",
            "5,,biaya-tarif",
            "comment 5: section 'biaya-tarif' does not match the chain ('persyaratan')",
        ),
        (
            "comments.csv",
            "5,,persyaratan,Warga-GH78,web,visible,2026-11-01T13:00:00.000000Z,Versi",
            "99,,persyaratan,Warga-GH78,web,visible,2026-11-01T13:00:00.000000Z,Versi",
            "comment 99 has no comment.posted entry in audit.jsonl",
        ),
        (
            "comments.csv",
            "withdrawn,2026-11-01T12:00:00.000000Z,,",
            "withdrawn,2026-11-01T12:00:00.000000Z,rahasia,",
            "comments.csv line 6: comment 4 is withdrawn but its text is in the archive",
        ),
        ("comments.csv", "hidden,", "gone,", "comments.csv line 5: status 'gone' is not visible, hidden or withdrawn"),
        (
            "comments.csv",
            "2026-11-01T09:00:00.000000Z",
            "yesterday",
            "comments.csv line 2: created_at 'yesterday' is not a time",
        ),
        ("comments.csv", "\n1,,", "\nabc,,", "comments.csv line 2: id 'abc' is not a whole number"),
        (
            "comments.csv",
            'sudah ada di sistem.",\n',
            'sudah ada di sistem.",1\n',  # a real comment marked seeded to escape the check
            "3 comments are marked seeded; the chain's seed.load entries declare 2",
        ),
        (
            "comments.csv",
            "7,6,persyaratan",
            "7,77,persyaratan",
            "comments.csv line 9: comment 7 replies to comment 77, not in the archive",
        ),
        (
            "comments.csv",
            "3,,biaya-tarif",
            "3,,jam-buka",
            "comments.csv line 5: comment 3 is on section 'jam-buka', not in sections.csv",
        ),
        ("comments.csv", "id,parent_id", "id,parent", "comments.csv: the columns are"),
        (
            "comments.csv",
            ",web,visible,2026-11-01T13:00:00.000000Z,Versi akhir setelah diedit.,",
            ",web,visible,2026-11-01T13:00:00.000000Z,Versi akhir setelah diedit.",
            "comments.csv line 7: 8 fields, expected 9",
        ),
        (
            "votes.csv",
            "1,1,1,1",
            "1,2,1,1",
            "votes.csv line 2: comment 1 has [2, 1, 1], its participant votes [1, 1, 1]",
        ),
        (
            "votes.csv",
            "\n6,1,0,0",
            "",
            "votes.csv has no counts for comment 6, which participant-votes.csv has votes on",
        ),
        (
            "participant-votes.csv",
            "Warga-AB12,5,1",
            "Warga-AB12,55,1",
            "participant-votes.csv line 5: a vote on comment 55, which is not in comments.csv",
        ),
        (
            "participant-votes.csv",
            "Warga-AB12,5,1",
            "Warga-AB12,5,2",
            "participant-votes.csv line 5: vote 2 by 'Warga-AB12' is not 1, -1 or 0 by a pseudonym",
        ),
        (
            "moderation.csv",
            "Menyerang pribadi",
            "Spam",
            "moderation decision 1: reason 'Spam' does not match the chain",
        ),
        ("moderation.csv", "\n1,", "\n2,", "moderation decision 2 has no entry in audit.jsonl"),
        ("moderation.csv", "hide,3,2", "hide,3,5", "moderation decision 1: rule '5' does not match the chain"),
        (
            "summary.json",
            "Fotokopi",
            "Fotokopi KK",
            "summary.json does not match the summary_sha256 of its summary.published entry",
        ),
        (
            "adopted-version.json",
            "KTP-el.",
            "KTP-el dan KK.",
            "adopted-version.json does not match the version_sha256 of its version.adopted entry",
        ),
        (
            "adopted-version.json",
            '"id": 31',
            '"id": 32',
            "adopted-version.json has no version.adopted entry in audit.jsonl",
        ),
        ("sections.csv", "\n11,", "\nsebelas,", "sections.csv line 2: id 'sebelas' is not a whole number"),
    ],
)
def test_data_that_no_longer_agrees_with_the_chain_even_with_new_checksums(archive, name, old, new, expected):
    assert problem(edit(archive, name, old, new)).startswith(expected)


def test_a_summary_without_its_published_entry(archive):
    without_publication = [ev for ev in events() if ev[0] != "summary.published"]
    assert (
        problem(forged(archive, chain(without_publication)))
        == "summary.json has no summary.published entry for round 7"
    )


def test_a_forged_chain_without_the_adoption_entry(archive):
    without_adoption = [ev for ev in events() if ev[0] != "version.adopted"]
    assert problem(forged(archive, chain(without_adoption))) == (
        "adopted-version.json has no version.adopted entry in audit.jsonl"
    )


def test_csv_whose_quoting_is_broken(archive):
    content = members(archive)["moderation.csv"] + b'2,"2026-11-01T08:00:00.000000Z\n'
    assert problem(rewrite(archive, {"moderation.csv": content})).startswith(
        "moderation.csv line 3: not readable as CSV"
    )


def test_bytes_that_are_not_utf_8_in_a_comment(archive):
    content = members(archive)["comments.csv"].replace(b"datanya", b"data\xffnya", 1)
    assert problem(rewrite(archive, {"comments.csv": content})) == (
        "comment 1: its text does not match the body_sha256 in the chain"
    )


def test_bytes_that_are_not_utf_8_in_the_chain(archive):
    content = members(archive)["audit.jsonl"].replace(b"Warga-CD34", b"Warga-CD\xff4", 1)
    assert problem(rewrite(archive, {"audit.jsonl": content})) == (
        "audit entry 5: content does not match its hash (entry edited)"
    )
