"""JSON API v1, participation (CONTRACT.md): comments and replies, votes, section stances, reports, rate limits."""

from __future__ import annotations

import base64
import datetime as dt
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from limits import parse_many

from consult.accounts.models import User
from consult.accounts.services import create_api_token
from consult.api import schemas
from consult.extensions import db, write_transaction
from consult.moderation import services as moderation
from consult.participation import services
from consult.participation.models import Comment, CommentVote, Participant, Report, SectionStance
from consult.rounds.models import Round
from consult.timeutil import utcnow
from tests.api.test_api import assert_json_error, parse_iso
from tests.conftest import is_postgres
from tests.openapi_check import checked_client

COMMENT_FIELDS = {field.alias or name for name, field in schemas.Comment.model_fields.items()}  # the one list


@pytest.fixture
def client(app):
    """Every answer this module's tests receive is checked against the OpenAPI document (tests/openapi_check.py)."""
    yield from checked_client(app)


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_token(user)}"}


@dataclass
class World:
    """An open round of a three-section policy, its author of comments and a reader who votes and reports."""

    round_id: int
    sections: list[int]
    author: User
    author_auth: dict[str, str]
    reader: User
    reader_auth: dict[str, str]

    @property
    def round(self) -> Round:
        return db.session.get(Round, self.round_id)


@pytest.fixture
def world(make) -> World:
    rnd = make.round(make.agency())
    author, reader = make.user(), make.user()
    return World(rnd.id, [s.id for s in rnd.version.sections], author, bearer(author), reader, bearer(reader))


def comment_on(world: World, text: str = "Komentar uji.", user: User | None = None, **kwargs) -> int:
    """A comment written through the service (fast, and no rate limit), returned as its id."""
    return services.post_comment(user or world.author, world.round, text, **kwargs).id


def set_round_times(round_id: int, **times: dt.datetime) -> None:
    with write_transaction():
        rnd = db.session.get(Round, round_id)
        for name, value in times.items():
            setattr(rnd, name, value)


def vote_counts_in_db(comment_id: int) -> dict[str, int]:
    rows = db.session.execute(
        sa.select(CommentVote.value, sa.func.count())
        .where(CommentVote.comment_id == comment_id)
        .group_by(CommentVote.value)
    ).all()
    by_value = dict(rows)
    return {"agree": by_value.get(1, 0), "disagree": by_value.get(-1, 0), "pass": by_value.get(0, 0)}


def cursor_of(*numbers: int) -> str:
    """A cursor in the format of consult.participation.queries, with any numbers in it."""
    return base64.urlsafe_b64encode(".".join(map(str, numbers)).encode()).decode().rstrip("=")


def all_pages(client, url: str) -> tuple[list[dict], list[int]]:
    """Follow next_cursor to the end: every item, and the size of each page."""
    items, sizes, cursor = [], [], None
    while True:
        response = client.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        body = response.get_json()
        assert set(body) == {"items", "next_cursor"}
        items += body["items"]
        sizes.append(len(body["items"]))
        cursor = body["next_cursor"]
        if cursor is None:
            return items, sizes
        assert isinstance(cursor, str) and len(sizes) < 20


# --- reading comments ------------------------------------------------------------------------------------------


