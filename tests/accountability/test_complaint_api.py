"""The accountability API exactly as CONTRACT.md: commitments, filing, the public status, answer/confirm/dispute."""

from __future__ import annotations

import datetime as dt

import pytest

from consult.accounts.services import create_api_token
from consult.timeutil import iso_utc, utcnow
from tests.accountability.complaint_world import build_world


@pytest.fixture
def world(make):
    return build_world(make)


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_token(user)}"}


def _file(client, world, user=None, **body):
    payload = {"agency": world.agency.slug, "what": "Biaya diminta padahal gratis.", **body}
    return client.post("/api/v1/complaints", json=payload, headers=bearer(user or world.citizen))


def test_commitments_list_is_published_only_with_the_contract_shape(client, world, make):
    response = client.get(f"/api/v1/agencies/{world.agency.slug}/commitments")
    assert response.status_code == 200
    data = response.get_json()
    assert isinstance(data, list) and data
    first = data[0]
    assert {"id", "service", "document_id", "version_id", "section_key", "text", "measure"} <= set(first)
    assert first["service"] == "Penerbitan Akta Kelahiran"
    assert first["measure"]["kind"] in ("days", "rupiah", "text") and "value" in first["measure"]
    days = [c for c in data if c["measure"]["kind"] == "days"]
    assert days and isinstance(days[0]["measure"]["value"], int)
    assert client.get("/api/v1/agencies/tidak-ada/commitments").status_code == 404
    assert client.get(f"/api/v1/agencies/{world.other.slug}/commitments").get_json() == []


def test_a_citizen_files_and_anyone_reads_the_status_without_personal_data(client, world):
    response = _file(client, world, commitment_id=world.commitment.id, where="Loket 2", when="Senin pagi")
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert set(data) == {"tracking_number", "secret", "received_at", "due_at", "status"}
    assert data["status"] == "received" and len(data["secret"]) == 14
    received = dt.datetime.fromisoformat(data["received_at"])
    assert dt.datetime.fromisoformat(data["due_at"]) - received == dt.timedelta(days=14)
    public = client.get(f"/api/v1/complaints/{data['tracking_number']}")
    assert public.status_code == 200
    body = public.get_json()
    assert {"status", "overdue", "due_at", "answered_at", "answer", "commitment_id", "service"} <= set(body)
    assert body["status"] == "received" and body["overdue"] is False and body["answer"] is None
    assert body["commitment_id"] == world.commitment.id and body["service"] == world.service.name
    text = public.get_data(as_text=True)
    for private in (world.citizen.email, world.citizen.name, "Biaya diminta", "Loket 2", data["secret"]):
        assert private not in text
    # the tracking number as typed by a person
    loose = data["tracking_number"].lower().replace("-", "")
    assert client.get(f"/api/v1/complaints/{loose}").status_code == 200
    assert client.get("/api/v1/complaints/ADU-XXXXXXXXX").status_code == 404


def test_filing_rules_401_403_404_422(client, world):
    assert client.post("/api/v1/complaints", json={"agency": world.agency.slug, "what": "x"}).status_code == 401
    back = iso_utc(utcnow() - dt.timedelta(days=2))
    response = _file(client, world, received_at=back)
    assert response.status_code == 422 and "received_at" in response.get_json()["error"]["fields"]
    assert _file(client, world, channel="counter").status_code == 403
    assert _file(client, world, agency="tidak-ada").status_code == 404
    assert _file(client, world, what="").status_code == 422
    assert _file(client, world, commitment_id="1").status_code == 422  # strict types


def test_staff_enter_a_backdated_counter_complaint_that_is_overdue_at_once(client, world):
    back = utcnow() - dt.timedelta(days=20)
    response = _file(client, world, user=world.moderator, channel="counter", received_at=iso_utc(back))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert dt.datetime.fromisoformat(data["received_at"]).replace(tzinfo=None) == back.replace(
        microsecond=back.microsecond
    )
    body = client.get(f"/api/v1/complaints/{data['tracking_number']}").get_json()
    assert body["overdue"] is True and body["status"] == "received"
    too_old = iso_utc(utcnow() - dt.timedelta(days=31))
    assert _file(client, world, user=world.moderator, channel="paper", received_at=too_old).status_code == 422


