"""JSON API v1 (CONTRACT.md): rounds, errors as JSON, the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re

import pytest
from werkzeug.test import EnvironBuilder

from consult.api.bodies import SPACE, collapsed_at_least
from consult.api.spec import range_regex
from consult.params import MAX_ID
from consult.rounds.services import schedule_round
from consult.timeutil import utcnow
from tests.openapi_check import checked_client, contract


@pytest.fixture
def client(app):
    """Every answer this module's tests receive is checked against the OpenAPI document (tests/openapi_check.py)."""
    yield from checked_client(app)


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


# --- ids in paths -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("maximum", [1, 7, 9, 10, 20, 99, 100, 101, 1999, 2147, 3000])
def test_the_path_id_pattern_matches_exactly_1_to_its_maximum(maximum):
    pattern = re.compile(range_regex(maximum))
    assert [n for n in range(maximum * 10 + 10) if pattern.fullmatch(str(n))] == list(range(1, maximum + 1))
    big = re.compile(range_regex(MAX_ID))
    assert big.fullmatch(str(MAX_ID)) and big.fullmatch(str(MAX_ID - 1)) and big.fullmatch("1000000000")
    assert not big.fullmatch(str(MAX_ID + 1)) and not big.fullmatch("9999999999") and not big.fullmatch("0")


def _api_paths_with_an_id(doc: dict) -> list[tuple[str, set[str]]]:
    return [(path, set(item)) for path, item in doc["paths"].items() if "{id}" in path]


@pytest.mark.parametrize("bad", ["0", "00", str(MAX_ID + 1), "99999999999999999999", "\u0663", "-1", "1.0", "x"])
def test_an_id_outside_the_database_range_is_404_for_every_method_on_every_api_path(client, bad):
    """Not a 405 that names the other methods (werkzeug checks methods before converting), whatever the method."""
    doc = client.get("/api/v1/openapi.json").get_json()
    paths = _api_paths_with_an_id(doc)
    assert len(paths) >= 10
    for path, _methods in paths:
        url = "/api/v1" + path.replace("{id}", bad)
        for method in ("get", "post", "put", "patch", "delete"):
            assert_json_error(client.open(url, method=method, json={}), 404, "not_found")


def test_leading_zeros_still_name_the_same_id(client, make):
    rnd = make.round()
    assert client.get(f"/api/v1/rounds/000{rnd.id}").get_json()["id"] == rnd.id
    assert client.get("/api/v1/rounds/" + "0" * 5000 + str(rnd.id)).status_code == 200  # no int() of 5,000 digits


def test_a_method_an_address_does_not_take_is_405_naming_the_ones_it_does(client, make):
    rnd = make.round()
    for method in ("trace", "delete", "post"):
        response = client.open(f"/api/v1/rounds/{rnd.id}", method=method)
        assert_json_error(response, 405)
        assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    response = client.open("/api/v1/comments/1", method="put")
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "PATCH"}


# --- request bodies: the messages of a wrong type ---------------------------------------------------------------


def test_a_wrong_type_is_named_with_the_message_of_its_field_in_english_and_indonesian(client, make):
    from consult.accounts.services import create_api_token

    rnd = make.round()
    auth = {"Authorization": f"Bearer {create_api_token(make.user())}"}
    url = f"/api/v1/rounds/{rnd.id}/comments"
    payload = {"body": 5, "section_id": "1", "parent_id": True, "stance": ["support"], "show_name": "yes"}
    english = {
        "body": "Must be a string.",
        "section_id": "Must be the id of an existing item (a positive whole number).",
        "parent_id": "Must be the id of an existing item (a positive whole number).",
        "stance": "Must be a string.",
        "show_name": "Must be true or false.",
    }
    assert assert_json_error(client.post(url + "?lang=en", json=payload, headers=auth), 422)["fields"] == english
    indonesian = assert_json_error(client.post(url, json=payload, headers=auth), 422)["fields"]
    assert indonesian["body"] == "Harus berupa teks." and indonesian["show_name"] == "Harus bernilai true atau false."
    assert set(indonesian) == set(english) and not set(indonesian.values()) & set(english.values())

    comment = client.post(url, json={"body": "Halo"}, headers=auth).get_json()["id"]
    vote = client.put(f"/api/v1/comments/{comment}/vote?lang=en", json={"value": True}, headers=auth)
    assert assert_json_error(vote, 422)["fields"] == {"value": "A vote is 1 (agree), -1 (disagree) or 0 (pass)."}
    stance_url = f"/api/v1/sections/{rnd.version.sections[0].id}/stance?lang=en"
    stance = client.put(stance_url, json={"round_id": None, "value": 1}, headers=auth)
    assert assert_json_error(stance, 422)["fields"] == {
        "round_id": "This field is required.",
        "value": "Must be a string.",
    }
    empty = client.post(url + "?lang=en", data=b" ", content_type="application/json", headers=auth)
    assert assert_json_error(empty, 400, "bad_request")["message"] == "Send a JSON object as the request body."