def test_posted_comment_is_listed_with_exactly_the_contract_fields(client, world):
    section = world.sections[1]
    response = client.post(
        f"/api/v1/rounds/{world.round_id}/comments",
        json={"body": "Uji *kontrak*", "section_id": section, "stance": "support"},
        headers=world.author_auth,
    )
    assert response.status_code == 201 and response.mimetype == "application/json"
    posted = response.get_json()
    assert set(posted) == COMMENT_FIELDS | {"url"}
    assert posted["url"] == f"/comments/{posted['id']}"

    listed = client.get(f"/api/v1/rounds/{world.round_id}/comments").get_json()
    [item] = listed["items"]
    assert listed["next_cursor"] is None
    assert set(item) == COMMENT_FIELDS
    assert item == {k: v for k, v in posted.items() if k != "url"}
    assert item["id"] == posted["id"] and item["round_id"] == world.round_id
    assert (item["section_id"], item["parent_id"], item["stance"]) == (section, None, "support")
    assert item["status"] == "visible" and item["moderation"] is None
    assert item["body"] == "Uji *kontrak*" and item["body_html"] == "<p>Uji <em>kontrak</em></p>"
    assert item["counts"] == {"agree": 0, "disagree": 0, "pass": 0} and item["reply_count"] == 0
    assert abs(parse_iso(item["created_at"]) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert item["edited_at"] is None
    participant = db.session.scalar(sa.select(Participant).filter_by(user_id=world.author.id))
    assert item["author"] == participant.pseudonym and item["author"].startswith("Warga-")
    assert client.get(f"/api/v1/comments/{item['id']}").get_json() == item


def test_author_is_the_chosen_name_only_when_the_person_shows_it(client, make, world):
    shown = make.user(name="Siti Aminah")
    with write_transaction():
        db.session.get(User, shown.id).show_name = True
    by_setting = comment_on(world, user=shown)
    by_request = client.post(
        f"/api/v1/rounds/{world.round_id}/comments",
        json={"body": "Dengan nama.", "show_name": True},
        headers=world.reader_auth,
    ).get_json()["id"]
    hidden = comment_on(world)

    authors = {
        i["id"]: i["author"] for i in client.get(f"/api/v1/rounds/{world.round_id}/comments").get_json()["items"]
    }
    assert authors[by_setting] == "Siti Aminah"
    assert authors[by_request] == world.reader.name
    assert authors[hidden].startswith("Warga-") and world.author.name not in authors[hidden]
    kinds = {
        i["id"]: i["author_kind"] for i in client.get(f"/api/v1/rounds/{world.round_id}/comments").get_json()["items"]
    }
    assert (kinds[by_setting], kinds[by_request], kinds[hidden]) == ("name", "name", "pseudonym")


def test_email_addresses_never_appear_in_any_answer(client, make, world):
    secret = make.user(email="rahasia.pribadi@example.org", name="Rahasia")
    auth = bearer(secret)
    answers = []

    def call(method: str, url: str, **kwargs):
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code < 500
        answers.append(response.get_data(as_text=True))
        return response.get_json()

    top = call("post", f"/api/v1/rounds/{world.round_id}/comments", json={"body": "Atas"}, headers=auth)
    reply = call(
        "post",
        f"/api/v1/rounds/{world.round_id}/comments",
        json={"body": "Balas", "parent_id": top["id"]},
        headers=auth,
    )
    call("post", f"/api/v1/rounds/{world.round_id}/comments", json={"body": "Nama", "show_name": True}, headers=auth)
    other = comment_on(world, "Komentar lain")
    call("get", f"/api/v1/rounds/{world.round_id}/comments")
    call("get", f"/api/v1/rounds/{world.round_id}/comments?order=agreed&section_id={world.sections[0]}")
    call("get", f"/api/v1/comments/{top['id']}")
    call("get", f"/api/v1/comments/{top['id']}/replies")
    call("put", f"/api/v1/comments/{other}/vote", json={"value": 1}, headers=auth)
    call("put", f"/api/v1/comments/{top['id']}/vote", json={"value": 1}, headers=auth)  # own comment: 403
    call("put", f"/api/v1/sections/{world.sections[0]}/stance", json={"round_id": world.round_id, "value": "oppose"})
    call(
        "put",
        f"/api/v1/sections/{world.sections[0]}/stance",
        json={"round_id": world.round_id, "value": "oppose"},
        headers=auth,
    )
    call("post", f"/api/v1/comments/{other}/reports", json={"reason": "Menyerang pribadi"}, headers=auth)
    call("patch", f"/api/v1/comments/{reply['id']}", json={"body": "Balasan diubah"}, headers=auth)
    call("post", f"/api/v1/comments/{reply['id']}/withdraw", headers=auth)
    assert len(answers) == 14
    for raw in answers:
        assert "rahasia.pribadi" not in raw and world.author.email not in raw and "@example.org" not in raw


def test_comments_come_newest_first_in_keyset_pages_without_gaps_or_duplicates(client, make, world):
    writers = [world.author, make.user(), make.user()]
    ids = [comment_on(world, f"Komentar {n}", user=writers[n % 3]) for n in range(45)]

    items, sizes = all_pages(client, f"/api/v1/rounds/{world.round_id}/comments?order=new")
    assert sizes == [20, 20, 5]
    assert [i["id"] for i in items] == sorted(ids, reverse=True)
    assert [i["body"] for i in items[:2]] == ["Komentar 44", "Komentar 43"]
    explicit_default = client.get(f"/api/v1/rounds/{world.round_id}/comments").get_json()
    assert [i["id"] for i in explicit_default["items"]] == [i["id"] for i in items[:20]]


def test_comments_come_most_agreed_first_in_keyset_pages(client, make, world):
    ids = [comment_on(world, f"Komentar {n}") for n in range(45)]
    voters = [make.user() for _ in range(4)]
    for n, comment_id in enumerate(ids):
        comment = db.session.get(Comment, comment_id)
        for voter in voters[: (n * 7) % 5]:  # 0 to 4 agrees, in a scattered pattern with ties
            services.vote(voter, comment, 1)
    services.vote(voters[0], db.session.get(Comment, ids[0]), -1)  # a disagree is not an agree

    items, sizes = all_pages(client, f"/api/v1/rounds/{world.round_id}/comments?order=agreed")
    assert sizes == [20, 20, 5]
    assert len({i["id"] for i in items}) == 45
    expected = sorted(ids, key=lambda cid: (vote_counts_in_db(cid)["agree"], cid), reverse=True)
    assert [i["id"] for i in items] == expected
    assert all(i["counts"] == vote_counts_in_db(i["id"]) for i in items)
    assert items[0]["counts"]["agree"] == 4 and items[-1]["counts"]["agree"] == 0


def test_section_filter_lists_only_that_sections_top_level_comments(client, world):
    first, second = world.sections[1], world.sections[2]
    on_first = [comment_on(world, "Satu", section_id=first) for _ in range(3)]
    on_second = comment_on(world, "Dua", section_id=second)
    whole = comment_on(world, "Seluruh dokumen")
    reply = comment_on(world, "Balasan", user=world.reader, parent_id=on_first[0])

    def listed(query: str) -> list[int]:
        return [i["id"] for i in client.get(f"/api/v1/rounds/{world.round_id}/comments?{query}").get_json()["items"]]

    assert listed(f"section_id={first}") == on_first[::-1]
    assert listed(f"section_id={second}&order=agreed") == [on_second]
    assert listed("") == [whole, on_second, *on_first[::-1]]
    assert reply not in listed("") and listed(f"section_id={world.sections[0]}") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("section_id=abc", "section_id"),
        ("section_id=1.5", "section_id"),
        ("section_id=99999999999999999999", "section_id"),
        ("cursor=abc", "cursor"),
        ("cursor=%21%21%21", "cursor"),
        (f"cursor={cursor_of(1, 2)}", "cursor"),  # an "agreed" cursor used for "new"
        ("order=top", "order"),
        ("limit=1000", "limit"),
    ],
)
def test_bad_list_parameters_are_422_naming_the_field(client, world, query, field):
    error = assert_json_error(client.get(f"/api/v1/rounds/{world.round_id}/comments?{query}"), 422, "invalid")
    assert field in error["fields"]


