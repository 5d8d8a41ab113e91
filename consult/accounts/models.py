"""Accounts: users, agency memberships (roles) and API tokens."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.timeutil import utcnow

if TYPE_CHECKING:  # the memberships relationship is resolved by name: accounts never import agencies
    from consult.agencies.models import Membership


class Role(enum.StrEnum):
    CITIZEN = "citizen"
    MODERATOR = "moderator"
    AGENCY_ADMIN = "agency_admin"
    OBSERVER = "observer"
    ADMIN = "admin"


AGENCY_ROLES = (Role.MODERATOR, Role.AGENCY_ADMIN)


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    # loaded at the start of a request, ms before any write: begin_write() need not reload it (see there)
    keep_loaded_on_write = True

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    is_verified: Mapped[bool] = mapped_column(default=False)
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_observer: Mapped[bool] = mapped_column(default=False)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # the end of the longest block ever placed on this person (consult.moderation): until then participation
    # looks the blocks up; never blocked (None) or past it, no query at all
    blocked_until: Mapped[dt.datetime | None]
    show_name: Mapped[bool] = mapped_column(default=False)
    # The id Flask-Login keeps in the session and in the remember cookie. A new one (new_session_token) ends every
    # session and remember cookie of this user at once: at logout, password change or reset, "log out everywhere".
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: new_session_token())
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None]
    # When the person proved the address is theirs (the link in the confirmation e-mail, or a password reset).
    # Self-registered accounts start unconfirmed: they can log in and read, not take part. Accounts made by the
    # operator (`flask users create`, the demo) are confirmed when made.
    email_confirmed_at: Mapped[dt.datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        lazy="select",  # loaded when asked: most requests never look at roles
        foreign_keys="Membership.user_id",
    )

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_active(self) -> bool:  # Flask-Login: blocked accounts cannot log in
        return self.is_active_account

    def agency_roles(self, agency_id: int) -> set[Role]:
        return {Role(m.role) for m in self.memberships if m.agency_id == agency_id}

    def has_agency_role(self, agency_id: int, *roles: Role) -> bool:
        return bool(self.agency_roles(agency_id) & set(roles or AGENCY_ROLES))

    @property
    def is_staff(self) -> bool:
        """Site admin or a member of any agency's staff."""
        return self.is_admin or bool(self.memberships)

    @property
    def manages_any_agency(self) -> bool:
        """Site admin or agency admin somewhere: the agency workspace (/kelola) is theirs."""
        return self.is_admin or any(m.role == Role.AGENCY_ADMIN for m in self.memberships)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship()
