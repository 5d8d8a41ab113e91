"""Accounts: registration, passwords, login and logout, sessions, throttling, cookies, API tokens, CLI."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from consult.accounts import services
from consult.accounts.models import ApiToken, Role, User
from consult.agencies.models import Membership
from consult.audit import AuditEntry
from consult.config import Config, load_secret_key
from consult.extensions import db, write_transaction
from tests.conftest import PASSWORD
from tests.mailbox import confirm_by_mail, link, mails

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "Kopi-pagi-di-Bandung"
GOOD = {"name": "Siti Rahma", "email": "siti.rahma@example.org", "password": NEW_PASSWORD}


# --- helpers ---------------------------------------------------------------------------------------------


class _ById(HTMLParser):
    """Collects the attributes and the text of every element that has an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: dict[str, dict] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        element_id = attributes.get("id")
        if element_id:
            self.elements[element_id] = {"tag": tag, "attrs": attributes, "text": ""}
        if tag not in {"input", "br", "meta", "link", "img", "hr"}:
            self._open.append((tag, element_id))

    def handle_endtag(self, tag):
        while self._open:
            open_tag, _ = self._open.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.elements[element_id]["text"] += data


def elements(html: str) -> dict[str, dict]:
    parser = _ById()
    parser.feed(html)
    return parser.elements


def token_user(token: str) -> User | None:
    db.session.rollback()  # a fresh read: see what the requests committed
    return services.user_for_token(token)


def user_count() -> int:
    db.session.rollback()  # a fresh read: see what the requests committed
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def reload(user: User) -> User:
    db.session.rollback()
    return db.session.get(User, user.id)


def logged_in(client) -> bool:
    response = client.get("/profil")
    if response.status_code == 200:
        return True
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"
    return False


def set_inactive(user: User) -> None:
    with write_transaction():
        db.session.get(User, user.id).is_active_account = False


# --- registration ----------------------------------------------------------------------------------------


def test_register_creates_an_unconfirmed_citizen_and_mails_the_confirmation_link(client):
    response = client.post("/register", data=GOOD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/cek-surel?untuk=daftar"
    user = db.session.scalar(sa.select(User).where(User.email == GOOD["email"]))
    assert user is not None and user.name == "Siti Rahma"
    assert not (user.is_admin or user.is_observer or user.is_verified or user.memberships)
    assert user.email_confirmed_at is None
    assert logged_in(client) is False  # logging in only a new address would tell which addresses are taken
    (mail,) = mails(GOOD["email"])
    assert mail.kind == "account_confirm" and mail.user_id == user.id and mail.unsubscribe_url is None
    assert NEW_PASSWORD not in mail.body_text

    confirm_by_mail(client, GOOD["email"])
    assert reload(user).email_confirmed_at is not None
    assert client.post("/login", data={"email": GOOD["email"], "password": NEW_PASSWORD}).status_code == 303
    assert GOOD["email"] in client.get("/profil").get_data(as_text=True)


def test_register_lowercases_the_email_and_logs_nobody_in(client):
    with client.session_transaction() as sess:
        sess["marker"] = "x"
    response = client.post("/register", data={**GOOD, "email": "Siti.Rahma@Example.ORG"})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(User.email)) == "siti.rahma@example.org"
    with client.session_transaction() as sess:
        assert not sess.get("_user_id")
    assert [m.to_addr for m in mails()] == ["siti.rahma@example.org"]


