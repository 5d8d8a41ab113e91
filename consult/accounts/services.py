"""Account rules: registration, authentication, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from consult import audit
from consult.accounts.models import AGENCY_ROLES, ApiToken, Membership, Role, User
from consult.accounts.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from consult.agencies.models import Agency
from consult.errors import Invalid, NotAllowed, NotFound
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


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_new_user(email: str, name: str, password: str) -> tuple[str, str]:
    """Validate registration input; returns (email, name) or raises Invalid with every bad field."""
    errors: dict[str, object] = {}
    try:
        email = normalise_email(email)
    except Invalid as exc:
        errors.update(exc.fields)
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = _l("Enter your name.")
    elif len(name) > 120:
        errors["name"] = _l("Use at most %(n)s characters.", n=120)
    problem = password_problem(password or "", email=email if "email" not in errors else "", name=name)
    if problem:
        errors["password"] = PASSWORD_MESSAGES[problem]
    if "email" not in errors and db.session.scalar(sa.select(User.id).where(User.email == email)):
        errors["email"] = _l("An account with this e-mail address already exists. Log in instead.")
    if errors:
        raise Invalid(fields=errors)
    return email, name


def register_user(email: str, name: str, password: str) -> User:
    """Create a citizen account. Anyone may call it. Not audited: accounts are personal, not public record."""
    with write_transaction():
        email, name = check_new_user(email, name, password)
        user = User(email=email, name=name, password_hash=hash_password(password))
        db.session.add(user)
    return user


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


def create_user(
    email: str,
    name: str,
    password: str,
    *,
    role: Role = Role.CITIZEN,
    agency: Agency | None = None,
    verified: bool = False,
    actor: object = "cli",
) -> User:
    """Create an account with a role (site admins and the CLI). The role grant is audited."""
    if not isinstance(actor, str) and not can_grant_roles(actor):
        raise NotAllowed()  # grant_role() below is called with _actor_label, which skips its own check
    with write_transaction():
        email, name = check_new_user(email, name, password)
        user = User(email=email, name=name, password_hash=hash_password(password), is_verified=verified)
        db.session.add(user)
        db.session.flush()
        if role != Role.CITIZEN:
            grant_role(None if isinstance(actor, str) else actor, user, role, agency, _actor_label=actor)
    return user


def can_grant_roles(actor: User | None) -> bool:
    return actor is not None and actor.is_authenticated and actor.is_admin


def grant_role(
    actor: User | None, user: User, role: Role, agency: Agency | None = None, *, _actor_label: object = None
) -> None:
    """Give `user` a role: admin or observer site-wide, moderator or agency admin in `agency`.

    Only site admins may call it (the CLI acts as the operator). Recorded in the audit chain as
    "role.granted" with the user's id, never their e-mail.
    """
    if _actor_label is None and not can_grant_roles(actor):
        raise NotAllowed()
    role = Role(role)
    if role in AGENCY_ROLES and agency is None:
        raise Invalid(fields={"agency": _l("Choose the agency for this role.")})
    with write_transaction():
        if role == Role.ADMIN:
            user.is_admin = True
        elif role == Role.OBSERVER:
            user.is_observer = True
        elif role in AGENCY_ROLES:
            exists = db.session.scalar(
                sa.select(Membership.id).filter_by(user_id=user.id, agency_id=agency.id, role=role.value)
            )
            if exists:
                return
            db.session.add(
                Membership(
                    user_id=user.id,
                    agency_id=agency.id,
                    role=role.value,
                    granted_by_id=actor.id if actor is not None else None,
                )
            )
        else:
            return
        audit.record(
            "role.granted",
            user,
            {"user_id": user.id, "role": role.value, "agency": agency.slug if agency else None},
            actor=_actor_label if _actor_label is not None else actor,
        )


def revoke_role(actor: User, user: User, role: Role, agency: Agency | None = None) -> None:
    """Take a role away (site admins only); audited as "role.revoked"."""
    if not can_grant_roles(actor):
        raise NotAllowed()
    role = Role(role)
    if role in AGENCY_ROLES and agency is None:
        raise Invalid(fields={"agency": _l("Choose the agency for this role.")})
    with write_transaction():
        if role == Role.ADMIN:
            if user.id == actor.id:
                raise Invalid(fields={"role": _l("You cannot remove your own admin role.")})
            user.is_admin = False
        elif role == Role.OBSERVER:
            user.is_observer = False
        else:
            membership = db.session.scalar(
                sa.select(Membership).filter_by(user_id=user.id, agency_id=agency.id, role=role.value)
            )
            if membership is None:
                raise NotFound()
            db.session.delete(membership)
        audit.record(
            "role.revoked",
            user,
            {"user_id": user.id, "role": role.value, "agency": agency.slug if agency else None},
            actor=actor,
        )


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