def test_a_forged_cursor_with_a_number_beyond_any_id_is_422(client, world):
    number = 10**30
    top = comment_on(world)
    comments = f"/api/v1/rounds/{world.round_id}/comments"
    for url in (
        f"{comments}?cursor={cursor_of(number)}",
        f"{comments}?order=agreed&cursor={cursor_of(number, 1)}",
        f"{comments}?order=agreed&cursor={cursor_of(1, number)}",
        f"/api/v1/comments/{top}/replies?cursor={cursor_of(number)}",
    ):
        assert_json_error(client.get(url), 422, "invalid")
    assert client.get(comments).status_code == 200  # and the next request is served normally


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/rounds/999999/comments",
        "/api/v1/rounds/99999999999999999999/comments",
        "/api/v1/comments/999999",
        "/api/v1/comments/0",
        "/api/v1/comments/999999/replies",
    ],
)
def test_unknown_round_or_comment_is_404_json(client, url):
    assert_json_error(client.get(url), 404, "not_found")


def test_withdrawn_and_hidden_comments_keep_their_place_without_their_text(client, make, world):
    ids = [comment_on(world, f"Komentar {n}") for n in range(3)]
    services.vote(world.reader, db.session.get(Comment, ids[1]), 1)
    response = client.post(f"/api/v1/comments/{ids[1]}/withdraw", headers=world.author_auth)
    assert response.status_code == 200
    withdrawn = response.get_json()
    assert withdrawn["status"] == "withdrawn" and withdrawn["body"] is None and withdrawn["body_html"] is None
    rnd = db.session.get(Round, world.round_id)
    moderation.add_rule("test", rnd.agency, "Tanpa data pribadi")
    moderator = make.user("moderator", rnd.agency)
    moderation.hide_comment(moderator, db.session.get(Comment, ids[0]), 1, "Memuat nomor telepon orang lain.")

    items = client.get(f"/api/v1/rounds/{world.round_id}/comments").get_json()["items"]
    assert [i["id"] for i in items] == ids[::-1]
    assert [(i["status"], i["body"], i["body_html"]) for i in items] == [
        ("visible", "Komentar 2", "<p>Komentar 2</p>"),
        ("withdrawn", None, None),
        ("hidden", None, None),
    ]
    assert all(set(i) == COMMENT_FIELDS for i in items)
    assert [i["moderation"] for i in items[:2]] == [None, None]
    assert items[2]["moderation"]["rule"] == "1" and items[2]["moderation"]["rule_title"] == "Tanpa data pribadi"
    assert items[2]["moderation"]["reason"] == "Memuat nomor telepon orang lain."
    assert items[1]["counts"]["agree"] == 1 and items[1]["author"].startswith("Warga-")
    assert "Komentar 1" not in client.get(f"/api/v1/comments/{ids[1]}").get_data(as_text=True)


