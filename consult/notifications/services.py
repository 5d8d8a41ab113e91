"""Notification rules: following rounds, e-mail settings, unsubscribing, and queueing e-mails in the outbox.

Every notice is queued with INSERT … ON CONFLICT DO NOTHING on a UNIQUE dedupe key, inside the caller's write
transaction when there is one (a notice about a change that rolls back is never sent), so asking twice, or from
two schedulers at once, queues it once. No e-mail ever holds the text of a comment: a comment may be hidden
after its notice was queued, and its words must not leave the site through the outbox. Mails link to the page.

Following, settings and unsubscribing are personal, not public record: not audited (like votes).
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import get_locale

from consult.accounts.models import User
from consult.db import insert_or_nothing, upsert
from consult.errors import Invalid, LoginRequired
from consult.extensions import db, write_transaction
from consult.notifications import mail
from consult.notifications.models import NotificationSettings, OutboxMessage, OutboxStatus, RoundFollow
from consult.participation.models import Comment
from consult.rounds.models import Round
from consult.timeutil import utcnow

DEFAULT_SETTINGS = {"email_enabled": True, "auto_follow": True, "locale": None}


def _request_locale() -> str | None:
    """The language the person is using the site in, when there is a request to ask."""
    return str(get_locale()) if has_request_context() else None


# --- settings -------------------------------------------------------------------------------------------------


def settings_for(user: User) -> NotificationSettings:
    """The person's settings (an unsaved row with the defaults when they never changed them)."""
    row = db.session.get(NotificationSettings, user.id)
    return row if row is not None else NotificationSettings(user_id=user.id, **DEFAULT_SETTINGS)


def _ensure_settings(user_id: int, locale: str | None) -> None:
    """Create the settings row with the defaults and the language in use, unless it exists."""
    insert_or_nothing(
        NotificationSettings,
        index_elements=["user_id"],
        user_id=user_id,
        email_enabled=True,
        auto_follow=True,
        locale=locale,
        updated_at=utcnow(),
    )


def update_settings(user: User, *, email_enabled: bool, auto_follow: bool, locale: str | None) -> NotificationSettings:
    """Change one's own e-mail settings (profile page). Logged-in users only."""
    if user is None or not user.is_authenticated:
        raise LoginRequired()
    if locale not in (None, "", "id", "en"):
        raise Invalid(fields={"locale": "id or en"})
    with write_transaction():
        _ensure_settings(user.id, None)
        row = db.session.get(NotificationSettings, user.id, populate_existing=True)
        row.email_enabled, row.auto_follow, row.locale = bool(email_enabled), bool(auto_follow), locale or None
        row.updated_at = utcnow()
        if not email_enabled:
            _cancel_pending(user.id)
    return row


def _cancel_pending(user_id: int) -> None:
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.user_id == user_id, OutboxMessage.status == OutboxStatus.PENDING)
        .values(status=OutboxStatus.CANCELLED, last_error="e-mail turned off by the recipient")
    )


# --- following ------------------------------------------------------------------------------------------------


def is_following(user: User | None, rnd: Round) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return bool(db.session.scalar(sa.select(RoundFollow.active).filter_by(round_id=rnd.id, user_id=user.id)))


def _set_follow(user_id: int, round_id: int, active: bool) -> None:
    now = utcnow()
    upsert(
        RoundFollow,
        index_elements=["round_id", "user_id"],
        set_={"active": active, "updated_at": now},
        round_id=round_id,
        user_id=user_id,
        active=active,
        created_at=now,
        updated_at=now,
    )


def follow_round(user: User | None, rnd: Round) -> None:
    """Follow a round: e-mail when it opens, 48 hours before it closes, on replies and when its summary is
    published. Any logged-in person, in any state of the round; following twice changes nothing."""
    if user is None or not user.is_authenticated:
        raise LoginRequired()
    with write_transaction():
        _ensure_settings(user.id, _request_locale())
        _set_follow(user.id, rnd.id, True)


def unfollow_round(user_id: int, round_id: int) -> None:
    """Stop following a round (the button, or an unsubscribe link). Remembered: commenting again does not follow
    the round again."""
    with write_transaction():
        _set_follow(user_id, round_id, False)


def followed_rounds(user: User) -> list[Round]:
    return list(
        db.session.scalars(
            sa.select(Round)
            .join(RoundFollow, RoundFollow.round_id == Round.id)
            .where(RoundFollow.user_id == user.id, RoundFollow.active.is_(True))
            .order_by(Round.closes_at.desc(), Round.id.desc())
        )
    )


# Text, not a dialect insert: SQLAlchemy cannot cache the compiled INSERT … SELECT … ON CONFLICT ("[no key]" in its
# log) and compiled it again for every comment. Same SQL on SQLite and PostgreSQL.
_FOLLOW_ON_COMMENT = sa.text(
    "INSERT INTO round_follows (round_id, user_id, active, created_at, updated_at) "
    "SELECT :round_id, :user_id, :active, :now, :now WHERE NOT EXISTS ("
    "SELECT 1 FROM notification_settings WHERE notification_settings.user_id = :user_id "
    "AND notification_settings.auto_follow = :no) "
    "ON CONFLICT (round_id, user_id) DO NOTHING"
).bindparams(
    sa.bindparam("active", True, type_=sa.Boolean()),
    sa.bindparam("no", False, type_=sa.Boolean()),
    sa.bindparam("now", type_=sa.DateTime()),
)


