"""Configuration from environment variables (see docs/OPERATIONS.md for the full list)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str | None) -> list[str] | None:
    items = [item.strip() for item in (value or "").split(",") if item.strip()]
    return items or None


def load_secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else from instance/secret_key, generated there on first use.

    This is the one file create_app() may write: a key generated once and kept, so that sessions survive
    restarts and every process of one installation signs with the same key.
    """
    env = os.environ.get("SECRET_KEY")
    if env:
        return env
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key.encode())
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return key


class Config:
    """Production-safe defaults; every value can be overridden from the environment."""

    ENV_NAME = os.environ.get("CONSULT_ENV", "production")
    DEVELOPMENT = ENV_NAME == "development"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # None: filled in from the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 256 * 1024))
    MAX_FORM_MEMORY_SIZE = MAX_CONTENT_LENGTH
    # Responses compressed by the app itself (Flask-Compress), so `make run` and gunicorn without a proxy send
    # small pages: Brotli where the browser takes it (every current phone browser), else gzip.
    # Anonymous round pages from memory (consult/pagecache.py); false only to measure the difference
    PAGE_CACHE_ENABLED = _bool("PAGE_CACHE_ENABLED", True)
    # The Ed25519 key that signs audit heads (consult/monitoring/keys.py): a PEM file; None: generated into
    # instance/audit_signing_key.pem. Every web process of one installation must use the same file.
    AUDIT_SIGNING_KEY_FILE = os.environ.get("AUDIT_SIGNING_KEY_FILE") or None
    # Where frozen round archives are written (consult/monitoring/archives.py); None: instance/archives.
    ARCHIVE_DIR = os.environ.get("ARCHIVE_DIR") or None
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_BR_LEVEL = 5
    COMPRESS_LEVEL = 6
    COMPRESS_MIN_SIZE = 500
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/plain",
        "text/csv",
        "text/css",
        "application/json",
        "application/javascript",
        "application/atom+xml",
        "image/svg+xml",
    ]

    SESSION_COOKIE_NAME = "consult_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", not DEVELOPMENT)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # "Keep me logged in": the remember cookie's lifetime. Logging out (anywhere), a password change or reset
    # ends it sooner (users.session_token changes).
    REMEMBER_COOKIE_DURATION = dt.timedelta(days=int(os.environ.get("REMEMBER_COOKIE_DAYS", "30")))
    # A browser that logged in to an account keeps a signed device cookie this long (renewed at every login): the
    # per-account login lock does not shut it out (consult.accounts.limits).
    DEVICE_COOKIE_MAX_AGE = int(os.environ.get("DEVICE_COOKIE_DAYS", "365")) * 24 * 3600
    # Seconds a link in an account e-mail works: confirming the address, and setting a new password (once).
    CONFIRM_MAX_AGE = int(os.environ.get("CONFIRM_MAX_AGE", str(7 * 24 * 3600)))
    PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", str(2 * 3600)))
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    PREFERRED_URL_SCHEME = "http" if DEVELOPMENT else "https"

    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session: no lost comment after a long read
    WTF_CSRF_SSL_STRICT = not DEVELOPMENT

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_FAILURE_LIMIT = os.environ.get("LOGIN_FAILURE_LIMIT", "5 per 15 minutes")
    REGISTER_LIMIT = os.environ.get("REGISTER_LIMIT", "10 per hour")
    # Account e-mails (confirmation, reset, "you already have an account") per recipient address, whichever page
    # asked; and "forgot password" or "send the confirmation again" requests per client address.
    ACCOUNT_MAIL_LIMIT = os.environ.get("ACCOUNT_MAIL_LIMIT", "3 per hour")
    PASSWORD_RESET_LIMIT = os.environ.get("PASSWORD_RESET_LIMIT", "10 per hour")
    # Participation writes, per user when logged in or holding a token, else per address (web and API alike).
    COMMENT_LIMIT = os.environ.get("COMMENT_LIMIT", "10 per minute;100 per hour")
    VOTE_LIMIT = os.environ.get("VOTE_LIMIT", "120 per minute")
    STANCE_LIMIT = os.environ.get("STANCE_LIMIT", "60 per minute")
    REPORT_LIMIT = os.environ.get("REPORT_LIMIT", "20 per hour")
    # The same writes per client address, whoever is logged in: generous, because many phones share one address
    # behind a mobile operator's NAT or a town hall's Wi-Fi; it stops one machine cycling through accounts.
    COMMENT_ADDRESS_LIMIT = os.environ.get("COMMENT_ADDRESS_LIMIT", "60 per minute;1000 per hour")
    VOTE_ADDRESS_LIMIT = os.environ.get("VOTE_ADDRESS_LIMIT", "600 per minute")
    STANCE_ADDRESS_LIMIT = os.environ.get("STANCE_ADDRESS_LIMIT", "300 per minute")
    REPORT_ADDRESS_LIMIT = os.environ.get("REPORT_ADDRESS_LIMIT", "100 per hour")
    # Comments agency staff enter on citizens' behalf (counter, paper, phone, forum): a clerk typing a pile of
    # paper forms writes far more than a citizen, so these have their own budget, per staff member and per address
    # (several clerks of one office share one address).
    ASSISTED_LIMIT = os.environ.get("ASSISTED_LIMIT", "60 per minute;1000 per hour")
    ASSISTED_ADDRESS_LIMIT = os.environ.get("ASSISTED_ADDRESS_LIMIT", "120 per minute;3000 per hour")
    # complaints (consult.accountability): filed per person and per address; wrong secret codes per complaint/address
    COMPLAINT_LIMIT = os.environ.get("COMPLAINT_LIMIT", "5 per hour;20 per day")
    COMPLAINT_ADDRESS_LIMIT = os.environ.get("COMPLAINT_ADDRESS_LIMIT", "60 per hour;500 per day")
    COMPLAINT_SECRET_LIMIT = os.environ.get("COMPLAINT_SECRET_LIMIT", "10 per hour")
    COMPLAINT_SECRET_ADDRESS_LIMIT = os.environ.get("COMPLAINT_SECRET_ADDRESS_LIMIT", "50 per hour")
    # satisfaction surveys (consult.accountability): per person and per address (a service counter's tablet)
    SURVEY_LIMIT = os.environ.get("SURVEY_LIMIT", "10 per hour;30 per day")
    SURVEY_ADDRESS_LIMIT = os.environ.get("SURVEY_ADDRESS_LIMIT", "120 per hour;1000 per day")
    # open-data downloads (/data, /rounds/<id>/data): per address; a whole site's comments take seconds to stream
    EXPORT_LIMIT = os.environ.get("EXPORT_LIMIT", "120 per hour")

    # Links in e-mails (written outside any request): the site's public address.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    # The year in the Atom feeds' entry ids (tag:<PUBLIC_URL's host>,<year>:round/12, RFC 4151): a year in which
    # the site held its domain name. Keep it, and the host, once the feeds are public, or readers see every entry
    # again as new.
    FEED_TAG_YEAR = int(os.environ.get("FEED_TAG_YEAR", "2026"))
    # Host names the site answers to, comma-separated ("*": any); others get 400. Default: PUBLIC_URL's host, and
    # 127.0.0.1 and localhost in development (consult.web.trusted_hosts).
    TRUSTED_HOSTS = _list(os.environ.get("TRUSTED_HOSTS"))
    # HTTPS only from the first visit on (HSTS), in production; "" turns it off (e.g. while HTTPS is being set up).
    STRICT_TRANSPORT_SECURITY = os.environ.get("STRICT_TRANSPORT_SECURITY", "" if DEVELOPMENT else "max-age=31536000")

    # Mail (docs/OPERATIONS.md). Without MAIL_SERVER, mails are written to <instance>/mail/*.eml and printed.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)  # STARTTLS after connecting (port 587)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)  # TLS from the start (port 465)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Konsultasi Publik <noreply@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "6"))
    MAIL_BATCH = int(os.environ.get("MAIL_BATCH", "100"))  # e-mails per sender run
    UNSUBSCRIBE_MAX_AGE = int(os.environ.get("UNSUBSCRIBE_MAX_AGE", str(180 * 24 * 3600)))  # seconds a link works

    # The scheduler (`flask scheduler run`): seconds between two runs of the due jobs.
    SCHEDULER_INTERVAL = int(os.environ.get("SCHEDULER_INTERVAL", "60"))
    # Run the scheduler in a thread of the web process: only the single-process dev server of `make run` sets it.
    SCHEDULER_IN_PROCESS = _bool("SCHEDULER_IN_PROCESS", False)

    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - the name of a hash method
    PROXY_FIX = int(os.environ.get("PROXY_FIX", "0"))  # number of trusted reverse proxies in front


class TestConfig(Config):
    TESTING = True
    DEVELOPMENT = False
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 - tests only
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = True  # on, as in production; counters are reset between tests
    RATELIMIT_STORAGE_URI = "memory://"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105 - fast in tests; production uses scrypt
    SERVER_NAME = None
    TRUSTED_HOSTS = ["localhost", "127.0.0.1"]  # the test client's host, and the browser tests' server