# --- replies --------------------------------------------------------------------------------------------------


def test_replies_join_the_top_level_thread_and_are_listed_oldest_first(client, world):
    top = comment_on(world, "Pokok", section_id=world.sections[1], stance="oppose")
    url = f"/api/v1/rounds/{world.round_id}/comments"
    first = client.post(
        url, json={"body": "Balasan 1", "parent_id": top, "stance": "support"}, headers=world.reader_auth
    )
    assert first.status_code == 201
    first = first.get_json()
    assert (first["parent_id"], first["section_id"], first["stance"]) == (top, world.sections[1], None)
    second = client.post(url, json={"body": "Balasan 2", "parent_id": first["id"]}, headers=world.author_auth)
    assert second.status_code == 201 and second.get_json()["parent_id"] == top  # a reply to a reply joins the thread

    assert client.get(f"/api/v1/comments/{top}").get_json()["reply_count"] == 2
    replies = client.get(f"/api/v1/comments/{top}/replies").get_json()
    assert [r["body"] for r in replies["items"]] == ["Balasan 1", "Balasan 2"] and replies["next_cursor"] is None
    assert all(set(r) == COMMENT_FIELDS for r in replies["items"])
    assert [i["id"] for i in client.get(url).get_json()["items"]] == [top]


def test_replies_are_paginated_with_a_cursor(client, world):
    top = comment_on(world, "Pokok")
    ids = [comment_on(world, f"Balasan {n}", user=world.reader, parent_id=top) for n in range(23)]
    items, sizes = all_pages(client, f"/api/v1/comments/{top}/replies?limit=10")
    assert sizes == [10, 10, 3] and [i["id"] for i in items] == ids


# --- posting comments -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer cst_wrong", "Basic {token}", "Bearer"])
def test_posting_without_a_valid_token_is_401(client, world, header):
    token = world.author_auth["Authorization"].removeprefix("Bearer ")
    headers = {"Authorization": header.format(token=token)} if header else {}
    response = client.post(f"/api/v1/rounds/{world.round_id}/comments", json={"body": "Halo"}, headers=headers)
    assert_json_error(response, 401, "unauthorized")
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


@pytest.mark.parametrize("state", ["scheduled", "closed"])
def test_posting_to_a_round_that_is_not_open_is_409(client, make, state):
    rnd = make.round(state=state)
    user = make.user(verified=True)
    response = client.post(f"/api/v1/rounds/{rnd.id}/comments", json={"body": "Halo"}, headers=bearer(user))
    assert_json_error(response, 409, "conflict")


def test_a_round_closed_early_refuses_comments_votes_and_stances_with_409(client, world):
    comment = comment_on(world)
    set_round_times(world.round_id, closed_at=utcnow() - dt.timedelta(seconds=1))
    stance = {"round_id": world.round_id, "value": "support"}
    url = f"/api/v1/rounds/{world.round_id}/comments"
    assert_json_error(client.post(url, json={"body": "Terlambat"}, headers=world.reader_auth), 409)
    assert_json_error(client.put(f"/api/v1/comments/{comment}/vote", json={"value": 1}, headers=world.reader_auth), 409)
    assert_json_error(
        client.put(f"/api/v1/sections/{world.sections[0]}/stance", json=stance, headers=world.reader_auth), 409
    )
    assert db.session.scalar(sa.select(sa.func.count(CommentVote.id))) == 0


