"""Following rounds, e-mail settings, the notices queued in the outbox, unsubscribe links, and delivery over a
real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import datetime as dt
import re
import time
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from consult.extensions import db, write_transaction
from consult.moderation.jobs import escalate_reports
from consult.notifications import mail, notices, outbox, services
from consult.notifications.models import NotificationSettings, OutboxMessage, OutboxStatus, RoundFollow
from consult.participation import services as participation
from consult.participation.models import Report
from consult.rounds.models import Round
from consult.timeutil import utcnow
from tests.mailserver import smtp  # noqa: F401 - the fixture

MARKER = "PENANDA-RAHASIA-7f3a"


def _outbox(kind: str | None = None) -> list[OutboxMessage]:
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query.execution_options(populate_existing=True)))


def _following(user, rnd) -> bool | None:
    return db.session.scalar(
        sa.select(RoundFollow.active)
        .filter_by(user_id=user.id, round_id=rnd.id)
        .execution_options(populate_existing=True)
    )


@pytest.fixture
def open_round(make):
    return make.round(make.agency())


# --- following ----------------------------------------------------------------------------------------------


def test_anonymous_visitors_see_a_login_link_instead_of_the_follow_button(client, open_round):
    html = client.get(f"/rounds/{open_round.id}").get_data(as_text=True)
    assert "Masuk untuk mengikuti konsultasi ini lewat e-mail" in html
    assert f"/rounds/{open_round.id}/ikuti" not in html
    response = client.post(f"/rounds/{open_round.id}/ikuti")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_follow_and_unfollow_without_javascript(client, auth, make, open_round):
    user = make.user()
    auth.login(user)
    assert "Ikuti konsultasi ini" in client.get(f"/rounds/{open_round.id}").get_data(as_text=True)

    response = client.post(f"/rounds/{open_round.id}/ikuti")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/rounds/{open_round.id}#ikuti")
    assert _following(user, open_round) is True
    html = client.get(f"/rounds/{open_round.id}").get_data(as_text=True)
    assert "Anda mengikuti konsultasi ini" in html and "Berhenti mengikuti" in html

    assert client.post(f"/rounds/{open_round.id}/berhenti-ikuti").status_code == 303
    assert _following(user, open_round) is False


def test_follow_with_htmx_answers_with_the_button_fragment(client, auth, make, open_round):
    auth.login(make.user())
    response = client.post(f"/rounds/{open_round.id}/ikuti", headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div class="follow" id="ikuti">') and "Berhenti mengikuti" in html
    assert "<html" not in html


def test_the_follow_form_needs_a_csrf_token(app, client, auth, make, open_round, monkeypatch):
    user = make.user()
    auth.login(user)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post(f"/rounds/{open_round.id}/ikuti").status_code == 400
    assert _following(user, open_round) is None


def test_commenting_follows_the_round_unless_turned_off_or_unfollowed_before(make, open_round):
    eager, careful, quitter = make.user(), make.user(), make.user()
    services.update_settings(careful, email_enabled=True, auto_follow=False, locale="id")
    services.unfollow_round(quitter.id, open_round.id)

    for user in (eager, careful, quitter):
        participation.post_comment(user, open_round, "Komentar saya.")

    assert _following(eager, open_round) is True
    assert _following(careful, open_round) is None
    assert _following(quitter, open_round) is False  # unfollowing is remembered


def test_commenting_in_english_remembers_the_language_for_the_e_mails(client, auth, make, open_round):
    """No settings row means Indonesian; a comment written while using the English site creates one with
    "en", so the notices come in English. Commenting in Indonesian writes no settings row at all."""
    english, indonesian = make.user(), make.user()
    auth.login(english)
    client.post("/bahasa", data={"lang": "en", "next": "/"})
    response = client.post(f"/rounds/{open_round.id}/komentar", data={"body": "My comment in English."})
    assert response.status_code in (200, 302, 303)
    assert db.session.get(NotificationSettings, english.id).locale == "en"
    participation.post_comment(indonesian, open_round, "Komentar saya.")
    assert db.session.get(NotificationSettings, indonesian.id) is None
    assert _following(english, open_round) is True and _following(indonesian, open_round) is True


def test_the_settings_page_saves_and_lists_followed_rounds(client, auth, make, open_round):
    user = make.user()
    services.follow_round(user, open_round)
    auth.login(user)
    page = client.get("/profil/notifikasi").get_data(as_text=True)
    assert open_round.title in page and "checked" in page
    response = client.post("/profil/notifikasi", data={"email_enabled": "y", "locale": "en"})
    assert response.status_code == 303
    settings = db.session.get(NotificationSettings, user.id, populate_existing=True)
    assert (settings.email_enabled, settings.auto_follow, settings.locale) == (True, False, "en")
    assert client.post(f"/profil/notifikasi/putaran/{open_round.id}/berhenti").status_code == 303
    assert _following(user, open_round) is False
    assert "/profil/notifikasi" in client.get("/profil").get_data(as_text=True)


def test_the_settings_page_needs_login(client):
    response = client.get("/profil/notifikasi")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- what is queued -------------------------------------------------------------------------------------------


def test_a_reply_queues_one_email_for_the_author_of_the_comment_answered_without_any_comment_text(make, open_round):
    author, replier = make.user(name="Penulis"), make.user()
    top = participation.post_comment(author, open_round, f"Komentar awal {MARKER}.")
    reply = participation.post_comment(replier, open_round, f"Balasan {MARKER}.", parent_id=top.id)
    participation.post_comment(author, open_round, "Balasan untuk diri sendiri.", parent_id=top.id)

    [message] = _outbox("reply")
    assert message.dedupe_key == f"reply:{reply.id}:{author.id}"
    assert message.to_addr == author.email and message.status == OutboxStatus.PENDING
    assert MARKER not in message.body_text and MARKER not in message.subject
    assert message.subject == f"Balasan untuk komentar Anda: {open_round.title}"
    assert "Halo Penulis," in message.body_text
    assert f"/comments/{reply.id}#c{reply.id}" in message.body_text
    assert reply.author_name in message.body_text  # the pseudonym, never the e-mail
    assert replier.email not in message.body_text
    assert notices.notify_reply(reply) is False  # asked again: the key is taken, nothing new
    assert len(_outbox("reply")) == 1


def test_no_reply_email_when_the_author_unfollowed_or_turned_email_off(make, open_round):
    unfollowed, silent, replier = make.user(), make.user(), make.user()
    first = participation.post_comment(unfollowed, open_round, "Satu.")
    second = participation.post_comment(silent, open_round, "Dua.")
    services.unfollow_round(unfollowed.id, open_round.id)
    services.update_settings(silent, email_enabled=False, auto_follow=True, locale=None)
    participation.post_comment(replier, open_round, "Balasan satu.", parent_id=first.id)
    participation.post_comment(replier, open_round, "Balasan dua.", parent_id=second.id)
    assert _outbox("reply") == []


def test_a_reply_rolled_back_queues_nothing(make, open_round):
    author, replier = make.user(), make.user()
    top = participation.post_comment(author, open_round, "Satu.")
    with pytest.raises(RuntimeError), write_transaction():
        participation.post_comment(replier, open_round, "Balasan.", parent_id=top.id)
        raise RuntimeError("the request failed after the reply")
    assert _outbox() == []


def test_notify_comment_hidden_names_the_rule_and_reason_never_the_text(make, open_round):
    author = make.user()
    comment = participation.post_comment(author, open_round, f"Teks yang akan disembunyikan {MARKER}.")
    rule = SimpleNamespace(number=3, title="Tidak menyerang pribadi")

    assert notices.notify_comment_hidden(comment, rule, "Menyebut nama tetangga.", occurrence=17) is True
    assert notices.notify_comment_hidden(comment, rule, "Menyebut nama tetangga.", occurrence=17) is False

    [message] = _outbox("comment_hidden")
    assert message.dedupe_key == f"hidden:{comment.id}:17"
    assert "Aturan: 3. Tidak menyerang pribadi" in message.body_text
    assert "Alasan: Menyebut nama tetangga." in message.body_text
    assert MARKER not in message.body_text + message.subject
    assert f"/comments/{comment.id}" in message.body_text
    assert "banding" in message.body_text
    # about one's own comment: its link stops all e-mail, not just the round
    assert mail.read_unsubscribe_token(message.unsubscribe_url.rsplit("/", 1)[1]).scope == "all"


def test_notify_comment_hidden_twice_without_an_occurrence_uses_the_audit_head(make, open_round):
    from consult import audit

    comment = participation.post_comment(make.user(), open_round, "Teks.")
    with write_transaction():
        audit.record("test.hide", comment, {}, actor="test")
        notices.notify_comment_hidden(comment, "Aturan 1", "Alasan pertama.")
    notices.notify_comment_restored(comment, occurrence="r1")
    with write_transaction():
        audit.record("test.hide", comment, {}, actor="test")
        notices.notify_comment_hidden(comment, "Aturan 1", "Alasan kedua.")
    hidden = _outbox("comment_hidden")
    assert len(hidden) == 2 and hidden[0].dedupe_key != hidden[1].dedupe_key
    assert "Aturan: Aturan 1" in hidden[0].body_text
    [restored] = _outbox("comment_restored")
    assert restored.dedupe_key == f"restored:{comment.id}:r1"
    assert restored.subject.startswith("Komentar Anda tampil kembali")


def test_notify_summary_published_tells_each_follower_once(make, open_round):
    followers = [make.user() for _ in range(3)]
    for user in followers:
        services.follow_round(user, open_round)
    services.unfollow_round(followers[2].id, open_round.id)

    assert notices.notify_summary_published(open_round, url="https://contoh.go.id/rangkuman/1") == 2
    assert notices.notify_summary_published(open_round) == 0

    messages = _outbox("summary_published")
    assert sorted(m.to_addr for m in messages) == sorted(u.email for u in followers[:2])
    assert all("https://contoh.go.id/rangkuman/1" in m.body_text for m in messages)
    assert {m.dedupe_key for m in messages} == {f"summary:{open_round.id}:{u.id}" for u in followers[:2]}


def test_emails_are_in_english_for_people_who_chose_english(make, open_round):
    user = make.user(name="Reader")
    services.update_settings(user, email_enabled=True, auto_follow=True, locale="en")
    services.follow_round(user, open_round)
    notices.notify_summary_published(open_round)
    [message] = _outbox()
    assert message.subject == f"Summary published: {open_round.title}"
    assert message.body_text.startswith("Hello Reader,")
    assert "Stop these e-mails:" in message.body_text


def test_following_from_an_english_page_keeps_english_for_the_emails(client, auth, make, open_round):
    user = make.user()
    auth.login(user)
    client.post("/bahasa", data={"lang": "en"})
    client.post(f"/rounds/{open_round.id}/ikuti")
    assert db.session.get(NotificationSettings, user.id).locale == "en"


def test_blocked_accounts_get_no_email(make, open_round):
    user = make.user()
    services.follow_round(user, open_round)
    with write_transaction():
        db.session.get(type(user), user.id).is_active_account = False
    assert notices.notify_summary_published(open_round) == 0


def test_turning_email_off_cancels_what_was_queued(make, open_round):
    user = make.user()
    services.follow_round(user, open_round)
    notices.notify_summary_published(open_round)
    services.update_settings(user, email_enabled=False, auto_follow=True, locale=None)
    [message] = _outbox()
    assert message.status == OutboxStatus.CANCELLED


# --- unsubscribe links ------------------------------------------------------------------------------------------


def _token_path(message: OutboxMessage) -> str:
    return "/" + message.unsubscribe_url.split("/", 3)[3]


@pytest.fixture
def followed(make, open_round):
    user = make.user()
    services.follow_round(user, open_round)
    notices.notify_summary_published(open_round)
    [message] = _outbox()
    return SimpleNamespace(user=user, round=open_round, message=message, path=_token_path(message))


def test_the_unsubscribe_link_asks_first_then_stops_the_rounds_emails_without_login(client, followed):
    assert followed.message.unsubscribe_url.startswith("http://127.0.0.1:5000/berhenti/")
    page = client.get(followed.path)
    assert page.status_code == 200
    assert "Hentikan e-mail tentang konsultasi" in page.get_data(as_text=True)
    assert _following(followed.user, followed.round) is True  # a GET (a link scanner) changes nothing

    done = client.post(followed.path, data={"scope": "round"})
    assert done.status_code == 200
    assert "tidak lagi mengikuti konsultasi ini" in done.get_data(as_text=True)
    assert _following(followed.user, followed.round) is False
    assert db.session.get(NotificationSettings, followed.user.id).email_enabled is True


def test_the_same_link_can_stop_all_email(client, followed):
    client.post(followed.path, data={"scope": "all"})
    settings = db.session.get(NotificationSettings, followed.user.id, populate_existing=True)
    assert settings.email_enabled is False


def test_one_click_unsubscribe_from_a_mail_client(client, followed):
    """RFC 8058: the mail client POSTs List-Unsubscribe=One-Click, with no cookie and no CSRF token."""
    response = client.post(followed.path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _following(followed.user, followed.round) is False


def test_a_tampered_token_is_refused(client, followed):
    token = followed.path.rsplit("/", 1)[1]
    payload, _, rest = token.partition(".")
    forged = URLSafeTimedSerializer("tebakan", salt=mail.UNSUBSCRIBE_SALT).dumps({"u": followed.user.id, "s": "all"})
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "x" + token, forged, "sampah"):
        response = client.post(f"/berhenti/{bad}", data={"scope": "all"})
        assert response.status_code == 400
        assert "tidak valid" in response.get_data(as_text=True)
    assert _following(followed.user, followed.round) is True
    assert db.session.get(NotificationSettings, followed.user.id).email_enabled is True


def test_an_expired_token_is_refused_with_a_way_forward(app, client, followed, monkeypatch):
    token = followed.path.rsplit("/", 1)[1]
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + app.config["UNSUBSCRIBE_MAX_AGE"] + 60)
    response = client.get(f"/berhenti/{token}")
    monkeypatch.setattr(time, "time", real_time)
    assert response.status_code == 400
    assert "kedaluwarsa" in response.get_data(as_text=True)
    assert "/profil/notifikasi" in response.get_data(as_text=True)


def test_a_token_stops_only_its_own_users_emails_whoever_is_logged_in(client, auth, make, followed):
    other = make.user()
    services.follow_round(other, followed.round)
    auth.login(other)
    client.post(followed.path, data={"scope": "all"})
    assert db.session.get(NotificationSettings, followed.user.id, populate_existing=True).email_enabled is False
    assert services.settings_for(other).email_enabled is True
    assert _following(other, followed.round) is True


def test_a_round_token_cannot_be_turned_into_another_rounds(make, followed):
    token = followed.path.rsplit("/", 1)[1]
    link = mail.read_unsubscribe_token(token)
    assert link.round_id == followed.round.id and link.user_id == followed.user.id
    with pytest.raises(mail.BadToken):
        mail.read_unsubscribe_token(token.replace(".", "x.", 1))


# --- delivery ------------------------------------------------------------------------------------------------


def test_the_sender_delivers_over_smtp_to_a_real_server(smtp, make, open_round):  # noqa: F811
    user = make.user(name="Siti")
    services.follow_round(user, open_round)
    notices.notify_summary_published(open_round)

    assert outbox.send_due() == {"sent": 1, "retry": 0, "failed": 0}

    [received] = smtp.wait_for(1)
    assert received["To"] == user.email
    assert received["Subject"] == f"Rangkuman diterbitkan: {open_round.title}"
    assert received["From"] == "Konsultasi Publik <noreply@localhost>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<http://127\.0\.0\.1:5000/berhenti/[^>]+>", received["List-Unsubscribe"])
    body = received.get_content()
    assert body.startswith("Halo Siti,") and f"/rounds/{open_round.id}" in body
    [message] = _outbox()
    assert (message.status, message.attempts, message.last_error) == (OutboxStatus.SENT, 1, None)
    assert message.sent_at is not None
    assert outbox.send_due() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(smtp.messages) == 1


def test_a_refusing_server_means_retries_with_backoff_then_failed(app, smtp, make, open_round, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    services.follow_round(make.user(), open_round)
    notices.notify_summary_published(open_round)
    smtp.refuse = True
    now = utcnow()

    assert outbox.send_due(now) == {"sent": 0, "retry": 1, "failed": 0}
    [message] = _outbox()
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert "451" in message.last_error
    assert message.next_attempt_at >= utcnow() + dt.timedelta(seconds=55)
    assert outbox.send_due(now + dt.timedelta(seconds=30))["retry"] == 0  # not due yet

    later = now + dt.timedelta(minutes=2)
    assert outbox.send_due(later)["retry"] == 1
    assert _outbox()[0].next_attempt_at >= later + dt.timedelta(minutes=4)  # the second delay is longer
    assert outbox.send_due(later + dt.timedelta(hours=1)) == {"sent": 0, "retry": 0, "failed": 1}
    assert _outbox()[0].status == OutboxStatus.FAILED
    assert smtp.messages == []


def test_a_temporary_failure_is_delivered_on_the_next_attempt(smtp, make, open_round):  # noqa: F811
    services.follow_round(make.user(), open_round)
    notices.notify_summary_published(open_round)
    smtp.refuse = True
    outbox.send_due()
    smtp.refuse = False
    assert outbox.send_due(utcnow() + dt.timedelta(minutes=2))["sent"] == 1
    assert len(smtp.wait_for(1)) == 1
    assert _outbox()[0].attempts == 2


def test_an_unreachable_server_postpones_every_mail_of_the_run(app, make, open_round, monkeypatch):
    from tests.mailserver import free_port

    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_USE_TLS": False}.items():
        monkeypatch.setitem(app.config, key, value)
    for _ in range(3):
        services.follow_round(make.user(), open_round)
    notices.notify_summary_published(open_round)
    assert outbox.send_due() == {"sent": 0, "retry": 3, "failed": 0}
    assert all("Connection" in m.last_error or "refused" in m.last_error for m in _outbox())


def test_a_sender_that_died_mid_send_is_retried_after_its_claim_expires(make, open_round, smtp):  # noqa: F811
    services.follow_round(make.user(), open_round)
    notices.notify_summary_published(open_round)
    now = utcnow()
    [claimed] = outbox.claim(now, 10)  # claimed, then the process died
    assert outbox.claim(now, 10) == []
    assert outbox.send_due(now + dt.timedelta(seconds=outbox.CLAIM_SECONDS + 1))["sent"] == 1
    assert _outbox()[0].attempts == 2


def test_without_mail_server_mails_go_to_the_instance_folder_and_are_printed(app, make, open_round, capsys):
    from pathlib import Path

    assert not app.config["MAIL_SERVER"]
    services.follow_round(make.user(), open_round)
    notices.notify_summary_published(open_round)
    [message] = _outbox()
    assert outbox.send_due()["sent"] == 1
    path = Path(app.instance_path) / "mail" / f"{message.id:08d}.eml"
    assert path.exists() and b"Subject: Rangkuman diterbitkan" in path.read_bytes()
    assert "Rangkuman diterbitkan" in capsys.readouterr().out


# --- escalation of reports --------------------------------------------------------------------------------------


def _age_report(report_id: int, hours: int) -> None:
    with write_transaction():
        db.session.get(Report, report_id).created_at = utcnow() - dt.timedelta(hours=hours)


def test_a_report_unhandled_for_48_hours_is_escalated_to_the_agency_admins_once(make):
    agency = make.agency()
    rnd = make.round(agency)
    admins = [make.user("agency_admin", agency), make.user("agency_admin", agency)]
    make.user("moderator", agency)
    make.user("agency_admin", make.agency())  # another agency's admin: not told
    comment = participation.post_comment(make.user(), rnd, f"Komentar {MARKER}.")
    fresh = participation.report_comment(make.user(), comment, "Baru saja dilaporkan.")
    old = participation.report_comment(make.user(), comment, "Menyerang pribadi.")
    handled = participation.report_comment(make.user(), comment, "Sudah ditangani.")
    _age_report(old.id, 49)
    _age_report(handled.id, 60)
    with write_transaction():
        db.session.get(Report, handled.id).handled_at = utcnow()

    assert escalate_reports(utcnow()) == 1
    assert escalate_reports(utcnow()) == 0

    messages = _outbox("report_escalated")
    assert sorted(m.to_addr for m in messages) == sorted(a.email for a in admins)
    assert {m.dedupe_key for m in messages} == {f"escalation:{old.id}:{a.id}" for a in admins}
    assert all("Menyerang pribadi." in m.body_text and MARKER not in m.body_text for m in messages)
    assert fresh.id not in {int(m.dedupe_key.split(":")[1]) for m in messages}
    # the link leads to the comment's review page in the agency's moderation queue
    assert all(f"/kelola/{agency.slug}/moderasi/komentar/{comment.id}" in m.body_text for m in messages)


def test_an_agency_without_admins_escalates_to_the_site_admins(make):
    agency = make.agency()
    rnd = make.round(agency)
    site_admin = make.user("admin")
    comment = participation.post_comment(make.user(), rnd, "Komentar.")
    report = participation.report_comment(make.user(), comment, "Spam berulang.")
    _age_report(report.id, 50)
    escalate_reports(utcnow())
    [message] = _outbox("report_escalated")
    assert message.to_addr == site_admin.email


def test_queued_notices_keep_the_text_rendered_when_they_were_queued(make, open_round):
    """Queued notices survive their round being renamed later: the text was rendered when queued."""
    user, title = make.user(), open_round.title
    services.follow_round(user, open_round)
    notices.notify_summary_published(open_round)
    with write_transaction():
        db.session.get(Round, open_round.id).title = "Judul baru"
    assert _outbox()[0].subject == f"Rangkuman diterbitkan: {title}"
