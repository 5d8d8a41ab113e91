"""Flask extensions, created unbound here and bound to the app in create_app()."""

from __future__ import annotations

import contextlib
import contextvars

import sqlalchemy as sa
from flask import g, has_request_context, request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
compress = Compress()  # pages, fragments and JSON; static files are compressed once by consult.assets
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


# --- SQLite: WAL, foreign keys, busy timeout, and BEGIN IMMEDIATE for write transactions ---------------
#
# pysqlite opens transactions lazily and only before writes, which makes SQLite's locking invisible to
# SQLAlchemy. We switch that off and emit BEGIN ourselves (the recipe from SQLAlchemy's SQLite docs), so a
# write transaction that reads first (audit chain head, unique checks) can start with BEGIN IMMEDIATE and
# never fail half-way with "database is locked" when another writer got there first.

_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar("consult_sqlite_immediate", default=False)


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()


@sa.event.listens_for(sa.engine.Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


def begin_write() -> None:
    """Start (or turn) the session's transaction into a write transaction.

    SQLite: any read transaction still open (for example the one that loaded the current user) is ended
    first, and the new transaction starts with BEGIN IMMEDIATE, so writers queue on the busy timeout instead
    of failing half-way with "database is locked". Loaded objects are expired first, as on PostgreSQL (see
    below), except the current user.

    PostgreSQL: the open transaction simply goes on. Under READ COMMITTED every statement sees what was
    committed before it started, and the row and advisory locks that serialise writers work in any
    transaction, so ending it would only cost two round trips and a reload of everything. Loaded objects are
    expired instead, so that services re-reading a row inside the write see the database, not the request's
    earlier copy; classes marked ``keep_loaded_on_write = True`` (the current user) are left alone.

    Pending unflushed changes at this point are a programming error.
    """
    session = db.session()  # the request's Session behind the scoped_session proxy
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("begin_write() called with unflushed changes in the session")
    if session.in_transaction():
        for obj in list(session.identity_map.values()):
            if not getattr(obj, "keep_loaded_on_write", False):
                session.expire(obj)
        if session.get_bind().dialect.name != "sqlite":
            return
        # End the read transaction without expiring what is left loaded (the current user): a read-only COMMIT
        # ends it as cheaply as ROLLBACK did, and the write need not read the user again (one SELECT less).
        previous, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = previous
    token = _immediate.set(True)
    try:
        session.connection()
    finally:
        _immediate.reset(token)


def end_read_transaction(exc: BaseException | None) -> None:
    """teardown_request: end a GET's read transaction with COMMIT instead of the session's ROLLBACK.

    psycopg forgets every prepared statement when it sees a ROLLBACK (it might have undone DDL), so ending
    each page with one meant PostgreSQL planned the page's queries afresh every time: about 1.6 ms of the
    database's CPU per round page, four times the queries' execution. A read-only transaction commits as
    cheaply as it rolls back. Only for GET and HEAD without an error and with nothing pending; anything
    else keeps the rollback that Flask-SQLAlchemy's teardown does.
    """
    if exc is not None or request.method not in ("GET", "HEAD"):
        return
    session = db.session()
    if session.in_transaction() and not (session.new or session.dirty or session.deleted):
        try:
            session.commit()
        except sa.exc.SQLAlchemyError:  # pragma: no cover - a broken connection: the teardown rolls back
            session.rollback()


def client_address() -> str:
    """The client's address for rate limits (ProxyFix, if configured, has already applied)."""
    return request.remote_addr or "unknown"


_in_write: contextvars.ContextVar[bool] = contextvars.ContextVar("consult_in_write", default=False)


def committed_writes() -> int:
    """How many write transactions the current request committed (0 outside a request)."""
    return g.get("committed_writes", 0) if has_request_context() else 0


@contextlib.contextmanager
def write_transaction(*, keep_loaded: bool = False):
    """One write transaction around a service function: BEGIN (IMMEDIATE on SQLite) … COMMIT.

    Nested use joins the outer transaction, so a service may call another service. On any exception the
    whole transaction is rolled back: nothing is half-saved. With ``keep_loaded`` the objects loaded or
    written in the transaction stay loaded after COMMIT (no reload to answer the request); the service must
    then expire what it changed with bulk SQL statements itself.
    """
    if _in_write.get():
        yield db.session
        return
    begin_write()
    token = _in_write.set(True)
    try:
        yield db.session
        session = db.session()
        previous = session.expire_on_commit
        session.expire_on_commit = previous and not keep_loaded
        try:
            session.commit()
        finally:
            session.expire_on_commit = previous
        if has_request_context():
            g.committed_writes = g.get("committed_writes", 0) + 1  # what the rate limits count (consult.ratelimits)
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _in_write.reset(token)