def test_verified_only_round_refuses_unverified_people_with_403(client, make):
    rnd = make.round(verified_only=True)
    url = f"/api/v1/rounds/{rnd.id}/comments"
    assert_json_error(client.post(url, json={"body": "Halo"}, headers=bearer(make.user())), 403, "forbidden")
    assert client.post(url, json={"body": "Halo"}, headers=bearer(make.user(verified=True))).status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": "  \n "}, "body"),
        ({}, "body"),
        ({"body": "x" * 2001}, "body"),
        ({"body": 5}, "body"),
        ({"body": ["Halo"]}, "body"),
        ({"body": "Halo", "section_id": "abc"}, "section_id"),
        ({"body": "Halo", "section_id": "1"}, "section_id"),
        ({"body": "Halo", "section_id": 1.5}, "section_id"),
        ({"body": "Halo", "section_id": True}, "section_id"),
        ({"body": "Halo", "section_id": 10**20}, "section_id"),
        ({"body": "Halo", "section_id": 999999}, "section_id"),  # not a section of this round's document
        ({"body": "Halo", "parent_id": "abc"}, "parent_id"),
        ({"body": "Halo", "stance": 3}, "stance"),
        ({"body": "Halo", "stance": ["support"]}, "stance"),
        ({"body": "Halo", "stance": "maybe"}, "stance"),
        ({"body": "Halo", "show_name": "yes"}, "show_name"),
    ],
)
def test_invalid_comment_is_422_naming_the_field(client, world, payload, field):
    response = client.post(f"/api/v1/rounds/{world.round_id}/comments", json=payload, headers=world.author_auth)
    error = assert_json_error(response, 422, "invalid")
    assert set(error["fields"]) == {field} and error["fields"][field]


def test_a_comment_of_exactly_2000_characters_is_accepted(client, world):
    response = client.post(
        f"/api/v1/rounds/{world.round_id}/comments", json={"body": "x" * 2000}, headers=world.author_auth
    )
    assert response.status_code == 201 and len(response.get_json()["body"]) == 2000


@pytest.mark.parametrize(
    "raw", [b"", b"{not json", b"[]", b'"Halo"', b"null", b"5", b"\xff\xfe", b"[" * 100_000], ids=repr
)
def test_a_body_that_is_not_a_json_object_is_400(client, world, raw):
    response = client.post(
        f"/api/v1/rounds/{world.round_id}/comments",
        data=raw,
        content_type="application/json",
        headers=world.author_auth,
    )
    assert_json_error(response, 400, "bad_request")


def test_replying_to_an_unknown_comment_or_one_of_another_round_is_404(client, make, world):
    url = f"/api/v1/rounds/{world.round_id}/comments"
    response = client.post(url, json={"body": "Halo", "parent_id": 999999}, headers=world.author_auth)
    assert_json_error(response, 404, "not_found")
    elsewhere = make.round()
    foreign = services.post_comment(world.reader, elsewhere, "Di putaran lain").id
    response = client.post(url, json={"body": "Halo", "parent_id": foreign}, headers=world.author_auth)
    assert_json_error(response, 404, "not_found")


def test_posting_to_an_unknown_round_is_404(client, world):
    response = client.post("/api/v1/rounds/999999/comments", json={"body": "Halo"}, headers=world.author_auth)
    assert_json_error(response, 404, "not_found")


# --- editing and withdrawing ------------------------------------------------------------------------------------


def test_author_edits_a_comment_within_15_minutes(client, world):
    comment = comment_on(world, "Sebelum")
    url = f"/api/v1/comments/{comment}"
    response = client.patch(url, json={"body": "Sesudah **diubah**"}, headers=world.author_auth)
    assert response.status_code == 200
    edited = response.get_json()
    assert edited["body"] == "Sesudah **diubah**" and edited["body_html"] == "<p>Sesudah <strong>diubah</strong></p>"
    assert parse_iso(edited["edited_at"]) >= parse_iso(edited["created_at"])
    assert client.get(url).get_json() == edited

    assert_json_error(client.patch(url, json={"body": "Orang lain"}, headers=world.reader_auth), 403, "forbidden")
    assert_json_error(client.patch(url, json={"body": ""}, headers=world.author_auth), 422, "invalid")
    assert_json_error(client.patch(url, json={"body": 5}, headers=world.author_auth), 422, "invalid")
    assert_json_error(client.patch(url, json={"body": "Tanpa token"}), 401)
    with write_transaction():
        db.session.get(Comment, comment).created_at = utcnow() - dt.timedelta(minutes=16)
    assert_json_error(client.patch(url, json={"body": "Terlambat"}, headers=world.author_auth), 409, "conflict")
    assert db.session.get(Comment, comment).body == "Sesudah **diubah**"


