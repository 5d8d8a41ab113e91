"""The hash-chained audit log: what the services record, how tampering is detected, and the public API.

Tampering is done the way an insider with database access would do it: raw SQL on `audit_entries`,
committed on a connection of its own, behind the application's back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult import audit
from consult.audit import GENESIS, AuditEntry, canonical_json, compute_hash
from consult.errors import Invalid
from consult.extensions import db, write_transaction
from consult.monitoring import keys
from consult.monitoring.signing import verify_head
from consult.timeutil import iso_utc, utcnow

EMAIL = re.compile(r"[^\s\"@]+@[^\s\"@]+")
COLUMNS = ("seq", "at", "actor", "action", "subject_type", "subject_id", "data_json", "prev_hash", "hash")
HASH_FIELDS = ("seq", "at", "actor", "action", "subject_type", "subject_id", "data", "prev_hash")


# --- helpers -------------------------------------------------------------------------------------------


def _entries() -> list[dict]:
    """The stored entries in seq order, read on a fresh connection (what the database holds now)."""
    table = AuditEntry.__table__
    with db.engine.connect() as conn:
        return [dict(row) for row in conn.execute(sa.select(table).order_by(table.c.seq)).mappings()]


def _entry(seq: int) -> dict:
    return next(e for e in _entries() if e["seq"] == seq)


def _sql(statement: str, /, **params) -> None:
    """Run raw SQL and commit it, as someone with direct database access would."""
    types = [sa.bindparam(name, type_=AuditEntry.__table__.c[name].type) for name in params if name in COLUMNS]
    with db.engine.begin() as conn:
        conn.execute(sa.text(statement).bindparams(*types), params)


def _set(target_seq: int, /, **values) -> None:
    """UPDATE one entry's columns (column names as keyword arguments)."""
    assignments = ", ".join(f"{column} = :{column}" for column in values)
    _sql(f"UPDATE audit_entries SET {assignments} WHERE seq = :target_seq", target_seq=target_seq, **values)


def _insert(**row) -> None:
    _sql(f"INSERT INTO audit_entries ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + c for c in COLUMNS)})", **row)


def _forged(seq: int, prev_hash: str, **overrides) -> dict:
    """An entry a forger would write: plausible content and a correctly computed hash."""
    row = {
        "seq": seq,
        "at": utcnow(),
        "actor": "system",
        "action": "round.closed",
        "subject_type": "rounds",
        "subject_id": "1",
        "data_json": canonical_json({"forged": True}),
        "prev_hash": prev_hash,
        **overrides,
    }
    row["hash"] = compute_hash(
        row["seq"],
        audit._fmt_time(row["at"]),
        row["actor"],
        row["action"],
        row["subject_type"],
        row["subject_id"],
        row["data_json"],
        row["prev_hash"],
    )
    return row


def _record_notes(count: int) -> list[dict]:
    """Append `count` entries, one transaction each, as services do; return them as stored."""
    for n in range(1, count + 1):
        with write_transaction():
            audit.record(
                "test.note",
                None,
                {"n": n, "text": f"Catatan ke-{n}: ruang terbuka hijau — ✓"},
                actor="test",
                subject_type="test",
                subject_id=n,
            )
    return _entries()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _cli_verify(runner):
    result = runner.invoke(args=["audit", "verify"])
    lines = result.output.strip().splitlines()
    return result.exit_code, lines[-1] if lines else ""


def _assert_detected(runner, bad_seq: int, problem: str | None = None, intact_before: int | None = None):
    result = audit.verify()
    assert result.ok is False
    assert result.bad_seq == bad_seq
    if problem is not None:
        assert problem in result.problem
    if intact_before is not None:
        assert result.entries == intact_before
    exit_code, last_line = _cli_verify(runner)
    assert exit_code == 1
    assert last_line.startswith(f"BAD entry {bad_seq}:")


@pytest.fixture
def chain():
    """Five intact entries."""
    return _record_notes(5)


# --- 1. services append entries in their own transaction ------------------------------------------------


def test_creating_an_agency_records_agency_created(make):
    agency = make.agency(slug="dinas-uji", name="Dinas Uji")

    [entry] = _entries()
    assert entry["action"] == "agency.created"
    assert entry["actor"] == "test"
    assert (entry["subject_type"], entry["subject_id"]) == ("agencies", str(agency.id))
    assert json.loads(entry["data_json"]) == {"slug": "dinas-uji", "name": "Dinas Uji", "timezone": "Asia/Jakarta"}
    assert (entry["seq"], entry["prev_hash"]) == (1, GENESIS)


