"""Sessions end when they should: logout (also "keep me logged in"), "log out everywhere", a password change.

Security issue items 2 and 3: a remember cookie survived logout, and the session token never changed, so a cookie
copied before logout kept working after it.
"""

from __future__ import annotations

import datetime as dt
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from consult.accounts import services
from consult.accounts.models import User
from consult.config import Config
from consult.extensions import db
from tests.conftest import PASSWORD
from tests.mailbox import mails

REMEMBER = "remember_token"
NEW_PASSWORD = "Kopi-sore-di-Semarang"


def logged_in(client) -> bool:
    response = client.get("/profil")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    return False


def log_in(client, user, *, remember: bool = False, password: str = PASSWORD):
    data = {"email": user.email, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return response


def cookie(client, name: str) -> str | None:
    found = client.get_cookie(name)
    return found.value if found is not None else None


def only_cookie(app, name: str, value: str):
    """A new browser holding nothing but one cookie copied from another."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def reload(user: User) -> User:
    db.session.rollback()
    return db.session.get(User, user.id)


@pytest.fixture
def browsers(app, client):
    """A second browser for the same person (a phone beside a laptop)."""
    return client, app.test_client()


# --- logout ---------------------------------------------------------------------------------------------------


def test_keep_me_logged_in_does_not_survive_logout(client, make):
    """The probe: log in with remember, POST /logout, GET /profil — still logged in."""
    user = make.user()
    log_in(client, user, remember=True)
    assert cookie(client, REMEMBER)
    response = client.post("/logout")
    assert response.status_code == 303
    assert cookie(client, REMEMBER) is None  # the browser is told to delete it
    assert not logged_in(client)


def test_a_session_cookie_copied_before_logout_does_not_work_after_it(app, client, make):
    user = make.user()
    log_in(client, user)
    copied = cookie(client, "consult_session")
    assert logged_in(only_cookie(app, "consult_session", copied))
    client.post("/logout")
    assert not logged_in(only_cookie(app, "consult_session", copied))


def test_a_remember_cookie_copied_before_logout_does_not_work_after_it(app, client, make):
    user = make.user()
    log_in(client, user, remember=True)
    copied = cookie(client, REMEMBER)
    assert logged_in(only_cookie(app, REMEMBER, copied))  # a remember cookie alone logs in …
    client.post("/logout")
    assert not logged_in(only_cookie(app, REMEMBER, copied))  # … until the person logs out


def test_logging_in_again_after_logout_works(client, make):
    user = make.user()
    log_in(client, user)
    client.post("/logout")
    log_in(client, user)
    assert logged_in(client)


def test_every_login_of_the_same_person_shares_one_session_token_until_it_ends(browsers, make):
    """One token per person (users.session_token): logging out anywhere ends it everywhere."""
    laptop, phone = browsers
    user = make.user()
    log_in(laptop, user)
    log_in(phone, user)
    token = reload(user).session_token
    laptop.post("/logout")
    assert reload(user).session_token != token
    assert not logged_in(phone)


def test_logout_of_an_anonymous_visitor_changes_nothing(client, make):
    user = make.user()
    token = user.session_token
    assert client.post("/logout").status_code == 303
    assert reload(user).session_token == token


# --- the remember cookie's lifetime ---------------------------------------------------------------------------


def test_keep_me_logged_in_lasts_30_days_not_a_year(client, make):
    assert dt.timedelta(days=30) == Config.REMEMBER_COOKIE_DURATION
    user = make.user()
    response = log_in(client, user, remember=True)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER + "="))
    morsel = SimpleCookie(header)[REMEMBER]
    expires = dt.datetime.strptime(morsel["expires"], "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=dt.UTC)
    days = (expires - dt.datetime.now(dt.UTC)).total_seconds() / 86400
    assert 29.9 < days <= 30.01
    assert morsel["httponly"]


# --- log out everywhere ---------------------------------------------------------------------------------------


def test_log_out_everywhere_ends_every_session_and_remember_cookie(app, browsers, make):
    laptop, phone = browsers
    user = make.user()
    log_in(laptop, user)
    log_in(phone, user, remember=True)
    remembered = cookie(phone, REMEMBER)
    assert "Keluar dari semua perangkat" in laptop.get("/profil").get_data(as_text=True)

    response = laptop.post("/profil/keluar-semua")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert not logged_in(laptop)
    assert not logged_in(phone)
    assert not logged_in(only_cookie(app, REMEMBER, remembered))
    log_in(phone, user)  # the password still works
    assert logged_in(phone)


def test_log_out_everywhere_needs_a_login(client, make):
    user = make.user()
    token = user.session_token
    response = client.post("/profil/keluar-semua")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    assert reload(user).session_token == token


# --- changing the password ------------------------------------------------------------------------------------


def change(client, current: str = PASSWORD, password: str = NEW_PASSWORD, repeat: str | None = None):
    data = {"current": current, "password": password, "repeat": password if repeat is None else repeat}
    return client.post("/profil/sandi?lang=en", data=data)


def test_password_change_ends_the_other_sessions_and_keeps_this_one(app, browsers, make):
    laptop, phone = browsers
    user = make.user()
    log_in(laptop, user, remember=True)
    log_in(phone, user, remember=True)
    phone_cookie = cookie(phone, REMEMBER)

    response = change(laptop)
    assert response.status_code == 303 and response.headers["Location"] == "/profil"
    assert logged_in(laptop)  # this session goes on …
    assert logged_in(only_cookie(app, REMEMBER, cookie(laptop, REMEMBER)))  # … and its "keep me logged in"
    assert not logged_in(phone)
    assert not logged_in(only_cookie(app, REMEMBER, phone_cookie))
    assert services.authenticate(user.email, PASSWORD) is None
    assert services.authenticate(user.email, NEW_PASSWORD).id == user.id
    (notice,) = mails(user.email, "password_changed")
    assert "/lupa-sandi" in notice.body_text and NEW_PASSWORD not in notice.body_text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param({"current": "Bukan-sandi-saya-1"}, "current", "This is not your current password.", id="wrong"),
        pytest.param({"current": ""}, "current", "This is not your current password.", id="missing-current"),
        pytest.param({"password": "Password1!"}, "password", "easy to guess", id="weak-new-password"),
        pytest.param({"password": "Sukamaju2026"}, "password", "easy to guess", id="site-word-and-year"),
        pytest.param({"repeat": "Kopi-sore-di-Semarang!"}, "repeat", "not the same", id="repeat-differs"),
    ],
)
def test_password_change_refuses_bad_input_next_to_the_field(client, make, data, field, message):
    user = make.user()
    log_in(client, user)
    token = reload(user).session_token
    values = {"current": PASSWORD, "password": NEW_PASSWORD, **data}
    response = change(client, values["current"], values["password"], data.get("repeat"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert response.headers["Cache-Control"] == "no-store"
    assert reload(user).session_token == token  # nothing ended …
    assert services.authenticate(user.email, PASSWORD).id == user.id  # … nothing changed
    assert mails(user.email) == []
    assert logged_in(client)


def test_wrong_current_passwords_are_limited(client, make, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURE_LIMIT", "3 per 15 minutes")
    user = make.user()
    log_in(client, user)
    for _ in range(3):
        assert change(client, current="Tebakan-sandi-123").status_code == 422
    assert change(client).status_code == 429  # the right one too: guessing through the profile is stopped
    assert services.authenticate(user.email, PASSWORD).id == user.id


def test_a_weak_new_password_does_not_count_as_a_wrong_current_password(client, make, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_FAILURE_LIMIT", "2 per 15 minutes")
    user = make.user()
    log_in(client, user)
    for _ in range(3):
        assert change(client, password="iloveyou12").status_code == 422
    assert change(client).status_code == 303


def test_password_change_needs_a_login(client, make):
    user = make.user()
    response = change(client)
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    assert services.authenticate(user.email, PASSWORD).id == user.id


def test_profile_page_offers_the_password_change_and_is_not_stored(client, make):
    log_in(client, make.user())
    response = client.get("/profil?lang=en")
    html = response.get_data(as_text=True)
    assert 'action="/profil/sandi#sandi"' in html and 'autocomplete="current-password"' in html
    assert response.headers["Cache-Control"] == "no-store"


def test_profile_page_showing_a_new_api_token_is_not_stored(client, make):
    log_in(client, make.user())
    response = client.post("/profil", data={"name": "skrip"})
    assert "cst_" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_a_blocked_person_is_logged_out_at_once(client, make):
    from consult.extensions import write_transaction

    user = make.user()
    log_in(client, user, remember=True)
    with write_transaction():
        db.session.execute(sa.update(User).where(User.id == user.id).values(is_active_account=False))
    assert not logged_in(client)
