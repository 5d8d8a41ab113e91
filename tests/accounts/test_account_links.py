"""E-mail confirmation and password reset: signed links through the outbox (security issue items 8, 14, 15).

Registration and "forgot password" answer alike whether or not the address has an account; the e-mail says what
happened. An unconfirmed account can read and is told what to do, and cannot take part until confirmed. A reset
link is signed, single-use and expiring, and a reset ends every session.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from consult.accounts import services, tokens
from consult.accounts.models import User
from consult.errors import NotAllowed
from consult.extensions import db, write_transaction
from consult.notifications.models import OutboxMessage
from consult.participation import services as participation
from consult.participation.models import Comment, Report
from tests.conftest import PASSWORD
from tests.mailbox import confirm_by_mail, last_mail, link, mails

NAME, EMAIL, SECRET = "Rina Wulandari", "rina.wulandari@example.org", "Teh-hangat-di-Cianjur"
NEW_PASSWORD = "Nasi-uduk-pagi-hari"
REMEMBER = "remember_token"


def register(client, email: str = EMAIL, name: str = NAME, password: str = SECRET):
    response = client.post("/register", data={"name": name, "email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response


def log_in(client, email: str = EMAIL, password: str = SECRET, remember: bool = False):
    data = {"email": email, "password": password, **({"remember": "y"} if remember else {})}
    response = client.post("/login", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return response


def logged_in(client) -> bool:
    response = client.get("/profil")
    assert response.status_code in {200, 302}
    return response.status_code == 200


def account(email: str = EMAIL) -> User:
    db.session.rollback()
    return db.session.scalar(sa.select(User).where(User.email == email))


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- an unconfirmed account ------------------------------------------------------------------------------------


def test_an_unconfirmed_account_can_log_in_and_read_and_is_told_what_to_do(client, make):
    rnd = make.round()
    register(client)
    log_in(client)
    page = client.get(f"/rounds/{rnd.id}?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Confirm your e-mail address" in html  # the notice on every page …
    assert 'action="/konfirmasi/kirim-ulang"' in html  # … with the button that sends the link again
    assert "Confirm your e-mail address first" in html  # and the comment form's place says why
    assert 'id="form-komentar"' in html and "<textarea" not in html


def test_an_unconfirmed_account_cannot_comment_vote_take_a_stance_or_report(client, make):
    rnd = make.round()
    theirs = participation.post_comment(make.user(), rnd, "Komentar warga lain.")
    register(client)
    log_in(client)
    section = rnd.version.sections[0].id
    writes = [
        client.post(f"/rounds/{rnd.id}/komentar?lang=en", data={"body": "Komentar saya."}),
        client.post(f"/comments/{theirs.id}/suara?lang=en", data={"value": "1"}),
        client.post(f"/rounds/{rnd.id}/bagian/{section}/sikap?lang=en", data={"value": "support"}),
    ]
    for response in writes:
        assert response.status_code in {403, 303}, response.status_code
    report = client.post(f"/comments/{theirs.id}/laporkan?lang=en", data={"reason": "Menghina warga."})
    assert report.status_code == 303
    assert count(Report) == 0 and count(Comment) == 1
    user = account()
    assert participation.participation_refusal(user, rnd).message == participation.UNCONFIRMED_MESSAGE
    with pytest.raises(NotAllowed):
        participation.report_comment(user, db.session.get(Comment, theirs.id), "Menghina warga.")


def test_an_unconfirmed_account_is_refused_on_the_api_too(client, make):
    rnd = make.round()
    register(client)
    token = services.create_api_token(account())
    response = client.post(
        f"/api/v1/rounds/{rnd.id}/comments?lang=en",
        json={"body": "Lewat API."},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 403
    assert "Confirm your e-mail address" in response.get_json()["error"]["message"]
    assert count(Comment) == 0


def test_following_the_confirmation_link_lets_the_person_take_part(client, make):
    rnd = make.round()
    register(client)
    confirm_by_mail(client, EMAIL)
    log_in(client)
    assert client.post(f"/rounds/{rnd.id}/komentar", data={"body": "Sekarang boleh."}).status_code == 303
    assert count(Comment) == 1
    assert "kirim-ulang" not in client.get(f"/rounds/{rnd.id}").get_data(as_text=True)  # no notice any more


def test_the_confirmation_page_asks_before_it_confirms(client):
    register(client)
    path = link(last_mail(EMAIL, "account_confirm"), "/konfirmasi/")
    page = client.get(path + "?lang=en")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Confirm my e-mail address" in page.get_data(as_text=True)
    assert account().email_confirmed_at is None  # a GET (a mail scanner opening links) confirms nothing
    response = client.post(path)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert account().email_confirmed_at is not None
    again = client.get(path + "?lang=en")  # confirming twice changes nothing
    assert again.status_code == 200 and "confirmed already" in again.get_data(as_text=True)


def test_confirming_while_logged_in_goes_straight_back_to_the_site(client):
    register(client)
    log_in(client)
    response = confirm_by_mail(client, EMAIL)
    assert response.headers["Location"] == "/"
    assert logged_in(client)


@pytest.mark.parametrize("case", ["tampered", "other-address", "expired", "unknown-account", "reset-link"])
def test_a_bad_confirmation_link_confirms_nothing(client, app, monkeypatch, case):
    register(client)
    user = account()
    token = link(last_mail(EMAIL, "account_confirm"), "/konfirmasi/").rsplit("/", 1)[1]
    if case == "tampered":
        token = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    elif case == "other-address":  # a link for the address the account had before
        token = tokens.confirm_token(user.id, "lama@example.org")
    elif case == "expired":
        monkeypatch.setitem(app.config, "CONFIRM_MAX_AGE", -1)
    elif case == "unknown-account":
        token = tokens.confirm_token(user.id + 1000, EMAIL)
    else:  # a password-reset link is no confirmation link (each kind has its own salt)
        token = tokens.reset_token(user.id, user.password_hash)
    for response in (client.get(f"/konfirmasi/{token}?lang=en"), client.post(f"/konfirmasi/{token}?lang=en")):
        assert response.status_code == 400
        assert "This link" in response.get_data(as_text=True)
        assert response.headers["Cache-Control"] == "no-store"
    assert account().email_confirmed_at is None


def test_send_the_confirmation_again(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ACCOUNT_MAIL_LIMIT", "3 per hour")
    register(client)
    log_in(client)
    response = client.post("/konfirmasi/kirim-ulang", data={"next": "/putaran"})
    assert response.status_code == 303 and response.headers["Location"] == "/putaran"
    assert [m.kind for m in mails(EMAIL)] == ["account_confirm", "account_confirm"]
    confirm_by_mail(client, EMAIL)  # the new link works
    assert account().email_confirmed_at is not None
    client.post("/konfirmasi/kirim-ulang")  # confirmed now: nothing more is sent
    assert len(mails(EMAIL)) == 2


def test_send_the_confirmation_again_is_limited_per_address(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ACCOUNT_MAIL_LIMIT", "2 per hour")
    register(client)  # the first e-mail
    log_in(client)
    assert client.post("/konfirmasi/kirim-ulang").status_code == 303  # the second
    refused = client.post("/konfirmasi/kirim-ulang")
    assert refused.status_code == 429
    assert len(mails(EMAIL)) == 2


def test_send_the_confirmation_again_needs_a_login(client):
    response = client.post("/konfirmasi/kirim-ulang")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    assert count(OutboxMessage) == 0


def test_operator_and_demo_accounts_are_confirmed(make):
    from consult.demo import demo_accounts, load_demo

    assert make.user().email_confirmed_at is not None
    load_demo(sample_participation=False)
    for _role, email in demo_accounts():
        assert account(email).email_confirmed_at is not None, email


def test_unconfirmed_addresses_get_no_notices(make):
    """Someone registering another person's address cannot make the site mail them (only the confirmation)."""
    from consult.notifications import notices
    from consult.notifications import services as notifications
    from consult.participation.models import Participant  # noqa: F401 - the model the follow refers to

    rnd = make.round(state="scheduled")
    follower = make.user()
    with write_transaction():
        db.session.execute(sa.update(User).where(User.id == follower.id).values(email_confirmed_at=None))
    notifications.follow_round(account(follower.email), rnd)
    assert notices.notify_round_opened(rnd) == 0
    assert mails(follower.email) == []