def test_granting_a_role_records_role_granted_with_the_user_id_not_the_email(make):
    agency = make.agency()
    user = make.user(role="moderator", agency=agency, email="moderator.rahasia@example.org")

    entry = _entries()[-1]
    assert entry["action"] == "role.granted"
    assert (entry["subject_type"], entry["subject_id"]) == ("users", str(user.id))
    assert json.loads(entry["data_json"]) == {"user_id": user.id, "role": "moderator", "agency": agency.slug}
    assert "moderator.rahasia" not in entry["data_json"]


def test_creating_a_citizen_records_nothing(make):
    make.user(role="citizen")

    assert _entries() == []


def test_publishing_a_version_records_version_published_with_section_digests(make):
    from consult.documents.services import section_digest

    agency = make.agency()
    document = make.policy(agency, title="Rancangan Perda Ruang Hijau")

    entry = _entries()[-1]
    assert [e["action"] for e in _entries()] == ["agency.created", "version.published"]
    version = document.latest_published
    assert (entry["subject_type"], entry["subject_id"]) == ("document_versions", str(version.id))
    data = json.loads(entry["data_json"])
    assert data["title"] == "Rancangan Perda Ruang Hijau"
    assert (data["agency"], data["document_id"], data["number"]) == (agency.slug, document.id, version.number)
    assert data["sections"] == [{"key": s.key, "sha256": section_digest(s)} for s in version.sections]


def test_scheduling_a_round_records_round_scheduled(make):
    agency = make.agency()
    rnd = make.round(agency, state="scheduled")

    entry = _entries()[-1]
    assert entry["action"] == "round.scheduled"
    assert (entry["subject_type"], entry["subject_id"]) == ("rounds", str(rnd.id))
    data = json.loads(entry["data_json"])
    assert (data["opens_at"], data["closes_at"]) == (iso_utc(rnd.opens_at), iso_utc(rnd.closes_at))
    assert data["agency"] == agency.slug


def test_rounds_set_times_records_round_rescheduled_by_the_cli(make, runner):
    rnd = make.round(state="scheduled")
    before = {"opens_at": iso_utc(rnd.opens_at), "closes_at": iso_utc(rnd.closes_at)}
    new_closes = (rnd.closes_at + dt.timedelta(days=7)).replace(microsecond=0)

    result = runner.invoke(args=["rounds", "set-times", str(rnd.id), "--closes", iso_utc(new_closes)])

    assert result.exit_code == 0, result.output
    entry = _entries()[-1]
    assert entry["action"] == "round.rescheduled"
    assert entry["actor"] == "cli"
    assert (entry["subject_type"], entry["subject_id"]) == ("rounds", str(rnd.id))
    assert json.loads(entry["data_json"]) == {
        "before": before,
        "opens_at": before["opens_at"],
        "closes_at": iso_utc(new_closes),
    }


def test_entries_never_contain_email_addresses(make, runner):
    agency = make.agency()
    make.user(role="agency_admin", agency=agency, email="admin.instansi@example.org")
    make.user(role="moderator", agency=agency, email="moderator.instansi@example.org")
    make.user(role="observer", email="pengamat@example.org")
    rnd = make.round(agency, state="scheduled")
    runner.invoke(args=["rounds", "set-times", str(rnd.id), "--closes", iso_utc(rnd.closes_at + dt.timedelta(days=1))])

    entries = _entries()
    assert {e["action"] for e in entries} >= {
        "agency.created",
        "role.granted",
        "version.published",
        "round.scheduled",
        "round.rescheduled",
    }
    for entry in entries:
        assert not EMAIL.search(entry["data_json"]), entry
        assert not EMAIL.search(entry["actor"]), entry


def test_a_service_that_fails_validation_writes_no_entry_and_no_row(make):
    from consult.agencies.models import Agency

    with pytest.raises(Invalid) as excinfo:
        make.agency(slug="Bukan Slug!")

    assert "slug" in excinfo.value.fields
    assert _entries() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agency)) == 0


