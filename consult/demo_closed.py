"""The demo's closed round: what a consultation looks like after it closed (demo_text/closed-round.md).

Sample citizens comment, vote and take stances; some comments were entered by staff for citizens who came to a
counter, wrote on paper, phoned or spoke at a forum; one group of workers sent the same letter (a campaign). The
round is then dated back to close a month ago, its opinion groups and campaigns are computed, staff group the
comments into themes with a synthesis each, the agency admin answers every theme and publishes the summary, so
that `make run` shows the second half of a consultation at once.

The round is sample data (RoundOrigin.DEMO, marked "data contoh" on its pages): its participation is written now,
through the same services as real participation, and then given dates inside the round's period. Its audit
entries keep the moment the demo was loaded.
"""

from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa

from consult.accounts.models import User
from consult.deliberation.services.dispositions import set_theme_disposition
from consult.deliberation.services.summary import publish_summary
from consult.deliberation.services.themes import create_theme, tag
from consult.demo_content import CLOSED_ROUND
from consult.extensions import db
from consult.participation.models import Comment, CommentVote, SectionStance
from consult.participation.services.assisted import enter_assisted_comment
from consult.participation.services.comments import post_comment
from consult.participation.services.votes import set_stance, vote
from consult.rounds.models import Round

OPENED_DAYS_AGO = 60
CLOSED_DAYS_AGO = 30
GROUP_OF = (0,) * 6 + (1,) * 5 + (2,) * 5  # the leanings of the 16 sample citizens who took part
STANCE_BY_LEANING = {"+": "support", "-": "oppose", "0": "neutral"}


def _vote_value(rng: random.Random, leaning: str) -> int | None:
    if rng.random() < 0.25:  # nobody reads everything
        return None
    roll = rng.random()
    if leaning == "0":
        return 1 if roll < 0.45 else (-1 if roll < 0.8 else 0)
    agree, disagree = (0.85, 0.1) if leaning == "+" else (0.1, 0.85)
    return 1 if roll < agree else (-1 if roll < agree + disagree else 0)


def add_closed_participation(rnd: Round, citizens: list[User], clerk: User) -> dict[str, list[int]]:
    """Comments, votes and stances on the (still open) round; returns {theme key: [comment ids]}."""
    citizens = citizens[-len(GROUP_OF) :]
    sections = {s.key: s.id for s in rnd.version.sections}
    rng = random.Random(1945)  # the same demo every time
    posted: list[tuple[Comment, str]] = []
    tagged: dict[str, list[int]] = {key: [] for key in CLOSED_ROUND["themes"]}
    for i, item in enumerate(CLOSED_ROUND["statements"]):
        section_id = sections[item["section"]]
        if item["channel"] == "web":
            comment = post_comment(citizens[(i * 7) % len(citizens)], rnd, item["text"], section_id=section_id)
        else:
            comment = _assisted(clerk, rnd, item, section_id)
        posted.append((comment, item["leaning"]))
        for key in item["themes"]:
            tagged[key].append(comment.id)
    campaign = CLOSED_ROUND["campaign"]
    workers = [c for c, g in zip(citizens, GROUP_OF, strict=True) if g == 0]
    for j, (greeting, closing) in enumerate(campaign["copies"]):
        body = " ".join(part for part in (greeting, campaign["letter"], closing) if part)
        comment = post_comment(workers[j % len(workers)], rnd, body, section_id=sections[campaign["section"]])
        posted.append((comment, "+-0"))
        for key in campaign["themes"]:
            tagged[key].append(comment.id)
    for voter, group in zip(citizens, GROUP_OF, strict=True):
        for comment, leaning in posted:
            value = _vote_value(rng, leaning[group])
            if value is not None and comment.author_id != voter.id:
                vote(voter, comment, value)
    for voter, group in zip(citizens, GROUP_OF, strict=True):
        for key, section_id in sections.items():
            leanings = [item["leaning"][group] for item in CLOSED_ROUND["statements"] if item["section"] == key]
            if leanings and rng.random() < 0.7:  # a stance like one of the section's comments the group leans to
                set_stance(voter, rnd, section_id, STANCE_BY_LEANING[rng.choice(leanings)])
    return tagged


def _assisted(clerk: User, rnd: Round, item: dict, section_id: int) -> Comment:
    """A comment a clerk typed in for a citizen, dated in the round's third week (before it is dated back)."""
    return enter_assisted_comment(
        clerk,
        rnd,
        item["text"],
        channel=item["channel"],
        assisted_on=(rnd.opens_at + dt.timedelta(days=20)).date(),
        assisted_place=item["place"],
        section_id=section_id,
    )


def answer_and_publish(rnd: Round, tagged: dict[str, list[int]], moderator: User, admin: User) -> None:
    """After the close: the moderator groups the comments into the themes of closed-round.md with their syntheses,
    the agency admin answers each and publishes the summary (which e-mails the sample participants)."""
    for key, fields in CLOSED_ROUND["themes"].items():
        theme = create_theme(moderator, rnd, fields["title"], fields["synthesis"])
        tag(moderator, theme, comment_ids=tagged[key])
        set_theme_disposition(admin, theme, fields["disposition"], fields["response"])
    publish_summary(rnd, admin)


def date_back(rnd: Round, now: dt.datetime) -> None:
    """Give the round its past period and its participation dates inside it (sample data only)."""
    opens_at = now - dt.timedelta(days=OPENED_DAYS_AGO)
    closes_at = now - dt.timedelta(days=CLOSED_DAYS_AGO)
    rnd.opens_at, rnd.closes_at, rnd.opened_at = opens_at, closes_at, opens_at
    span = (closes_at - opens_at).total_seconds() - 3600
    ids = db.session.scalars(sa.select(Comment.id).where(Comment.round_id == rnd.id).order_by(Comment.id)).all()
    for n, comment_id in enumerate(ids):
        at = opens_at + dt.timedelta(seconds=span * (n + 1) / (len(ids) + 1))
        db.session.execute(sa.update(Comment).where(Comment.id == comment_id).values(created_at=at))
        # an entry typed in for a citizen was received that day (the clerk typed it in at once)
        db.session.execute(
            sa.update(Comment)
            .where(Comment.id == comment_id, Comment.channel != "web")
            .values(assisted_on=(at + dt.timedelta(hours=7)).date())
        )
    comment_ids = sa.select(Comment.id).where(Comment.round_id == rnd.id).scalar_subquery()
    db.session.execute(
        sa.update(CommentVote)
        .where(CommentVote.comment_id.in_(comment_ids))
        .values(created_at=closes_at - dt.timedelta(days=2))
    )
    db.session.execute(
        sa.update(SectionStance)
        .where(SectionStance.round_id == rnd.id)
        .values(created_at=closes_at - dt.timedelta(days=3))
    )
