"""Closing a round early and extending it: the service, the agency workspace page, the API, permissions, and
what the public sees afterwards (the reason on the round page and in the audit chain; participation refused)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from consult.accounts.services import create_api_token
from consult.audit import AuditEntry
from consult.errors import Conflict, Invalid, NotAllowed
from consult.extensions import db, write_transaction
from consult.participation import services as participation
from consult.participation.models import Comment, Report
from consult.rounds import services
from consult.rounds.jobs import close_rounds
from consult.rounds.models import Round, RoundEvent, RoundState
from consult.timeutil import local, utcnow
from tests.api.test_api import assert_json_error

REASON = "Batas waktu dipercepat karena perubahan regulasi nasional."
FORM_TIME = "%Y-%m-%dT%H:%M"


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)))


def _round(round_id: int) -> Round:
    return db.session.get(Round, round_id, populate_existing=True)


@pytest.fixture
def w(make):
    """An agency with an open round, its staff, and people who must be refused."""
    agency, other = make.agency(), make.agency()
    rnd = make.round(agency)
    return {
        "agency": agency,
        "round": rnd,
        "moderator": make.user("moderator", agency),
        "admin": make.user("agency_admin", agency),
        "site_admin": make.user("admin"),
        "other_moderator": make.user("moderator", other),
        "other_admin": make.user("agency_admin", other),
        "citizen": make.user(),
        "observer": make.user("observer"),
    }


# --- the service ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["moderator", "admin", "site_admin"])
def test_moderators_and_admins_of_the_agency_close_a_round_early_with_a_public_reason(w, role):
    rnd = services.close_round(w[role], w["round"], f"  {REASON}  ")

    rnd = _round(rnd.id)
    assert rnd.state == RoundState.CLOSED
    assert rnd.closed_at is not None and rnd.closed_at <= utcnow()
    [entry] = _audit("round.closed_early")
    assert entry.actor == f"user:{w[role].id}"
    assert entry.subject_id == str(rnd.id)
    assert entry.data["reason"] == REASON
    assert [(c.kind, c.reason) for c in rnd.public_changes] == [("closed_early", REASON)]


@pytest.mark.parametrize("role", ["other_moderator", "other_admin", "citizen", "observer"])
def test_others_cannot_close_or_extend_a_round(w, role):
    with pytest.raises(NotAllowed):
        services.close_round(w[role], w["round"], REASON)
    with pytest.raises(NotAllowed):
        services.extend_round(w[role], w["round"], utcnow() + dt.timedelta(days=60), REASON)
    assert _round(w["round"].id).state == RoundState.OPEN
    assert _audit("round.closed_early") == [] and _audit("round.extended") == []


@pytest.mark.parametrize("reason", [None, "", "   ", "ok", "x" * 501])
def test_closing_needs_a_reason_of_10_to_500_characters(w, reason):
    with pytest.raises(Invalid) as info:
        services.close_round(w["moderator"], w["round"], reason)
    assert set(info.value.fields) == {"reason"}
    assert _round(w["round"].id).state == RoundState.OPEN


def test_closing_a_closed_or_scheduled_round_is_a_conflict(w, make):
    services.close_round(w["moderator"], w["round"], REASON)
    with pytest.raises(Conflict, match="sudah ditutup"):
        services.close_round(w["admin"], _round(w["round"].id), REASON)
    scheduled = make.round(w["agency"], state="scheduled")
    with pytest.raises(Conflict, match="belum dibuka"):
        services.close_round(w["moderator"], scheduled, REASON)
    naturally_closed = make.round(w["agency"], state="closed")
    with pytest.raises(Conflict):
        services.close_round(w["moderator"], naturally_closed, REASON)
    assert len(_audit("round.closed_early")) == 1


def test_after_closing_every_participation_write_is_refused_but_reports_stay_allowed(w, make):
    author, reader = make.user(), make.user()
    comment = participation.post_comment(author, w["round"], "Komentar sebelum ditutup.")
    section = w["round"].version.sections[0]
    services.close_round(w["moderator"], w["round"], REASON)
    rnd = _round(w["round"].id)
    comment = db.session.get(Comment, comment.id)

    for attempt in (
        lambda: participation.post_comment(reader, rnd, "Terlambat."),
        lambda: participation.post_comment(reader, rnd, "Balasan terlambat.", parent_id=comment.id),
        lambda: participation.vote(reader, comment, 1),
        lambda: participation.set_stance(reader, rnd, section.id, "support"),
        lambda: participation.edit_comment(author, comment, "Diubah setelah ditutup."),
    ):
        with pytest.raises(Conflict, match="sudah ditutup"):
            attempt()
    participation.report_comment(reader, comment, "Masih boleh dilaporkan setelah ditutup.")
    assert db.session.scalar(sa.select(sa.func.count(Report.id))) == 1


def test_the_scheduler_records_no_second_closing_for_a_round_closed_early(w):
    services.close_round(w["moderator"], w["round"], REASON)
    assert close_rounds(utcnow() + dt.timedelta(seconds=1)) == 0
    assert _audit("round.closed") == []
    kinds = db.session.scalars(sa.select(RoundEvent.kind).where(RoundEvent.round_id == w["round"].id)).all()
    assert sorted(kinds) == ["closed", "closed_early"]


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_moderators_and_admins_extend_an_open_round(w, role):
    before = w["round"].closes_at
    new = (utcnow() + dt.timedelta(days=45)).replace(microsecond=0)

    rnd = services.extend_round(w[role], w["round"], new, REASON)

    rnd = _round(rnd.id)
    assert rnd.closes_at == new and rnd.state == RoundState.OPEN
    [entry] = _audit("round.extended")
    assert entry.data["reason"] == REASON and entry.data["reopened"] is False
    assert entry.data["closes_at"].startswith(new.isoformat())
    assert entry.data["closes_before"].startswith(before.isoformat())
    [change] = rnd.public_changes
    assert (change.kind, change.closes_before, change.closes_after) == ("extended", before, new)


def test_extending_must_move_the_closing_time_later_and_into_the_future(w):
    rnd = w["round"]
    for bad in (None, rnd.closes_at, rnd.closes_at - dt.timedelta(days=1), utcnow() - dt.timedelta(minutes=1)):
        with pytest.raises(Invalid) as info:
            services.extend_round(w["moderator"], rnd, bad, REASON)
        assert "closes_at" in info.value.fields
    with pytest.raises(Invalid) as info:
        services.extend_round(w["moderator"], rnd, rnd.opens_at + dt.timedelta(days=400), REASON)
    assert "366" in str(info.value.fields["closes_at"])
    with pytest.raises(Invalid) as info:
        services.extend_round(w["moderator"], rnd, None, "")
    assert set(info.value.fields) == {"closes_at", "reason"}
    assert _audit("round.extended") == []


def test_only_an_agency_admin_reopens_a_closed_round(w):
    services.close_round(w["moderator"], w["round"], REASON)
    new = utcnow() + dt.timedelta(days=7)
    with pytest.raises(NotAllowed, match="admin instansi"):
        services.extend_round(w["moderator"], _round(w["round"].id), new, "Dibuka lagi atas permintaan warga.")
    assert _round(w["round"].id).state == RoundState.CLOSED

    rnd = services.extend_round(w["admin"], _round(w["round"].id), new, "Dibuka lagi atas permintaan warga.")

    rnd = _round(rnd.id)
    assert rnd.state == RoundState.OPEN and rnd.closed_at is None
    assert _audit("round.extended")[0].data["reopened"] is True
    assert [c.kind for c in rnd.public_changes] == ["closed_early", "extended"]


def test_a_reopened_round_closes_again_at_its_new_time_and_that_is_recorded_once_more(w):
    with write_transaction():  # a round that closed at its time, recorded by the scheduler
        db.session.get(Round, w["round"].id).closes_at = utcnow() - dt.timedelta(hours=1)
    assert close_rounds(utcnow()) == 1
    new = utcnow() + dt.timedelta(days=2)
    services.extend_round(w["admin"], _round(w["round"].id), new, "Dibuka lagi karena gangguan server.")
    assert close_rounds(utcnow()) == 0

    assert close_rounds(new + dt.timedelta(seconds=1)) == 1
    assert close_rounds(new + dt.timedelta(seconds=2)) == 0
    assert [e.data["closes_at"] for e in _audit("round.closed")][1].startswith(new.isoformat())


def test_closing_in_two_requests_at_once_succeeds_once(app, w):
    """The round row is locked while it is checked and closed: of two concurrent closings one wins, one is told
    the round is already closed."""
    import threading

    round_id, user_ids = w["round"].id, [w["moderator"].id, w["admin"].id]
    db.session.commit()
    results: list[str] = []
    barrier = threading.Barrier(2)

    def close(user_id):
        from consult.accounts.models import User

        with app.app_context():
            try:
                user, rnd = db.session.get(User, user_id), db.session.get(Round, round_id)
                barrier.wait()
                services.close_round(user, rnd, REASON)
                results.append("closed")
            except Conflict:
                results.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=close, args=(uid,)) for uid in user_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["closed", "conflict"]
    assert len(_audit("round.closed_early")) == 1


# --- the round page and the audit chain (what the public sees) -------------------------------------------------


def test_the_round_page_shows_the_reason_to_everyone(client, w):
    services.close_round(w["moderator"], w["round"], REASON)
    html = client.get(f"/rounds/{w['round'].id}").get_data(as_text=True)
    assert "Ditutup lebih awal" in html and REASON in html
    assert "konsultasi ini sudah ditutup" in html.lower()
    entries = client.get("/api/v1/audit").get_json()["items"]
    assert any(e["action"] == "round.closed_early" and e["data"]["reason"] == REASON for e in entries)


def test_the_round_page_shows_an_extension_and_its_reason(client, w):
    services.extend_round(w["moderator"], w["round"], utcnow() + dt.timedelta(days=50), REASON)
    html = client.get(f"/rounds/{w['round'].id}").get_data(as_text=True)
    assert "Diperpanjang" in html and REASON in html


# --- the agency workspace page -----------------------------------------------------------------------------------


def _manage_url(w, action: str = "") -> str:
    return f"/kelola/{w['agency'].slug}/putaran/{w['round'].id}" + (f"/{action}" if action else "")


def test_a_moderator_closes_a_round_from_the_workspace_page(client, auth, w):
    auth.login(w["moderator"])
    page = client.get(_manage_url(w))
    assert page.status_code == 200
    assert "Tutup putaran" in page.get_data(as_text=True)
    response = client.post(_manage_url(w, "tutup"), data={"reason": REASON})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/rounds/{w['round'].id}")
    assert _round(w["round"].id).state == RoundState.CLOSED
    # the round page now offers the moderator no reopening (agency admins only)
    page = client.get(_manage_url(w)).get_data(as_text=True)
    assert "Hanya admin instansi yang dapat membuka kembali" in page


def test_the_workspace_form_keeps_the_typed_reason_when_it_is_refused(client, auth, w):
    auth.login(w["moderator"])
    response = client.post(_manage_url(w, "tutup"), data={"reason": "x"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "x</textarea>" in html
    assert 'aria-invalid="true"' in html
    assert _round(w["round"].id).state == RoundState.OPEN


def test_an_agency_admin_extends_from_the_workspace_page_in_local_time(client, auth, w):
    auth.login(w["admin"])
    new_local = (local(utcnow(), "Asia/Jakarta") + dt.timedelta(days=40)).replace(second=0, microsecond=0)
    response = client.post(
        _manage_url(w, "perpanjang"),
        data={"perpanjang-closes_at": new_local.strftime(FORM_TIME), "perpanjang-reason": REASON},
    )
    assert response.status_code == 303
    assert _round(w["round"].id).closes_at == (new_local - dt.timedelta(hours=7)).replace(tzinfo=None)


def test_a_refused_extension_keeps_the_time_and_reason(client, auth, w):
    auth.login(w["moderator"])
    past = (local(utcnow(), "Asia/Jakarta") - dt.timedelta(days=1)).strftime(FORM_TIME)
    response = client.post(
        _manage_url(w, "perpanjang"), data={"perpanjang-closes_at": past, "perpanjang-reason": REASON}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'value="{past}"' in html and REASON in html


@pytest.mark.parametrize("role", ["other_moderator", "other_admin", "citizen", "observer"])
def test_others_are_refused_the_workspace_round_page_and_its_forms(client, auth, w, role):
    auth.login(w[role])
    assert client.get(_manage_url(w)).status_code == 403
    assert client.post(_manage_url(w, "tutup"), data={"reason": REASON}).status_code == 403
    new = (utcnow() + dt.timedelta(days=60)).strftime(FORM_TIME)
    assert (
        client.post(
            _manage_url(w, "perpanjang"), data={"perpanjang-closes_at": new, "perpanjang-reason": REASON}
        ).status_code
        == 403
    )
    assert _round(w["round"].id).state == RoundState.OPEN


def test_anonymous_visitors_are_sent_to_the_login_page(client, w):
    for response in (client.get(_manage_url(w)), client.post(_manage_url(w, "tutup"), data={"reason": REASON})):
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _round(w["round"].id).state == RoundState.OPEN


def test_the_round_page_links_staff_to_the_workspace_page_only(client, auth, w):
    auth.login(w["moderator"])
    assert _manage_url(w) in client.get(f"/rounds/{w['round'].id}").get_data(as_text=True)
    auth.logout()
    auth.login(w["other_moderator"])
    assert _manage_url(w) not in client.get(f"/rounds/{w['round'].id}").get_data(as_text=True)


def test_the_workspace_forms_need_a_csrf_token(app, client, auth, w, monkeypatch):
    auth.login(w["moderator"])
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(_manage_url(w, "tutup"), data={"reason": REASON}).status_code == 400
    assert _round(w["round"].id).state == RoundState.OPEN


# --- the API -------------------------------------------------------------------------------------------------


def _bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_token(user)}"}


def test_api_close_returns_the_closed_round(client, w):
    response = client.post(
        f"/api/v1/rounds/{w['round'].id}/close", json={"reason": REASON}, headers=_bearer(w["moderator"])
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    data = response.get_json()
    assert data["id"] == w["round"].id and data["state"] == "closed"
    assert data["closed_early_at"] is not None
    assert data["changes"][0]["kind"] == "closed_early" and data["changes"][0]["reason"] == REASON
    assert client.get(f"/api/v1/rounds/{w['round'].id}").get_json()["state"] == "closed"


def test_api_close_errors(client, w):
    url = f"/api/v1/rounds/{w['round'].id}/close"
    assert_json_error(client.post(url, json={"reason": REASON}), 401)
    for role in ("other_moderator", "other_admin", "citizen", "observer"):
        assert_json_error(client.post(url, json={"reason": REASON}, headers=_bearer(w[role])), 403, "forbidden")
    moderator = _bearer(w["moderator"])
    error = assert_json_error(client.post(url, json={}, headers=moderator), 422, "invalid")
    assert set(error["fields"]) == {"reason"}
    assert_json_error(client.post(url, json={"reason": "ok"}, headers=moderator), 422, "invalid")
    assert_json_error(client.post(url, json={"reason": 42}, headers=moderator), 422, "invalid")
    assert_json_error(client.post("/api/v1/rounds/999999/close", json={"reason": REASON}, headers=moderator), 404)
    assert client.post(url, json={"reason": REASON}, headers=moderator).status_code == 200
    assert_json_error(client.post(url, json={"reason": REASON}, headers=moderator), 409, "conflict")


def test_api_writes_after_closing_are_409(client, w, make):
    author = make.user()
    comment = participation.post_comment(author, w["round"], "Komentar sebelum ditutup.")
    services.close_round(w["moderator"], w["round"], REASON)
    reader = _bearer(make.user())
    rid = w["round"].id
    section = w["round"].version.sections[0].id
    for response in (
        client.post(f"/api/v1/rounds/{rid}/comments", json={"body": "Terlambat"}, headers=reader),
        client.put(f"/api/v1/comments/{comment.id}/vote", json={"value": 1}, headers=reader),
        client.put(f"/api/v1/sections/{section}/stance", json={"round_id": rid, "value": "support"}, headers=reader),
    ):
        error = assert_json_error(response, 409, "conflict")
        assert "ditutup" in error["message"]
    report = client.post(f"/api/v1/comments/{comment.id}/reports", json={"reason": "Masih boleh"}, headers=reader)
    assert report.status_code == 201


def test_web_writes_after_closing_are_refused_with_the_reason(client, auth, w, make):
    services.close_round(w["moderator"], w["round"], REASON)
    auth.login(make.user())
    response = client.post(f"/rounds/{w['round'].id}/komentar", data={"body": "Terlambat"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Konsultasi ini sudah ditutup" in html and "Terlambat" in html  # the typed text is kept


def test_api_extend_and_reopen(client, w):
    url = f"/api/v1/rounds/{w['round'].id}/extend"
    new = (utcnow() + dt.timedelta(days=50)).replace(microsecond=0)
    body = {"closes_at": new.isoformat() + "Z", "reason": REASON}
    response = client.post(url, json=body, headers=_bearer(w["moderator"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["closes_at"] == new.isoformat() + "+00:00"
    assert_json_error(client.post(url, json={**body, "closes_at": "besok"}, headers=_bearer(w["moderator"])), 422)
    assert_json_error(client.post(url, json=body, headers=_bearer(w["other_moderator"])), 403)
    services.close_round(w["moderator"], _round(w["round"].id), REASON)
    later = {"closes_at": (new + dt.timedelta(days=1)).isoformat() + "Z", "reason": REASON}
    assert_json_error(client.post(url, json=later, headers=_bearer(w["moderator"])), 403)
    reopened = client.post(url, json=later, headers=_bearer(w["admin"]))
    assert reopened.status_code == 200 and reopened.get_json()["state"] == "open"


def test_rounds_set_times_keeps_working_after_an_extension(runner, w):
    services.extend_round(w["moderator"], w["round"], utcnow() + dt.timedelta(days=50), REASON)
    closes = (utcnow() + dt.timedelta(days=60)).replace(microsecond=0)
    result = runner.invoke(args=["rounds", "set-times", str(w["round"].id), "--closes", closes.isoformat() + "Z"])
    assert result.exit_code == 0, result.output
    assert _round(w["round"].id).closes_at == closes
    assert len(_audit("round.rescheduled")) == 1
