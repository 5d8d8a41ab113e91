"""Voices from outside the web: agency staff enter comments a citizen gave at a counter, on paper, by phone or at a
forum (participation.services.assisted), on the staff page /kelola/<slug>/putaran/<id>/masukan and through
POST /api/v1/rounds/{id}/comments with a "channel"; the comment carries a mark on every page and "channel" in the
API; the audit entry names the staff member."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.accounts.services import create_api_token
from consult.audit import AuditEntry
from consult.errors import Conflict, Invalid, NotAllowed
from consult.extensions import db, write_transaction
from consult.participation import queries, services
from consult.participation.models import Comment, Participant, SectionStance, SectionStats
from consult.participation.services.assisted import LATE_ENTRY_DAYS, local_today
from consult.rounds.models import Round
from consult.sanitize import render_comment
from consult.timeutil import utcnow
from tests.openapi_check import checked_client


@pytest.fixture
def client(app):
    yield from checked_client(app)


class World:
    def __init__(self, make, state: str = "open"):
        self.agency = make.agency(slug="kecamatan-sukamaju", name="Kecamatan Sukamaju")
        rnd = make.round(self.agency, state=state)
        self.round_id = rnd.id
        self.section_id = rnd.version.sections[1].id
        self.moderator = make.user("moderator", self.agency, name="Budi Petugas")
        self.admin = make.user("agency_admin", self.agency, name="Rina Kepala")
        self.site_admin = make.user("admin", name="Admin Situs")
        self.other_moderator = make.user("moderator", make.agency(), name="Tono Lain")
        self.citizen = make.user(verified=True, name="Sari Warga")

    @property
    def round(self) -> Round:
        return db.session.get(Round, self.round_id)

    @property
    def today(self) -> dt.date:
        return local_today(self.round)


@pytest.fixture
def world(make) -> World:
    return World(make)


STAFF = object()


def enter(world, user=STAFF, **kwargs):
    values = {
        "channel": "counter",
        "assisted_on": world.today,
        "assisted_place": "Kantor Kecamatan Sukamaju",
    }
    values.update(kwargs)
    body = values.pop("body", "Antrean di loket KTP terlalu panjang, mohon ditambah petugas.")
    return services.enter_assisted_comment(world.moderator if user is STAFF else user, world.round, body, **values)


def fresh(model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- the service ------------------------------------------------------------------------------------------------


def test_staff_enter_a_citizens_comment_with_channel_place_date_and_the_staff_member(world):
    comment = enter(world, section_id=world.section_id, stance="oppose")
    comment = fresh(Comment, comment.id)
    assert comment.channel == "counter" and comment.entered_by_id == world.moderator.id
    assert comment.assisted_place == "Kantor Kecamatan Sukamaju" and comment.assisted_on == world.today
    assert comment.official_role is None  # the citizen's voice, not the agency's
    assert comment.author_id != world.moderator.id
    assert comment.author_name.startswith("Warga-")  # anonymous: a pseudonym
    rnd = fresh(Round, world.round_id)
    assert rnd.comment_count == 1
    stats = db.session.scalar(sa.select(SectionStats).filter_by(round_id=rnd.id, section_id=world.section_id))
    assert stats.comments == 1 and stats.oppose == 1
    assert count(SectionStance) == 1


def test_the_placeholder_citizen_can_never_log_in_nor_receive_mail(world):
    comment = fresh(Comment, enter(world, citizen_name="Ibu Siti").id)
    citizen = db.session.get(User, comment.author_id)
    assert citizen.email.endswith(".invalid") and not citizen.is_active_account and citizen.email_confirmed_at is None
    assert not citizen.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert comment.author_name == "Ibu Siti"  # a name given is shown instead of the pseudonym
    other = fresh(Comment, enter(world, citizen_name="Ibu Siti").id)
    assert other.author_id != comment.author_id  # one placeholder per entry: two slips are not one person


def test_every_admitted_role_may_enter_and_everyone_else_is_refused(world):
    for user in (world.moderator, world.admin, world.site_admin):
        enter(world, fresh(User, user.id))
    for user in (world.citizen, world.other_moderator, None):
        with pytest.raises(NotAllowed):
            enter(world, fresh(User, user.id) if user else None)
    assert count(Comment) == 3


def test_each_wrong_field_is_named_at_once_and_nothing_is_written(world):
    with pytest.raises(Invalid) as refused:
        enter(
            world,
            channel="fax",
            assisted_place="  ",
            assisted_on=None,
            stance="maybe",
            body="",
            citizen_name="Moderator",
        )
    assert set(refused.value.fields) == {"channel", "assisted_place", "assisted_on", "stance", "body", "assisted_name"}
    with pytest.raises(Invalid) as refused:
        enter(world, channel="web")
    assert set(refused.value.fields) == {"channel"}
    db.session.rollback()
    assert count(Comment) == 0 and count(Participant) == 0


def test_the_date_may_not_be_in_the_future_nor_outside_the_round(world):
    with pytest.raises(Invalid) as refused:
        enter(world, assisted_on=world.today + dt.timedelta(days=1))
    assert "masa depan" in str(refused.value.fields["assisted_on"])
    with pytest.raises(Invalid) as refused:
        enter(world, assisted_on=world.today - dt.timedelta(days=30))  # before the round opened (10 days ago)
    assert "assisted_on" in refused.value.fields


def test_a_closed_round_takes_entries_dated_within_it_for_a_while(make):
    world = World(make, state="closed")  # opened 10 days ago, closed yesterday
    inside = world.today - dt.timedelta(days=3)
    comment = enter(world, channel="paper", assisted_on=inside)
    assert fresh(Comment, comment.id).channel == "paper"
    assert fresh(Round, world.round_id).comment_count == 1
    with pytest.raises(Invalid) as refused:
        enter(world, channel="paper", assisted_on=world.today)  # after the close: not part of the round
    assert "assisted_on" in refused.value.fields
    with write_transaction():
        rnd = db.session.get(Round, world.round_id)
        rnd.opens_at = utcnow() - dt.timedelta(days=LATE_ENTRY_DAYS + 20)
        rnd.closes_at = utcnow() - dt.timedelta(days=LATE_ENTRY_DAYS + 1)
    with pytest.raises(Conflict):
        enter(world, channel="paper", assisted_on=world.today - dt.timedelta(days=LATE_ENTRY_DAYS + 5))


def test_a_round_not_yet_open_takes_no_entry(make):
    world = World(make, state="scheduled")
    with pytest.raises(Conflict):
        enter(world)


def test_the_audit_entry_names_the_staff_member_never_the_citizens_name(world):
    comment = enter(world, channel="forum", citizen_name="Pak Joko", assisted_place="Balai Warga RW 03")
    db.session.rollback()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "comment.assisted"))
    assert entry.actor == f"user:{world.moderator.id}" and entry.subject_id == str(comment.id)
    assert entry.data["entered_by"] == f"user:{world.moderator.id}"
    assert entry.data["channel"] == "forum" and entry.data["assisted_place"] == "Balai Warga RW 03"
    assert entry.data["assisted_on"] == world.today.isoformat() and entry.data["named"] is True
    assert "Pak Joko" not in str(entry.data) and "body_sha256" in entry.data


def test_the_text_goes_through_the_same_sanitiser(world):
    text = "Tolong <script>alert(1)</script> *segera* [x](javascript:alert(1))"
    comment = enter(world, body=text)
    html = fresh(Comment, comment.id).body_html
    assert html == render_comment(text)
    assert "<script" not in html and 'href="javascript' not in html and "<em>segera</em>" in html


def test_the_staff_list_pages_by_keyset_with_who_entered_each(world):
    services.post_comment(world.citizen, world.round, "Komentar web biasa.")
    ids = [enter(world, fresh(User, world.moderator.id)).id for _ in range(3)]
    page = queries.assisted_page(world.round_id, limit=2)
    assert [r.comment.id for r in page.items] == ids[:0:-1] and page.next_cursor
    assert {r.entered_by for r in page.items} == {"Budi Petugas"}
    rest = queries.assisted_page(world.round_id, cursor=page.next_cursor, limit=2)
    assert [r.comment.id for r in rest.items] == [ids[0]] and rest.next_cursor is None


# --- the staff page -------------------------------------------------------------------------------------------


def page_url(world) -> str:
    return f"/kelola/{world.agency.slug}/putaran/{world.round_id}/masukan"


def form_data(world, **kwargs):
    data = {
        "channel": "counter",
        "assisted_place": "Kantor Kecamatan Sukamaju",
        "assisted_on": world.today.isoformat(),
        "assisted_name": "",
        "section_id": str(world.section_id),
        "stance": "",
        "body": "Mohon loket dibuka hari Sabtu.",
    }
    data.update(kwargs)
    return data


def test_the_staff_page_enters_a_comment_without_javascript_and_lists_it(client, auth, world):
    auth.login(world.moderator)
    page = client.get(page_url(world))
    assert page.status_code == 200 and 'name="assisted_place"' in page.get_data(as_text=True)
    posted = client.post(page_url(world), data=form_data(world))
    assert posted.status_code == 303 and posted.headers["Location"].startswith(page_url(world))
    comment = db.session.scalar(sa.select(Comment))
    listing = client.get(page_url(world)).get_data(as_text=True)
    assert f'id="m{comment.id}"' in listing and "Budi Petugas" in listing and "Disampaikan di loket" in listing


def test_the_staff_page_shows_errors_with_the_input_kept(client, auth, world):
    auth.login(world.moderator)
    future = (world.today + dt.timedelta(days=2)).isoformat()
    answer = client.post(page_url(world), data=form_data(world, assisted_on=future, assisted_place="Balai Desa X"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "masa depan" in html and 'value="Balai Desa X"' in html and "Mohon loket dibuka hari Sabtu." in html
    assert count(Comment) == 0


def test_the_staff_page_is_for_staff_only(client, auth, world):
    auth.login(world.citizen)
    assert client.get(page_url(world)).status_code == 403
    assert client.post(page_url(world), data=form_data(world)).status_code == 403
    auth.logout()
    auth.login(world.other_moderator)
    assert client.get(page_url(world)).status_code == 403
    assert count(Comment) == 0


def test_a_double_submit_enters_the_comment_once(client, auth, world):
    auth.login(world.moderator)
    data = form_data(world, submission_key="kunci-satu-kali-0123456789abcdef")
    assert client.post(page_url(world), data=data).status_code == 303
    assert client.post(page_url(world), data=data).status_code == 303
    assert count(Comment) == 1


# --- the mark on the pages ------------------------------------------------------------------------------------


def test_the_comment_carries_the_mark_in_words_on_the_round_page_and_its_own_page(client, world):
    comment = enter(world, assisted_on=world.today, citizen_name="Ibu Siti")
    html = client.get(f"/rounds/{world.round_id}").get_data(as_text=True)
    item = re.search(rf'id="c{comment.id}">(.*?)</article>', html, re.S)[1]
    mark = re.search(r'<p class="channel-mark"[^>]*>(.*?)</p>', item, re.S)[1]
    text = " ".join(re.sub(r"<[^>]+>", "", mark).split())
    assert text.startswith("✎ Disampaikan di loket · ")
    assert text.endswith("· Kantor Kecamatan Sukamaju · dicatat petugas")
    assert f'datetime="{world.today.isoformat()}"' in mark
    assert "Ibu Siti" in item
    own = client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert "Disampaikan di loket" in own and "dicatat petugas" in own


def test_a_web_comment_has_no_mark(client, world):
    services.post_comment(world.citizen, world.round, "Dari web.")
    assert "channel-mark" not in client.get(f"/rounds/{world.round_id}").get_data(as_text=True)


# --- the API --------------------------------------------------------------------------------------------------


def bearer(user) -> dict:
    token = create_api_token(fresh(User, user.id))
    return {"Authorization": f"Bearer {token}"}


def api_body(world, **kwargs) -> dict:
    body = {
        "body": "Lampu jalan di RT 02 mati sejak sebulan.",
        "channel": "phone",
        "assisted_place": "Pusat Panggilan Kecamatan",
        "assisted_on": world.today.isoformat(),
    }
    body.update(kwargs)
    return body


def test_the_api_takes_an_entry_from_staff_and_shows_its_channel(client, world):
    answer = client.post(
        f"/api/v1/rounds/{world.round_id}/comments",
        json=api_body(world, assisted_name="Pak Joko"),
        headers=bearer(world.admin),
    )
    assert answer.status_code == 201, answer.get_json()
    data = answer.get_json()
    assert data["channel"] == "phone" and data["assisted_on"] == world.today.isoformat()
    assert data["assisted_place"] == "Pusat Panggilan Kecamatan" and data["author"] == "Pak Joko"
    assert data["official"] is False
    listed = client.get(f"/api/v1/rounds/{world.round_id}/comments").get_json()["items"]
    assert [(c["id"], c["channel"]) for c in listed] == [(data["id"], "phone")]
    assert client.get(f"/api/v1/comments/{data['id']}").get_json()["channel"] == "phone"


def test_a_web_comment_says_channel_web_in_the_api(client, world):
    answer = client.post(
        f"/api/v1/rounds/{world.round_id}/comments", json={"body": "Dari aplikasi."}, headers=bearer(world.citizen)
    )
    assert answer.status_code == 201 and answer.get_json()["channel"] == "web"
    assert answer.get_json()["assisted_on"] is None and answer.get_json()["assisted_place"] is None


def test_a_citizen_sending_a_channel_is_refused_with_403(client, world):
    answer = client.post(
        f"/api/v1/rounds/{world.round_id}/comments", json=api_body(world), headers=bearer(world.citizen)
    )
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "forbidden"
    assert count(Comment) == 0


def test_the_api_names_a_bad_channel_and_a_future_date(client, world):
    headers = bearer(world.moderator)
    url = f"/api/v1/rounds/{world.round_id}/comments"
    bad = client.post(url, json=api_body(world, channel="fax"), headers=headers)
    assert bad.status_code == 422 and "channel" in bad.get_json()["error"]["fields"]
    future = (world.today + dt.timedelta(days=1)).isoformat()
    late = client.post(url, json=api_body(world, assisted_on=future), headers=headers)
    assert late.status_code == 422 and set(late.get_json()["error"]["fields"]) == {"assisted_on"}
    garbled = client.post(url, json=api_body(world, assisted_on="3 Des 2026", assisted_place=None), headers=headers)
    assert set(garbled.get_json()["error"]["fields"]) == {"assisted_on", "assisted_place"}
    # without a channel, the assisted fields are ignored like any unknown property: an ordinary web comment
    web = client.post(url, json={"body": "Web.", "assisted_place": "Balai"}, headers=bearer(world.citizen))
    assert web.status_code == 201 and web.get_json()["channel"] == "web" and web.get_json()["assisted_place"] is None
    assert count(Comment) == 1


def test_entries_by_api_have_the_staff_budget_not_the_citizens(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "COMMENT_LIMIT", "2 per hour")
    monkeypatch.setitem(app.config, "ASSISTED_LIMIT", "3 per hour")
    headers = bearer(world.moderator)
    url = f"/api/v1/rounds/{world.round_id}/comments"
    for _ in range(3):  # more than a citizen's budget
        assert client.post(url, json=api_body(world), headers=headers).status_code == 201
    assert client.post(url, json=api_body(world), headers=headers).status_code == 429
    # the staff member's own (official) web comment still has the comment budget: the two are apart
    assert client.post(url, json={"body": "Tanggapan dinas."}, headers=headers).status_code == 201


def test_the_moderators_review_page_shows_the_mark_too(client, auth, world):
    comment = enter(world, channel="forum", assisted_place="Balai Warga RW 03")
    auth.login(world.moderator)
    html = client.get(f"/kelola/{world.agency.slug}/moderasi/komentar/{comment.id}").get_data(as_text=True)
    assert "Disampaikan di forum warga" in html and "Balai Warga RW 03" in html and "dicatat petugas" in html
