"""The agency's own voice: staff of the round's agency (its moderators and agency admins) who comment or reply on
its round appear as the agency ("Tanggapan Dinas", the agency's name and their role), never under a citizen
pseudonym, and take no stance and cast no vote there. Staff of another agency take part as citizens."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.accounts.models import Role, User
from consult.accounts.services import create_api_token
from consult.agencies.roles import revoke_role
from consult.audit import AuditEntry
from consult.errors import NotAllowed
from consult.extensions import db
from consult.participation import services
from consult.participation.models import Comment, CommentVote, Participant, SectionStance
from consult.rounds.models import Round
from tests.openapi_check import checked_client


@pytest.fixture
def client(app):
    yield from checked_client(app)


class World:
    def __init__(self, make):
        self.agency = make.agency(slug="dinas-kesehatan", name="Dinas Kesehatan Kota")
        self.other_agency = make.agency(slug="dinas-lain", name="Dinas Lain")
        rnd = make.round(self.agency)
        self.round_id = rnd.id
        self.section_id = rnd.version.sections[1].id
        self.moderator = make.user("moderator", self.agency, name="Budi Staf")
        self.admin = make.user("agency_admin", self.agency, name="Rina Kepala")
        self.other_moderator = make.user("moderator", self.other_agency, name="Tono Dinas Lain")
        self.citizen = make.user(verified=True, name="Sari Warga")

    @property
    def round(self) -> Round:
        return db.session.get(Round, self.round_id)


@pytest.fixture
def world(make) -> World:
    return World(make)


def fresh(model, row_id):
    db.session.rollback()
    return db.session.get(model, row_id)


def pseudonym_of(user: User, round_id: int) -> str:
    return db.session.scalar(sa.select(Participant.pseudonym).filter_by(user_id=user.id, round_id=round_id))


def meta_of(html: str, comment_id: int) -> str:
    """The author line of one comment on a page."""
    item = re.search(rf'<li class="comment[^"]*" id="c{comment_id}">(.*?)</article>', html, re.S)
    assert item, f"comment {comment_id} not on the page"
    meta = re.search(r'<p class="comment-meta">(.*?)</p>', item[1], re.S)
    return meta[1]


# --- recorded when posted -------------------------------------------------------------------------------------


def test_a_moderators_comment_on_their_agencys_round_is_official_with_their_role(world):
    comment = services.post_comment(world.moderator, world.round, "Terima kasih atas masukannya.")
    comment = fresh(Comment, comment.id)
    assert comment.official_role == "moderator" and comment.is_official
    assert comment.author_name == "Dinas Kesehatan Kota"
    admins = services.post_comment(fresh(User, world.admin.id), world.round, "Kami akan menindaklanjuti.")
    assert fresh(Comment, admins.id).official_role == "agency_admin"


def test_a_citizens_comment_and_another_agencys_staff_are_not_official(world):
    mine = services.post_comment(world.citizen, world.round, "Antrean terlalu panjang.")
    theirs = services.post_comment(world.other_moderator, world.round, "Sebagai warga saya setuju.")
    assert fresh(Comment, mine.id).official_role is None
    other = fresh(Comment, theirs.id)
    assert other.official_role is None and other.author_name == pseudonym_of(world.other_moderator, world.round_id)


def test_a_later_change_of_roles_does_not_rewrite_who_spoke(make, world):
    comment = services.post_comment(world.moderator, world.round, "Jam layanan akan diperpanjang.")
    revoke_role(make.user("admin"), fresh(User, world.moderator.id), Role.MODERATOR, world.agency)
    assert fresh(Comment, comment.id).official_role == "moderator"
    later = services.post_comment(fresh(User, world.moderator.id), world.round, "Sekarang sebagai warga.")
    assert fresh(Comment, later.id).official_role is None


def test_a_reply_by_staff_is_official_too(world):
    top = services.post_comment(world.citizen, world.round, "Kapan loket buka?")
    reply = services.post_comment(world.moderator, world.round, "Loket buka pukul 08.00.", parent_id=top.id)
    assert fresh(Comment, reply.id).official_role == "moderator"


def test_the_audit_entry_of_a_comment_says_whether_it_is_official(world):
    official = services.post_comment(world.moderator, world.round, "Tanggapan resmi.")
    citizen = services.post_comment(world.citizen, world.round, "Komentar warga.")
    db.session.rollback()
    entries = {
        e.subject_id: e.data
        for e in db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "comment.posted"))
    }
    assert entries[str(official.id)]["official"] is True and entries[str(official.id)]["official_role"] == "moderator"
    assert entries[str(citizen.id)]["official"] is False and entries[str(citizen.id)]["official_role"] is None
    assert "Budi Staf" not in str(entries) and world.moderator.email not in str(entries)


# --- no stance, no vote ---------------------------------------------------------------------------------------


def test_staff_take_no_stance_on_their_own_agencys_consultation(world):
    with pytest.raises(NotAllowed) as refused:
        services.set_stance(world.moderator, world.round, world.section_id, "support")
    assert "tidak mengambil sikap" in str(refused.value.message)
    with pytest.raises(NotAllowed):
        services.post_comment(
            fresh(User, world.admin.id), world.round, "Kami dukung.", section_id=world.section_id, stance="support"
        )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SectionStance)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 0


def test_staff_of_another_agency_may_take_a_stance_as_citizens(world):
    stats = services.set_stance(world.other_moderator, world.round, world.section_id, "oppose")
    assert stats.oppose == 1


def test_staff_cast_no_vote_in_their_own_agencys_consultation(world):
    """Decided: staff of the round's agency do not vote on its comments at all (their agreement would count as a
    citizen's in the public tallies); the opinion groups' exclusion of staff votes stays for votes cast before
    someone joined the staff."""
    comment = services.post_comment(world.citizen, world.round, "Tambah loket.")
    with pytest.raises(NotAllowed):
        services.vote(world.moderator, fresh(Comment, comment.id), 1)
    services.vote(world.other_moderator, fresh(Comment, comment.id), 1)
    db.session.rollback()
    assert db.session.scalars(sa.select(CommentVote.user_id)).all() == [world.other_moderator.id]


# --- pages ----------------------------------------------------------------------------------------------------


def test_the_round_page_shows_the_agency_response_never_the_pseudonym(client, world):
    top = services.post_comment(world.citizen, world.round, "Kapan loket buka?")
    official = services.post_comment(world.moderator, world.round, "Mulai bulan depan, loket buka Sabtu.")
    pseudonym = pseudonym_of(world.moderator, world.round_id)
    html = client.get(f"/rounds/{world.round_id}").get_data(as_text=True)  # anonymous: from the page cache
    meta = meta_of(html, official.id)
    assert "Tanggapan Dinas" in meta and "Dinas Kesehatan Kota" in meta and "Moderator" in meta
    assert pseudonym not in html and "Budi Staf" not in html
    assert 'class="comment official"' in html
    assert "Tanggapan Dinas" not in meta_of(html, top.id)


def test_the_comment_page_and_the_replies_show_an_official_reply_as_the_agency(client, world):
    top = services.post_comment(world.citizen, world.round, "Kapan loket buka?")
    reply = services.post_comment(world.admin, world.round, "Loket buka pukul 08.00.", parent_id=top.id)
    pseudonym = pseudonym_of(world.admin, world.round_id)
    page = client.get(f"/comments/{top.id}").get_data(as_text=True)
    meta = meta_of(page, reply.id)
    assert "Tanggapan Dinas" in meta and "Dinas Kesehatan Kota" in meta and "Admin dinas" in meta
    assert pseudonym not in page
    fragment = client.get(f"/comments/{top.id}/balasan", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Tanggapan Dinas" in meta_of(fragment, reply.id) and pseudonym not in fragment
    official_top = services.post_comment(world.admin, world.round, "Pengumuman jam layanan.")
    own = client.get(f"/comments/{official_top.id}").get_data(as_text=True)
    assert "<title>Tanggapan Dinas dari Dinas Kesehatan Kota" in own and pseudonym not in own


def test_staff_see_no_stance_or_vote_controls_on_their_agencys_round_and_are_told_why(client, auth, world):
    services.post_comment(world.citizen, world.round, "Tambah loket.")
    auth.login(world.moderator)
    html = client.get(f"/rounds/{world.round_id}").get_data(as_text=True)
    assert 'class="stance-form"' not in html and 'class="votes"' not in html.replace('class="votes meta"', "")
    assert 'name="stance"' not in html and 'name="show_name"' not in html
    assert "Anda menulis sebagai Dinas Kesehatan Kota (Moderator)" in html
    assert "Anda berbicara atas nama dinas" in html
    auth.logout()
    auth.login(world.other_moderator)
    html = client.get(f"/rounds/{world.round_id}").get_data(as_text=True)
    assert 'class="stance-form"' in html and 'name="stance"' in html and "Anda menulis sebagai" not in html


def test_a_staff_comment_posted_from_the_form_is_official_with_and_without_htmx(client, auth, world):
    auth.login(world.moderator)
    response = client.post(f"/rounds/{world.round_id}/komentar", data={"body": "Tanggapan tanpa JS.", "section_id": ""})
    assert response.status_code == 303
    answer = client.post(
        f"/rounds/{world.round_id}/komentar",
        data={"body": "Tanggapan dengan htmx.", "section_id": ""},
        headers={"HX-Request": "true"},
    ).get_data(as_text=True)
    assert "Tanggapan Dinas" in answer and 'name="stance"' not in answer
    db.session.rollback()
    assert db.session.scalars(sa.select(Comment.official_role)).all() == ["moderator", "moderator"]


def test_the_stance_form_refuses_staff_without_javascript(client, auth, world):
    auth.login(world.admin)
    response = client.post(f"/rounds/{world.round_id}/bagian/{world.section_id}/sikap", data={"value": "support"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "tidak mengambil sikap" in page
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SectionStance)) == 0


# --- API ------------------------------------------------------------------------------------------------------


def test_the_api_marks_official_comments_and_refuses_staff_stances_and_votes_with_403(client, world):
    citizen_comment = services.post_comment(world.citizen, world.round, "Tambah loket.")
    token = create_api_token(fresh(User, world.moderator.id))
    bearer = {"Authorization": f"Bearer {token}"}
    posted = client.post(
        f"/api/v1/rounds/{world.round_id}/comments", json={"body": "Tanggapan lewat API."}, headers=bearer
    )
    assert posted.status_code == 201
    body = posted.get_json()
    assert body["official"] is True and body["official_role"] == "moderator"
    assert body["author"] == "Dinas Kesehatan Kota" and body["author_kind"] == "agency"
    items = {c["id"]: c for c in client.get(f"/api/v1/rounds/{world.round_id}/comments").get_json()["items"]}
    assert items[body["id"]]["official"] is True
    assert items[citizen_comment.id]["official"] is False and items[citizen_comment.id]["official_role"] is None

    stance = client.put(
        f"/api/v1/sections/{world.section_id}/stance",
        json={"round_id": world.round_id, "value": "support"},
        headers=bearer,
    )
    assert stance.status_code == 403 and "tidak mengambil sikap" in stance.get_json()["error"]["message"]
    voted = client.put(f"/api/v1/comments/{citizen_comment.id}/vote", json={"value": 1}, headers=bearer)
    assert voted.status_code == 403 and "tidak memberi suara" in voted.get_json()["error"]["message"]
    with_stance = client.post(
        f"/api/v1/rounds/{world.round_id}/comments",
        json={"body": "Kami dukung.", "section_id": world.section_id, "stance": "support"},
        headers=bearer,
    )
    assert with_stance.status_code == 403