def test_the_migration_keeps_existing_accounts_confirmed(tmp_path):
    """Revision 0007: every account made before confirmation existed is marked confirmed at its creation."""
    from flask_migrate import downgrade, upgrade

    from consult import create_app
    from consult.config import TestConfig

    url = f"sqlite:///{tmp_path / 'old.db'}"
    other = create_app(
        {**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}, "SQLALCHEMY_DATABASE_URI": url}
    )
    with other.app_context():
        upgrade(revision="0006_hot_path_counters")
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (email, name, password_hash, is_verified, is_admin, is_observer, "
                    "is_active_account, show_name, session_token, created_at) VALUES ('lama@example.org', 'Lama', "
                    "'x', false, false, false, true, false, 'tok', '2026-01-02 03:04:05')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            confirmed = conn.execute(sa.text("SELECT email_confirmed_at FROM users")).scalar_one()
        assert str(confirmed).startswith("2026-01-02 03:04:05")
        downgrade(revision="0006_hot_path_counters")
        db.session.remove()
        db.engine.dispose()


# --- forgot password ---------------------------------------------------------------------------------------------


def forgot(client, email: str, address: str = "127.0.0.1"):
    return client.post("/lupa-sandi?lang=en", data={"email": email}, environ_base={"REMOTE_ADDR": address})


def test_the_login_page_links_to_forgot_password(client):
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert 'href="/lupa-sandi"' in html and "Forgot your password?" in html
    page = client.get("/lupa-sandi?lang=en")
    assert page.status_code == 200 and 'autocomplete="email"' in page.get_data(as_text=True)


def test_forgot_password_answers_alike_whether_or_not_the_address_has_an_account(client, make):
    user = make.user(email="ada@example.org")
    known, unknown = forgot(client, "ADA@example.org"), forgot(client, "tidak-ada@example.org")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["Location"] == unknown.headers["Location"] == "/cek-surel?untuk=sandi"
    reset_mail = last_mail("ada@example.org", "password_reset")
    assert reset_mail.user_id == user.id and link(reset_mail, "/sandi-baru/")
    (none_mail,) = mails("tidak-ada@example.org")
    assert none_mail.kind == "password_reset_unknown" and none_mail.user_id is None
    assert link(none_mail, "/register") == "/register" and "/sandi-baru/" not in none_mail.body_text


def test_forgot_password_names_a_malformed_address(client):
    response = forgot(client, "bukan alamat")
    assert response.status_code == 422 and 'id="email-error"' in response.get_data(as_text=True)
    assert count(OutboxMessage) == 0


def test_a_blocked_account_gets_no_reset_link(client, make):
    user = make.user()
    with write_transaction():
        db.session.execute(sa.update(User).where(User.id == user.id).values(is_active_account=False))
    assert forgot(client, user.email).status_code == 303
    assert mails(user.email) == []


def reset_path(email: str) -> str:
    return link(last_mail(email, "password_reset"), "/sandi-baru/")


def test_a_reset_link_sets_a_new_password_and_ends_every_session(app, client, make):
    user = make.user()
    laptop = app.test_client()
    log_in(laptop, user.email, PASSWORD, remember=True)
    remembered = laptop.get_cookie(REMEMBER).value
    forgot(client, user.email)
    path = reset_path(user.email)

    page = client.get(path + "?lang=en")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert user.email in page.get_data(as_text=True) and 'autocomplete="new-password"' in page.get_data(as_text=True)
    response = client.post(path, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 303 and response.headers["Location"] == "/login"

    assert not logged_in(laptop)
    stolen = app.test_client()
    stolen.set_cookie(REMEMBER, remembered)
    assert not logged_in(stolen)
    assert services.authenticate(user.email, PASSWORD) is None
    assert services.authenticate(user.email, NEW_PASSWORD).id == user.id
    assert last_mail(user.email, "password_changed")
    log_in(client, user.email, NEW_PASSWORD)


def test_a_reset_revokes_the_accounts_api_tokens(client, make):
    """Taking an account back: a token made by whoever had it must stop working too."""
    user = make.user()
    token = services.create_api_token(user, "dibuat penyusup")
    forgot(client, user.email)
    assert (
        client.post(reset_path(user.email), data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}).status_code == 303
    )
    db.session.rollback()
    assert services.user_for_token(token) is None


def test_a_password_change_keeps_the_api_tokens(client, make):
    user = make.user()
    token = services.create_api_token(user, "skrip pemantau")
    log_in(client, user.email, PASSWORD)
    data = {"current": PASSWORD, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert client.post("/profil/sandi", data=data).status_code == 303
    db.session.rollback()
    assert services.user_for_token(token).id == user.id


def test_a_reset_link_works_once(client, make):
    user = make.user()
    forgot(client, user.email)
    forgot(client, user.email)  # a second request: both links die with the first reset
    first, second = (link(m, "/sandi-baru/") for m in mails(user.email, "password_reset"))
    assert client.post(second, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}).status_code == 303
    for path in (second, first):
        for response in (
            client.get(path + "?lang=en"),
            client.post(path + "?lang=en", data={"password": "Lain-lagi-sandi-99"}),
        ):
            assert response.status_code == 400
            assert "used already" in response.get_data(as_text=True)
    assert services.authenticate(user.email, NEW_PASSWORD).id == user.id


def test_a_reset_link_dies_when_the_password_is_changed_otherwise(client, make):
    user = make.user()
    forgot(client, user.email)
    path = reset_path(user.email)
    log_in(client, user.email, PASSWORD)
    data = {"current": PASSWORD, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    assert client.post("/profil/sandi", data=data).status_code == 303
    assert client.get(path).status_code == 400


def test_a_reset_link_expires(client, make, app, monkeypatch):
    user = make.user()
    forgot(client, user.email)
    path = reset_path(user.email)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = client.post(path + "?lang=en", data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert services.authenticate(user.email, PASSWORD).id == user.id


def test_a_tampered_or_foreign_reset_link_is_refused(client, make):
    victim, other = make.user(), make.user()
    forgot(client, other.email)
    token = reset_path(other.email).rsplit("/", 1)[1]
    forged = tokens.URLSafeTimedSerializer("another-installation", salt=tokens.RESET_SALT).dumps(
        {"u": victim.id, "p": tokens.digest(victim.password_hash, "reset")}
    )
    for bad in (token[:-3] + "xyz", forged, tokens.confirm_token(victim.id, victim.email), "x"):
        assert (
            client.post(f"/sandi-baru/{bad}", data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}).status_code
            == 400
        )
    assert services.authenticate(victim.email, PASSWORD).id == victim.id
    assert services.authenticate(other.email, PASSWORD).id == other.id


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"password": "iloveyou12", "repeat": "iloveyou12"}, "password"),
        ({"password": NEW_PASSWORD, "repeat": NEW_PASSWORD + "x"}, "repeat"),
    ],
)
def test_a_bad_new_password_keeps_the_link_usable(client, make, data, field):
    user = make.user()
    forgot(client, user.email)
    path = reset_path(user.email)
    response = client.post(path, data=data)
    assert response.status_code == 422 and f'id="{field}-error"' in response.get_data(as_text=True)
    assert client.post(path, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}).status_code == 303