def test_answer_dispute_answer_confirm_through_the_api(client, world):
    filed = _file(client, world).get_json()
    number, secret = filed["tracking_number"], filed["secret"]
    base = f"/api/v1/complaints/{number}"
    assert client.post(f"{base}/answer", json={"answer": "x"}, headers=bearer(world.citizen)).status_code == 403
    assert client.post(f"{base}/answer", json={"answer": "x"}, headers=bearer(world.other_admin)).status_code == 403
    assert client.post(f"{base}/confirm", json={"secret": secret}).status_code == 409
    answered = client.post(f"{base}/answer", json={"answer": "Dana dikembalikan."}, headers=bearer(world.admin))
    assert answered.status_code == 200
    assert answered.get_json()["status"] == "answered" and answered.get_json()["answer"] == "Dana dikembalikan."
    assert client.post(f"{base}/answer", json={"answer": "lagi"}, headers=bearer(world.admin)).status_code == 409
    assert client.post(f"{base}/dispute", json={"reason": "Belum", "secret": "AAAA-BBBB-CCCC"}).status_code == 403
    assert client.post(f"{base}/dispute", json={"secret": secret}).status_code == 422
    disputed = client.post(f"{base}/dispute", json={"reason": "Belum kembali", "secret": secret})
    assert disputed.status_code == 200
    d = disputed.get_json()
    assert d["status"] == "disputed" and d["answered_at"] is None and d["overdue"] is False
    due = dt.datetime.fromisoformat(d["due_at"]).replace(tzinfo=None)
    assert abs(due - (utcnow() + dt.timedelta(days=14))) < dt.timedelta(minutes=1)
    client.post(f"{base}/answer", json={"answer": "Sudah dikembalikan."}, headers=bearer(world.moderator))
    confirmed = client.post(f"{base}/confirm", json={}, headers=bearer(world.citizen))  # the owner's token
    assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "confirmed"
    assert [h["kind"] for h in confirmed.get_json()["history"]] == [
        "received",
        "answered",
        "disputed",
        "answered",
        "confirmed",
    ]


def test_wrong_secret_codes_are_limited_per_complaint(client, world, app):
    filed = _file(client, world).get_json()
    base = f"/api/v1/complaints/{filed['tracking_number']}"
    client.post(f"{base}/answer", json={"answer": "Jawaban."}, headers=bearer(world.admin))
    codes = [client.post(f"{base}/confirm", json={"secret": f"AAAA-BBBB-{n:04d}"}).status_code for n in range(11)]
    assert codes[:10] == [403] * 10 and codes[10] == 429
    # even the right code waits now; another complaint is not locked
    assert client.post(f"{base}/confirm", json={"secret": filed["secret"]}).status_code == 429
    assert client.post(f"{base}/confirm", json={}, headers=bearer(world.citizen)).status_code == 200  # the owner


def test_filing_is_rate_limited_per_account(client, world, app):
    app.config["COMPLAINT_LIMIT"] = "2 per hour"
    try:
        assert [_file(client, world).status_code for _ in range(3)] == [201, 201, 429]
        other = world.moderator  # a neighbour behind the same address still files
        assert _file(client, world, user=other).status_code == 201
    finally:
        app.config["COMPLAINT_LIMIT"] = "5 per hour;20 per day"


def test_the_openapi_document_declares_the_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/agencies/{slug}/commitments",
        "/complaints",
        "/complaints/{tracking_number}",
        "/complaints/{tracking_number}/answer",
        "/complaints/{tracking_number}/confirm",
        "/complaints/{tracking_number}/dispute",
    ):
        assert path in paths, path