def test_a_service_failing_half_way_rolls_back_its_rows_with_its_entry(make):
    from consult.accounts.models import User

    agency = make.agency()
    # create_user adds and flushes the user, then grant_role refuses an agency role without an agency.
    with pytest.raises(Invalid):
        make.user(role="moderator", agency=None, email="setengah.jalan@example.org")

    assert [e["action"] for e in _entries()] == ["agency.created"]
    assert db.session.scalar(sa.select(User.id).where(User.email == "setengah.jalan@example.org")) is None
    assert agency.slug  # the caller's objects are untouched


def test_an_entry_that_cannot_be_written_takes_the_service_row_with_it(make, monkeypatch):
    from consult.agencies.models import Agency

    def broken_hash(*_args):
        raise RuntimeError("disk full while hashing")

    monkeypatch.setattr(audit, "compute_hash", broken_hash)  # fails after the agency row was flushed
    with pytest.raises(RuntimeError, match="disk full"):
        make.agency(slug="tanpa-jejak")

    assert _entries() == []
    assert db.session.scalar(sa.select(Agency.id).where(Agency.slug == "tanpa-jejak")) is None


def test_an_entry_recorded_in_a_transaction_that_fails_later_is_not_kept():
    with pytest.raises(RuntimeError, match="after the entry"), write_transaction():
        audit.record("test.note", None, {"n": 1}, actor="test", subject_type="test", subject_id=1)
        raise RuntimeError("failed after the entry was recorded")

    assert _entries() == []


# --- 2. verification ------------------------------------------------------------------------------------


def test_verify_accepts_an_empty_chain(runner):
    assert audit.verify() == audit.Verification(ok=True, entries=0, head=GENESIS)
    assert _cli_verify(runner) == (0, f"OK 0 {GENESIS}")


def test_verify_accepts_an_intact_chain(chain, runner):
    result = audit.verify()

    assert result.ok is True
    assert (result.entries, result.head, result.bad_seq) == (5, chain[-1]["hash"], None)
    assert _cli_verify(runner) == (0, f"OK 5 {chain[-1]['hash']}")


def test_entries_link_each_to_the_previous_hash(chain):
    assert [e["seq"] for e in chain] == [1, 2, 3, 4, 5]
    assert [e["prev_hash"] for e in chain] == [GENESIS] + [e["hash"] for e in chain[:-1]]


def test_verify_leaves_the_callers_objects_usable(make):
    agency = make.agency(slug="tetap-terikat")  # expired by the commit, reloaded on access

    assert audit.verify().ok
    assert agency.slug == "tetap-terikat"


def test_verify_reads_the_database_not_the_sessions_copy(chain, runner):
    loaded = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert loaded[2].action == "test.note"  # entries now sit in the session's identity map

    _set(3, action="round.closed")

    _assert_detected(runner, bad_seq=3, problem="entry edited")


EDITS = [
    # field, entry edited, new value (from the stored row), first bad entry, problem
    pytest.param("actor", 3, lambda e: "user:999", 3, "entry edited", id="actor"),
    pytest.param("action", 3, lambda e: "round.closed", 3, "entry edited", id="action"),
    pytest.param("subject_type", 3, lambda e: "documents", 3, "entry edited", id="subject_type"),
    pytest.param("subject_id", 3, lambda e: "999", 3, "entry edited", id="subject_id"),
    pytest.param("at", 3, lambda e: e["at"] + dt.timedelta(seconds=1), 3, "entry edited", id="at"),
    pytest.param("at", 3, lambda e: e["at"] + dt.timedelta(microseconds=1), 3, "entry edited", id="at-by-1us"),
    pytest.param(
        "data_json",
        3,
        lambda e: canonical_json({**json.loads(e["data_json"]), "n": 99}),
        3,
        "entry edited",
        id="data_json-other-valid-json",
    ),
    pytest.param(
        "data_json",
        3,
        lambda e: json.dumps(json.loads(e["data_json"]), indent=1),
        3,
        "canonical form",
        id="data_json-same-data-reformatted",
    ),
    pytest.param("data_json", 3, lambda e: e["data_json"][:-1], 3, "not valid JSON", id="data_json-broken"),
    pytest.param("prev_hash", 3, lambda e: _sha("forged"), 3, "previous hash", id="prev_hash"),
    pytest.param("hash", 3, lambda e: _sha("forged"), 3, "entry edited", id="hash"),
    pytest.param("hash", 5, lambda e: _sha("forged"), 5, "entry edited", id="hash-of-the-last-entry"),
    pytest.param("actor", 1, lambda e: "user:1", 1, "entry edited", id="actor-of-the-first-entry"),
    # seq: any other value for a middle entry is a reorder (tested below); renumber the ends instead
    pytest.param("seq", 5, lambda e: 6, 6, "expected entry 5, found 6", id="seq-of-the-last-entry"),
    pytest.param("seq", 1, lambda e: 0, 0, "expected entry 1, found 0", id="seq-of-the-first-entry"),
]