def follow_on_comment(comment: Comment) -> None:
    """Inside post_comment()'s transaction: follow the round, unless turned off, or unfollowed before.

    Every comment pays for this, so it is one statement for most people: INSERT the follow unless the
    settings say not to follow automatically, and nothing if the person follows (or unfollowed) already.
    A settings row is created only to remember a language other than the default (no row: Indonesian).
    """
    locale = _request_locale()
    if locale and locale != current_app.config["BABEL_DEFAULT_LOCALE"]:
        _ensure_settings(comment.author_id, locale)
    now = utcnow()
    db.session.execute(_FOLLOW_ON_COMMENT, {"round_id": comment.round_id, "user_id": comment.author_id, "now": now})


# --- unsubscribing --------------------------------------------------------------------------------------------


def link_round(request: mail.Unsubscribe) -> Round | None:
    """The round an unsubscribe link is about (None for "all", or a round that no longer exists)."""
    return db.session.get(Round, request.round_id) if request.round_id is not None else None


def unsubscribe(request: mail.Unsubscribe, scope: str | None = None) -> str:
    """Apply an unsubscribe link: stop following its round, or (scope "all") all e-mail. No login: the signed
    token is the permission, and it names its user. Returns the scope applied."""
    scope = scope or request.scope
    if scope not in (request.scope, mail.SCOPE_ALL):
        raise Invalid(fields={"scope": "not allowed by this link"})
    if db.session.get(User, request.user_id) is None:
        return scope  # the account is gone: nothing to stop
    if scope != mail.SCOPE_ALL and link_round(request) is None:
        return scope  # the round is gone: nothing left to unfollow
    if scope == mail.SCOPE_ALL:
        with write_transaction():
            _ensure_settings(request.user_id, None)
            row = db.session.get(NotificationSettings, request.user_id, populate_existing=True)
            row.email_enabled, row.updated_at = False, utcnow()
            _cancel_pending(request.user_id)
    else:
        unfollow_round(request.user_id, request.round_id)
    return scope


# --- queueing -------------------------------------------------------------------------------------------------


def recipient_of(user_id: int) -> tuple[User, str | None] | None:
    """(user, locale) when this person may get e-mail now; None for a blocked account or e-mail turned off."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active or not user.is_confirmed:  # notices only to an address proven theirs
        return None
    settings = db.session.get(NotificationSettings, user_id)
    if settings is not None and not settings.email_enabled:
        return None
    return user, settings.locale if settings is not None else None


def enqueue(user: User, locale: str | None, kind: str, key: str, scope: str, **context) -> bool:
    """Queue one e-mail to `user`, rendered now in their language; True when queued, False when `key` already
    was. Call inside a write transaction (the caller's, or one of its own)."""
    unsubscribe = mail.unsubscribe_url(user.id, scope)
    rendered = mail.render_mail(kind, locale, user=user, unsubscribe_url=unsubscribe, **context)
    with write_transaction():
        return bool(
            insert_or_nothing(
                OutboxMessage,
                index_elements=["dedupe_key"],
                dedupe_key=key[:200],
                kind=kind,
                user_id=user.id,
                to_addr=user.email,
                subject=rendered.subject,
                body_text=rendered.body,
                unsubscribe_url=unsubscribe,
                status=OutboxStatus.PENDING,
                attempts=0,
                next_attempt_at=utcnow(),
                created_at=utcnow(),
            )
        )


def enqueue_address(to_addr: str, locale: str | None, kind: str, key: str, **context) -> bool:
    """Queue one e-mail to an address without an account (a complainant who gave it at a counter), rendered now;
    no unsubscribe link (there is no account to unsubscribe), the footer says why it came. True when queued."""
    rendered = mail.render_mail(kind, locale, user=None, unsubscribe_url=None, **context)
    with write_transaction():
        return bool(
            insert_or_nothing(
                OutboxMessage,
                index_elements=["dedupe_key"],
                dedupe_key=key[:200],
                kind=kind,
                user_id=None,
                to_addr=to_addr,
                subject=rendered.subject,
                body_text=rendered.body,
                unsubscribe_url=None,
                status=OutboxStatus.PENDING,
                attempts=0,
                next_attempt_at=utcnow(),
                created_at=utcnow(),
            )
        )


def on_account_mail(kind: str, *, to_addr: str, user: User | None, links: dict, context: dict, **_extra: Any) -> None:
    """Queue an e-mail about the account itself (consult.accounts.signals), inside the account service's
    transaction: in the person's language, whatever their notice settings (they asked for it), without an
    unsubscribe link. Each request is its own e-mail (a random key); the account pages limit how many one
    address can get."""
    locale = _request_locale()
    settings = db.session.get(NotificationSettings, user.id) if user is not None else None
    if settings is not None and settings.locale:
        locale = settings.locale
    urls = {name: mail.public_url(endpoint, **values) for name, (endpoint, values) in links.items()}
    rendered = mail.render_mail(kind, locale, user=user, **urls, **context)
    now = utcnow()
    insert_or_nothing(
        OutboxMessage,
        index_elements=["dedupe_key"],
        dedupe_key=f"account:{kind}:{secrets.token_urlsafe(12)}",
        kind=kind,
        user_id=user.id if user is not None else None,
        to_addr=to_addr,
        subject=rendered.subject,
        body_text=rendered.body,
        unsubscribe_url=None,
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
