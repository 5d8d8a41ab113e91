"""A retry on flaky mobile data never creates a duplicate (consult/idempotency.py): every state-changing form of the
participation path carries a one-time submission key, the API's creating POSTs honour an Idempotency-Key header,
and a repeat answers with the first result instead of acting again. Repeats that arrive together (threads) create
exactly one comment, on SQLite and on PostgreSQL (the suite runs on both)."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
import sqlalchemy as sa

from consult import audit, idempotency
from consult.accounts.services import create_api_token
from consult.extensions import db
from consult.idempotency import SubmissionKey
from consult.participation import services
from consult.participation.models import Comment, CommentStatus, Report
from consult.scheduler.jobs import run_due_jobs
from consult.timeutil import utcnow
from tests.openapi_check import checked_client

KEY = "k-7f3a9c2e41b8d605"


@pytest.fixture
def client(app):
    yield from checked_client(app)


@pytest.fixture
def world(make):
    rnd = make.round(make.agency())
    return rnd.id, [s.id for s in rnd.version.sections], make.user(), make.user()


def comments(round_id: int) -> list[Comment]:
    db.session.commit()
    return list(db.session.scalars(sa.select(Comment).where(Comment.round_id == round_id).order_by(Comment.id)))


def actions(name: str) -> int:
    db.session.commit()
    return db.session.scalar(sa.select(sa.func.count()).select_from(audit.AuditEntry).filter_by(action=name))


def form_key(html: str, form_id: str) -> str:
    form = html[html.index(f'id="{form_id}"') :]
    return re.search(r'name="submission_key" value="([^"]+)"', form).group(1)


# --- web forms ----------------------------------------------------------------------------------------------------


def test_every_participation_form_carries_a_fresh_one_time_key(client, auth, world):
    round_id, _, author, _ = world
    auth.login(author)
    first = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    second = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert form_key(first, "form-komentar") != form_key(second, "form-komentar")
    assert idempotency.valid_key(form_key(first, "form-komentar"))
    comment = services.post_comment(author, _round(round_id), "Komentar saya.")
    page = client.get(f"/comments/{comment.id}").get_data(as_text=True)
    assert idempotency.valid_key(form_key(page, f"balas-{comment.id}"))
    for path in ("ubah", "tarik"):
        assert 'name="submission_key"' in client.get(f"/comments/{comment.id}/{path}").get_data(as_text=True)


def test_a_repeated_comment_form_publishes_once_and_lands_on_the_same_comment(client, auth, world):
    round_id, sections, author, _ = world
    auth.login(author)
    form = {"body": "Loket perlu buka Sabtu.", "section_id": str(sections[1]), "submission_key": KEY}
    first = client.post(f"/rounds/{round_id}/komentar", data=form)
    again = client.post(f"/rounds/{round_id}/komentar", data=form)  # the answer to the first was lost
    (comment,) = comments(round_id)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert first.headers["Location"].endswith(f"#c{comment.id}")
    assert actions("comment.posted") == 1
    assert _round(round_id).comment_count == 1


def test_a_repeated_comment_with_htmx_answers_with_the_first_comment(client, auth, world):
    round_id, _, author, _ = world
    auth.login(author)
    form = {"body": "Antrean terlalu panjang.", "submission_key": KEY}
    headers = {"HX-Request": "true"}
    first = client.post(f"/rounds/{round_id}/komentar", data=form, headers=headers)
    again = client.post(f"/rounds/{round_id}/komentar", data=form, headers=headers)
    (comment,) = comments(round_id)
    for answer in (first, again):
        assert answer.status_code == 200
        assert f'id="c{comment.id}"' in answer.get_data(as_text=True)


def test_the_same_key_with_another_text_is_refused_and_publishes_nothing_more(client, auth, world, app):
    round_id, _, author, _ = world
    auth.login(author)
    client.post(f"/rounds/{round_id}/komentar", data={"body": "Teks pertama.", "submission_key": KEY})
    other = client.post(f"/rounds/{round_id}/komentar", data={"body": "Teks lain.", "submission_key": KEY})
    assert other.status_code == 422
    with app.test_request_context():
        from flask_babel import gettext

        assert gettext("This key was already used for a different request. Use a new key.") in other.get_data(
            as_text=True
        )
    assert "Teks lain." in other.get_data(as_text=True), "what was typed comes back"
    assert [c.body for c in comments(round_id)] == ["Teks pertama."]


def test_a_refused_comment_remembers_nothing_so_the_corrected_form_may_reuse_its_key(client, auth, world):
    round_id, _, author, _ = world
    auth.login(author)
    assert client.post(f"/rounds/{round_id}/komentar", data={"body": " ", "submission_key": KEY}).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SubmissionKey)) == 0
    fixed = client.post(f"/rounds/{round_id}/komentar", data={"body": "Sekarang berisi.", "submission_key": KEY})
    assert fixed.status_code == 303
    assert len(comments(round_id)) == 1


def test_two_people_may_send_the_same_key_each_for_their_own_comment(client, auth, world):
    round_id, _, author, reader = world
    for user in (author, reader):
        auth.login(user)
        client.post(f"/rounds/{round_id}/komentar", data={"body": "Sama.", "submission_key": KEY})
        auth.logout()
    assert len(comments(round_id)) == 2


def test_a_repeated_reply_counts_once(client, auth, world):
    round_id, _, author, reader = world
    parent = services.post_comment(author, _round(round_id), "Induk.")
    auth.login(reader)
    form = {"body": "Balasan.", "parent_id": str(parent.id), "submission_key": KEY}
    assert client.post(f"/rounds/{round_id}/komentar", data=form).status_code == 303
    assert client.post(f"/rounds/{round_id}/komentar", data=form).status_code == 303
    db.session.commit()
    assert db.session.get(Comment, parent.id).reply_count == 1
    assert len(comments(round_id)) == 2


def test_a_repeated_report_is_thanked_again_not_refused(client, auth, world):
    round_id, _, author, reader = world
    comment = services.post_comment(author, _round(round_id), "Komentar.")
    auth.login(reader)
    assert 'name="submission_key"' in client.get(f"/comments/{comment.id}/laporkan").get_data(as_text=True)
    form = {"reason": "Menghina warga lain.", "submission_key": KEY}
    first = client.post(f"/comments/{comment.id}/laporkan", data=form)
    again = client.post(f"/comments/{comment.id}/laporkan", data=form)
    assert first.status_code == again.status_code == 303
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert 'class="flash flash-success"' in page, "the repeat is answered as the first was, not with an error"
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1


def test_a_repeated_withdrawal_answers_as_the_first(client, auth, world):
    round_id, _, author, _ = world
    comment = services.post_comment(author, _round(round_id), "Akan ditarik.")
    auth.login(author)
    for _ in range(2):
        answer = client.post(f"/comments/{comment.id}/tarik", data={"submission_key": KEY})
        assert answer.status_code == 303
        page = client.get(answer.headers["Location"]).get_data(as_text=True)
        assert "flash-info" in page and "flash-error" not in page
    assert actions("comment.withdrawn") == 1
    db.session.commit()
    assert db.session.get(Comment, comment.id).status == CommentStatus.WITHDRAWN


def test_a_repeated_edit_answers_as_the_first(client, auth, world):
    round_id, _, author, _ = world
    comment = services.post_comment(author, _round(round_id), "Versi satu.")
    auth.login(author)
    for _ in range(2):
        answer = client.post(f"/comments/{comment.id}/ubah", data={"body": "Versi dua.", "submission_key": KEY})
        assert answer.status_code == 303
    assert actions("comment.edited") == 1


# --- the API ------------------------------------------------------------------------------------------------------


def _round(round_id: int):
    from consult.rounds.models import Round

    return db.session.get(Round, round_id)


def test_api_repeat_with_the_same_key_and_body_gets_the_first_answer(client, world):
    round_id, _, author, _ = world
    headers = {"Authorization": f"Bearer {create_api_token(author)}", "Idempotency-Key": KEY}
    first = client.post(f"/api/v1/rounds/{round_id}/comments", json={"body": "Lewat API."}, headers=headers)
    again = client.post(f"/api/v1/rounds/{round_id}/comments", json={"body": "Lewat API."}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(comments(round_id)) == 1


def test_api_same_key_different_body_is_422_naming_the_header(client, world):
    round_id, _, author, _ = world
    headers = {"Authorization": f"Bearer {create_api_token(author)}", "Idempotency-Key": KEY}
    client.post(f"/api/v1/rounds/{round_id}/comments", json={"body": "Satu."}, headers=headers)
    other = client.post(f"/api/v1/rounds/{round_id}/comments", json={"body": "Dua."}, headers=headers)
    assert other.status_code == 422
    error = other.get_json()["error"]
    assert error["code"] == "invalid" and "Idempotency-Key" in error["fields"]
    assert [c.body for c in comments(round_id)] == ["Satu."]


def test_api_a_malformed_key_is_422_and_without_a_key_every_post_acts(client, world):
    round_id, _, author, _ = world
    auth_header = {"Authorization": f"Bearer {create_api_token(author)}"}
    bad = client.post(
        f"/api/v1/rounds/{round_id}/comments", json={"body": "X."}, headers={**auth_header, "Idempotency-Key": "k y"}
    )
    assert bad.status_code == 422 and "Idempotency-Key" in bad.get_json()["error"]["fields"]
    for _ in range(2):
        assert (
            client.post(f"/api/v1/rounds/{round_id}/comments", json={"body": "X."}, headers=auth_header).status_code
            == 201
        )
    assert len(comments(round_id)) == 2


def test_api_an_error_is_not_remembered(client, world):
    round_id, _, author, _ = world
    headers = {"Authorization": f"Bearer {create_api_token(author)}", "Idempotency-Key": KEY}
    too_long = client.post(f"/api/v1/rounds/{round_id}/comments", json={"body": "x" * 2001}, headers=headers)
    assert too_long.status_code == 422
    fixed = client.post(f"/api/v1/rounds/{round_id}/comments", json={"body": "Pendek."}, headers=headers)
    assert fixed.status_code == 201


def test_api_repeated_report_gets_the_first_answer(client, world):
    round_id, _, author, reader = world
    comment = services.post_comment(author, _round(round_id), "Komentar.")
    headers = {"Authorization": f"Bearer {create_api_token(reader)}", "Idempotency-Key": KEY}
    body = {"reason": "Data pribadi orang lain."}
    first = client.post(f"/api/v1/comments/{comment.id}/reports", json=body, headers=headers)
    again = client.post(f"/api/v1/comments/{comment.id}/reports", json=body, headers=headers)
    assert first.status_code == again.status_code == 201, "not 409 'already reported'"
    assert again.get_json() == first.get_json()


def test_openapi_declares_the_idempotency_key_on_creating_posts(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path in ("/rounds/{id}/comments", "/comments/{id}/reports"):
        operation = document["paths"][path]["post"]
        assert "Idempotency-Key" in [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert "Idempotent-Replayed" in operation["responses"]["201"]["headers"]
    vote = document["paths"]["/comments/{id}/vote"]["put"]
    assert "Idempotency-Key" not in [p["name"] for p in vote.get("parameters", [])]


# --- repeats that arrive together ---------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", ["api", "web"])
def test_concurrent_repeats_create_exactly_one_comment(app, client, auth, world, channel):
    round_id, _, author, _ = world
    token = create_api_token(author)
    cookie = None
    if channel == "web":
        auth.login(author)
        cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    db.session.commit()
    threads_n = 6
    barrier = threading.Barrier(threads_n)
    answers: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def send():
        try:
            with app.app_context():
                post(app.test_client())
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)

    def post(own):
        if channel == "web":
            own.set_cookie(cookie.key, cookie.value, domain=cookie.domain or "localhost")
        barrier.wait(timeout=30)  # all at once
        if channel == "api":
            answer = own.post(
                f"/api/v1/rounds/{round_id}/comments",
                json={"body": "Sekali saja."},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": KEY},
            )
            answers.append((answer.status_code, str(answer.get_json()["id"])))
        else:
            answer = own.post(f"/rounds/{round_id}/komentar", data={"body": "Sekali saja.", "submission_key": KEY})
            answers.append((answer.status_code, answer.headers.get("Location", "")))
        db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(answers) == threads_n
    assert len(set(answers)) == 1, answers  # every repeat got the first answer
    assert answers[0][0] in (201, 303)
    assert len(comments(round_id)) == 1
    assert actions("comment.posted") == 1
    assert audit.verify().ok


# --- expiry -------------------------------------------------------------------------------------------------------


def test_the_scheduler_deletes_expired_keys_only(client, auth, world):
    round_id, _, author, _ = world
    auth.login(author)
    client.post(f"/rounds/{round_id}/komentar", data={"body": "Satu.", "submission_key": KEY})
    client.post(f"/rounds/{round_id}/komentar", data={"body": "Dua.", "submission_key": KEY + "-2"})
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SubmissionKey)) == 2
    soon = utcnow() + dt.timedelta(hours=1)
    assert run_due_jobs(soon)["purge_submission_keys"] == 0
    later = utcnow() + idempotency.KEY_LIFETIME + dt.timedelta(minutes=1)
    assert run_due_jobs(later)["purge_submission_keys"] == 2
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SubmissionKey)) == 0
    # once forgotten, the key may be used again: it acts anew
    client.post(f"/rounds/{round_id}/komentar", data={"body": "Tiga.", "submission_key": KEY})
    assert [c.body for c in comments(round_id)] == ["Satu.", "Dua.", "Tiga."]