@pytest.mark.parametrize(("field", "seq", "new_value", "bad_seq", "problem"), EDITS)
def test_verify_detects_an_edited_field(chain, runner, field, seq, new_value, bad_seq, problem):
    _set(seq, **{field: new_value(chain[seq - 1])})

    _assert_detected(runner, bad_seq=bad_seq, problem=problem, intact_before=max(min(seq, bad_seq) - 1, 0))


def test_verify_detects_a_deleted_middle_entry(chain, runner):
    _sql("DELETE FROM audit_entries WHERE seq = 3")

    _assert_detected(runner, bad_seq=4, problem="expected entry 3, found 4", intact_before=2)


def test_verify_detects_a_deleted_first_entry(chain, runner):
    _sql("DELETE FROM audit_entries WHERE seq = 1")

    _assert_detected(runner, bad_seq=2, problem="expected entry 1, found 2", intact_before=0)


def test_verify_detects_a_forged_entry_inserted_in_the_middle(chain, runner):
    # The forger shifts entries 3..5 up by one (through a temporary range: seq is unique), re-points the old
    # entry 3 at the forgery and writes the forgery with a correct hash, linked to entry 2.
    forged = _forged(3, prev_hash=chain[1]["hash"])
    _sql("UPDATE audit_entries SET seq = seq + 1000 WHERE seq >= 3")
    _set(1003, prev_hash=forged["hash"])
    _insert(**forged)
    _sql("UPDATE audit_entries SET seq = seq - 999 WHERE seq >= 1000")
    assert [e["seq"] for e in _entries()] == [1, 2, 3, 4, 5, 6]

    # The forgery itself looks right; the entry after it does not: its hash covers its seq and prev_hash.
    _assert_detected(runner, bad_seq=4, problem="entry edited", intact_before=3)


def test_verify_detects_an_entry_appended_with_a_wrong_prev_hash(chain, runner):
    _insert(**_forged(6, prev_hash=_sha("not the head")))

    _assert_detected(runner, bad_seq=6, problem="previous hash", intact_before=5)


def test_verify_detects_two_entries_with_swapped_content(chain, runner):
    second, fourth = chain[1], chain[3]
    content = [c for c in COLUMNS if c != "seq"]
    _set(2, prev_hash=_sha("tmp-prev"), hash=_sha("tmp-hash"))  # free the unique hashes first
    _set(4, **{c: second[c] for c in content})
    _set(2, **{c: fourth[c] for c in content})

    _assert_detected(runner, bad_seq=2, problem="previous hash", intact_before=1)


def test_verify_detects_two_entries_with_swapped_seq(chain, runner):
    _sql("UPDATE audit_entries SET seq = 1000 WHERE seq = 2")
    _sql("UPDATE audit_entries SET seq = 2 WHERE seq = 4")
    _sql("UPDATE audit_entries SET seq = 4 WHERE seq = 1000")
    assert [e["hash"] for e in _entries()] == [chain[i]["hash"] for i in (0, 3, 2, 1, 4)]

    _assert_detected(runner, bad_seq=2, problem="previous hash", intact_before=1)


def test_a_rewritten_tail_is_caught_only_against_a_head_published_earlier(chain, client, runner):
    # LIMIT: someone who deletes the newest entries and appends new ones through the normal code path (so
    # every hash is recomputed correctly) leaves an internally valid chain. verify() cannot see this; only a
    # head published before the rewrite can, which is why monitors keep the heads they have seen.
    published = client.get("/api/v1/audit/head").get_json()
    assert published["seq"] == 5

    _sql("DELETE FROM audit_entries WHERE seq >= 4")
    with write_transaction():
        audit.record("test.note", None, {"n": 4, "text": "rewritten"}, actor="test", subject_type="test", subject_id=4)

    assert audit.verify().ok is True  # not detectable internally
    assert _cli_verify(runner)[0] == 0
    now = client.get("/api/v1/audit/head").get_json()
    assert now != published
    assert now["seq"] < published["seq"]
    listed = client.get("/api/v1/audit").get_json()["items"]
    assert published["hash"] not in {item["hash"] for item in listed}  # the monitor's head is gone


