"""Witnesses: observers register an Ed25519 key, countersign the signed heads they fetched (with tools/witness.py,
run as monitors run it), and the public witness page checks each head against the chain, so a rewrite shows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.accounts.services import create_api_token
from consult.audit import AuditEntry
from consult.extensions import db, write_transaction

TOOL = Path(__file__).resolve().parents[2] / "tools" / "witness.py"


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_token(user)}"}


def tool(*args: str, cwd: Path) -> str:
    result = subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True, cwd=cwd, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def observer(make):
    user = make.user("observer", name="Pemantau Anggaran")
    db.session.commit()
    return user


def _countersigned(client, tmp_path: Path, key: Path) -> dict:
    head = client.get("/api/v1/audit/head").get_json()
    (tmp_path / "head.json").write_text(json.dumps(head))
    return json.loads(tool("countersign", str(key), "head.json", cwd=tmp_path))


def test_an_observer_witnesses_heads_and_the_page_checks_them_against_the_chain(app, make, observer, client, tmp_path):
    key = tmp_path / "witness-key.pem"
    public = tool("keygen", str(key), cwd=tmp_path)
    assert oct(key.stat().st_mode & 0o777) == "0o600" and len(public) == 44
    response = client.post(
        "/api/v1/witnesses", json={"name": "Forum Warga Sukamaju", "public_key": public}, headers=bearer(observer)
    )
    assert response.status_code == 201, response.get_json()
    key_id = response.get_json()["key_id"]

    signed = _countersigned(client, tmp_path, key)
    response = client.post("/api/v1/witnesses/heads", json=signed, headers=bearer(observer))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["in_chain"] is True
    assert client.post("/api/v1/witnesses/heads", json=signed, headers=bearer(observer)).status_code == 409

    (listed,) = client.get("/api/v1/witnesses").get_json()
    assert (listed["name"], listed["key_id"], listed["heads_count"]) == ("Forum Warga Sukamaju", key_id, 1)
    assert listed["latest_heads"][0]["seq"] == signed["seq"] and listed["latest_heads"][0]["in_chain"] is True
    page = client.get("/saksi").get_data(as_text=True)
    assert "Forum Warga Sukamaju" in page and signed["hash"] in page and "Pemantau Anggaran" not in page
    assert observer.email not in page

    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("witness.%"))).all()
    assert [e.action for e in entries] == ["witness.registered", "witness.countersigned"]
    assert all(observer.email not in e.data_json and "Pemantau Anggaran" not in e.data_json for e in entries)

    # the site rewrites the entry the witness holds: the page says so
    with write_transaction():
        db.session.execute(sa.update(AuditEntry).where(AuditEntry.seq == signed["seq"]).values(hash="f" * 64))
    (listed,) = client.get("/api/v1/witnesses").get_json()
    assert listed["latest_heads"][0]["in_chain"] is False
    assert "TIDAK ada dalam rantai" in client.get("/saksi").get_data(as_text=True)


def test_what_is_refused(app, make, observer, client, tmp_path):
    citizen = make.user()
    db.session.commit()
    key = tmp_path / "k.pem"
    public = tool("keygen", str(key), cwd=tmp_path)
    body = {"name": "Forum", "public_key": public}
    assert client.post("/api/v1/witnesses", json=body, headers=bearer(citizen)).status_code == 403
    bad = client.post("/api/v1/witnesses", json={**body, "public_key": "bukan-kunci"}, headers=bearer(observer))
    assert bad.status_code == 422 and "public_key" in json.dumps(bad.get_json())
    signed = _countersigned(client, tmp_path, key)
    assert client.post("/api/v1/witnesses/heads", json=signed, headers=bearer(observer)).status_code == 409  # no key
    assert client.post("/api/v1/witnesses", json=body, headers=bearer(observer)).status_code == 201
    assert client.post("/api/v1/witnesses", json=body, headers=bearer(observer)).status_code == 409

    forged = {**signed, "hash": "0" * 64}  # not what the site signed
    assert client.post("/api/v1/witnesses/heads", json=forged, headers=bearer(observer)).status_code == 422
    other = tmp_path / "other.pem"
    tool("keygen", str(other), cwd=tmp_path)
    stranger = _countersigned(client, tmp_path, other)  # signed by a key that is not the observer's
    response = client.post("/api/v1/witnesses/heads", json=stranger, headers=bearer(observer))
    assert response.status_code == 422 and "countersignature" in json.dumps(response.get_json())
    assert client.post("/api/v1/witnesses/heads", json=signed, headers=bearer(citizen)).status_code == 403


def test_the_desk_works_without_javascript(app, make, observer, client, auth, tmp_path):
    page = client.get("/pemantau").get_data(as_text=True)
    assert "/arsip" in page and "/data" in page and "/saksi" in page and "/alat/verify_archive.py" in page
    key = tmp_path / "k.pem"
    public = tool("keygen", str(key), cwd=tmp_path)
    auth.login(observer)
    response = client.post("/pemantau/kunci", data={"k-name": "Forum Warga", "k-public_key": public})
    assert response.status_code == 303
    signed = _countersigned(client, tmp_path, key)
    response = client.post("/pemantau/kepala", data={"h-head": json.dumps(signed)})
    assert response.status_code == 303 and response.headers["Location"].endswith("/saksi")
    again = client.post("/pemantau/kepala", data={"h-head": "bukan json"})
    assert again.status_code == 422
    assert client.get("/alat/witness.py").data == TOOL.read_bytes()
