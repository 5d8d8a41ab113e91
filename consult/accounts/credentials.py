"""Sessions, passwords and the e-mail links: ending sessions, changing and resetting a password, confirming.

Flask-Login keeps users.session_token in the session and in the remember cookie, so a new token ends every session
and every remember cookie of the person at once (end_sessions). That happens at logout, "log out everywhere", a
password change (the session that changed it is logged in again with the new token) and a password reset.

None of this is audited: accounts are personal, not public record (as registration and votes are not).
"""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from consult.accounts import tokens
from consult.accounts.models import ApiToken, User, new_session_token
from consult.accounts.services import hash_password, normalise_email, password_message
from consult.accounts.signals import send_account_mail
from consult.errors import Invalid, LoginRequired
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.timeutil import utcnow

_FORGOT = ("accounts.forgot_password", {})  # the "forgot password" page, linked from the e-mails


def _locked_user(user_id: int) -> User | None:
    return db.session.scalar(
        sa.select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    )


def _require_user(user: User | None) -> None:
    if user is None or not user.is_authenticated:
        raise LoginRequired()


# --- sessions -------------------------------------------------------------------------------------------------


def end_sessions(user: User) -> None:
    """End every session and remember cookie of `user` (a new session token). The person themself: logout,
    "log out everywhere"; the other functions here call it too."""
    with write_transaction():
        row = _locked_user(user.id)
        if row is not None:
            row.session_token = new_session_token()


# --- changing the password ------------------------------------------------------------------------------------


def _check_new_password(user: User, password: str, repeat: str) -> None:
    message = password_message(password, email=user.email, name=user.name)
    if message:
        raise Invalid(fields={"password": message})
    if password != repeat:
        raise Invalid(fields={"repeat": _l("The two passwords are not the same.")})


def change_password(user: User | None, current: str, password: str, repeat: str) -> None:
    """A logged-in person changes their password, giving the current one. Every session ends (a new session
    token); the caller logs the current one in again. The person is told by e-mail."""
    _require_user(user)
    if not check_password_hash(user.password_hash, current or ""):
        raise Invalid(fields={"current": _l("This is not your current password.")})
    _check_new_password(user, password or "", repeat or "")
    with write_transaction():
        row = _locked_user(user.id)
        row.password_hash = hash_password(password)
        row.session_token = new_session_token()
        send_account_mail("password_changed", to_addr=row.email, user=row, links={"forgot_url": _FORGOT})


# --- password reset -------------------------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """ "Forgot password": anyone may ask, and the answer is the same whether or not the address has an account.

    An account gets a signed reset link (valid PASSWORD_RESET_MAX_AGE seconds, once); an address without an
    account gets an e-mail saying so, with the registration link; a blocked account gets nothing (it could not
    log in after a reset either). Invalid naming `email` only for an address that is not one.
    """
    email = normalise_email(email)
    with write_transaction():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            send_account_mail(
                "password_reset_unknown", to_addr=email, links={"register_url": ("accounts.register", {})}
            )
        elif user.is_active:
            token = tokens.reset_token(user.id, user.password_hash)
            send_account_mail(
                "password_reset",
                to_addr=user.email,
                user=user,
                links={"reset_url": ("accounts.reset_password", {"token": token}), "forgot_url": _FORGOT},
            )


def user_for_reset(token: str) -> User:
    """The account a reset link is for, or tokens.BadLink ("invalid", "expired", or "used": the password changed
    since the link was sent)."""
    user_id, fingerprint = tokens.read_reset_token(token)
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        raise tokens.BadLink()
    if not tokens.matches(fingerprint, user.password_hash, "reset"):
        raise tokens.BadLink("used")
    return user


def reset_password(token: str, password: str, repeat: str) -> User:
    """Set a new password through a reset link. Anyone holding the link may: it proves the mailbox is theirs, so
    the address counts as confirmed too. Every session of the account ends and its API tokens are revoked (a
    reset is how an account is taken back: whoever had it must keep no way in); the link and every other one
    sent before stop working. The person is told by e-mail."""
    user = user_for_reset(token)
    _check_new_password(user, password or "", repeat or "")
    password_hash = hash_password(password)
    with write_transaction():
        user = _locked_user(user.id)
        if user is None or not tokens.matches(tokens.read_reset_token(token)[1], user.password_hash, "reset"):
            raise tokens.BadLink("used")  # two tabs sent the same link at once: the other one won
        now = utcnow()
        user.password_hash = password_hash
        user.session_token = new_session_token()
        if user.email_confirmed_at is None:
            user.email_confirmed_at = now
        db.session.execute(
            sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=now)
        )
        send_account_mail("password_changed", to_addr=user.email, user=user, links={"forgot_url": _FORGOT})
    return user


# --- confirming the address -----------------------------------------------------------------------------------


def send_confirmation(user: User | None) -> bool:
    """Send the confirmation link again (the person, logged in). False when the address is confirmed already."""
    _require_user(user)
    if user.is_confirmed:
        return False
    with write_transaction():
        send_account_mail(
            "account_confirm",
            to_addr=user.email,
            user=user,
            links={"confirm_url": ("accounts.confirm", {"token": tokens.confirm_token(user.id, user.email)})},
        )
    return True


def user_for_confirmation(token: str) -> User:
    """The account a confirmation link is for, or tokens.BadLink ("invalid" or "expired")."""
    user_id, email_digest = tokens.read_confirm_token(token)
    user = db.session.get(User, user_id)
    if user is None or not tokens.matches(email_digest, user.email, "confirm"):
        raise tokens.BadLink()
    return user


def confirm_email(token: str) -> User:
    """Confirm the address a link was sent to (anyone holding the link: it proves the mailbox). Confirming twice
    changes nothing."""
    user = user_for_confirmation(token)
    with write_transaction():
        user = _locked_user(user.id)
        if user.email_confirmed_at is None:
            user.email_confirmed_at = utcnow()
    return user