# --- the document is made from the code -------------------------------------------------------------------------


def test_the_close_and_extend_reason_bounds_in_the_document_are_the_services(client):
    from consult.rounds.services import MAX_REASON_CHARS, MIN_REASON_CHARS

    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("CloseRound", "ExtendRound"):
        reason = schemas[name]["properties"]["reason"]
        assert (reason["minLength"], reason["maxLength"]) == (MIN_REASON_CHARS, MAX_REASON_CHARS), name
        assert "reason" in schemas[name]["required"]
        pattern = re.compile(reason["pattern"])
        assert pattern.search("x" * MIN_REASON_CHARS) and not pattern.search("x" * (MIN_REASON_CHARS - 1))


def test_the_reason_pattern_is_the_services_measure_of_a_reason():
    """At least n characters once runs of whitespace are one space and the ends trimmed, for every short text."""
    alphabet = ["a", " ", "\t", "\u00a0", "\x1c", "\u3000", "\x00"]
    for n in range(1, 6):
        pattern = re.compile(collapsed_at_least(n))
        for size in range(7):
            for letters in itertools.product(alphabet, repeat=size):
                text = "".join(letters)
                expected = "\x00" not in text and len(" ".join(text.split())) >= n
                assert bool(pattern.fullmatch(text)) == expected, (n, text)


def test_the_documents_whitespace_is_pythons():
    space = re.compile(f"[{SPACE}]")
    assert [c for c in map(chr, range(0x110000)) if space.fullmatch(c)] == [
        c for c in map(chr, range(0x110000)) if c.isspace()
    ]


def test_every_operation_names_its_answers_and_bodies_by_their_models(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operations = [(path, method, op) for path, item in doc["paths"].items() for method, op in item.items()]
    assert len({op["operationId"] for _, _, op in operations}) == len(operations)
    for path, method, op in operations:
        success = [code for code in op["responses"] if code.startswith("2")]
        assert len(success) == 1, (path, method)
        schema = op["responses"][success[0]]["content"]["application/json"]["schema"]
        assert schema["$ref"].startswith("#/components/schemas/"), (path, method)
        assert "422" in op["responses"], (path, method)  # text no database stores, in any query parameter
        if method != "get":
            assert {"400", "413"} <= set(op["responses"]), (path, method)
        if "security" in op:
            assert "401" in op["responses"], (path, method)


# --- every answer is checked against the document ---------------------------------------------------------------


def _answer(app, method: str, path: str, status: int, body, headers=None):
    response = app.response_class(json.dumps(body), status=status, mimetype="application/json", headers=headers)
    response.request = EnvironBuilder(method=method, path=path).get_request()
    return response


def test_the_check_refuses_what_the_document_does_not_describe(app, client, make):
    rnd = make.round()
    check = contract(app).check
    real = client.get(f"/api/v1/rounds/{rnd.id}").get_json()
    check(_answer(app, "GET", f"/api/v1/rounds/{rnd.id}", 200, real))  # the real answer passes
    refused = [
        ("GET", "/api/v1/rounds", 418, {"items": [], "next_cursor": None}),  # a status it does not list
        ("GET", f"/api/v1/rounds/{rnd.id}", 200, {"id": rnd.id}),  # fields missing
        ("GET", f"/api/v1/rounds/{rnd.id}", 200, {**real, "opens_at": "1 Desember 2026"}),  # not a date-time
        ("GET", f"/api/v1/rounds/{rnd.id}", 200, {**real, "state": "paused"}),  # not one of its values
        ("GET", "/api/v1/rounds", 200, {"items": [], "next_cursor": 5}),  # the wrong type
        ("GET", "/api/v1/nowhere", 200, {}),  # no such path
        ("POST", "/api/v1/audit", 405, {"error": {"code": "method_not_allowed", "message": "x"}}),  # no Allow
        ("GET", f"/api/v1/rounds/{rnd.id}", 404, {"message": "no"}),  # not an Error
    ]
    for method, path, status, body in refused:
        with pytest.raises(AssertionError):
            check(_answer(app, method, path, status, body))
    before = contract(app).checked
    client.get("/api/v1/rounds")
    assert contract(app).checked == before + 1  # and this module's client checks each answer
