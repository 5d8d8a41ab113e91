"""A closed round, as the people who meet it see it: staff get no controls that can only fail (the services
refuse them too), nobody is asked to log in to take part, the follow box says what following still gives, and
followers are e-mailed when a round closes early, is extended or reopens."""

from __future__ import annotations

import datetime as dt

import pytest

from consult.errors import Conflict
from consult.extensions import db
from consult.notifications import services as notifications
from consult.rounds import services
from consult.rounds.models import Round, RoundState
from consult.timeutil import utcnow
from tests import mailbox

REASON = "Batas waktu dipercepat karena perubahan regulasi nasional."


def _round(round_id: int) -> Round:
    return db.session.get(Round, round_id, populate_existing=True)


@pytest.fixture
def w(make):
    agency = make.agency()
    rnd = make.round(agency)
    follower, quiet, unfollowed, no_mail = make.user(), make.user(), make.user(), make.user()
    for person in (follower, unfollowed, no_mail):
        notifications.follow_round(person, rnd)
    notifications.unfollow_round(unfollowed.id, rnd.id)
    notifications.update_settings(no_mail, email_enabled=False, auto_follow=True, locale=None)
    return {
        "agency": agency,
        "round": rnd,
        "moderator": make.user("moderator", agency),
        "admin": make.user("agency_admin", agency),
        "follower": follower,
        "quiet": quiet,
        "unfollowed": unfollowed,
        "no_mail": no_mail,
    }


# --- e-mail to followers --------------------------------------------------------------------------------------


def test_followers_are_emailed_when_a_round_closes_early_with_the_public_reason(w):
    services.close_round(w["moderator"], w["round"], REASON)

    [message] = mailbox.mails(kind="round_closed_early")
    assert message.to_addr == w["follower"].email
    assert "ditutup lebih awal" in message.subject.lower() and w["round"].title in message.subject
    assert REASON in message.body_text
    assert mailbox.link(message, f"/rounds/{w['round'].id}") == f"/rounds/{w['round'].id}"
    assert mailbox.link(message, "/berhenti/").startswith("/berhenti/")  # the unsubscribe link


def test_followers_are_emailed_when_an_open_round_is_extended_with_the_new_closing_time(w):
    new_close = utcnow().replace(microsecond=0) + dt.timedelta(days=45)
    services.extend_round(w["moderator"], w["round"], new_close, REASON)

    [message] = mailbox.mails(kind="round_extended")
    assert message.to_addr == w["follower"].email
    assert "diperpanjang" in message.subject.lower()
    assert REASON in message.body_text
    assert "WIB" in message.body_text  # the new closing time, in the agency's zone
    assert mailbox.mails(kind="round_reopened") == []


def test_followers_are_emailed_when_a_closed_round_is_reopened(w):
    services.close_round(w["moderator"], w["round"], REASON)
    services.extend_round(
        w["admin"], _round(w["round"].id), utcnow() + dt.timedelta(days=5), "Dibuka lagi atas permintaan warga."
    )

    [message] = mailbox.mails(kind="round_reopened")
    assert message.to_addr == w["follower"].email
    assert "dibuka kembali" in message.subject.lower()
    assert "Dibuka lagi atas permintaan warga." in message.body_text
    assert [m.kind for m in mailbox.mails(w["follower"].email)] == ["round_closed_early", "round_reopened"]


def test_people_who_do_not_follow_unfollowed_or_turned_email_off_get_no_round_change_mail(w):
    services.close_round(w["moderator"], w["round"], REASON)
    services.extend_round(w["admin"], _round(w["round"].id), utcnow() + dt.timedelta(days=5), REASON)
    for person in ("quiet", "unfollowed", "no_mail"):
        assert mailbox.mails(w[person].email) == [], person


def test_a_refused_closing_emails_nobody(w):
    services.close_round(w["moderator"], w["round"], REASON)
    with pytest.raises(Conflict):
        services.close_round(w["admin"], _round(w["round"].id), REASON)
    assert len(mailbox.mails(kind="round_closed_early")) == 1


def test_a_round_closing_at_its_time_sends_no_early_closing_mail(w):
    from consult.rounds.jobs import close_rounds

    close_rounds(utcnow() + dt.timedelta(days=31))
    assert mailbox.mails(kind="round_closed_early") == []


# --- the service refuses what the pages no longer offer --------------------------------------------------------


def test_a_closed_round_cannot_be_rescheduled_even_into_the_future(w, make):
    closed = make.round(w["agency"], state="closed")
    with pytest.raises(Conflict, match="sudah ditutup"):
        services.reschedule_round(w["admin"], closed, closes_at=utcnow() + dt.timedelta(days=10))
    with pytest.raises(Conflict, match="sudah ditutup"):
        services.reschedule_round("operator", closed, closes_at=utcnow() + dt.timedelta(days=10))
    assert _round(closed.id).state == RoundState.CLOSED


