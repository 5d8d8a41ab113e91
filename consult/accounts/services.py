"""Account rules: registration, authentication, the operator's accounts, roles and API tokens.

Passwords, sessions, confirmation and reset links: consult.accounts.credentials.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from functools import lru_cache

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from consult import signals
from consult.accounts import tokens
from consult.accounts.models import ApiToken, User
from consult.accounts.names import MAX_LENGTH as NAME_MAX_LENGTH
from consult.accounts.names import name_problem
from consult.accounts.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from consult.accounts.signals import send_account_mail
from consult.errors import Invalid, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.timeutil import utcnow

TOKEN_PREFIX = "cst_"  # noqa: S105 - a public prefix, not a secret


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """A hash to compare against when the e-mail is unknown, so a failed login takes the same time either way.

    It must use the configured method: a cheap dummy beside scrypt account hashes would tell an attacker
    which e-mail addresses have an account.
    """
    return generate_password_hash("not-a-real-password", method=method)


PASSWORD_MESSAGES = {
    "too_short": _l("Use at least %(n)s characters.", n=MIN_LENGTH),
    "too_long": _l("Use at most %(n)s characters.", n=MAX_LENGTH),
    "too_common": _l("This password is too common and easy to guess. Choose another one."),
    "personal": _l("Do not use your e-mail address or name as password."),
    "guessable": _l(
        "This password is easy to guess: it is made of common words, names, dates or patterns. "
        "A short sentence of four or five words is easier to remember and much harder to guess."
    ),
}
NAME_MESSAGES = {
    "empty": _l("Enter your name."),
    "too_long": _l("Use at most %(n)s characters.", n=NAME_MAX_LENGTH),
    "characters": _l("The name contains control or text-direction characters. Type it again without them."),
    "reserved": _l(
        "This name could be mistaken for a pseudonym (Warga-…, Moderator-…), the site's staff, the system or an "
        "agency. Choose another name."
    ),
}


def normalise_email(raw: str) -> str:
    """A syntactically valid, lower-cased e-mail address, or Invalid naming the `email` field."""
    raw = (raw or "").strip()
    if not raw:
        raise Invalid(fields={"email": _l("Enter your e-mail address.")})
    try:
        result = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        raise Invalid(fields={"email": _l("This is not a valid e-mail address.")}) from None
    return result.normalized.lower()


def email_key(raw: str) -> str:
    """The one spelling of an address that every limit is keyed on, whichever way it was typed.

    The address as login normalises it (so "target@example。org" and "TARGET@ｅｘａｍｐｌｅ.org" are the account's
    own address), then NFKC and case folding on top (so even a full-width local part, which is another account or
    none, shares the key): merging two spellings can only make a limit stricter, never open it.
    """
    raw = (raw or "").strip()
    try:
        email = normalise_email(raw)
    except Invalid:
        email = raw
    return unicodedata.normalize("NFKC", email).casefold()[:254]


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def agency_words() -> list[str]:
    """Words of this site that are neither good passwords nor anyone's name: the agencies' names and slugs,
    asked of whoever answers consult.signals.site_words (agencies does; accounts never import it)."""
    return [word for _receiver, words in signals.site_words.send(None) for word in (words or ()) if word]


def password_message(password: str, *, email: str = "", name: str = ""):
    """The message for what is wrong with `password` for this person, or None (consult.accounts.passwords)."""
    problem = password_problem(password or "", email=email, name=name, words=agency_words())
    return PASSWORD_MESSAGES[problem] if problem else None


def name_message(name: str):
    """The message for what is wrong with `name` as a display name, or None (consult.accounts.names)."""
    problem = name_problem(name, reserved=agency_words())
    return NAME_MESSAGES[problem] if problem else None


def clean_name(name: str | None) -> str:
    return " ".join((name or "").split())


def check_registration(email: str, name: str, password: str) -> tuple[str, str]:
    """Validate self-registration input; returns (email, name) or raises Invalid with every bad field.

    Whether the address already has an account is not checked here: registration answers alike either way.
    """
    errors: dict[str, object] = {}
    try:
        email = normalise_email(email)
    except Invalid as exc:
        errors.update(exc.fields)
    name = clean_name(name)
    message = name_message(name)
    if message:
        errors["name"] = message
    message = password_message(password, email=email if "email" not in errors else "", name=name)
    if message:
        errors["password"] = message
    if errors:
        raise Invalid(fields=errors)
    return email, name


def account_links(user: User, next_path: str | None = None) -> dict[str, tuple[str, dict]]:
    """The links of an account e-mail. `next_path` (a local path the caller made safe) is where the confirmation
    link sends the person once confirmed: the page they were on when they registered."""
    links: dict[str, tuple[str, dict]] = {
        "login_url": ("accounts.login", {}),
        "forgot_url": ("accounts.forgot_password", {}),
    }
    if not user.is_confirmed:
        values = {"token": tokens.confirm_token(user.id, user.email)}
        if next_path:
            values["next"] = next_path
        links["confirm_url"] = ("accounts.confirm", values)
    return links


def register_user(email: str, name: str, password: str, *, next_path: str | None = None) -> None:
    """Self-registration: anyone may call it. Answers alike whether or not the address has an account.

    A new address gets an unconfirmed citizen account and the e-mail "confirm your address"; an address that has
    an account already gets the e-mail "you already have an account" (with the log-in and reset links, and a
    fresh confirmation link if it was never confirmed), and nothing is changed. Both ways hash the password, so
    the time taken does not tell either. Not audited: accounts are personal, not public record. `next_path` (made
    safe by the caller) rides in the confirmation link: confirming leads back to the page the person came from.
    """
    email, name = check_registration(email, name, password)
    password_hash = hash_password(password)
    for attempt in range(2):
        try:
            with write_transaction():
                existing = db.session.scalar(sa.select(User).where(User.email == email))
                if existing is not None:
                    send_account_mail(
                        "account_exists", to_addr=existing.email, user=existing, links=account_links(existing)
                    )
                    return
                user = User(email=email, name=name, password_hash=password_hash)
                db.session.add(user)
                db.session.flush()
                send_account_mail(
                    "account_confirm", to_addr=user.email, user=user, links=account_links(user, next_path)
                )
            return
        except sa.exc.IntegrityError:  # the same new address registered twice at once: the other one won
            if attempt:
                raise


def authenticate(email: str, password: str) -> User | None:
    """The user with this e-mail and password, or None. Blocked (inactive) accounts never authenticate."""
    try:
        email = normalise_email(email)
    except Invalid:
        email = ""
    user = db.session.scalar(sa.select(User).where(User.email == email)) if email else None
    if user is None:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.is_active:
        return None
    return user


def record_login(user: User) -> None:
    with write_transaction():
        db.session.get(User, user.id).last_login_at = utcnow()


def operator_warnings(email: str, name: str, password: str) -> list[str]:
    """What self-registration would refuse about an account the operator makes (`flask users create`): a weak
    password or a reserved name. The operator is warned; the account is made all the same."""
    try:
        email = normalise_email(email)
    except Invalid:
        email = ""
    name = clean_name(name)
    warnings = [name_message(name), password_message(password, email=email, name=name)]
    return [str(w) for w in warnings if w]


def create_account(email: str, name: str, password: str, *, verified: bool = False) -> User:
    """Create an account made by the operator, in the caller's transaction (consult.agencies.roles.create_user
    adds the role and checks who may; the CLI and the demo call that).

    The operator's account: confirmed at once, and the password and name rules of self-registration do not apply
    (operator_warnings() says what they would refuse); only an empty password, a missing or over-long name and an
    address that has an account already are refused.
    """
    with write_transaction():
        errors: dict[str, object] = {}
        try:
            email = normalise_email(email)
        except Invalid as exc:
            errors.update(exc.fields)
        name = clean_name(name)
        if name_problem(name) in {"empty", "too_long"}:
            errors["name"] = NAME_MESSAGES[name_problem(name)]
        if not password:
            errors["password"] = PASSWORD_MESSAGES["too_short"]
        if "email" not in errors and db.session.scalar(sa.select(User.id).where(User.email == email)):
            errors["email"] = _l("An account with this e-mail address already exists.")
        if errors:
            raise Invalid(fields=errors)
        now = utcnow()
        user = User(
            email=email,
            name=name,
            password_hash=hash_password(password),
            is_verified=verified,
            email_confirmed_at=now,
        )
        db.session.add(user)
        db.session.flush()
    return user


def user_by_email(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise NotFound(_l("No account with this e-mail address."))
    return user


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_api_token(user: User, name: str = "api") -> str:
    """Create a bearer token for `user` and return it. Only its SHA-256 is stored: it cannot be shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction():
        db.session.add(
            ApiToken(user_id=user.id, name=(name or "api")[:80], token_hash=_token_digest(token), prefix=token[:12])
        )
    return token


def user_for_token(token: str) -> User | None:
    """The active user owning this (unrevoked) token, or None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    user = db.session.scalar(
        sa.select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _token_digest(token), ApiToken.revoked_at.is_(None))
    )
    if user is None or not user.is_active:
        return None
    return user


def revoke_api_token(user: User, token_id: int) -> None:
    with write_transaction():
        row = db.session.get(ApiToken, token_id)
        if row is None or row.user_id != user.id:
            raise NotFound()
        row.revoked_at = utcnow()
