"""Who holds which role: site admin or observer site-wide, moderator or agency admin in an agency.

Roles live here, with the agencies, because agency roles are memberships of an agency: accounts stay below
agencies (an account knows nothing of agencies; a Membership links the two). Only site admins grant and
revoke roles; the CLI acts as the operator. Every grant and revocation is in the audit chain, with the user's
id, never their e-mail.
"""

from __future__ import annotations

import sqlalchemy as sa

from consult import audit
from consult.accounts.models import AGENCY_ROLES, Role, User
from consult.accounts.services import create_account
from consult.agencies.models import Agency, Membership
from consult.errors import Invalid, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l


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
    """Create an account with a role (site admins and the CLI), in one transaction. The role grant is audited.

    The operator's account: confirmed at once, and the password and name rules of self-registration do not apply
    (consult.accounts.services.operator_warnings says what they would refuse).
    """
    if not isinstance(actor, str) and not can_grant_roles(actor):
        raise NotAllowed()  # grant_role() below is called with _actor_label, which skips its own check
    with write_transaction():
        user = create_account(email, name, password, verified=verified)
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
