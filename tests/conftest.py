"""Shared fixtures: an app whose schema is built by the migrations, a clean database per test, factories."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from consult import create_app, pagecache
from consult.config import TestConfig
from consult.documents import published
from consult.extensions import db, limiter

PASSWORD = "Uji-kata-sandi-2026"
# ../shared/data beside the checkout (as in CI), or wherever CONSULT_SHARED_DATA points.
SHARED_DATA = Path(os.environ.get("CONSULT_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")


def shared_file(*parts: str) -> Path:
    """A file of the shared test material, or a visible skip when the material is not beside the checkout."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared test data not found at {path}: clone beside ../shared or set CONSULT_SHARED_DATA")
    return path


_TMP = Path(tempfile.mkdtemp(prefix="consult-tests-"))


def database_url() -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.db'}"


def is_postgres() -> bool:
    return database_url().startswith("postgresql")


def pytest_report_header(config):
    return f"consult test database: {'PostgreSQL' if is_postgres() else 'SQLite'}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With CONSULT_STRICT_SKIPS=1 (CI), a skipped test is reported as failed: nothing may silently not run."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CONSULT_STRICT_SKIPS") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, but CONSULT_STRICT_SKIPS=1 makes every skip a failure: {reason}"


def _reset_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app():
    from flask_migrate import upgrade

    url = database_url()
    _reset_schema(url)
    os.environ.setdefault("CONSULT_INSTANCE_PATH", str(_TMP / "instance"))
    application = create_app(
        {**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}, "SQLALCHEMY_DATABASE_URI": url}
    )
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean(app):
    """Every test starts from an empty (migrated) database and fresh rate-limit counters."""
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.rollback()
    db.session.remove()
    with db.engine.begin() as conn:
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(sa.text(f"DELETE FROM {name}"))
    limiter.reset()
    published.clear()  # ids start again at 1 in the next test: what this process remembers is void
    pagecache.clear()
    ctx.pop()


class FreshContextClient(FlaskClient):
    """Runs every request in its own app context (and so its own database session), as a real server does.

    The `_clean` fixture keeps one app context pushed for the whole test and Flask would reuse it for each
    test request, so `g` and the session's identity map would outlive a request: Flask-Login's cached user
    could make "still logged in?" pass without the cookie, and cached objects could hide queries.
    """

    def open(self, *args, **kwargs):
        # End the test's own transaction first (its objects expire), so that afterwards the test reads what
        # the request committed rather than an older snapshot (SQLite WAL) or stale cached objects.
        db.session.commit()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    """A test client whose every /api/ answer, in every test, is checked against the served OpenAPI document."""
    from tests.openapi_check import CheckedClient  # it builds on FreshContextClient, above

    app.test_client_class = CheckedClient
    try:
        yield app.test_client()
    finally:
        app.test_client_class = None


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_seq = itertools.count(1)


class Factory:
    """Builds data through the services, as a real user would (so audit entries exist too)."""

    def agency(self, slug: str | None = None, name: str | None = None):
        from consult.agencies.services import create_agency

        n = next(_seq)
        return create_agency("test", slug or f"instansi-{n}", name or f"Instansi Uji {n}")

    def user(
        self,
        role: str = "citizen",
        agency=None,
        *,
        email: str | None = None,
        verified: bool = False,
        name: str | None = None,
    ):
        from consult.accounts.models import Role
        from consult.agencies.roles import create_user

        n = next(_seq)
        return create_user(
            email or f"user{n}@example.org",
            name or f"Pengguna {n}",
            PASSWORD,
            role=Role(role),
            agency=agency,
            verified=verified,
            actor="test",
        )

    def policy(
        self,
        agency,
        markdown: str = "Pembuka.\n\n## Satu\n\nTeks satu.\n\n## Dua\n\nTeks dua.\n",
        publish: bool = True,
        title: str = "Rancangan Uji",
    ):
        from consult.documents.models import DocumentKind
        from consult.documents.services import create_document, publish_version

        document = create_document("test", agency, DocumentKind.POLICY, title, "Ringkasan uji", markdown=markdown)
        if publish:
            publish_version("test", document.latest_version)
        return document

    def standard(self, agency, publish: bool = True, fill: bool = True):
        from consult.documents.components import COMPONENT_KEYS
        from consult.documents.models import DocumentKind
        from consult.documents.services import create_document, publish_version

        components = {k: f"Isi komponen {k}." for k in COMPONENT_KEYS} if fill else {}
        document = create_document(
            "test", agency, DocumentKind.SERVICE_STANDARD, "Standar Uji", "Ringkasan", components=components
        )
        if publish:
            publish_version("test", document.latest_version)
        return document

    def round(self, agency=None, state: str = "open", verified_only: bool = False, document=None):
        from consult.extensions import write_transaction
        from consult.rounds.models import Round
        from consult.rounds.services import schedule_round
        from consult.timeutil import utcnow

        agency = agency or self.agency()
        document = document or self.policy(agency)
        version = document.latest_published
        now = utcnow()
        rnd = schedule_round(
            "test",
            version,
            title=document.title,
            opens_at=now + dt.timedelta(days=1),
            closes_at=now + dt.timedelta(days=30),
            verified_only=verified_only,
        )
        if state != "scheduled":
            with write_transaction():  # move the times into the past directly: services refuse past times
                r = db.session.get(Round, rnd.id)
                r.opens_at = now - dt.timedelta(days=10)
                if state == "closed":
                    r.closes_at = now - dt.timedelta(days=1)
        return db.session.get(Round, rnd.id)


@pytest.fixture
def make():
    return Factory()


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, user, password: str = PASSWORD):
        response = self.client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


needs_postgres_server = pytest.mark.skipif(
    not os.environ.get("TEST_POSTGRES_URL"),
    reason="TEST_POSTGRES_URL not set: this PostgreSQL variant needs a server",
)


@contextlib.contextmanager
def postgres_variant():
    """A freshly migrated PostgreSQL database (TEST_POSTGRES_URL) with an app context on it; yields its URL.

    For the PostgreSQL variants of tests whose suite database is SQLite (concurrency behaves differently there).
    """
    from flask_migrate import upgrade

    url = os.environ["TEST_POSTGRES_URL"]
    assert url.startswith("postgresql"), "TEST_POSTGRES_URL must be a PostgreSQL URL"
    _reset_schema(url)
    pg_app = create_app(
        {**{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}, "SQLALCHEMY_DATABASE_URI": url}
    )
    with pg_app.app_context():
        try:
            upgrade()
            yield url
        finally:
            db.session.remove()
            db.engine.dispose()
