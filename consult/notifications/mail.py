"""E-mail texts and links: rendering a notice in the reader's language, public URLs, unsubscribe tokens.

Pure helpers for the services and the sender: no database writes here.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from flask import current_app, g
from flask_babel import force_locale
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from consult.params import BadParameter, parse_id
from consult.web import public_url  # noqa: F401 - mails build their links with it (re-exported)

UNSUBSCRIBE_SALT = "consult.notifications.unsubscribe"
SCOPE_ALL = "all"


def round_scope(round_id: int) -> str:
    return f"round:{round_id}"


# --- unsubscribe tokens ----------------------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, scope: str) -> str:
    """A signed token that lets its holder stop e-mails of `scope` ("round:<id>" or "all") for this user only."""
    return _serializer().dumps({"u": user_id, "s": scope})


class BadToken(Exception):
    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    scope: str

    @property
    def round_id(self) -> int | None:
        kind, _, value = self.scope.partition(":")
        if kind != "round":
            return None
        try:
            return parse_id(value, "round")
        except BadParameter:
            return None


def read_unsubscribe_token(token: str) -> Unsubscribe:
    """The user and scope a token names, or BadToken (tampered, from another installation, or too old)."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["UNSUBSCRIBE_MAX_AGE"])
    except SignatureExpired:
        raise BadToken(expired=True) from None
    except BadSignature:
        raise BadToken() from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("s"), str):
        raise BadToken()
    result = Unsubscribe(data["u"], data["s"])
    if result.scope != SCOPE_ALL and result.round_id is None:
        raise BadToken()
    return result


def unsubscribe_url(user_id: int, scope: str) -> str:
    return public_url("notifications.unsubscribe", token=unsubscribe_token(user_id, scope))


# --- rendering -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@contextlib.contextmanager
def _locale(locale: str | None):
    """Render in `locale`: Flask-Babel's forced locale, and templates' cached translations set aside meanwhile
    (consult.i18n caches the request's translations in g; a mail in another language must not use them)."""
    languages = current_app.config["LANGUAGES"]
    locale = locale if locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    saved = g.pop("_consult_translations", None)
    try:
        with force_locale(locale):
            yield
    finally:
        g.pop("_consult_translations", None)
        if saved is not None:
            g._consult_translations = saved


def render_mail(kind: str, locale: str | None, **context) -> Rendered:
    """Render templates/notifications/mail/<kind>.txt in `locale`. The template sets `subject` and writes the
    body; every mail ends with the footer (why you get it, how to stop it: context `unsubscribe_url`)."""
    template = current_app.jinja_env.get_template(f"notifications/mail/{kind}.txt")
    with _locale(locale):
        module = template.make_module({**context, "settings_url": public_url("notifications.settings")})
        body = str(module).strip() + "\n"
        subject = " ".join(str(getattr(module, "subject", "")).split())
    return Rendered(subject=subject[:300], body=body)
