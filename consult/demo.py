"""Demo data for `flask seed demo` and `make run`: written for consult, fictional, in Indonesian."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from consult.accounts.models import Role, User
from consult.agencies.models import Agency
from consult.agencies.roles import create_user
from consult.agencies.services import create_agency
from consult.demo_content import AGENCY, CLOSED_POLICY, HOUSE_RULES, POLICY, SERVICE_STANDARD
from consult.documents.models import DocumentKind
from consult.documents.services import create_document, publish_version
from consult.extensions import db, write_transaction
from consult.moderation.services import add_rule, house_rules
from consult.rounds.models import RoundOrigin
from consult.rounds.services import schedule_round
from consult.timeutil import utcnow

DEMO_PASSWORD = "Demo-Konsultasi-2026"  # noqa: S105 - published demo password, documented in README.md
ACTOR = "seed"

ACCOUNTS = (
    ("admin", "admin@konsultasi.example", "Admin Situs", Role.ADMIN, False),
    ("agency_admin", "pengelola@disdukcapil-sukamaju.example", "Rina Pengelola", Role.AGENCY_ADMIN, True),
    ("moderator", "moderator@disdukcapil-sukamaju.example", "Budi Moderator", Role.MODERATOR, True),
    ("observer", "pemantau@pantau-layanan.example", "Sari Pemantau", Role.OBSERVER, False),
    ("citizen", "warga@contoh.example", "Dewi Warga", Role.CITIZEN, False),
)


def demo_accounts() -> list[tuple[str, str]]:
    return [(label, email) for label, email, *_ in ACCOUNTS]


def load_demo(now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """Create the demo agency, documents, rounds (open, upcoming, closed) and one account per role.

    Idempotent: when the demo agency exists nothing is changed (except that a demo loaded before house rules
    existed gets them).
    """
    now = now or utcnow()
    agency = db.session.scalar(sa.select(Agency).where(Agency.slug == AGENCY["slug"]))
    if agency is not None:
        if not house_rules(agency.id, include_retired=True):  # a demo loaded before house rules existed
            with write_transaction():
                _add_house_rules(agency)
        return demo_accounts()
    with write_transaction():  # all or nothing: a failure half-way leaves no half-loaded demo behind
        _load(now)
    return demo_accounts()


def _add_house_rules(agency: Agency) -> None:
    for title, body in HOUSE_RULES:
        add_rule(ACTOR, agency, title, body)


def _load(now: dt.datetime) -> None:
    """The demo's rounds are sample data dated around `now`, an open one among them since two days and a closed
    one from two months ago: they are scheduled as RoundOrigin.DEMO, which keeps those dates (a live round may not
    open in the past) and marks their pages "data contoh"."""
    agency = create_agency(ACTOR, AGENCY["slug"], AGENCY["name"], AGENCY["description"], "Asia/Jakarta")
    _add_house_rules(agency)
    for _label, email, name, role, in_agency in ACCOUNTS:
        if db.session.scalar(sa.select(User.id).where(User.email == email)) is None:
            create_user(
                email,
                name,
                DEMO_PASSWORD,
                role=role,
                agency=agency if in_agency else None,
                verified=role == Role.CITIZEN,
                actor=ACTOR,
            )

    standard = create_document(
        ACTOR,
        agency,
        DocumentKind.SERVICE_STANDARD,
        SERVICE_STANDARD["title"],
        SERVICE_STANDARD["summary"],
        components=SERVICE_STANDARD["components"],
        service_name=SERVICE_STANDARD["service_name"],
    )
    version = publish_version(ACTOR, standard.latest_version)
    schedule_round(
        ACTOR,
        version,
        title=SERVICE_STANDARD["title"],
        opens_at=now - dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=28),
        origin=RoundOrigin.DEMO,
    )

    policy = create_document(
        ACTOR, agency, DocumentKind.POLICY, POLICY["title"], POLICY["summary"], markdown=POLICY["markdown"]
    )
    version = publish_version(ACTOR, policy.latest_version)
    schedule_round(
        ACTOR,
        version,
        title=POLICY["title"],
        opens_at=now + dt.timedelta(days=7),
        closes_at=now + dt.timedelta(days=37),
        origin=RoundOrigin.DEMO,
    )

    closed = create_document(
        ACTOR,
        agency,
        DocumentKind.POLICY,
        CLOSED_POLICY["title"],
        CLOSED_POLICY["summary"],
        markdown=CLOSED_POLICY["markdown"],
    )
    version = publish_version(ACTOR, closed.latest_version)
    schedule_round(
        ACTOR,
        version,
        title=CLOSED_POLICY["title"],
        opens_at=now - dt.timedelta(days=60),
        closes_at=now - dt.timedelta(days=30),
        origin=RoundOrigin.DEMO,
    )
