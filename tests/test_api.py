"""JSON API v1 (CONTRACT.md): rounds, errors as JSON, the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from consult.rounds.services import schedule_round
from consult.timeutil import utcnow


def assert_json_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def parse_iso(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value)
    assert parsed.utcoffset() is not None, f"{value} has no UTC offset"
    return parsed


def _many_rounds(make, n: int) -> list[int]:
    agency = make.agency()
    version = make.policy(agency).latest_published
    now = utcnow()
    return [
        schedule_round(
            "test",
            version,
            title=f"Putaran {i}",
            opens_at=now + dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=2 + i),
        ).id
        for i in range(n)
    ]


def test_rounds_are_listed_newest_first_with_a_cursor(client, make):
    ids = _many_rounds(make, 45)
    seen, cursor, pages = [], None, 0
    while True:
        query = "/api/v1/rounds?limit=20" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(query)
        assert response.status_code == 200 and response.mimetype == "application/json"
        body = response.get_json()
        assert set(body) == {"items", "next_cursor"}
        pages += 1
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str)
    assert pages == 3
    assert seen == sorted(ids, reverse=True)  # newest first, no duplicates, no gaps
    assert len(client.get("/api/v1/rounds").get_json()["items"]) == 20  # the default page


def test_round_summary_fields(client, make):
    rnd = make.round(make.agency(name="Dinas Perhubungan"), state="open")
    [item] = client.get("/api/v1/rounds").get_json()["items"]
    assert item["id"] == rnd.id and item["title"] == rnd.title and item["state"] == "open"
    assert item["agency"] == {"slug": rnd.agency.slug, "name": "Dinas Perhubungan"}
    assert parse_iso(item["opens_at"]) == rnd.opens_at.replace(tzinfo=dt.UTC)
    assert parse_iso(item["closes_at"]) == rnd.closes_at.replace(tzinfo=dt.UTC)


@pytest.mark.parametrize("query", ["cursor=abc", "cursor=-5", "cursor=1.5", "limit=1000", "limit=x"])
def test_bad_cursor_or_limit_is_a_422_json_error(client, make, query):
    make.round()
    error = assert_json_error(client.get(f"/api/v1/rounds?{query}"), 422, "invalid")
    assert error["fields"]


def test_round_detail(client, make):
    agency = make.agency(name="Dinas Kependudukan")
    rnd = make.round(agency, state="scheduled")
    response = client.get(f"/api/v1/rounds/{rnd.id}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert body["id"] == rnd.id and body["state"] == "scheduled"
    assert body["agency"] == {"slug": agency.slug, "name": "Dinas Kependudukan"}
    assert parse_iso(body["opens_at"]) == rnd.opens_at.replace(tzinfo=dt.UTC)
    assert parse_iso(body["closes_at"]) > parse_iso(body["opens_at"])
    version = rnd.version
    assert body["version"]["id"] == version.id and body["version"]["number"] == 1
    assert parse_iso(body["version"]["published_at"]) == version.published_at.replace(tzinfo=dt.UTC)
    assert [(s["id"], s["key"], s["title"]) for s in body["sections"]] == [
        (s.id, s.key, s.title) for s in version.sections
    ]
    assert [s["key"] for s in body["sections"]] == ["pembuka", "satu", "dua"]
    assert body["sections"][1]["body"] == "Teks satu." and body["sections"][1]["body_html"] == "<p>Teks satu.</p>"


def test_state_in_the_api_follows_the_times(client, make):
    agency = make.agency()
    ids = {state: make.round(agency, state=state).id for state in ("scheduled", "open", "closed")}
    for state, round_id in ids.items():
        assert client.get(f"/api/v1/rounds/{round_id}").get_json()["state"] == state


@pytest.mark.parametrize("path", ["/api/v1/rounds/999999", "/api/v1/xyz", "/api/v1/rounds/abc", "/api/v1/"])
def test_unknown_addresses_are_404_json(client, path):
    assert_json_error(client.get(path), 404, "not_found")


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_a_wrong_method_is_405_json(client, make, method):
    rnd = make.round()
    assert_json_error(getattr(client, method)("/api/v1/rounds", json={}), 405)
    assert_json_error(getattr(client, method)(f"/api/v1/rounds/{rnd.id}", json={}), 405)


@pytest.mark.parametrize("path", ["/api/v1/rounds", "/api/v1/rounds/1", "/api/v1/audit", "/api/v1/nowhere"])
def test_an_oversized_body_is_413_json(app, client, path):
    too_big = b"{" + b" " * app.config["MAX_CONTENT_LENGTH"] + b"}"
    assert_json_error(client.post(path, data=too_big, content_type="application/json"), 413)


def test_api_responses_are_not_cached(client):
    assert client.get("/api/v1/rounds").headers["Cache-Control"] == "no-store"


def _flask_path(rule: str) -> str:
    """'/api/v1/rounds/<int:round_id>' → '/rounds/{id}' (every path parameter named {id} for comparison)."""
    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "{id}", rule.removeprefix("/api/v1"))


def _openapi_path(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{id}", path)


def test_openapi_document_lists_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["servers"] == [{"url": "/api/v1"}]

    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            methods = {m.lower() for m in rule.methods} - {"head", "options"}
            routes.setdefault(_flask_path(rule.rule), set()).update(methods)
    assert "/rounds" in routes and "/rounds/{id}" in routes and "/openapi.json" in routes

    documented = {
        _openapi_path(path): {m for m in item if m in {"get", "post", "put", "patch", "delete"}}
        for path, item in doc["paths"].items()
    }
    assert documented == routes

    for path, item in doc["paths"].items():
        names = set(re.findall(r"\{([^}]+)\}", path))
        for operation in item.values():
            declared = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"}
            assert declared == names, path
            assert operation["responses"], path


def test_openapi_references_resolve(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    refs = set(re.findall(r'"\$ref": "#/([^"]+)"', json.dumps(doc)))
    assert refs
    for ref in refs:
        node = doc
        for part in ref.split("/"):
            assert part in node, ref
            node = node[part]


def test_me_answers_for_a_bearer_token_and_refuses_without_one(client, make):
    from consult.accounts.services import create_api_token

    agency = make.agency()
    user = make.user(role="moderator", agency=agency)
    token = create_api_token(user)
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["agencies"] == [{"slug": agency.slug, "role": "moderator"}]
    assert "email" not in response.get_json()
    for headers in ({}, {"Authorization": "Bearer cst_wrong"}, {"Authorization": f"Basic {token}"}):
        refused = client.get("/api/v1/me", headers=headers)
        assert refused.status_code == 401
        assert refused.get_json()["error"]["code"] == "unauthorized"


def test_ids_beyond_a_database_integer_are_404_not_500(client):
    assert client.get("/api/v1/rounds/99999999999999999999").status_code == 404
    assert client.get("/rounds/99999999999999999999").status_code == 404
    assert client.get("/comments/2147483648").status_code == 404