def test_moving_the_scheduled_closing_of_a_round_closed_early_keeps_it_closed(w):
    """`rounds set-times` works on any round (CONTRACT.md); on a round closed early it reopens nothing."""
    services.close_round(w["moderator"], w["round"], REASON)
    later = utcnow() + dt.timedelta(days=10)
    services.reschedule_round("operator", _round(w["round"].id), closes_at=later)
    moved = _round(w["round"].id)
    assert moved.closes_at == later.replace(tzinfo=moved.closes_at.tzinfo)
    assert moved.state == RoundState.CLOSED


# --- what the pages offer --------------------------------------------------------------------------------------


OPENING_PROMISES = ("saat dibuka", "saat konsultasi dibuka")  # "… when it opens", as following and as its hint


def _promises_opening_mail(html: str) -> bool:
    return any(text in html for text in OPENING_PROMISES)


def _page(client, rnd) -> str:
    return client.get(f"/rounds/{rnd.id}").get_data(as_text=True)


def test_a_closed_round_page_offers_a_moderator_no_controls_and_an_agency_admin_only_reopening(client, auth, w):
    services.close_round(w["moderator"], w["round"], REASON)
    slug, rid = w["agency"].slug, w["round"].id
    auth.login(w["moderator"])
    html = _page(client, w["round"])
    # neither the times nor "close early or extend" (entering paper comments given during the round stays possible)
    assert f'/kelola/{slug}/putaran/{rid}"' not in html and f"/kelola/{slug}/putaran/{rid}/jadwal" not in html
    auth.logout()
    auth.login(w["admin"])
    html = _page(client, w["round"])
    assert f"/kelola/{slug}/putaran/{rid}/jadwal" not in html
    assert f'href="/kelola/{slug}/putaran/{rid}">Buka kembali putaran ini</a>' in html
    assert "Tutup lebih awal atau perpanjang" not in html


def test_the_agency_home_offers_per_round_only_what_can_succeed(client, auth, w, make):
    slug = w["agency"].slug
    closed = make.round(w["agency"], state="closed")
    scheduled = make.round(w["agency"], state="scheduled")
    auth.login(w["admin"])
    html = client.get(f"/kelola/{slug}").get_data(as_text=True)
    open_id = w["round"].id
    assert f"/putaran/{open_id}/jadwal" in html and f'/putaran/{open_id}">Tutup lebih awal atau perpanjang' in html
    assert f"/putaran/{scheduled.id}/jadwal" in html and f'/putaran/{scheduled.id}"' not in html
    assert f"/putaran/{closed.id}/jadwal" not in html and f'/putaran/{closed.id}">Buka kembali</a>' in html


def test_the_reschedule_page_of_a_closed_round_shows_no_form(client, auth, w, make):
    closed = make.round(w["agency"], state="closed")
    auth.login(w["admin"])
    html = client.get(f"/kelola/{w['agency'].slug}/putaran/{closed.id}/jadwal").get_data(as_text=True)
    assert "waktunya tidak dapat diubah lagi" in html
    assert 'name="closes_at"' not in html
    response = client.post(
        f"/kelola/{w['agency'].slug}/putaran/{closed.id}/jadwal",
        data={"closes_at": (utcnow() + dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 409
    assert _round(closed.id).state == RoundState.CLOSED


def test_a_closed_round_asks_nobody_to_log_in_to_take_part_and_promises_no_opening_mail(client, make):
    rnd = make.round(state="closed")
    html = _page(client, rnd)
    assert "Masuk atau daftar untuk ikut serta" not in html
    assert "konsultasi ini sudah ditutup" in html.lower()  # the comment form's place says why instead
    assert not _promises_opening_mail(html)
    # the follow box says what following still gives: the summary
    assert "Masuk untuk menerima e-mail saat instansi menerbitkan ringkasannya dan mengadopsi versi revisinya" in html


def test_a_closed_rounds_follow_box_tells_a_follower_what_following_still_gives(client, auth, make):
    rnd = make.round(state="closed")
    person = make.user()
    notifications.follow_round(person, rnd)
    auth.login(person)
    html = _page(client, rnd)
    assert (
        "saat instansi menerbitkan ringkasannya dan saat instansi mengadopsi versi revisinya, "
        "atau bila konsultasi dibuka kembali"
    ) in html
    assert not _promises_opening_mail(html)


def test_an_open_rounds_follow_box_does_not_promise_an_opening_mail(client, auth, make):
    rnd = make.round()
    auth.login(make.user())
    html = _page(client, rnd)
    assert "48 jam sebelum ditutup, bila waktu penutupannya berubah" in html
    assert not _promises_opening_mail(html)
    scheduled = make.round(state="scheduled")
    assert _promises_opening_mail(_page(client, scheduled))
