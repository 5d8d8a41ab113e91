"""Anonymous readers of a round page are served from memory, and a phone that has the page downloads nothing;
the page is right the moment anything on it changes; logged-in pages, and pages with a message for the
visitor, are never shared.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from consult.extensions import db, write_transaction
from consult.moderation import services as moderation
from consult.participation import services as participation
from consult.participation.models import Comment
from consult.rounds import services as rounds
from consult.rounds.models import Round
from consult.timeutil import utcnow
from tests.conftest import PASSWORD
from tests.web.test_pages import _count_queries


@pytest.fixture
def scene(make):
    agency = make.agency()
    moderation.add_rule("test", agency, "Hormati sesama")
    rnd = make.round(agency)
    author, reader = make.user(verified=True), make.user(verified=True)
    comment = participation.post_comment(author, rnd, "Komentar pertama yang tampil.")
    return {
        "round": rnd.id,
        "section": rnd.version.sections[1].id,
        "comment": comment.id,
        "author": author,
        "reader": reader,
        "moderator": make.user("moderator", agency),
        "admin": make.user("agency_admin", agency),
    }


def _round(scene) -> Round:
    db.session.rollback()
    return db.session.get(Round, scene["round"])


def _comment(scene) -> Comment:
    db.session.rollback()
    return db.session.get(Comment, scene["comment"])


def test_an_anonymous_round_page_carries_no_token_and_sets_no_cookie(client, scene):
    response = client.get(f"/rounds/{scene['round']}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "csrf_token" not in html and "X-CSRFToken" not in html
    assert response.headers["Cache-Control"] == "public, no-cache"
    assert {"Accept-Encoding", "Cookie"} <= {v.strip() for v in response.headers["Vary"].split(",")}


def test_the_second_anonymous_reader_gets_the_page_from_memory(app, client, scene):
    url = f"/rounds/{scene['round']}"
    first = client.get(url).get_data()
    assert _count_queries(app, lambda: client.get(url)) == 1  # the round's row, for the key; no rendering
    assert client.get(url).get_data() == first


def test_a_phone_that_has_the_page_downloads_nothing(client, scene):
    url = f"/rounds/{scene['round']}"
    first = client.get(url, headers={"Accept-Encoding": "br"})
    assert first.headers["Content-Encoding"] == "br"
    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"].split("-")[0] == first.headers["ETag"].split("-")[0]
    # the same version asked in another encoding is the same version
    other = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert other.status_code == 304
    # once something changes, the old ETag no longer matches
    participation.vote(scene["reader"], _comment(scene), 1)
    changed = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def _seen(client, scene, *, query: str = "") -> str:
    return client.get(f"/rounds/{scene['round']}{query}").get_data(as_text=True)


def _votes(html: str, comment_id: int) -> str:
    return re.search(rf'id="suara-{comment_id}">(.*?)</p>', html, re.S).group(1)


CHANGES = {
    "a new comment": lambda s: participation.post_comment(s["reader"], _round(s), "Komentar baru PENANDA-77."),
    "a reply": lambda s: participation.post_comment(s["reader"], _round(s), "Balasan.", parent_id=s["comment"]),
    "an edit": lambda s: participation.edit_comment(s["author"], _comment(s), "Teks yang diubah PENANDA-77."),
    "a withdrawal": lambda s: participation.withdraw_comment(s["author"], _comment(s)),
    "a hide": lambda s: moderation.hide_comment(s["moderator"], _comment(s), 1, "Menghina PENANDA-77."),
    "a stance": lambda s: participation.set_stance(s["reader"], _round(s), s["section"], "oppose"),
    "a vote": lambda s: participation.vote(s["reader"], _comment(s), -1),
    "closing early": lambda s: rounds.close_round(s["moderator"], _round(s), "Ditutup PENANDA-77."),
    "an extension": lambda s: rounds.extend_round(
        s["moderator"], _round(s), _round(s).closes_at + dt.timedelta(days=3), "Diperpanjang PENANDA-77."
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_public_change_is_on_the_next_anonymous_request(client, scene, change):
    before = _seen(client, scene)
    assert _seen(client, scene) == before  # cached
    CHANGES[change](scene)
    after = _seen(client, scene)
    assert after != before, f"{change} is not on the page"
    if change in ("a vote",):
        assert _votes(after, scene["comment"]) != _votes(before, scene["comment"])
    elif change not in ("a reply", "a withdrawal", "a stance"):
        assert "PENANDA-77" in after


def test_a_restored_comment_is_back_on_the_next_anonymous_request(client, scene):
    moderation.hide_comment(scene["moderator"], _comment(scene), 1, "Menghina.")
    assert "Komentar pertama yang tampil." not in _seen(client, scene)
    moderation.restore_comment(scene["admin"], _comment(scene), 1, "Tidak melanggar.")
    assert "Komentar pertama yang tampil." in _seen(client, scene)


def test_the_page_follows_the_clock_without_any_write(client, scene, monkeypatch):
    import consult.rounds.models as round_models

    assert "badge-open" in _seen(client, scene)
    later = _round(scene).closes_at + dt.timedelta(minutes=1)
    monkeypatch.setattr(round_models, "utcnow", lambda: later)
    assert "badge-open" not in _seen(client, scene) and "badge-closed" in _seen(client, scene)


def test_each_language_and_address_is_its_own_page(client, scene):
    indonesian = _seen(client, scene)
    english = _seen(client, scene, query="?lang=en")
    assert 'lang="id"' in indonesian[:200] and 'lang="en"' in english[:200]
    by_agreement = _seen(client, scene, query="?urut=setuju")
    assert by_agreement != indonesian


def test_logged_in_pages_are_never_cached_or_shared(client, auth, scene):
    anonymous = _seen(client, scene)
    auth.login(scene["reader"])
    response = client.get(f"/rounds/{scene['round']}")
    html = response.get_data(as_text=True)
    assert "public" not in response.headers.get("Cache-Control", "")
    assert "X-CSRFToken" in html and html != anonymous
    client.post("/logout")
    after_logout = client.get(f"/rounds/{scene['round']}")  # carries the "logged out" message: not shared
    assert "csrf_token" not in _seen(client, scene)
    assert after_logout.get_data(as_text=True) != anonymous


def test_a_page_with_a_message_for_the_visitor_is_not_shared(client, scene):
    _seen(client, scene)
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", "Pesan khusus untuk pengunjung ini PENANDA-99.")]
    assert "PENANDA-99" in _seen(client, scene)
    assert "PENANDA-99" not in _seen(client, scene)  # shown once, and never to the next reader


def test_log_in_and_registration_pages_are_never_cached(client):
    for url in ("/login", "/register"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store", url


def test_the_language_links_work_without_a_token(client, scene):
    response = client.get(f"/bahasa/en?next=/rounds/{scene['round']}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/rounds/{scene['round']}")
    assert 'lang="en"' in client.get(f"/rounds/{scene['round']}").get_data(as_text=True)[:200]
    assert client.get("/bahasa/en?next=https://evil.example/").headers["Location"].endswith("/")


def test_with_the_cache_off_every_request_renders(app, client, scene, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_ENABLED", False)
    url = f"/rounds/{scene['round']}"
    client.get(url)
    assert _count_queries(app, lambda: client.get(url)) == 3
    assert "ETag" not in client.get(url).headers


def test_the_scheduler_recording_the_opening_is_on_the_page(client, make):
    from consult.rounds.jobs import open_rounds

    rnd = make.round(state="scheduled")
    with write_transaction():
        db.session.get(Round, rnd.id).opens_at = utcnow() - dt.timedelta(minutes=1)
    before = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    assert open_rounds(utcnow()) == 1
    after = client.get(f"/rounds/{rnd.id}").get_data(as_text=True)
    assert after != before
    assert db.session.scalar(sa.select(Round.public_revision).where(Round.id == rnd.id)) >= 1


def test_a_login_from_a_cached_page_still_works(client, scene):
    _seen(client, scene)
    response = client.post("/login", data={"email": scene["reader"].email, "password": PASSWORD})
    assert response.status_code == 303
