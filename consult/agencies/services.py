"""Agency rules: creating agencies and answering who may manage or moderate one."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

import sqlalchemy as sa

from consult import audit, signals
from consult.accounts.models import Role, User
from consult.agencies.models import Agency
from consult.errors import Invalid, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
INDONESIAN_ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")


def can_manage_agency(user: User | None, agency: Agency) -> bool:
    """Agency admins of this agency and site admins manage its documents and rounds."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_admin or user.has_agency_role(agency.id, Role.AGENCY_ADMIN)


def can_moderate(user: User | None, agency: Agency) -> bool:
    """Moderators and agency admins of this agency, and site admins."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_admin or user.has_agency_role(agency.id, Role.MODERATOR, Role.AGENCY_ADMIN)


def get_agency(slug: str) -> Agency:
    agency = db.session.scalar(sa.select(Agency).where(Agency.slug == slug))
    if agency is None:
        raise NotFound()
    return agency


def create_agency(
    actor: User | str, slug: str, name: str, description: str = "", timezone: str = "Asia/Jakarta"
) -> Agency:
    """Create an agency. Site admins only (or the operator through the CLI). Audited as "agency.created"."""
    if not isinstance(actor, str) and not (actor.is_authenticated and actor.is_admin):
        raise NotAllowed()
    slug, name, description = (slug or "").strip().lower(), " ".join((name or "").split()), (description or "").strip()
    errors: dict[str, object] = {}
    if not SLUG_RE.match(slug) or len(slug) > 64:
        errors["slug"] = _l("Use lower-case letters, digits and hyphens only (for example dukcapil-kota).")
    if not name or len(name) > 200:
        errors["name"] = _l("Enter the agency's name (at most 200 characters).")
    if timezone not in available_timezones():
        errors["timezone"] = _l("Unknown time zone.")
    if len(description) > 2000:
        errors["description"] = _l("Use at most %(n)s characters.", n=2000)
    with write_transaction():
        if "slug" not in errors and db.session.scalar(sa.select(Agency.id).where(Agency.slug == slug)):
            errors["slug"] = _l("This short name is already taken.")
        if errors:
            raise Invalid(fields=errors)
        agency = Agency(slug=slug, name=name, description=description, timezone=timezone)
        db.session.add(agency)
        audit.record("agency.created", agency, {"slug": slug, "name": name, "timezone": timezone}, actor=actor)
    return agency


def managed_agencies(user: User) -> list[Agency]:
    """The agencies whose documents and rounds this user manages."""
    if user.is_admin:
        return list(db.session.scalars(sa.select(Agency).order_by(Agency.name)))
    ids = [m.agency_id for m in user.memberships if m.role == Role.AGENCY_ADMIN]
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Agency).where(Agency.id.in_(ids)).order_by(Agency.name)))


def site_words(_sender: object = None, **_extra: object) -> list[str]:
    """The agencies' names and slugs (consult.signals.site_words): no password or display name may be one."""
    rows = db.session.execute(sa.select(Agency.name, Agency.slug)).all()
    return [value for row in rows for value in row if value]


def connect_signals() -> None:
    """Answer accounts' question about the words of this site (create_app calls this)."""
    signals.site_words.connect(site_words)