def test_only_the_author_withdraws_a_comment_and_only_once(client, world):
    comment = comment_on(world)
    url = f"/api/v1/comments/{comment}/withdraw"
    assert_json_error(client.post(url), 401)
    assert_json_error(client.post(url, headers=world.reader_auth), 403, "forbidden")
    assert client.post(url, headers=world.author_auth).status_code == 200
    assert_json_error(client.post(url, headers=world.author_auth), 409, "conflict")
    assert_json_error(client.post("/api/v1/comments/999999/withdraw", headers=world.author_auth), 404)
    # a withdrawn comment takes no more votes, reports or replies
    reply = {"body": "Balas", "parent_id": comment}
    assert_json_error(client.put(f"/api/v1/comments/{comment}/vote", json={"value": 1}, headers=world.reader_auth), 409)
    report = {"reason": "Tidak pantas"}
    assert_json_error(client.post(f"/api/v1/comments/{comment}/reports", json=report, headers=world.reader_auth), 409)
    url = f"/api/v1/rounds/{world.round_id}/comments"
    assert_json_error(client.post(url, json=reply, headers=world.reader_auth), 409)


# --- votes ------------------------------------------------------------------------------------------------------


def test_votes_are_idempotent_and_counts_equal_the_votes_in_the_database(client, make, world):
    comment = comment_on(world)
    url = f"/api/v1/comments/{comment}/vote"
    third = bearer(make.user())

    def put(value: int, auth: dict) -> dict:
        response = client.put(url, json={"value": value}, headers=auth)
        assert response.status_code == 200, response.get_data(as_text=True)
        answer = response.get_json()
        assert set(answer) == {"comment_id", "value", "counts"}
        assert (answer["comment_id"], answer["value"]) == (comment, value)
        assert answer["counts"] == vote_counts_in_db(comment)
        return answer["counts"]

    assert put(1, world.reader_auth) == {"agree": 1, "disagree": 0, "pass": 0}
    assert put(1, world.reader_auth) == {"agree": 1, "disagree": 0, "pass": 0}  # repeating changes nothing
    assert put(-1, world.reader_auth) == {"agree": 0, "disagree": 1, "pass": 0}
    assert put(0, world.reader_auth) == {"agree": 0, "disagree": 0, "pass": 1}
    assert put(1, third) == {"agree": 1, "disagree": 0, "pass": 1}
    assert put(1, third) == {"agree": 1, "disagree": 0, "pass": 1}
    assert db.session.scalar(sa.select(sa.func.count(CommentVote.id))) == 2
    assert client.get(f"/api/v1/comments/{comment}").get_json()["counts"] == {"agree": 1, "disagree": 0, "pass": 1}


def test_vote_errors(client, world):
    comment = comment_on(world)
    url = f"/api/v1/comments/{comment}/vote"
    assert_json_error(client.put(url, json={"value": 1}), 401)
    assert_json_error(client.put(url, json={"value": 1}, headers=world.author_auth), 403, "forbidden")  # own
    assert_json_error(client.put("/api/v1/comments/999999/vote", json={"value": 1}, headers=world.reader_auth), 404)
    for bad in ({"value": 2}, {"value": "1"}, {"value": True}, {"value": 1.0}, {"value": None}, {}):
        error = assert_json_error(client.put(url, json=bad, headers=world.reader_auth), 422, "invalid")
        assert set(error["fields"]) == {"value"}
    assert_json_error(client.put(url, data=b"[1]", content_type="application/json", headers=world.reader_auth), 400)
    assert vote_counts_in_db(comment) == {"agree": 0, "disagree": 0, "pass": 0}


def test_voting_in_a_closed_round_is_409(client, world):
    comment = comment_on(world)
    set_round_times(world.round_id, closes_at=utcnow() - dt.timedelta(minutes=1))
    response = client.put(f"/api/v1/comments/{comment}/vote", json={"value": 1}, headers=world.reader_auth)
    assert_json_error(response, 409, "conflict")
    assert vote_counts_in_db(comment) == {"agree": 0, "disagree": 0, "pass": 0}


# --- stances ----------------------------------------------------------------------------------------------------


def test_changing_a_stance_moves_the_tally(client, make, world):
    section = world.sections[1]
    comment_on(world, "Pada bagian ini", section_id=section)
    url = f"/api/v1/sections/{section}/stance"

    def put(value: str, auth: dict) -> dict:
        response = client.put(url, json={"round_id": world.round_id, "value": value}, headers=auth)
        assert response.status_code == 200, response.get_data(as_text=True)
        answer = response.get_json()
        assert (answer["round_id"], answer["section_id"], answer["value"]) == (world.round_id, section, value)
        stored = dict(
            db.session.execute(
                sa.select(SectionStance.value, sa.func.count())
                .filter_by(round_id=world.round_id, section_id=section)
                .group_by(SectionStance.value)
            ).all()
        )
        tally = answer["tally"]
        assert {k: tally[k] for k in ("support", "oppose", "neutral")} == {
            k: stored.get(k, 0) for k in ("support", "oppose", "neutral")
        }
        return tally

    assert put("support", world.reader_auth) == {"support": 1, "oppose": 0, "neutral": 0, "comments": 1}
    assert put("support", world.reader_auth) == {"support": 1, "oppose": 0, "neutral": 0, "comments": 1}
    assert put("oppose", world.reader_auth) == {"support": 0, "oppose": 1, "neutral": 0, "comments": 1}
    assert put("neutral", bearer(make.user())) == {"support": 0, "oppose": 1, "neutral": 1, "comments": 1}
    other = client.put(
        f"/api/v1/sections/{world.sections[2]}/stance",
        json={"round_id": world.round_id, "value": "support"},
        headers=world.reader_auth,
    ).get_json()
    assert other["tally"] == {"support": 1, "oppose": 0, "neutral": 0, "comments": 0}


