"""Demo data for `flask seed demo` and `make run`: written for consult, fictional, in Indonesian."""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from consult.accounts.models import Role, User
from consult.agencies.models import Agency
from consult.agencies.roles import create_user
from consult.agencies.services import create_agency
from consult.deliberation.services import refresh_campaigns, refresh_round_opinions
from consult.demo_charter import load_demo_charter
from consult.demo_closed import add_closed_participation, answer_and_publish, date_back
from consult.demo_content import AGENCY, CLOSED_POLICY, HOUSE_RULES, OPEN_ROUND, POLICY, SERVICE_STANDARD
from consult.documents.models import DocumentKind
from consult.documents.services import create_document, publish_version
from consult.extensions import db, write_transaction
from consult.moderation.services import add_rule, house_rules
from consult.participation.models import Comment
from consult.participation.services.comments import post_comment
from consult.participation.services.votes import vote
from consult.rounds.models import Round, RoundOrigin
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


def load_demo(now: dt.datetime | None = None, *, sample_participation: bool = True) -> list[tuple[str, str]]:
    """Create the demo agency, documents, rounds (open, upcoming, closed) and one account per role; with
    ``sample_participation`` (the default; tests of the first comment turn it off), sample citizens' comments
    and votes on the open round and its opinion groups and campaigns.

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
        closed_tags = _load(now, sample_participation)
    if not sample_participation:
        return demo_accounts()
    # What the scheduler would compute within minutes, computed now so that the first page shown has it.
    for round_id in db.session.scalars(sa.select(Round.id).join(Agency).where(Agency.slug == AGENCY["slug"])):
        refresh_round_opinions(round_id, actor=ACTOR)
        refresh_campaigns(round_id, actor=ACTOR)
    # The closed round's second half: themes, the agency's answers and the published summary.
    closed = db.session.scalar(
        sa.select(Round).join(Agency).where(Agency.slug == AGENCY["slug"], Round.title == CLOSED_POLICY["title"])
    )
    staff = {email: db.session.scalar(sa.select(User).where(User.email == email)) for _, email, *_ in ACCOUNTS}
    answer_and_publish(
        closed,
        closed_tags,
        staff["moderator@disdukcapil-sukamaju.example"],
        staff["pengelola@disdukcapil-sukamaju.example"],
    )
    # A service standard consulted, summarised and adopted, with its commitments, complaints and surveys.
    load_demo_charter(closed.agency, now)
    return demo_accounts()


SAMPLE_CITIZENS = (
    "Ahmad Fauzi",
    "Sri Wahyuni",
    "Bambang Susilo",
    "Nur Aini",
    "Yusuf Hakim",
    "Rina Marlina",
    "Dedi Kurniawan",
    "Siti Rahayu",
    "Hendra Gunawan",
    "Maya Sari",
    "Eko Prasetyo",
    "Wulan Dari",
    "Rudi Hartono",
    "Lina Kusuma",
    "Fajar Nugroho",
    "Ratna Dewi",
    "Anton Wibowo",
    "Yuli Astuti",
    "Irfan Maulana",
    "Desi Ratnasari",
    "Agung Setiawan",
    "Tuti Handayani",
    "Bayu Saputra",
    "Ani Suryani",
)
GROUP_OF = (0,) * 10 + (1,) * 8 + (2,) * 6  # which sample group each sample citizen leans with
CAMPAIGN_LEANING = "-0+"


def _vote_value(rng: random.Random, leaning: str) -> int | None:
    """A sample vote for a leaning: +, - or 0 (split); some people skip a comment."""
    if rng.random() < 0.12:
        return None
    roll = rng.random()
    if leaning == "0":
        return 1 if roll < 0.45 else (-1 if roll < 0.8 else 0)
    agree, disagree = (0.85, 0.1) if leaning == "+" else (0.1, 0.85)
    return 1 if roll < agree else (-1 if roll < agree + disagree else 0)


def _add_participation(rnd: Round) -> None:
    """Sample citizens comment on the open round and vote (demo_text/open-round.md), enough for opinion groups;
    six of them send the same letter with their own words (a campaign). warga@contoh.example takes no part,
    so that whoever tries the demo can."""
    citizens = [
        create_user(
            f"warga{n + 1:02d}@contoh.example", name, DEMO_PASSWORD, role=Role.CITIZEN, verified=True, actor=ACTOR
        )
        for n, name in enumerate(SAMPLE_CITIZENS)
    ]
    sections = {s.key: s.id for s in rnd.version.sections}
    rng = random.Random(2026)  # the same demo every time
    posted: list[tuple[Comment, str]] = []
    for i, (key, leaning, text) in enumerate(OPEN_ROUND["statements"]):
        author = citizens[(i * 5) % len(citizens)]
        posted.append((post_comment(author, rnd, text, section_id=sections[key]), leaning))
    campaign = OPEN_ROUND["campaign"]
    for j, (greeting, closing) in enumerate(campaign["copies"]):
        body = " ".join(part for part in (greeting, campaign["letter"], closing) if part)
        author = citizens[GROUP_OF.index(2) + j % GROUP_OF.count(2)]
        posted.append((post_comment(author, rnd, body, section_id=sections[campaign["section"]]), CAMPAIGN_LEANING))
    for voter, group in zip(citizens, GROUP_OF, strict=True):
        for comment, leaning in posted:
            value = _vote_value(rng, leaning[group])
            if value is not None and comment.author_id != voter.id:
                vote(voter, comment, value)


def _add_house_rules(agency: Agency) -> None:
    for title, body in HOUSE_RULES:
        add_rule(ACTOR, agency, title, body)


def _load(now: dt.datetime, sample_participation: bool) -> dict[str, list[int]]:
    """The demo's rounds are sample data dated around `now`, an open one among them since two days and a closed
    one from two months ago: they are scheduled as RoundOrigin.DEMO, which keeps those dates (a live round may not
    open in the past) and marks their pages "data contoh". Returns the closed round's comment ids per theme key
    (consult.demo_closed), empty without sample participation."""
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
    open_round = schedule_round(
        ACTOR,
        version,
        title=SERVICE_STANDARD["title"],
        opens_at=now - dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=28),
        origin=RoundOrigin.DEMO,
    )
    if sample_participation:
        _add_participation(open_round)

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
    # With sample participation the round takes it while open, and is then dated back to its past period.
    closed_round = schedule_round(
        ACTOR,
        version,
        title=CLOSED_POLICY["title"],
        opens_at=now - dt.timedelta(days=60),
        closes_at=now + dt.timedelta(hours=1) if sample_participation else now - dt.timedelta(days=30),
        origin=RoundOrigin.DEMO,
    )
    if sample_participation:
        citizens = [
            db.session.scalar(sa.select(User).where(User.email == f"warga{n + 1:02d}@contoh.example"))
            for n in range(len(SAMPLE_CITIZENS))
        ]
        clerk = db.session.scalar(sa.select(User).where(User.email == "moderator@disdukcapil-sukamaju.example"))
        tags = add_closed_participation(closed_round, citizens, clerk)
        date_back(closed_round, now)
        return tags
    return {}
