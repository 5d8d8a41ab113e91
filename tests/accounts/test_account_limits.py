"""Limits on logins and account e-mails, keyed on the normalised address (security issue item 4).

The probe: the per-account login limit was keyed on the e-mail as typed (lowercased), but login normalises it,
so Unicode spellings of one address reached the same account under fresh keys: 24 guesses from 6 addresses.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from consult.accounts import services, tokens
from tests.conftest import PASSWORD
from tests.mailbox import mails

WRONG = "Salah-kata-sandi-99"
SPELLINGS = [
    "target@example.org",
    "TARGET@EXAMPLE.ORG",
    "target@example\u3002org",  # ideographic full stop
    "target@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.org",  # full-width domain letters
    "target@example\uff0eorg",  # full-width full stop
    "\uff54\uff41\uff52\uff47\uff45\uff54@example.org",  # full-width local part: another mailbox, the same key
]


def attempt(client, email: str, password: str = WRONG, address: str = "127.0.0.1"):
    return client.post("/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def target(make):
    return make.user(email="target@example.org")


def test_every_spelling_of_an_address_is_one_key():
    keys = {services.email_key(spelling) for spelling in SPELLINGS}
    assert keys == {"target@example.org"}
    assert services.email_key("  Target@Example.org ") == "target@example.org"
    assert services.email_key("not an address") == "not an address"


def test_spellings_of_an_address_share_one_failure_budget(client, target):
    """Five failures in all, from five addresses in five spellings, lock every spelling from any new address."""
    for n, spelling in enumerate(SPELLINGS[:5]):
        assert attempt(client, spelling, address=f"10.1.0.{n + 1}").status_code == 401
    for n, spelling in enumerate(SPELLINGS):
        response = attempt(client, spelling, PASSWORD, address=f"10.1.1.{n + 1}")  # even the right password
        assert response.status_code == 429, spelling
        assert int(response.headers["Retry-After"]) > 0


def test_a_browser_that_logged_in_before_is_not_locked_out_by_failures_from_elsewhere(app, client, target):
    own = client  # the person's own phone: logged in before, then logged out
    assert attempt(own, target.email, PASSWORD, address="10.2.0.1").status_code == 303
    own.post("/logout", environ_base={"REMOTE_ADDR": "10.2.0.1"})
    attacker = app.test_client()
    for n in range(5):
        assert attempt(attacker, SPELLINGS[n], address=f"10.2.1.{n + 1}").status_code == 401
    assert attempt(attacker, target.email, PASSWORD, address="10.2.1.9").status_code == 429  # the account is locked …
    assert attempt(own, target.email, PASSWORD, address="10.2.0.1").status_code == 303  # … but not for its own browser


def test_a_device_cookie_is_signed_httponly_long_lived_and_names_no_address(client, target, app, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)  # as in production
    response = attempt(client, target.email, PASSWORD)
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(tokens.DEVICE_COOKIE + "="))
    morsel = SimpleCookie(header)[tokens.DEVICE_COOKIE]
    assert morsel["httponly"] and morsel["secure"] and morsel["samesite"] == "Lax"
    assert int(morsel["max-age"]) == 365 * 24 * 3600
    assert "target" not in morsel.value and "example" not in morsel.value
    assert tokens.read_device(morsel.value).knows("target@example.org")
    assert tokens.read_device(morsel.value + "x") is None  # tampered
    assert tokens.read_device(morsel.value).knows("other@example.org") is False


def test_a_device_cookie_for_one_account_does_not_unlock_another(app, client, make, target):
    other = make.user(email="other@example.org")
    assert attempt(client, target.email, PASSWORD, address="10.3.0.1").status_code == 303
    attacker = app.test_client()
    for n in range(5):
        assert attempt(attacker, other.email, address=f"10.3.1.{n + 1}").status_code == 401
    assert attempt(client, other.email, PASSWORD, address="10.3.0.1").status_code == 429


def test_a_forged_device_cookie_unlocks_nothing(app, client, target):
    forged = tokens.URLSafeTimedSerializer("another-installation", salt=tokens.DEVICE_SALT).dumps(
        {"d": "x", "a": [tokens.digest("target@example.org", "device")]}
    )
    client.set_cookie(tokens.DEVICE_COOKIE, forged)
    attacker = app.test_client()
    for n in range(5):
        attempt(attacker, target.email, address=f"10.4.1.{n + 1}")
    assert attempt(client, target.email, PASSWORD, address="10.4.0.1").status_code == 429


def test_a_trusted_browser_has_a_failure_budget_of_its_own(client, target):
    assert attempt(client, target.email, PASSWORD, address="10.5.0.1").status_code == 303
    client.post("/logout")
    for n in range(5):  # from many addresses, so that only the per-device limit can trip
        assert attempt(client, SPELLINGS[n], address=f"10.5.1.{n + 1}").status_code == 401
    assert attempt(client, target.email, PASSWORD, address="10.5.2.1").status_code == 429


def test_the_per_address_limit_holds_for_a_trusted_browser_too(client, make, target):
    assert attempt(client, target.email, PASSWORD, address="10.6.0.1").status_code == 303
    for n in range(5):
        assert attempt(client, f"tebakan{n}@example.org", address="10.6.0.1").status_code == 401
    assert attempt(client, target.email, PASSWORD, address="10.6.0.1").status_code == 429


# --- account e-mails -------------------------------------------------------------------------------------------


def test_account_mails_are_limited_per_recipient_whatever_the_page_or_spelling(client, app, monkeypatch, make):
    """No mailbox can be flooded with confirmation, reset or "you have an account" mails."""
    monkeypatch.setitem(app.config, "ACCOUNT_MAIL_LIMIT", "3 per hour")
    make.user(email="target@example.org")
    data = {"name": "Siti Rahma", "password": "Kopi-pagi-di-Bandung"}
    first = client.post("/register", data={**data, "email": SPELLINGS[1]}, environ_base={"REMOTE_ADDR": "10.7.0.1"})
    assert first.status_code == 303
    for n, spelling in enumerate(SPELLINGS[2:4]):
        response = client.post("/lupa-sandi", data={"email": spelling}, environ_base={"REMOTE_ADDR": f"10.7.0.{n + 2}"})
        assert response.status_code == 303
    assert len(mails("target@example.org")) == 3
    for n, spelling in enumerate(SPELLINGS):
        response = client.post("/lupa-sandi", data={"email": spelling}, environ_base={"REMOTE_ADDR": f"10.7.1.{n}"})
        assert response.status_code == 429, spelling
    refused = client.post("/register", data={**data, "email": "target@example.org"})
    assert refused.status_code == 429
    assert len(mails("target@example.org")) == 3
    assert client.post("/lupa-sandi", data={"email": "lain@example.org"}).status_code == 303  # others are not affected


def test_an_invalid_form_uses_up_no_mail(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "ACCOUNT_MAIL_LIMIT", "1 per hour")
    data = {"name": "Siti Rahma", "email": "siti@example.org"}
    for _ in range(3):
        assert client.post("/register", data={**data, "password": "pendek"}).status_code == 422
    assert client.post("/register", data={**data, "password": "Kopi-pagi-di-Bandung"}).status_code == 303


def test_forgot_password_is_limited_per_client_address(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_LIMIT", "2 per hour")
    for n in range(2):
        assert client.post("/lupa-sandi", data={"email": f"orang{n}@example.org"}).status_code == 303
    assert client.post("/lupa-sandi", data={"email": "orang9@example.org"}).status_code == 429
    other = {"REMOTE_ADDR": "10.8.0.2"}
    assert client.post("/lupa-sandi", data={"email": "orang9@example.org"}, environ_base=other).status_code == 303


def test_viewing_the_forgot_password_page_is_never_limited(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_LIMIT", "1 per hour")
    for _ in range(3):
        assert client.get("/lupa-sandi").status_code == 200
