"""Rate limits: comments, votes, stances, reports, registration and login, per person and per address, answered
with 429, Retry-After and a clear Indonesian message (a page, the #pesan alert for htmx, JSON on the API).
Small limits are set per test; RATELIMIT_ENABLED=false turns every limit off."""

from __future__ import annotations

import pytest

from consult import create_app
from consult.accounts.services import create_api_token
from consult.config import TestConfig
from consult.participation import services as participation
from tests.api.test_api import assert_json_error

MESSAGE = "Terlalu banyak percobaan dalam waktu singkat"


@pytest.fixture
def limits(app, monkeypatch):
    def set_limits(**values):
        for key, value in values.items():
            monkeypatch.setitem(app.config, key, value)

    return set_limits


@pytest.fixture
def w(make):
    rnd = make.round(make.agency())
    author = make.user()
    comments = [participation.post_comment(author, rnd, f"Komentar {n}.").id for n in range(4)]
    return {"round": rnd, "section": rnd.version.sections[0].id, "author": author, "comments": comments}


def _bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_api_token(user)}"}


def _web_write(client, kind: str, w, n: int, address: str, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    environ = {"REMOTE_ADDR": address}
    if kind == "comment":
        url, data = f"/rounds/{w['round'].id}/komentar", {"body": f"Komentar web {n}"}
    elif kind == "vote":
        url, data = f"/comments/{w['comments'][n % 4]}/suara", {"value": "1"}
    elif kind == "stance":
        url, data = f"/rounds/{w['round'].id}/bagian/{w['section']}/sikap", {"value": "support"}
    else:
        url, data = f"/comments/{w['comments'][n % 4]}/laporkan", {"reason": f"Alasan laporan {n}"}
    return client.post(url, data=data, headers=headers, environ_base=environ)


def _api_write(client, kind: str, w, n: int, headers: dict, address: str = "127.0.0.1"):
    environ = {"REMOTE_ADDR": address}
    if kind == "comment":
        return client.post(
            f"/api/v1/rounds/{w['round'].id}/comments", json={"body": f"API {n}"}, headers=headers, environ_base=environ
        )
    if kind == "vote":
        return client.put(
            f"/api/v1/comments/{w['comments'][n % 4]}/vote", json={"value": 1}, headers=headers, environ_base=environ
        )
    if kind == "stance":
        return client.put(
            f"/api/v1/sections/{w['section']}/stance",
            json={"round_id": w["round"].id, "value": "support"},
            headers=headers,
            environ_base=environ,
        )
    return client.post(
        f"/api/v1/comments/{w['comments'][n % 4]}/reports",
        json={"reason": f"Alasan {n}"},
        headers=headers,
        environ_base=environ,
    )


KINDS = ["comment", "vote", "stance", "report"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_web_write_is_limited_per_person_with_an_indonesian_page(client, auth, make, w, limits, kind):
    limits(**{f"{kind.upper()}_LIMIT": "2 per minute"})
    auth.login(make.user())
    for n in range(2):
        assert _web_write(client, kind, w, n, "10.1.0.1").status_code == 303
    refused = _web_write(client, kind, w, 2, "10.1.0.2")  # another address: still the same person
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    html = refused.get_data(as_text=True)
    assert "Terlalu banyak permintaan" in html and MESSAGE in html


@pytest.mark.parametrize("kind", KINDS)
def test_each_web_write_is_limited_per_address_across_accounts(client, auth, make, w, limits, kind):
    limits(**{f"{kind.upper()}_ADDRESS_LIMIT": "2 per minute"})
    for n in range(2):
        auth.login(make.user())
        assert _web_write(client, kind, w, n, "10.2.0.1").status_code == 303
        auth.logout()
    auth.login(make.user())  # a third account on the same address
    assert _web_write(client, kind, w, 2, "10.2.0.1").status_code == 429
    assert _web_write(client, kind, w, 3, "10.2.0.9").status_code == 303  # another address is not affected


@pytest.mark.parametrize("kind", ["comment", "vote", "stance"])
def test_with_htmx_the_refusal_goes_to_the_alert_region(client, auth, make, w, limits, kind):
    limits(**{f"{kind.upper()}_LIMIT": "1 per minute"})
    auth.login(make.user())
    assert _web_write(client, kind, w, 0, "10.3.0.1", htmx=True).status_code == 200
    refused = _web_write(client, kind, w, 1, "10.3.0.1", htmx=True)
    assert refused.status_code == 429
    assert refused.headers["HX-Retarget"] == "#pesan"
    assert 'role="alert"' in refused.get_data(as_text=True)
    assert MESSAGE in refused.get_data(as_text=True)
    assert "<html" not in refused.get_data(as_text=True)


@pytest.mark.parametrize("kind", KINDS)
def test_each_api_write_is_limited_per_user_with_a_json_error(client, make, w, limits, kind):
    limits(**{f"{kind.upper()}_LIMIT": "2 per minute"})
    headers = _bearer(make.user())
    for n in range(2):
        assert _api_write(client, kind, w, n, headers).status_code in (200, 201)
    refused = _api_write(client, kind, w, 2, headers, address="10.4.0.2")
    error = assert_json_error(refused, 429, "rate_limited")
    assert error["message"].startswith(MESSAGE)
    assert int(refused.headers["Retry-After"]) > 0
    assert _api_write(client, kind, w, 3, _bearer(make.user())).status_code in (200, 201)  # someone else


@pytest.mark.parametrize("kind", KINDS)
def test_each_api_write_is_limited_per_address_across_tokens(client, make, w, limits, kind):
    limits(**{f"{kind.upper()}_ADDRESS_LIMIT": "2 per minute"})
    for n in range(2):
        assert _api_write(client, kind, w, n, _bearer(make.user()), "10.5.0.1").status_code in (200, 201)
    assert_json_error(_api_write(client, kind, w, 2, _bearer(make.user()), "10.5.0.1"), 429, "rate_limited")


def test_web_and_api_share_one_budget_per_person(client, auth, make, w, limits):
    limits(COMMENT_LIMIT="2 per minute")
    user = make.user()
    auth.login(user)
    assert _web_write(client, "comment", w, 0, "10.6.0.1").status_code == 303
    assert _api_write(client, "comment", w, 1, _bearer(user)).status_code == 201
    assert _web_write(client, "comment", w, 2, "10.6.0.1").status_code == 429


def test_registration_is_limited_per_address(client, limits):
    limits(REGISTER_LIMIT="2 per hour")

    def register(n, address):
        data = {"name": f"Warga {n}", "email": f"warga{n}@example.org", "password": "Panjang-sekali-2026"}
        return client.post("/register", data=data, environ_base={"REMOTE_ADDR": address})

    for n in range(2):
        assert register(n, "10.7.0.1").status_code == 303
        client.post("/logout")
    refused = register(2, "10.7.0.1")
    assert refused.status_code == 429 and MESSAGE in refused.get_data(as_text=True)
    assert register(3, "10.7.0.2").status_code == 303


def test_failed_logins_are_limited_per_address_and_per_account(client, make, limits):
    limits(LOGIN_FAILURE_LIMIT="2 per minute")
    user = make.user()

    def login(email, address):
        data = {"email": email, "password": "Salah-sekali-2026"}
        return client.post("/login", data=data, environ_base={"REMOTE_ADDR": address})

    assert login(user.email, "10.8.0.1").status_code == 401
    assert login(user.email, "10.8.0.2").status_code == 401
    assert login(user.email, "10.8.0.3").status_code == 429  # the account: whatever the address
    assert login("lain@example.org", "10.8.0.4").status_code == 401
    assert login("lain2@example.org", "10.8.0.4").status_code == 401
    assert login("lain3@example.org", "10.8.0.4").status_code == 429  # the address: whatever the account


def test_ratelimit_enabled_false_turns_every_limit_off(monkeypatch):
    """A separate app built with RATELIMIT_ENABLED=false (as from the environment) limits nothing."""
    from consult.extensions import db, limiter
    from tests.conftest import database_url

    monkeypatch.setattr(limiter, "enabled", limiter.enabled)  # the extension object is shared: restore it after
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=database_url(), RATELIMIT_ENABLED=False, REGISTER_LIMIT="1 per hour")
    other = create_app(config)
    client = other.test_client()
    with other.app_context():
        for n in range(3):
            data = {"name": f"Uji {n}", "email": f"uji{n}@example.org", "password": "Panjang-sekali-2026"}
            assert client.post("/register", data=data).status_code == 303
            client.post("/logout")
        db.session.remove()
        db.engine.dispose()


def test_ratelimit_enabled_reads_false_from_the_environment():
    import subprocess
    import sys

    code = "from consult.config import Config; print(Config.RATELIMIT_ENABLED)"
    result = subprocess.run(
        [sys.executable, "-c", code], env={"RATELIMIT_ENABLED": "false", "PATH": ""}, capture_output=True, text=True
    )
    assert result.stdout.strip() == "False", result.stderr


# --- only accepted writes count -----------------------------------------------------------------------------


def _comment(client, w, n: int, address: str = "10.20.0.1", body: str | None = None):
    data = {"body": body if body is not None else f"Komentar banjir {n}"}
    return client.post(f"/rounds/{w['round'].id}/komentar", data=data, environ_base={"REMOTE_ADDR": address})


def test_a_flood_from_one_account_does_not_lock_out_its_neighbours_at_the_same_address(client, auth, make, w):
    """Many people share one address (a mobile operator's NAT, a kiosk, a campus): one account's refused flood
    must not use up the address's budget. The defaults apply: 10 comments a minute per person, 60 per address."""
    auth.login(make.user())
    answers = [_comment(client, w, n).status_code for n in range(300)]
    assert answers.count(303) == 10 and answers.count(429) == 290
    auth.logout()
    auth.login(make.user())  # a neighbour behind the same address
    assert _comment(client, w, 300).status_code == 303
    api = _api_write(client, "comment", w, 301, _bearer(make.user()), address="10.20.0.1")
    assert api.status_code == 201


def test_the_address_budget_still_counts_accepted_writes_of_many_accounts(client, auth, make, w, limits):
    limits(COMMENT_ADDRESS_LIMIT="12 per minute")
    auth.login(make.user())
    assert [_comment(client, w, n).status_code for n in range(50)].count(303) == 10  # 10 accepted, 40 refused
    auth.logout()
    auth.login(make.user())
    assert [_comment(client, w, n).status_code for n in range(2)] == [303, 303]  # 12 accepted from the address
    auth.logout()
    auth.login(make.user())
    assert _comment(client, w, 99).status_code == 429  # a third account: the address has written enough
    assert _comment(client, w, 100, address="10.20.0.2").status_code == 303


def test_attempts_refused_for_another_reason_do_not_use_up_a_persons_budget(client, auth, make, w, limits):
    limits(COMMENT_LIMIT="2 per minute", VOTE_LIMIT="1 per minute")
    author = w["author"]
    auth.login(author)
    for _ in range(5):
        assert _comment(client, w, 0, body="x" * 2001).status_code == 422  # too long: corrected and sent again
        voted_own = client.post(f"/comments/{w['comments'][0]}/suara", data={"value": "1"})
        assert voted_own.status_code == 303  # refused by the service, with a message on the page it goes back to
    assert [_comment(client, w, n).status_code for n in range(3)] == [303, 303, 429]
    auth.logout()
    other = make.user()
    auth.login(other)
    assert client.post(f"/comments/{w['comments'][0]}/suara", data={"value": "1"}).status_code == 303
    assert client.post(f"/comments/{w['comments'][1]}/suara", data={"value": "1"}).status_code == 429


def test_anonymous_attempts_use_up_only_the_anonymous_budget_of_their_address(client, auth, make, w, limits):
    limits(COMMENT_LIMIT="3 per minute")
    answers = [_comment(client, w, n, address="10.21.0.1").status_code for n in range(5)]
    assert answers[:3] == [401] * 3 and answers[3:] == [429, 429]  # a visitor is asked to log in, then limited
    auth.login(make.user())  # an account behind the same address is not affected
    assert _comment(client, w, 9, address="10.21.0.1").status_code == 303