def test_stance_errors(client, make, world):
    section = world.sections[0]
    url = f"/api/v1/sections/{section}/stance"
    ok = {"round_id": world.round_id, "value": "support"}
    assert_json_error(client.put(url, json=ok), 401)
    for bad, field in (
        ({"round_id": world.round_id, "value": "maybe"}, "value"),
        ({"round_id": world.round_id, "value": 1}, "value"),
        ({"round_id": world.round_id}, "value"),
        ({"value": "support"}, "round_id"),
        ({"round_id": str(world.round_id), "value": "support"}, "round_id"),
    ):
        error = assert_json_error(client.put(url, json=bad, headers=world.reader_auth), 422, "invalid")
        assert set(error["fields"]) == {field}
    unknown_round = {"round_id": 999999, "value": "support"}
    assert_json_error(client.put(url, json=unknown_round, headers=world.reader_auth), 404, "not_found")
    assert_json_error(client.put("/api/v1/sections/999999/stance", json=ok, headers=world.reader_auth), 404)
    foreign_section = make.round().version.sections[0].id  # a section of another document
    response = client.put(f"/api/v1/sections/{foreign_section}/stance", json=ok, headers=world.reader_auth)
    assert_json_error(response, 404, "not_found")
    verified_only = make.round(verified_only=True)
    only = {"round_id": verified_only.id, "value": "support"}
    response = client.put(
        f"/api/v1/sections/{verified_only.version.sections[0].id}/stance", json=only, headers=world.reader_auth
    )
    assert_json_error(response, 403, "forbidden")
    assert db.session.scalar(sa.select(sa.func.count(SectionStance.id))) == 0


# --- reports ----------------------------------------------------------------------------------------------------


def test_a_person_reports_a_comment_once(client, make, world):
    comment = comment_on(world)
    url = f"/api/v1/comments/{comment}/reports"
    response = client.post(url, json={"reason": "Menghina warga lain"}, headers=world.reader_auth)
    assert response.status_code == 201
    answer = response.get_json()
    assert set(answer) == {"id", "comment_id"} and answer["comment_id"] == comment
    report = db.session.get(Report, answer["id"])
    assert (report.comment_id, report.user_id, report.reason) == (comment, world.reader.id, "Menghina warga lain")

    again = client.post(url, json={"reason": "Sekali lagi"}, headers=world.reader_auth)
    assert_json_error(again, 409, "conflict")
    assert client.post(url, json={"reason": "Orang lain juga"}, headers=bearer(make.user())).status_code == 201
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 2
    assert db.session.get(Comment, comment).report_count == 2


def test_report_errors(client, world):
    comment = comment_on(world)
    url = f"/api/v1/comments/{comment}/reports"
    assert_json_error(client.post(url, json={"reason": "Tanpa token"}), 401)
    assert_json_error(client.post(url, json={"reason": "Komentar saya"}, headers=world.author_auth), 403, "forbidden")
    for bad in ({"reason": "x"}, {"reason": "x" * 501}, {}, {"reason": 12345}):
        error = assert_json_error(client.post(url, json=bad, headers=world.reader_auth), 422, "invalid")
        assert set(error["fields"]) == {"reason"}
    missing = client.post("/api/v1/comments/999999/reports", json={"reason": "Tidak ada"}, headers=world.reader_auth)
    assert_json_error(missing, 404, "not_found")
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 0


# --- rate limits ------------------------------------------------------------------------------------------------