# --- 3. the public API ----------------------------------------------------------------------------------


def test_api_lists_entries_in_seq_order_linked_by_hashes(chain, client):
    response = client.get("/api/v1/audit")

    assert response.status_code == 200
    body = response.get_json()
    items = body["items"]
    assert [item["seq"] for item in items] == [1, 2, 3, 4, 5]
    assert [item["hash"] for item in items] == [e["hash"] for e in chain]
    assert items[0]["prev_hash"] == GENESIS
    for before, after in itertools.pairwise(items):
        assert after["prev_hash"] == before["hash"]
    assert items[2]["data"] == {"n": 3, "text": "Catatan ke-3: ruang terbuka hijau — ✓"}
    assert set(items[0]) == set(HASH_FIELDS) | {"hash"}
    assert body["next_cursor"] is None
    head = body["head"]
    assert {k: head[k] for k in ("seq", "hash", "at")} == {"seq": 5, "hash": items[-1]["hash"], "at": items[-1]["at"]}
    assert verify_head(keys.public_key_of(head["key_id"]), head)


def test_api_paginates_with_after_limit_and_next_cursor(chain, client):
    first = client.get("/api/v1/audit?limit=2").get_json()
    assert ([i["seq"] for i in first["items"]], first["next_cursor"]) == ([1, 2], "2")

    second = client.get(f"/api/v1/audit?after={first['next_cursor']}&limit=2").get_json()
    assert ([i["seq"] for i in second["items"]], second["next_cursor"]) == ([3, 4], "4")

    last = client.get(f"/api/v1/audit?after={second['next_cursor']}&limit=2").get_json()
    assert ([i["seq"] for i in last["items"]], last["next_cursor"]) == ([5], None)

    exact = client.get("/api/v1/audit?limit=5").get_json()
    assert (len(exact["items"]), exact["next_cursor"]) == (5, None)
    assert client.get("/api/v1/audit?after=5").get_json()["items"] == []


@pytest.mark.parametrize("query", ["after=abc", "after=-1", "after=1.5", "limit=abc", "limit=1001"])
def test_api_rejects_a_bad_cursor_or_limit_with_a_json_error(client, query):
    response = client.get(f"/api/v1/audit?{query}")

    assert response.status_code == 422
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert isinstance(error["message"], str) and error["message"]


def test_api_head_equals_the_last_entry(chain, client):
    head = client.get("/api/v1/audit/head").get_json()
    last = client.get("/api/v1/audit").get_json()["items"][-1]

    assert {k: head[k] for k in ("seq", "hash", "at")} == {"seq": last["seq"], "hash": last["hash"], "at": last["at"]}
    assert {k: head[k] for k in ("seq", "hash", "at")} == audit.head()
    assert set(head) == {"seq", "hash", "at", "signature", "key_id"}


def test_api_head_of_an_empty_chain_is_the_genesis_hash(client):
    head = client.get("/api/v1/audit/head").get_json()
    assert {k: head[k] for k in ("seq", "hash", "at")} == {"seq": 0, "hash": GENESIS, "at": None}


# --- 4. the hash format, as a monitor recomputes it ---------------------------------------------------------


def _monitor_hash(item: dict) -> str:
    """What an independent monitor computes from an API item: SHA-256 of canonical UTF-8 JSON."""
    payload = {field: item[field] for field in HASH_FIELDS}
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def test_an_entry_hash_is_sha256_over_canonical_json_of_its_fields(client, make):
    make.agency(slug="dlh-bandung", name="Dinas Lingkungan Hidup — Kota Bandung")

    item = client.get("/api/v1/audit").get_json()["items"][0]

    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", item["at"])
    assert _monitor_hash(item) == item["hash"]
    # Non-ASCII text is hashed as UTF-8, not as \\u escapes:
    payload = {field: item[field] for field in HASH_FIELDS}
    escaped = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert hashlib.sha256(escaped.encode()).hexdigest() != item["hash"]