def test_a_reset_confirms_an_unconfirmed_address(client):
    register(client)
    forgot(client, EMAIL)
    assert client.post(reset_path(EMAIL), data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}).status_code == 303
    assert account().email_confirmed_at is not None


def test_someone_who_registered_another_persons_address_loses_the_account_to_its_owner(app, client):
    """Pre-hijacking: an attacker registers the victim's address; the victim's reset takes it over and ends the
    attacker's sessions."""
    attacker = app.test_client()
    register(attacker, password="Penyerang-punya-sandi-1")
    log_in(attacker, password="Penyerang-punya-sandi-1", remember=True)
    assert "/lupa-sandi" in last_mail(EMAIL, "account_confirm").body_text  # the owner is told how to take it over
    forgot(client, EMAIL)
    assert client.post(reset_path(EMAIL), data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}).status_code == 303
    assert not logged_in(attacker)
    assert services.authenticate(EMAIL, "Penyerang-punya-sandi-1") is None


def test_account_mails_go_out_in_the_language_in_use(client):
    client.post("/register?lang=en", data={"name": NAME, "email": EMAIL, "password": SECRET})
    english = last_mail(EMAIL)
    assert english.subject == "Confirm your e-mail address"
    client.post("/register", data={"name": NAME, "email": "lain@example.org", "password": SECRET})
    assert last_mail("lain@example.org").subject != "Confirm your e-mail address"


def test_check_your_email_page_says_the_same_for_everyone(client):
    page = client.get("/cek-surel?untuk=daftar&lang=en")
    assert page.status_code == 200
    assert "We sent an e-mail to the address you gave" in page.get_data(as_text=True)
    assert client.get("/cek-surel?untuk=%3Cscript%3E").status_code == 200