def test_posting_faster_than_comment_limit_is_429_json_per_person(app, client, make, world):
    limit = app.config.get("COMMENT_LIMIT", "10 per minute;100 per hour")
    allowed = min(item.amount for item in parse_many(limit))
    assert allowed <= 50, "keep the test fast: it sends one request more than the smallest limit"
    url = f"/api/v1/rounds/{world.round_id}/comments"
    for n in range(allowed):
        response = client.post(url, json={"body": f"Komentar {n}"}, headers=world.author_auth)
        assert response.status_code == 201, (n, response.get_data(as_text=True)[:200])

    refused = client.post(url, json={"body": "Satu lagi"}, headers=world.author_auth)
    error = assert_json_error(refused, 429, "rate_limited")
    assert error["message"].startswith("Terlalu banyak")  # Indonesian first
    assert int(refused.headers["Retry-After"]) > 0
    last = db.session.scalar(sa.select(sa.func.max(Comment.id)))
    edit = client.patch(f"/api/v1/comments/{last}", json={"body": "Ubah"}, headers=world.author_auth)
    assert_json_error(edit, 429)  # editing spends the same budget
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == allowed

    # the budget is the person's, not the address's: someone else at the same address still posts
    assert client.post(url, json={"body": "Orang lain"}, headers=world.reader_auth).status_code == 201


def test_requests_without_a_token_are_limited_per_address(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "VOTE_LIMIT", "3 per minute")
    comment = comment_on(world)
    url = f"/api/v1/comments/{comment}/vote"
    assert [client.put(url, json={"value": 1}).status_code for _ in range(4)] == [401, 401, 401, 429]
    assert client.put(url, json={"value": 1}, headers=world.reader_auth).status_code == 200


# --- a service bug found while writing the API ------------------------------------------------------------------


def test_a_first_action_racing_another_first_action_of_the_same_person_succeeds(app, world):
    comment = comment_on(world)
    round_id, reader_id = world.round_id, world.reader.id
    db.session.commit()
    errors: list[BaseException] = []

    def vote_in_another_request():
        with app.app_context():
            try:
                services.vote(db.session.get(User, reader_id), db.session.get(Comment, comment), 1)
            except Exception as exc:  # reported to the main thread
                errors.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=vote_in_another_request)
    with db.engine.connect() as other:  # the same person's other request, between its INSERT and its COMMIT
        other.execute(sa.insert(Participant).values(round_id=round_id, user_id=reader_id, pseudonym="Warga-RACE1"))
        thread.start()
        _wait_until_blocked(thread)
        other.commit()
    thread.join(30)
    assert not thread.is_alive()
    assert errors == []
    assert vote_counts_in_db(comment) == {"agree": 1, "disagree": 0, "pass": 0}


def _wait_until_blocked(thread: threading.Thread) -> None:
    """Until the other request waits on our uncommitted row (PostgreSQL) or on the write lock (SQLite)."""
    if not is_postgres():
        time.sleep(0.3)
        return
    deadline = time.monotonic() + 10
    with db.engine.connect() as watcher:
        while thread.is_alive() and time.monotonic() < deadline:
            waiting = watcher.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            )
            watcher.rollback()
            if waiting:
                return
            time.sleep(0.02)


# --- the OpenAPI document ---------------------------------------------------------------------------------------


def test_openapi_describes_the_participation_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    paths = doc["paths"]
    writes = [
        ("/rounds/{id}/comments", "post", "NewComment"),
        ("/comments/{id}", "patch", "CommentEdit"),
        ("/comments/{id}/withdraw", "post", None),
        ("/comments/{id}/vote", "put", "Vote"),
        ("/sections/{id}/stance", "put", "Stance"),
        ("/comments/{id}/reports", "post", "NewReport"),
    ]
    for path, method, schema in writes:
        operation = paths[path][method]
        assert operation["security"] == [{"bearer": []}], path
        assert {"401", "429"} <= set(operation["responses"]), path
        if schema:
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == f"#/components/schemas/{schema}"
    for path in ("/rounds/{id}/comments", "/comments/{id}", "/comments/{id}/replies"):
        assert "security" not in paths[path]["get"]  # reads are public
    comment = doc["components"]["schemas"]["Comment"]
    assert set(comment["properties"]) == set(comment["required"]) == COMMENT_FIELDS


def test_docs_list_exactly_the_fields_of_a_comment():
    """docs/API.md spells the Comment out for people; it names the model's fields, no more and no fewer."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "API.md").read_text(encoding="utf-8")
    shape = re.search(r"A Comment is `(\{.*?\})`", text, re.DOTALL)
    assert shape, "docs/API.md no longer spells out a Comment"
    top_level = re.sub(r"\{[^{}]*\}", "", shape[1][1:-1])  # without the nested counts {agree, disagree, pass}
    assert set(re.findall(r'"(\w+)"', top_level)) == COMMENT_FIELDS
    assert {"id", "round_id", "body", "body_html", "counts", "moderation"} <= COMMENT_FIELDS