INVALID_REGISTRATIONS = [
    pytest.param({"email": "bukan-alamat-surel"}, "email", "This is not a valid e-mail address.", id="bad-email"),
    pytest.param({"email": "siti@"}, "email", "This is not a valid e-mail address.", id="email-without-domain"),
    pytest.param({"email": ""}, "email", "Enter your e-mail address.", id="empty-email"),
    pytest.param({"name": ""}, "name", "Enter your name.", id="empty-name"),
    pytest.param({"name": "   "}, "name", "Enter your name.", id="blank-name"),
    pytest.param({"password": "Pendek-12"}, "password", "Use at least 10 characters.", id="short-password"),
    pytest.param({"password": ""}, "password", "Use at least 10 characters.", id="empty-password"),
    pytest.param({"password": "password123"}, "password", "too common", id="common-password123"),
    pytest.param({"password": "indonesia123"}, "password", "too common", id="common-indonesia123"),
    pytest.param({"password": "Indonesia123"}, "password", "too common", id="common-any-case"),
    pytest.param({"password": "aaaaaaaaaaaa"}, "password", "too common", id="too-few-distinct-characters"),
    pytest.param({"password": "Jakarta2026!"}, "password", "easy to guess", id="city-and-year"),
    pytest.param({"password": "Rahasia123!"}, "password", "easy to guess", id="indonesian-word-and-digits"),
    pytest.param({"name": "Warga-NAVXF"}, "name", "could be mistaken for a pseudonym", id="name-is-a-pseudonym"),
    pytest.param({"name": "Moderator-AB12C"}, "name", "could be mistaken", id="name-is-a-moderator-pseudonym"),
    pytest.param({"name": "sistem"}, "name", "could be mistaken", id="name-is-the-system"),
    *(
        pytest.param(values, "password", "Do not use your e-mail address or name as password.", id=case)
        for case, values in (
            ("password-is-email-local-part", {"email": "budisantoso@example.org", "password": "budisantoso"}),
            ("password-contains-email-local-part", {"email": "budisantoso@example.org", "password": "BudiSantoso2026"}),
            ("password-is-name", {"name": "Budi Santoso Wibowo", "password": "Budi Santoso Wibowo"}),
            ("password-is-name-without-spaces", {"name": "Budi Santoso Wibowo", "password": "budisantosowibowo"}),
        )
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), INVALID_REGISTRATIONS)
def test_register_rejects_invalid_input_next_to_the_field(client, change, field, message):
    data = {**GOOD, **change}
    response = client.post("/register?lang=en", data=data)
    assert response.status_code == 422
    assert user_count() == 0
    html = response.get_data(as_text=True)
    found = elements(html)
    error = found[f"{field}-error"]
    assert error["tag"] == "p" and error["attrs"]["class"] == "error"
    assert message in error["text"]
    assert found[field]["attrs"].get("aria-invalid") == "true"
    assert f"{field}-error" in found[field]["attrs"]["aria-describedby"].split()
    assert "form-errors" in found  # the summary at the top of the form
    # only the bad field is marked
    for other in {"name", "email", "password"} - {field}:
        assert f"{other}-error" not in found
        assert "aria-invalid" not in found[other]["attrs"]
    # what was typed is kept (except the password, which is never sent back)
    if data["name"].strip():
        assert found["name"]["attrs"]["value"] == data["name"]
    if data["email"]:
        assert found["email"]["attrs"]["value"] == data["email"]
    assert found["password"]["attrs"].get("value", "") == ""
    if data["password"] and data["password"].lower() not in (data["name"] + data["email"]).lower():
        assert data["password"] not in html
    assert logged_in(client) is False


def test_register_answers_alike_whether_or_not_the_address_has_an_account(client, make):
    """The probe: registration said "Akun dengan alamat surel ini sudah ada". Now both answers are the same page;
    only the e-mail, which only the owner of the address reads, says which case it was."""
    owner = make.user(email="user@example.org", name="Pemilik Akun")
    before = user_count()
    taken = client.post("/register?lang=en", data={**GOOD, "email": "User@Example.org"})
    fresh = client.post("/register?lang=en", data={**GOOD, "email": "baru@example.org"})
    assert taken.status_code == fresh.status_code == 303
    assert taken.headers["Location"] == fresh.headers["Location"]
    assert client.get(taken.headers["Location"]).get_data() == client.get(fresh.headers["Location"]).get_data()
    assert "already" not in client.get(taken.headers["Location"]).get_data(as_text=True)
    assert user_count() == before + 1  # only the new address made an account
    kept = reload(owner)
    assert kept.name == "Pemilik Akun" and services.authenticate("user@example.org", PASSWORD).id == owner.id
    assert services.authenticate("user@example.org", NEW_PASSWORD) is None  # the password was not replaced
    (mail,) = mails("user@example.org")
    assert mail.kind == "account_exists" and mail.user_id == owner.id
    assert link(mail, "/login") == "/login" and link(mail, "/lupa-sandi") == "/lupa-sandi"
    assert "/konfirmasi/" not in mail.body_text  # a confirmed account: nothing to confirm
    assert mails("baru@example.org", "account_confirm")


