"""The themes API (CONTRACT.md "Deliberation"), mirroring the contract check's calls: create a theme, tag a
comment, answer the theme; 403 for a citizen, 409 for an open round, 422 naming the field, all or nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.accounts.services import create_api_token
from consult.deliberation.models import CommentDisposition, ThemeComment
from consult.extensions import db
from tests.deliberation import theme_world


def _bearer(user) -> dict:
    token = create_api_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def w(make):
    return theme_world.build(make)


def test_the_contract_calls(client, w):
    mod, admin, citizen = _bearer(w.moderator), _bearer(w.admin), _bearer(w.citizen)
    rid = w.round.id
    r = client.post(f"/api/v1/rounds/{rid}/themes", json={"title": "Waktu", "synthesis": "Sintesis."}, headers=mod)
    assert r.status_code == 201, r.json
    theme = r.json
    assert {"id", "title", "synthesis", "status", "comment_count"} <= set(theme) and theme["status"] == "accepted"
    r = client.post(f"/api/v1/themes/{theme['id']}/comments", json={"comment_ids": [w.comments[0].id]}, headers=mod)
    assert r.status_code == 200 and r.json == {"comment_count": 1, "signature_count": 1}
    again = client.post(f"/api/v1/themes/{theme['id']}/comments", json={"comment_ids": [w.comments[0].id]}, headers=mod)
    assert again.json == {"comment_count": 1, "signature_count": 1}
    r = client.post(f"/api/v1/themes/{theme['id']}/comments", json={"campaign_id": w.campaign_id}, headers=mod)
    assert r.json == {"comment_count": 2, "signature_count": 4}  # a campaign once, every copy signs
    assert client.post(f"/api/v1/rounds/{rid}/themes", json={"title": "x"}, headers=citizen).status_code == 403
    r = client.put(
        f"/api/v1/themes/{theme['id']}/disposition", json={"value": "adopted", "response": "Diubah."}, headers=admin
    )
    assert r.status_code == 200 and r.json["disposition"] == {"value": "adopted", "response": "Diubah."}
    moderator_answer = client.put(
        f"/api/v1/themes/{theme['id']}/disposition", json={"value": "adopted", "response": "Ya."}, headers=mod
    )
    assert moderator_answer.status_code == 403
    r = client.patch(f"/api/v1/themes/{theme['id']}", json={"title": "Jam layanan"}, headers=mod)
    assert r.status_code == 200 and r.json["title"] == "Jam layanan"
    r = client.put(
        f"/api/v1/comments/{w.comments[1].id}/disposition",
        json={"value": "not_adopted", "response": "Anggaran tidak cukup."},
        headers=admin,
    )
    assert r.status_code == 200 and r.json["value"] == "not_adopted"
    assert db.session.get(CommentDisposition, w.comments[1].id).response == "Anggaran tidak cukup."
    listing = client.get(f"/api/v1/rounds/{rid}/themes", headers=mod)
    assert [(t["title"], t["comment_count"], t["signature_count"]) for t in listing.json["items"]] == [
        ("Jam layanan", 2, 4)
    ]
    assert client.get(f"/api/v1/rounds/{rid}/themes", headers=citizen).status_code == 403


def test_errors_name_the_field_and_save_nothing(client, w):
    mod, admin = _bearer(w.moderator), _bearer(w.admin)
    rid = w.round.id
    r = client.post(f"/api/v1/rounds/{rid}/themes", json={"synthesis": "Tanpa judul"}, headers=mod)
    assert r.status_code == 422 and "title" in r.json["error"]["fields"]
    r = client.post(f"/api/v1/rounds/{rid}/themes", json={"title": "x" * 201}, headers=mod)
    assert r.status_code == 422 and "title" in r.json["error"]["fields"]
    theme_id = client.post(f"/api/v1/rounds/{rid}/themes", json={"title": "Tema"}, headers=mod).json["id"]
    for body, name in (
        ({"comment_ids": [w.comments[0].id, 999_999]}, "comment_ids"),
        ({"comment_ids": [w.comments[0].id, w.foreign.id]}, "comment_ids"),
        ({"campaign_id": 999_999}, "campaign_id"),
        ({"section_key": "tidak-ada"}, "section_key"),
    ):
        r = client.post(f"/api/v1/themes/{theme_id}/comments", json=body, headers=mod)
        assert r.status_code == 422 and name in r.json["error"]["fields"], (body, r.json)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ThemeComment)) == 0
    r = client.put(f"/api/v1/themes/{theme_id}/disposition", json={"value": "not_adopted"}, headers=admin)
    assert r.status_code == 422 and "response" in r.json["error"]["fields"]
    r = client.put(f"/api/v1/themes/{theme_id}/disposition", json={"value": "nope", "response": "x"}, headers=admin)
    assert r.status_code == 422 and "value" in r.json["error"]["fields"]


def test_an_open_round_is_409(client, make):
    w = theme_world.build(make, closed=False)
    r = client.post(f"/api/v1/rounds/{w.round.id}/themes", json={"title": "Waktu"}, headers=_bearer(w.moderator))
    assert r.status_code == 409 and r.json["error"]["code"] == "conflict"
    r = client.post(f"/api/v1/rounds/{w.round.id}/themes", json={"title": "Waktu"}, headers=_bearer(w.citizen))
    assert r.status_code == 403
