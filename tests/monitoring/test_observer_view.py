"""Observers see the public record, never hidden or withdrawn text: not on the round page, the comment's page, the
moderation log, the API, a feed or the open data, logged in or with their token."""

from __future__ import annotations

from consult.accounts.services import create_api_token
from consult.extensions import db
from consult.moderation import services as moderation
from consult.participation.models import Comment
from consult.participation.services import post_comment, withdraw_comment
from tests.deliberation.theme_world import build

HIDDEN = "Alamat rumah petugas: Jalan Melati 7, nomor 0812-7777-8888."
WITHDRAWN = "Komentar yang saya tarik sendiri, jangan ditampilkan."


def test_an_observer_never_sees_hidden_or_withdrawn_text(make, client, auth):
    world = build(make, closed=False)
    hidden = post_comment(world.citizen, world.round, HIDDEN)
    moderation.add_rule("test", world.agency, "Data pribadi")
    moderation.hide_comment(world.moderator, db.session.get(Comment, hidden.id), 1, "Data pribadi petugas.")
    withdrawn = post_comment(world.citizen, world.round, WITHDRAWN)
    withdraw_comment(world.citizen, db.session.get(Comment, withdrawn.id))
    observer = make.user("observer")
    db.session.commit()
    token = {"Authorization": f"Bearer {create_api_token(observer)}"}
    auth.login(observer)
    rid = world.round.id
    pages = [
        f"/rounds/{rid}",
        f"/comments/{hidden.id}",
        f"/comments/{withdrawn.id}",
        f"/rounds/{rid}/moderasi",
        "/moderasi/keputusan/1",
        f"/rounds/{rid}/feed.atom",
        f"/rounds/{rid}/data/comments.csv",
        f"/rounds/{rid}/statistik",
        "/pemantau",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        text = response.get_data(as_text=True)
        assert HIDDEN not in text and "0812-7777-8888" not in text and WITHDRAWN not in text, url
    for url in (f"/api/v1/comments/{hidden.id}", f"/api/v1/comments/{withdrawn.id}", f"/api/v1/rounds/{rid}/comments"):
        response = client.get(url, headers=token)
        text = response.get_data(as_text=True)
        assert response.status_code in (200, 404), url
        assert HIDDEN not in text and WITHDRAWN not in text, url
