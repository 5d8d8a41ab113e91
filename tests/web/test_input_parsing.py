"""Input parsing (consult/params.py): every id, cursor and text a request carries is refused cleanly (400, 404 or
422 naming the field), never a 500 — the probe's requests one by one, then every route of the app, found in
app.url_map, with huge, Unicode-digit, negative and empty values for every id and cursor parameter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.accounts.services import create_api_token
from consult.extensions import db
from consult.moderation import services as moderation
from consult.pagination import decode_cursor, encode_cursor
from consult.params import MAX_ID, BadParameter, parse_cursor, parse_id
from consult.participation import services as participation
from consult.participation.models import Comment
from consult.rounds.models import Round
from tests.api.test_api import assert_json_error

HUGE = "99999999999999999999"
SUPERSCRIPT = "²"  # "²".isdigit() is True in Python, and int("²") raises
ARABIC_INDIC = "٣"  # int("٣") == 3: a Unicode digit that int() accepts
BAD_NUMBERS = [HUGE, SUPERSCRIPT, ARABIC_INDIC, "-1", "1.5", "0x10", " 1", str(MAX_ID + 1)]


@dataclass
class World:
    agency_slug: str
    round_id: int
    section_id: int
    document_id: int
    comment_id: int
    reply_id: int
    admin: User
    citizen: User
    admin_auth: dict[str, str]

    @property
    def round(self) -> Round:
        return db.session.get(Round, self.round_id)


@pytest.fixture
def world(make) -> World:
    agency = make.agency()
    moderation.add_rule("test", agency, "Tidak menghina")
    rnd = make.round(agency)
    citizen, admin = make.user(), make.user("admin")
    section_id = rnd.version.sections[1].id
    comment = participation.post_comment(citizen, rnd, "Komentar pertama.", section_id=section_id)
    reply = participation.post_comment(make.user(), rnd, "Balasan.", parent_id=comment.id)
    return World(
        agency_slug=agency.slug,
        round_id=rnd.id,
        section_id=section_id,
        document_id=rnd.document_id,
        comment_id=comment.id,
        reply_id=reply.id,
        admin=admin,
        citizen=citizen,
        admin_auth={"Authorization": f"Bearer {create_api_token(admin)}"},
    )


def comment_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Comment))


# --- the parser ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [*BAD_NUMBERS, "0", 0, -3, True, 1.0, 2**31, "9" * 5000, "", None])
def test_an_id_is_ascii_digits_within_the_database_integer(app, raw):
    with app.test_request_context():
        if raw in ("", None):
            assert parse_id(raw, "x") is None
            with pytest.raises(BadParameter):
                parse_id(raw, "x", required=True)
            return
        with pytest.raises(BadParameter) as info:
            parse_id(raw, "parent_id")
    assert set(info.value.fields) == {"parent_id"} and "parent_id" in str(info.value.message)


def test_the_bounds_of_ids_and_cursors(app):
    with app.test_request_context():
        assert parse_id("1", "x") == 1 and parse_id(str(MAX_ID), "x") == MAX_ID and parse_id(7, "x") == 7
        assert parse_cursor("0", "x") == 0 and parse_cursor(str(MAX_ID), "x") == MAX_ID
        with pytest.raises(BadParameter):
            parse_cursor(str(MAX_ID + 1), "x")


def test_an_opaque_cursor_is_only_what_this_site_made(app):
    with app.test_request_context():
        assert decode_cursor(encode_cursor(3, 2**40), 2) == (3, 2**40)
        for forged in ("abc", encode_cursor(1), encode_cursor(2**64, 1), "wrzCsg", "LTE", "MSAy"):  # "-1", "1 2"
            with pytest.raises(BadParameter):
                decode_cursor(forged, 2)
        with pytest.raises(BadParameter):
            decode_cursor(encode_cursor(5), 1, maximum=(4,))


# --- the probe's requests --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [HUGE, SUPERSCRIPT, ARABIC_INDIC, "-1"])
@pytest.mark.parametrize("htmx", [False, True])
def test_a_bad_section_filter_on_the_round_page_is_422(client, world, value, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    for query in (f"bagian={value}", f"bagian={value}&fragment=komentar", f"bagian={value}&urut=setuju"):
        response = client.get(f"/rounds/{world.round_id}?{query}", headers=headers)
        assert response.status_code == 422, query
        assert "bagian" in response.get_data(as_text=True)


def test_an_empty_section_filter_shows_every_comment(client, world):
    assert client.get(f"/rounds/{world.round_id}?bagian=").status_code == 200
    assert client.get(f"/rounds/{world.round_id}?bagian={world.section_id}").status_code == 200


@pytest.mark.parametrize("value", [HUGE, SUPERSCRIPT, ARABIC_INDIC, "-1"])
def test_bad_list_cursors_are_refused(client, world, value):
    assert client.get(f"/putaran?cursor={value}").status_code == 422
    assert "cursor" in assert_json_error(client.get(f"/api/v1/rounds?cursor={value}"), 422, "invalid")["fields"]
    assert "after" in assert_json_error(client.get(f"/api/v1/audit?after={value}"), 422, "invalid")["fields"]


@pytest.mark.parametrize("value", [HUGE, SUPERSCRIPT, ARABIC_INDIC, "-1"])
@pytest.mark.parametrize("field", ["parent_id", "section_id"])
def test_a_bad_id_in_the_comment_form_is_422_and_saves_nothing(client, auth, world, value, field):
    auth.login(world.citizen)
    before = comment_count()
    response = client.post(f"/rounds/{world.round_id}/komentar", data={"body": "Halo semua", field: value})
    assert response.status_code == 422 and field in response.get_data(as_text=True)
    assert comment_count() == before


@pytest.mark.parametrize("value", [HUGE, SUPERSCRIPT, "-1"])
@pytest.mark.parametrize("field", ["user_id", "agency_id"])
def test_a_bad_id_when_revoking_a_role_is_422(client, auth, world, value, field):
    auth.login(world.admin)
    data = {"user_id": str(world.citizen.id), "role": "moderator", field: value}
    response = client.post("/admin/peran/cabut", data=data)
    assert response.status_code == 422 and field in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"body": "\\ud800"}',
        b'{"body": "Halo \\udfff semua"}',
        b'{"body": "Halo \\u0000 semua"}',
        b'{"body": "Halo", "stance": "\\ud83d"}',
    ],
)
def test_text_the_database_cannot_store_is_422_naming_the_field_on_the_api(client, world, raw):
    url = f"/api/v1/rounds/{world.round_id}/comments"
    before = comment_count()
    response = client.post(url, data=raw, content_type="application/json", headers=world.admin_auth)
    error = assert_json_error(response, 422, "invalid")
    assert set(error["fields"]) == ({"stance"} if b"stance" in raw else {"body"})
    assert comment_count() == before


def test_a_nested_bad_string_is_named_by_its_path(client, world):
    url = f"/api/v1/comments/{world.comment_id}/moderation"
    raw = b'{"action": "hide", "rule": 1, "reason": "ok", "extra": {"list": ["a", "\\ud800"]}}'
    response = client.post(url, data=raw, content_type="application/json", headers=world.admin_auth)
    assert set(assert_json_error(response, 422, "invalid")["fields"]) == {"extra.list[1]"}


def test_a_surrogate_in_a_json_key_is_refused_too(client, world):
    url = f"/api/v1/rounds/{world.round_id}/comments"
    raw = b'{"body": "Halo", "\\ud800": 1}'
    response = client.post(url, data=raw, content_type="application/json", headers=world.admin_auth)
    assert_json_error(response, 422, "invalid")


@pytest.mark.parametrize("htmx", [False, True])
def test_a_nul_in_a_web_comment_is_422_naming_the_field_and_stores_nothing(client, auth, world, htmx):
    auth.login(world.citizen)
    before = comment_count()
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(f"/rounds/{world.round_id}/komentar", data={"body": "Halo\x00semua"}, headers=headers)
    assert response.status_code == 422 and "body" in response.get_data(as_text=True)
    assert comment_count() == before


def test_a_nul_in_any_form_field_or_query_parameter_is_refused(client, auth, world):
    auth.login(world.admin)
    for url, data in [
        (f"/comments/{world.comment_id}/laporkan", {"reason": "Menghina\x00warga"}),
        (f"/kelola/{world.agency_slug}/aturan", {"new-title": "Aturan\x00baru"}),
        ("/admin/instansi", {"name": "Dinas\x00", "slug": "dinas-nul", "timezone": "Asia/Jakarta"}),
        ("/bahasa", {"lang": "en\x00"}),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 422, url
    assert client.get("/moderasi?instansi=dinas%00").status_code == 422
    assert client.get("/instansi/dinas%00/aturan").status_code == 404


def test_a_nul_in_an_api_text_field_stores_nothing(client, world):
    url = f"/api/v1/comments/{world.comment_id}/reports"
    response = client.post(url, json={"reason": "Menghina\x00warga"}, headers=world.admin_auth)
    assert "reason" in assert_json_error(response, 422, "invalid")["fields"]


@pytest.mark.parametrize("path", [HUGE, ARABIC_INDIC, SUPERSCRIPT, "-1", "0"])
def test_a_path_id_that_is_no_ascii_id_is_404(client, world, path):
    assert client.get(f"/rounds/{path}").status_code == 404
    assert_json_error(client.get(f"/api/v1/rounds/{path}"), 404)


# --- every route -----------------------------------------------------------------------------------------------

# The parameter names the probe used, and every name the code reads through consult.params (found in the source,
# so a new parameter is tried on every route without changing this test).
KNOWN = {"bagian", "sebelum", "cursor", "after", "parent_id", "section_id", "user_id", "agency_id", "round_id"}
_CALL = re.compile(
    r"""\b(?:id_arg|id_field|cursor_arg|int_arg|parse_id|parse_cursor|\.id)\(\s*(?:[^,()"]+,\s*)?"(\w+)\""""
)


def parameter_names() -> set[str]:
    root = Path(__file__).resolve().parents[2] / "consult"
    found = {m.group(1) for path in root.rglob("*.py") for m in _CALL.finditer(path.read_text())}
    assert {"bagian", "parent_id", "section_id", "after"} <= found, found  # the scan still sees the parser's calls
    return KNOWN | found


def _path_values(world: World) -> dict[str, str]:
    return {
        "round_id": str(world.round_id),
        "section_id": str(world.section_id),
        "comment_id": str(world.reply_id),
        "document_id": str(world.document_id),
        "slug": world.agency_slug,
        "token": "bukan-token",
        "filename": "css/app.css",
        "token_id": "999999",  # not the admin's own token, which the requests use
    }


def _url(rule, values: dict[str, str], override: dict[str, str] | None = None) -> str:
    def fill(match):
        name = match.group(1)
        return (override or {}).get(name) or values.get(name, "999999")

    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", fill, rule.rule)


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


@pytest.fixture
def unlimited(app, monkeypatch):
    for key in list(app.config):
        if key.endswith("_LIMIT") and isinstance(app.config[key], str):
            monkeypatch.setitem(app.config, key, "100000 per minute")


class Sender:
    """Requests as the site admin (session and bearer token), logged in again after any account route (which may
    have logged out or changed the session)."""

    def __init__(self, client, auth, world):
        self.client, self.auth, self.world, self.fresh = client, auth, world, False

    def __call__(self, method, url, *, query=None, form=None, json=None):
        if not self.fresh:
            self.auth.login(self.world.admin)
            self.fresh = True
        response = self.client.open(
            url, method=method, query_string=query, data=form, json=json, headers=self.world.admin_auth
        )
        if url.startswith(("/logout", "/profil", "/login", "/register")):
            self.fresh = False
        response.get_data()
        response.close()  # a static file's response holds the file open
        return response


@pytest.fixture
def send(client, auth, world, unlimited):
    return Sender(client, auth, world)


def test_every_route_refuses_bad_ids_and_cursors_cleanly(app, world, send):
    """Each route, with every id and cursor name at once in the query and in a form or JSON body: never a 500, and
    an answer that differs from the one to a well-formed id ("1") is a refusal (400, 404, 422). Where one differs,
    each name is tried alone too, so that a parameter read first cannot hide another."""
    names = sorted(parameter_names())
    values = _path_values(world)
    tried = 0

    def request(method, url, kind, params):
        body = {"form": {"form": params}, "json": {"json": params}}.get(kind, {})
        query = {k: str(v) for k, v in params.items()}
        return send(method, url, query=query, **body).status_code

    for rule, method in _routes(app):
        url = _url(rule, values)
        for kind in [None] if method == "GET" else ["form", "json"]:
            bad_values = (HUGE, SUPERSCRIPT, ARABIC_INDIC, "-1", "")
            if kind == "json":  # JSON ids are numbers: out of range as numbers, and strings of other digits
                bad_values = (10**20, -1, 0, SUPERSCRIPT, ARABIC_INDIC, "")
            good = 1 if kind == "json" else "1"
            baseline = request(method, url, kind, dict.fromkeys(names, good))
            assert baseline < 500, (method, url, kind)
            for bad in bad_values:
                status = request(method, url, kind, dict.fromkeys(names, bad))
                tried += 1
                assert status < 500, (method, url, kind, bad)
                if status == baseline or bad == "":  # empty is "not given": any answer but a 500
                    continue
                assert status in (400, 404, 422), (method, url, kind, bad, baseline, status)
                for name in names:  # a parameter is read here: each alone, against a well-formed value alone
                    alone = request(method, url, kind, {name: bad})
                    tried += 1
                    assert alone < 500, (method, url, kind, name, bad)
                    if alone != request(method, url, kind, {name: good}):
                        assert alone in (400, 404, 422), (method, url, kind, name, bad, alone)
    assert tried > 500


def test_every_route_answers_404_for_a_path_id_beyond_the_database_integer(app, world, send):
    values = _path_values(world)
    for rule, method in _routes(app):
        ints = [name for name, conv in rule._converters.items() if type(conv).__name__ == "_DatabaseId"]
        for name in ints:
            for bad in (HUGE, ARABIC_INDIC, str(MAX_ID + 1)):
                response = send(method, _url(rule, values, {name: bad}))
                assert response.status_code in (404, 405), (method, rule.rule, name, bad, response.status_code)


def test_every_route_refuses_text_it_cannot_store(app, world, send):
    values = _path_values(world)
    text_fields = ["body", "reason", "title", "name", "email", "synthesis", "response", "what", "value", "action"]
    for rule, method in _routes(app):
        url = _url(rule, values)
        if method == "GET":
            assert send(method, url, query={"q": "a\x00"}).status_code == 422, url
            continue
        form = send(method, url, form=dict.fromkeys(text_fields, "teks\x00"))
        assert form.status_code == 422, (method, url)
        baseline = send(method, url, json={}).status_code
        for bad in ("\ud800", "a\x00b"):
            status = send(method, url, json=dict.fromkeys(text_fields, bad)).status_code
            assert status < 500 and (status == baseline or status in (400, 404, 422)), (method, url, status)


def test_json_nested_beyond_the_parsers_depth_is_400_on_a_web_form_too(client, auth, world):
    auth.login(world.admin)
    deep = b"[" * 100_000 + b"]" * 100_000
    response = client.post("/admin/instansi", data=deep, content_type="application/json")
    assert response.status_code == 400
    url = f"/api/v1/rounds/{world.round_id}/comments"
    api = client.post(url, data=deep, content_type="application/json", headers=world.admin_auth)
    assert_json_error(api, 400)