def test_a_monitor_can_check_the_whole_chain_from_the_api_alone(chain, client, make):
    make.round(state="scheduled")
    items = client.get("/api/v1/audit").get_json()["items"]

    prev = GENESIS
    for item in items:
        assert item["prev_hash"] == prev
        assert _monitor_hash(item) == item["hash"]
        prev = item["hash"]
    assert prev == client.get("/api/v1/audit/head").get_json()["hash"]


# --- 5. values that no longer parse: a finding, never a traceback ---------------------------------------------


def _raw(statement: str, **params) -> None:
    """Raw SQL without any type conversion: what someone editing the database file by hand can store."""
    with db.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


GARBAGE = [
    pytest.param("at", "kemarin sore", "not a valid timestamp", id="time-edited-into-garbage"),
    pytest.param("at", "2026-13-45 99:00:00", "not a valid timestamp", id="time-out-of-range"),
    pytest.param("at", "", "not a valid timestamp", id="time-emptied"),
    pytest.param("data_json", "", "not valid JSON", id="data-emptied"),
    pytest.param("data_json", "[[[[", "not valid JSON", id="data-garbage"),
    pytest.param("hash", "", "entry edited", id="hash-emptied"),
    pytest.param("subject_id", "", "entry edited", id="subject-emptied"),
]


@pytest.mark.parametrize(("column", "value", "problem"), GARBAGE)
def test_verify_names_the_entry_whose_value_no_longer_parses(chain, runner, column, value, problem):
    if db.engine.dialect.name != "sqlite" and column == "at":  # PostgreSQL's timestamp type refuses the damage
        with pytest.raises(sa.exc.DBAPIError):
            _raw(f"UPDATE audit_entries SET {column} = :v WHERE seq = 3", v=value)
        assert audit.verify().ok
        return
    _raw(f"UPDATE audit_entries SET {column} = :v WHERE seq = 3", v=value)

    _assert_detected(runner, bad_seq=3, problem=problem, intact_before=2)


# --- 6. signed heads ------------------------------------------------------------------------------------------


def test_every_head_the_api_gives_is_signed_by_a_published_key(chain, client):
    head = client.get("/api/v1/audit/head").get_json()
    published = client.get("/api/v1/audit/keys").get_json()
    assert [k["key_id"] for k in published] == [head["key_id"]] and published[0]["until"] is None
    assert verify_head(published[0]["public_key"], head)
    assert not verify_head(published[0]["public_key"], {**head, "seq": head["seq"] - 1})  # a head edited
    assert not verify_head(published[0]["public_key"], {**head, "hash": _sha("forged")})


def test_the_key_is_kept_in_the_instance_folder_and_rotation_keeps_old_heads_checkable(app, chain, client, runner):
    before = client.get("/api/v1/audit/head").get_json()
    key_file = Path(app.instance_path) / "audit_signing_key.pem"
    assert key_file.exists() and key_file.stat().st_mode & 0o077 == 0  # only the owner may read it
    result = runner.invoke(args=["audit", "rotate-key"])
    assert result.exit_code == 0, result.output
    after = client.get("/api/v1/audit/head").get_json()
    assert after["key_id"] != before["key_id"] and after["seq"] == before["seq"] + 1  # the rotation is audited
    published = {k["key_id"]: k for k in client.get("/api/v1/audit/keys").get_json()}
    assert published[before["key_id"]]["until"] is not None and published[after["key_id"]]["until"] is None
    assert verify_head(published[before["key_id"]]["public_key"], before)
    assert verify_head(published[after["key_id"]]["public_key"], after)
    entry = _entry(after["seq"])
    assert entry["action"] == "audit.key_rotated"
    assert json.loads(entry["data_json"]) == {
        "old_key_id": before["key_id"],
        "new_key_id": after["key_id"],
        "public_key": published[after["key_id"]]["public_key"],
    }
    assert "PRIVATE" not in key_file.with_name("audit_keys.json").read_text()


def test_flask_audit_head_prints_the_signed_head(chain, runner):
    result = runner.invoke(args=["audit", "head"])
    head = json.loads(result.output)
    assert result.exit_code == 0 and head["seq"] == 5
    assert verify_head(keys.public_key_of(head["key_id"]), head)
