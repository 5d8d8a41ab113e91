"""Hardening headers (consult/web.py): HSTS in production, no-store on pages that show what must not stay in a
cache, and trusted hosts: a request for a host the site does not serve is 400 and the host is never echoed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from consult import create_app
from consult.config import TestConfig
from consult.moderation import services as moderation
from consult.participation import services as participation
from consult.web import mark_no_store, no_store, trusted_hosts

ROOT = Path(__file__).resolve().parents[2]
EVIL = "evil.example"


def test_production_answers_carry_hsts(client):
    for path in ("/", "/healthz", "/api/v1/rounds"):
        assert client.get(path).headers["Strict-Transport-Security"] == "max-age=31536000"


def _config_in_a_clean_process(**env: str) -> list[str]:
    code = (
        "from consult.config import Config; from consult.web import trusted_hosts; "
        "print(repr(Config.STRICT_TRANSPORT_SECURITY)); print(trusted_hosts(vars(Config)))"
    )
    environment = {"PATH": "", "PYTHONPATH": str(ROOT), **env}
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def test_hsts_is_off_in_development_and_can_be_set_from_the_environment():
    assert _config_in_a_clean_process(CONSULT_ENV="development")[0] == "''"
    assert _config_in_a_clean_process()[0] == "'max-age=31536000'"
    custom = _config_in_a_clean_process(STRICT_TRANSPORT_SECURITY="max-age=63072000; includeSubDomains")
    assert custom[0] == "'max-age=63072000; includeSubDomains'"


def test_trusted_hosts_default_to_the_public_urls_host_and_come_from_the_environment():
    public = _config_in_a_clean_process(PUBLIC_URL="https://konsultasi.example.go.id")
    assert public[1] == "['konsultasi.example.go.id']"
    development = _config_in_a_clean_process(CONSULT_ENV="development", PUBLIC_URL="http://127.0.0.1:5000")
    assert development[1] == "['127.0.0.1', 'localhost']"
    listed = _config_in_a_clean_process(TRUSTED_HOSTS="a.example, .b.example")
    assert listed[1] == "['a.example', '.b.example']"
    assert _config_in_a_clean_process(TRUSTED_HOSTS="*")[1] == "None"


def test_trusted_hosts_resolution():
    assert trusted_hosts({"PUBLIC_URL": "https://konsultasi.example:8443/x"}) == ["konsultasi.example"]
    assert trusted_hosts({"PUBLIC_URL": "https://k.example", "DEVELOPMENT": True}) == [
        "k.example",
        "127.0.0.1",
        "localhost",
    ]
    assert trusted_hosts({"PUBLIC_URL": "https://k.example", "TRUSTED_HOSTS": ["x.example"]}) == ["x.example"]
    assert trusted_hosts({"TRUSTED_HOSTS": ["*"]}) is None


@pytest.fixture
def production_app(app):
    """An app as production builds it: TRUSTED_HOSTS unset, PUBLIC_URL on the site's own name."""
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(
        TRUSTED_HOSTS=None,
        PUBLIC_URL="https://konsultasi.example",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
    )
    other = create_app(config)
    yield other
    with other.app_context():
        from consult.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "/", None),
        ("GET", "/kelola", None),  # a redirect to the login page for a visitor
        ("POST", "/bahasa", {"lang": "en", "next": "/"}),  # a redirect after a form
        ("GET", "/api/v1/rounds", None),
        ("GET", "/static/css/app.css", None),
    ],
)
def test_a_request_for_another_host_is_400_and_the_host_is_never_echoed(production_app, method, path, data):
    client = production_app.test_client()
    own = client.open(path, method=method, data=data, base_url="https://konsultasi.example")
    own.close()
    assert own.status_code < 400
    for headers, base in (
        ({}, f"https://{EVIL}"),
        ({}, f"https://{EVIL}:443"),
        ({"Host": EVIL}, "https://konsultasi.example"),
    ):
        response = client.open(path, method=method, data=data, base_url=base, headers=headers)
        assert response.status_code == 400, (path, base)
        assert "Location" not in response.headers
        assert EVIL not in response.get_data(as_text=True) and EVIL not in str(response.headers)
        response.close()


def test_the_health_check_answers_whatever_the_host(production_app):
    response = production_app.test_client().get("/healthz", base_url="http://10.0.0.5:8000")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_behind_a_proxy_the_forwarded_host_is_checked(app):
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(
        TRUSTED_HOSTS=None,
        PUBLIC_URL="https://konsultasi.example",
        PROXY_FIX=1,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
    )
    client = create_app(config).test_client()
    forwarded = {"X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https"}
    assert client.get("/kelola", base_url="https://konsultasi.example", headers=forwarded).status_code == 400
    own = {"X-Forwarded-Host": "konsultasi.example", "X-Forwarded-Proto": "https"}
    assert client.get("/kelola", base_url="http://10.0.0.5", headers=own).status_code == 302


def test_the_test_client_and_the_local_server_hosts_are_trusted_in_tests(client):
    assert client.get("/").status_code == 200
    assert client.get("/", base_url="http://127.0.0.1:5000").status_code == 200
    assert client.get("/", base_url=f"http://{EVIL}").status_code == 400


def test_no_store_marks_any_response(app):
    @no_store
    def view():
        return "rahasia", 201

    with app.test_request_context():
        response = view()
        assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
        assert mark_no_store(app.make_response("x")).headers["Cache-Control"] == "no-store"


def test_the_moderators_review_of_a_hidden_comment_is_not_stored_in_any_cache(client, auth, make):
    agency = make.agency(slug="dinas-cache")
    moderation.add_rule("test", agency, "Tidak menghina")
    rnd = make.round(agency)
    moderator = make.user("moderator", agency)
    comment = participation.post_comment(make.user(), rnd, "Teks yang disembunyikan.")
    moderation.hide_comment(moderator, comment, 1, "Menghina warga lain.")
    auth.login(moderator)
    review = client.get(f"/kelola/dinas-cache/moderasi/komentar/{comment.id}")
    assert review.status_code == 200 and "Teks yang disembunyikan." in review.get_data(as_text=True)
    assert review.headers["Cache-Control"] == "no-store"
    refused = client.post(f"/kelola/dinas-cache/moderasi/komentar/{comment.id}/pulihkan", data={"restore-reason": ""})
    assert refused.status_code == 422 and refused.headers["Cache-Control"] == "no-store"
    for path in ("/kelola/dinas-cache/moderasi", "/kelola/dinas-cache/moderasi/banding"):
        assert client.get(path).headers["Cache-Control"] == "no-store"
    public = client.get(f"/rounds/{rnd.id}")
    assert "no-store" not in public.headers.get("Cache-Control", "")