def test_registering_an_unconfirmed_address_again_sends_a_new_confirmation_link(client):
    assert client.post("/register", data=GOOD).status_code == 303
    assert client.post("/register", data={**GOOD, "password": "Teh-manis-di-Surabaya"}).status_code == 303
    first, second = mails(GOOD["email"])
    assert (first.kind, second.kind) == ("account_confirm", "account_exists")
    client.get(link(second, "/konfirmasi/"))
    assert client.post(link(second, "/konfirmasi/")).status_code == 303
    db.session.rollback()
    user = db.session.scalar(sa.select(User).where(User.email == GOOD["email"]))
    assert user.email_confirmed_at is not None
    assert services.authenticate(GOOD["email"], NEW_PASSWORD).id == user.id  # the first password stays


def test_register_reports_every_bad_field_at_once(client):
    response = client.post("/register?lang=en", data={"name": "", "email": "nope", "password": "short"})
    assert response.status_code == 422
    found = elements(response.get_data(as_text=True))
    assert {"name-error", "email-error", "password-error"} <= found.keys()
    assert user_count() == 0


def test_register_errors_are_in_indonesian_by_default(client):
    response = client.post("/register", data={**GOOD, "password": "password123"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<html lang="id">' in html
    text = elements(html)["password-error"]["text"].strip()
    assert text and "too common" not in text


def test_register_page_renders(client):
    response = client.get("/register")
    assert response.status_code == 200
    found = elements(response.get_data(as_text=True))
    assert {"name", "email", "password"} <= found.keys()
    assert found["password"]["attrs"]["autocomplete"] == "new-password"


# --- password storage -------------------------------------------------------------------------------------


def test_passwords_are_stored_hashed_with_the_configured_method(client, app):
    assert client.post("/register", data=GOOD).status_code == 303
    stored = db.session.scalar(sa.select(User.password_hash).where(User.email == GOOD["email"]))
    assert stored != NEW_PASSWORD and NEW_PASSWORD not in stored
    method = app.config["PASSWORD_HASH_METHOD"]
    assert stored.startswith(method + "$")
    from werkzeug.security import check_password_hash

    assert check_password_hash(stored, NEW_PASSWORD)
    assert not check_password_hash(stored, NEW_PASSWORD + "x")


def test_production_hashes_with_scrypt():
    assert Config.PASSWORD_HASH_METHOD == "scrypt"


def test_same_password_gets_different_hashes(make):
    first, second = make.user(), make.user()
    assert first.password_hash != second.password_hash  # salted


def test_unknown_email_costs_a_hash_of_the_configured_method(monkeypatch, app):
    """A login for an unknown e-mail checks a dummy hash made like real ones, so timing does not tell."""
    seen: list[str] = []
    real = services.check_password_hash

    def spy(pwhash, password):
        seen.append(pwhash)
        return real(pwhash, password)

    monkeypatch.setattr(services, "check_password_hash", spy)
    assert services.authenticate("nobody@example.org", "whatever-password") is None
    assert services.authenticate("not an e-mail", "whatever-password") is None
    assert len(seen) == 2
    assert all(h.startswith(app.config["PASSWORD_HASH_METHOD"] + "$") for h in seen)
    assert services._dummy_hash("scrypt").startswith("scrypt:")


# --- login and logout -------------------------------------------------------------------------------------


def test_login_with_the_right_password(client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert logged_in(client)
    assert reload(user).last_login_at is not None


def test_login_ignores_the_case_and_spaces_of_the_email(client, make):
    user = make.user(email="rina@example.org")
    response = client.post("/login", data={"email": "  Rina@Example.ORG ", "password": PASSWORD})
    assert response.status_code == 303
    assert logged_in(client)
    assert reload(user).last_login_at is not None


@pytest.mark.parametrize("email", ["known", "nobody@example.org", "not-an-email", ""])
def test_login_with_a_wrong_password_or_unknown_email_is_refused(client, make, email):
    user = make.user()
    response = client.post(
        "/login?lang=en", data={"email": user.email if email == "known" else email, "password": "Salah-kata-sandi-99"}
    )
    assert response.status_code == 401
    found = elements(response.get_data(as_text=True))
    assert "The e-mail address or password is wrong." in found["password-error"]["text"]
    assert found["password"]["attrs"]["aria-invalid"] == "true"
    assert found["password"]["attrs"].get("value", "") == ""
    with client.session_transaction() as sess:
        assert "_user_id" not in sess
    assert not logged_in(client)
    assert reload(user).last_login_at is None


def test_blocked_account_cannot_log_in(client, make):
    user = make.user()
    set_inactive(user)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 401
    assert not logged_in(client)
    assert services.authenticate(user.email, PASSWORD) is None


def test_logout_is_post_only_and_ends_the_session(client, auth, make):
    user = make.user()
    auth.login(user)
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Metode tidak diizinkan" in response.get_data(as_text=True)
    assert logged_in(client)  # a GET (a link, an image) must not log anyone out

    response = client.post("/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    with client.session_transaction() as sess:
        assert "_user_id" not in sess
    assert not logged_in(client)


def test_logout_clears_everything_in_the_session(client, auth, make):
    auth.login(make.user())
    with client.session_transaction() as sess:
        sess["marker"] = "x"
    client.post("/logout")
    with client.session_transaction() as sess:
        assert "marker" not in sess


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    found = elements(response.get_data(as_text=True))
    assert found["password"]["attrs"]["type"] == "password"
    assert found["email"]["attrs"]["autocomplete"] == "email"


# --- session renewal and `next` ---------------------------------------------------------------------------


def test_login_starts_a_fresh_session(client, make):
    user = make.user()
    client.get("/login")
    with client.session_transaction() as sess:
        sess["marker"] = "x"
    before = client.get_cookie("consult_session").value
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    after = client.get_cookie("consult_session").value
    assert after != before
    with client.session_transaction() as sess:
        assert "marker" not in sess
        assert sess["_user_id"] == reload(user).session_token


def test_login_keeps_the_chosen_language(client, make):
    user = make.user()
    client.post("/bahasa", data={"lang": "en", "next": "/"})
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 303
    with client.session_transaction() as sess:
        assert sess["lang"] == "en"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/rounds/1", "/rounds/1"),
        ("/kelola/dinas-a/dokumen/baru?jenis=policy", "/kelola/dinas-a/dokumen/baru?jenis=policy"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("http://evil.example/rounds/1", "/"),
        ("//evil.example", "/"),
        ("//evil.example/rounds/1", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),
        ("/\r\n/evil.example", "/"),
        (" //evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("rounds/1", "/"),
    ],
)
def test_login_follows_next_only_to_local_paths(client, make, target, expected):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == expected


def test_login_required_page_comes_back_after_login(client, make):
    user = make.user()
    response = client.get("/profil")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == ["/profil"]
    page = client.get(response.headers["Location"])
    assert elements(page.get_data(as_text=True))["next"]["attrs"]["value"] == "/profil"
    response = client.post(
        response.headers["Location"], data={"email": user.email, "password": PASSWORD, "next": "/profil"}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/profil"
    assert client.get("/profil").status_code == 200


# --- login throttling -------------------------------------------------------------------------------------


def _fail_login(client, email: str, address: str = "127.0.0.1"):
    return client.post(
        "/login", data={"email": email, "password": "Salah-kata-sandi-99"}, environ_base={"REMOTE_ADDR": address}
    )


def _login(client, email: str, address: str = "127.0.0.1", query: str = ""):
    return client.post(
        "/login" + query, data={"email": email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": address}
    )


def test_config_login_failure_limit():
    assert Config.LOGIN_FAILURE_LIMIT == "5 per 15 minutes"


def test_five_failures_for_one_email_lock_it_even_from_other_addresses(client, make):
    user = make.user(email="target@example.org")
    for i in range(5):  # each from another address: only the per-e-mail limit can trip
        assert _fail_login(client, user.email, f"10.0.0.{i + 1}").status_code == 401
    response = _login(client, user.email, "10.0.0.99")  # the right password, yet refused
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Terlalu banyak permintaan" in html
    assert "Too many attempts" not in html  # the message is translated too
    assert int(response.headers["Retry-After"]) > 0
    assert not logged_in(client)
    assert reload(user).last_login_at is None
    # the e-mail key ignores case and surrounding spaces
    assert _login(client, " TARGET@example.org", "10.0.0.98").status_code == 429
    # in English on request
    response = _login(client, user.email, "10.0.0.97", query="?lang=en")
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    assert "Too many attempts in a short time" in response.get_data(as_text=True)
    # another account from one of those addresses is not affected
    other = make.user()
    assert _login(client, other.email, "10.0.0.99").status_code == 303


def test_four_failures_do_not_lock(client, make):
    user = make.user()
    for _ in range(4):
        assert _fail_login(client, user.email).status_code == 401
    assert _login(client, user.email).status_code == 303


def test_successful_logins_do_not_count(client, make):
    user = make.user()
    for _ in range(8):
        assert _login(client, user.email).status_code == 303
    for _ in range(4):
        assert _fail_login(client, user.email).status_code == 401
    for _ in range(3):
        assert _login(client, user.email).status_code == 303
    assert _fail_login(client, user.email).status_code == 401  # the fifth failure
    assert _login(client, user.email).status_code == 429


def test_five_failures_from_one_address_lock_that_address(client, make):
    user = make.user()
    for i in range(5):  # five different e-mail addresses: only the per-address limit can trip
        assert _fail_login(client, f"guess{i}@example.org", "10.9.9.9").status_code == 401
    response = _login(client, user.email, "10.9.9.9")
    assert response.status_code == 429
    assert "Terlalu banyak permintaan" in response.get_data(as_text=True)
    assert _login(client, user.email, "10.9.9.10").status_code == 303  # the account itself is not locked


def test_viewing_the_login_page_is_never_throttled(client, make):
    user = make.user()
    for _ in range(5):
        _fail_login(client, user.email)
    assert client.get("/login").status_code == 200


# --- cookies and the secret key ---------------------------------------------------------------------------

_PRODUCTION_PROBE = """
import json, sys
from consult import create_app
from consult.accounts.services import hash_password
from consult.config import Config

app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1]})
response = app.test_client().get("/login", base_url="http://127.0.0.1:5000")  # PUBLIC_URL's host: trusted
with app.app_context():
    prefix = hash_password("Kopi-pagi-di-Bandung").split("$")[0]
print(json.dumps({
    "status": response.status_code,
    "set_cookie": response.headers.getlist("Set-Cookie"),
    "config": {k: app.config[k] for k in ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SECURE", "REMEMBER_COOKIE_HTTPONLY", "WTF_CSRF_ENABLED",
        "PASSWORD_HASH_METHOD", "MAX_CONTENT_LENGTH", "TESTING")},
    "hash_prefix": prefix,
    "secret_key_file": (app.instance_path + "/secret_key"),
}))
"""


def _production_app(tmp_path: Path, **env: str) -> dict:
    """Build an app from the default (production) Config in a clean process: no test settings leak in."""
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}}
    keep.update({"CONSULT_INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONPATH": str(ROOT), **env})
    result = subprocess.run(
        [sys.executable, "-c", _PRODUCTION_PROBE, str(tmp_path / "prod.db")],
        cwd=tmp_path,
        env=keep,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_session_cookie_is_httponly_lax_and_secure(tmp_path):
    probe = _production_app(tmp_path)
    config = probe["config"]
    assert config["SESSION_COOKIE_SECURE"] is True and config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True and config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["WTF_CSRF_ENABLED"] is not False and not config["TESTING"]
    assert config["MAX_CONTENT_LENGTH"] == 256 * 1024
    assert probe["status"] == 200
    cookie = next(c for c in probe["set_cookie"] if c.startswith("consult_session="))
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert "secure" in attributes
    assert attributes["samesite"].lower() == "samesite=lax"
    # the production app hashes with scrypt, and generated its secret key file in the instance folder
    assert probe["hash_prefix"].startswith("scrypt:")
    key_file = Path(probe["secret_key_file"])
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_development_session_cookie_is_not_secure(tmp_path):
    config = _production_app(tmp_path, CONSULT_ENV="development")["config"]
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["SESSION_COOKIE_HTTPONLY"] is True


def test_test_config_session_cookie_is_not_secure(client, app, make):
    assert app.config["SESSION_COOKIE_SECURE"] is False
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("consult_session="))
    parts = {p.strip().split("=")[0].lower() for p in cookie.split(";")[1:]}
    assert "httponly" in parts and "samesite" in parts
    assert "secure" not in parts


def test_secret_key_is_generated_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    folder = tmp_path / "new" / "instance"
    key = load_secret_key(str(folder))
    path = folder / "secret_key"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) >= 64 and path.read_text().strip() == key
    assert load_secret_key(str(folder)) == key  # kept, not regenerated
    assert path.read_text().strip() == key
    assert load_secret_key(str(tmp_path / "other")) != key  # random per installation


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    load_secret_key(str(tmp_path))  # a key file exists …
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert load_secret_key(str(tmp_path)) == "from-the-environment"  # … but the environment wins
    assert load_secret_key(str(tmp_path / "empty")) == "from-the-environment"
    assert not (tmp_path / "empty" / "secret_key").exists()


# --- API tokens -------------------------------------------------------------------------------------------


def _token_rows() -> list[dict]:
    db.session.rollback()
    return [dict(r) for r in db.session.execute(sa.select(ApiToken.__table__)).mappings()]


def _assert_stored_hashed(token: str) -> None:
    rows = _token_rows()
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert [r["token_hash"] for r in rows if r["token_hash"] == digest] == [digest]
    for row in rows:
        assert all(token not in str(value) for value in row.values())


def test_profile_creates_a_token_shown_once(client, auth, make):
    user = make.user()
    auth.login(user)
    response = client.post("/profil", data={"name": "skrip pemantau"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tokens = {t for t in re.findall(r"cst_[A-Za-z0-9_\-]+", html) if len(t) > 20}
    assert len(tokens) == 1
    token = tokens.pop()
    assert html.count(token) == 1
    assert len(token) > 40
    assert token_user(token).id == user.id
    _assert_stored_hashed(token)
    (row,) = _token_rows()
    assert row["name"] == "skrip pemantau" and row["user_id"] == user.id

    again = client.get("/profil").get_data(as_text=True)
    assert token not in again
    assert row["prefix"] in again and "skrip pemantau" in again  # listed by name and prefix only


def test_revoked_token_no_longer_authenticates(client, auth, make):
    user = make.user()
    auth.login(user)
    token = services.create_api_token(user, "token-lama")
    keep = services.create_api_token(user, "token-baru")
    token_id = db.session.scalar(sa.select(ApiToken.id).where(ApiToken.name == "token-lama"))
    response = client.post(f"/profil/token/{token_id}/cabut")
    assert response.status_code == 303 and response.headers["Location"] == "/profil"
    assert token_user(token) is None
    assert token_user(keep).id == user.id
    page = client.get("/profil").get_data(as_text=True)
    assert "token-lama" not in page and "token-baru" in page


def test_a_user_cannot_revoke_someone_elses_token(client, auth, make):
    owner, other = make.user(), make.user()
    token = services.create_api_token(owner, "milik")
    token_id = db.session.scalar(sa.select(ApiToken.id))
    auth.login(other)
    assert client.post(f"/profil/token/{token_id}/cabut").status_code == 404
    assert token_user(token).id == owner.id


def test_token_lookup_refuses_garbage_and_blocked_users(make):
    user = make.user()
    token = services.create_api_token(user)
    assert token_user(token).id == user.id
    for bad in ["", "cst_", token + "x", token[4:], "cst_" + "a" * 300, token.upper()]:
        assert token_user(bad) is None
    set_inactive(user)
    assert token_user(token) is None


def test_profile_needs_login(client):
    response = client.get("/profil")
    assert response.status_code == 302
    assert client.post("/profil", data={"name": "x"}).status_code == 302
    assert _token_rows() == []


def test_cli_token_is_the_last_line_and_stored_hashed(runner, make):
    user = make.user()
    result = runner.invoke(args=["users", "token", user.email, "--name", "pemantau"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("cst_") and " " not in token
    assert token_user(token).id == user.id
    _assert_stored_hashed(token)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    services.revoke_api_token(reload(user), token_id)
    assert token_user(token) is None


def test_cli_token_for_an_uppercase_email(runner, make):
    user = make.user(email="ops@example.org")
    result = runner.invoke(args=["users", "token", "OPS@example.org"])
    assert result.exit_code == 0, result.output
    assert token_user(result.output.strip().splitlines()[-1]).id == user.id


def test_cli_token_for_an_unknown_email_fails_clearly(runner):
    result = runner.invoke(args=["users", "token", "nobody@example.org"])
    assert isinstance(result.exception, SystemExit), result.exception  # a message, not a traceback
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "cst_" not in result.output
    assert _token_rows() == []


# --- flask users create -----------------------------------------------------------------------------------


def _create(runner, email: str, *extra: str, password: str = PASSWORD):
    return runner.invoke(args=["users", "create", email, "--name", "Petugas Uji", "--password", password, *extra])


@pytest.mark.parametrize(
    ("extra", "check"),
    [
        pytest.param(
            [], lambda u, a: not (u.is_admin or u.is_observer or u.is_verified or u.memberships), id="default-citizen"
        ),
        pytest.param(
            ["--role", "citizen"], lambda u, a: not (u.is_admin or u.is_observer or u.memberships), id="citizen"
        ),
        pytest.param(
            ["--role", "citizen", "--verified"], lambda u, a: u.is_verified and not u.memberships, id="verified-citizen"
        ),
        pytest.param(
            ["--role", "moderator", "--agency", "{slug}"],
            lambda u, a: u.agency_roles(a.id) == {Role.MODERATOR} and not u.is_admin,
            id="moderator",
        ),
        pytest.param(
            ["--role", "agency_admin", "--agency", "{slug}"],
            lambda u, a: u.agency_roles(a.id) == {Role.AGENCY_ADMIN} and not u.is_admin,
            id="agency-admin",
        ),
        pytest.param(
            ["--role", "observer"], lambda u, a: u.is_observer and not u.is_admin and not u.memberships, id="observer"
        ),
        pytest.param(["--role", "admin"], lambda u, a: u.is_admin and not u.memberships, id="admin"),
    ],
)
def test_cli_create_user_with_each_role(runner, make, extra, check):
    agency = make.agency()
    args = [arg.format(slug=agency.slug) for arg in extra]
    result = _create(runner, "Petugas@Example.org", *args)
    assert result.exit_code == 0, result.output
    assert "Created user" in result.output
    db.session.rollback()
    user = db.session.scalar(sa.select(User).where(User.email == "petugas@example.org"))
    assert user is not None and user.password_hash != PASSWORD
    assert services.authenticate("petugas@example.org", PASSWORD).id == user.id
    assert check(user, agency)
    grants = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "role.granted")).all()
    role = args[args.index("--role") + 1] if "--role" in args else "citizen"
    if role == "citizen":
        assert grants == []
    else:
        (entry,) = grants
        assert entry.data["role"] == role and entry.data["user_id"] == user.id
        assert "petugas" not in entry.data_json.lower()  # the audit log never holds e-mail addresses


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["--role", "moderator"], "agency", id="moderator-without-agency"),
        pytest.param(["--role", "agency_admin"], "agency", id="agency-admin-without-agency"),
        pytest.param(["--role", "agency_admin", "--agency", "tidak-ada"], "Not found", id="unknown-agency"),
    ],
)
def test_cli_create_user_needs_an_existing_agency_for_agency_roles(runner, make, args, expected):
    make.agency()
    before = user_count()
    result = _create(runner, "petugas@example.org", *args)
    assert result.exit_code != 0
    assert user_count() == before  # the account is not left behind without its role
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 0


@pytest.mark.parametrize("args", [["--role", "moderator"], ["--role", "agency_admin"]])
def test_cli_create_user_without_agency_says_so(runner, args):
    result = _create(runner, "petugas@example.org", *args)
    assert isinstance(result.exception, SystemExit), result.exception  # a message, not a traceback
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "(agency: " in result.output  # names the missing option, with its explanation
    assert "Created user" not in result.output


def test_cli_create_user_refuses_a_duplicate_email(runner, make):
    make.user(email="petugas@example.org")
    before = user_count()
    result = _create(runner, "PETUGAS@example.org", "--role", "admin")
    assert result.exit_code != 0
    assert user_count() == before
    db.session.rollback()
    assert db.session.scalar(sa.select(User.is_admin).where(User.email == "petugas@example.org")) is False


def test_cli_create_user_duplicate_email_says_so(runner, make):
    make.user(email="petugas@example.org")
    result = _create(runner, "petugas@example.org")
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "(email: " in result.output


@pytest.mark.parametrize(
    ("password", "name", "warning"),
    [
        pytest.param("password123", "Petugas Uji", services.PASSWORD_MESSAGES["too_common"], id="weak-password"),
        pytest.param("Sukamaju2026", "Petugas Uji", services.PASSWORD_MESSAGES["guessable"], id="guessable-password"),
        pytest.param(PASSWORD, "Moderator Dinas", services.NAME_MESSAGES["reserved"], id="reserved-name"),
    ],
)
def test_cli_create_user_warns_about_what_registration_refuses_but_creates_the_account(runner, password, name, warning):
    """The operator's account: self-registration's rules only warn (CONTRACT.md: they do not apply)."""
    result = runner.invoke(
        args=["users", "create", "petugas@example.org", "--name", name, "--password", password, "--role", "admin"]
    )
    assert result.exit_code == 0, result.output
    assert "Created user" in result.output
    assert "Warning: " in result.output and str(warning) in result.output  # in the operator's (default) language
    db.session.rollback()
    user = db.session.scalar(sa.select(User).where(User.email == "petugas@example.org"))
    assert user.is_admin and user.email_confirmed_at is not None
    assert services.authenticate("petugas@example.org", password).id == user.id


def test_cli_create_user_does_not_warn_about_a_good_password(runner):
    result = _create(runner, "petugas@example.org")
    assert result.exit_code == 0 and "Warning" not in result.output


def test_cli_create_user_refuses_an_empty_password(runner):
    result = _create(runner, "petugas@example.org", password="")
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1 and "(password: " in result.output
    assert user_count() == 0


def test_cli_create_user_refuses_an_unknown_role(runner):
    result = _create(runner, "petugas@example.org", "--role", "superuser")
    assert result.exit_code == 2  # click's usage error
    assert "superuser" in result.output
    assert user_count() == 0


# --- request size -----------------------------------------------------------------------------------------


def test_too_large_registration_is_refused_with_a_friendly_page(client, app):
    assert app.config["MAX_CONTENT_LENGTH"] == 256 * 1024
    data = {**GOOD, "name": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)}
    response = client.post("/register", data=data)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "Kiriman terlalu besar" in html
    assert '<html lang="id">' in html
    assert user_count() == 0
    assert not logged_in(client)


def test_too_large_login_is_refused_with_a_friendly_page(client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "pad": "x" * 300_000})
    assert response.status_code == 413
    assert "Kiriman terlalu besar" in response.get_data(as_text=True)
    assert not logged_in(client)
