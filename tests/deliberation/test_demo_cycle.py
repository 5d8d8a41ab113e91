"""The demo shows the whole cycle: its closed round has comments from every channel, a campaign, opinion groups,
themes answered by the agency and a published summary (consult/demo_closed.py, demo_text/closed-round.md)."""

from __future__ import annotations

import sqlalchemy as sa

from consult import audit
from consult.deliberation.models import Campaign, Summary, Theme
from consult.extensions import db
from consult.notifications.models import OutboxMessage
from consult.participation.models import Comment
from consult.rounds.models import Round, RoundState

HOST = {"Host": "127.0.0.1:5000"}


def _closed_round() -> Round:
    from consult.demo_content import CLOSED_POLICY

    return db.session.scalar(sa.select(Round).where(Round.title == CLOSED_POLICY["title"]))


def test_the_demo_closed_round_shows_the_second_half_of_a_consultation(client):
    from consult.demo import load_demo
    from consult.demo_content import CLOSED_ROUND

    load_demo()
    rnd = _closed_round()
    assert rnd.state == RoundState.CLOSED
    channels = dict(
        db.session.execute(
            sa.select(Comment.channel, sa.func.count()).where(Comment.round_id == rnd.id).group_by(Comment.channel)
        ).all()
    )
    assert set(channels) == {"web", "counter", "paper", "phone", "forum"}
    # every comment dated inside the round's period
    first, last = db.session.execute(
        sa.select(sa.func.min(Comment.created_at), sa.func.max(Comment.created_at)).where(Comment.round_id == rnd.id)
    ).one()
    assert rnd.opens_at < first and last < rnd.closes_at
    for comment in db.session.scalars(sa.select(Comment).where(Comment.round_id == rnd.id, Comment.channel != "web")):
        assert comment.entered_by_id is not None and comment.assisted_place
        assert comment.created_at.date() <= comment.assisted_on <= rnd.closes_at.date()

    [campaign] = db.session.scalars(sa.select(Campaign).where(Campaign.round_id == rnd.id)).all()
    assert campaign.size == len(CLOSED_ROUND["campaign"]["copies"])
    opinion = client.get(f"/api/v1/rounds/{rnd.id}/opinion", headers=HOST).get_json()
    assert opinion["k"] >= 2 and opinion["final"] is True

    themes = db.session.scalars(sa.select(Theme).where(Theme.round_id == rnd.id)).all()
    assert len(themes) == len(CLOSED_ROUND["themes"]) and all(t.disposition_value for t in themes)
    summary = db.session.get(Summary, rnd.id)
    assert summary.state == "published"
    from consult.notifications.jobs import queue_summary_mails
    from consult.timeutil import utcnow

    assert queue_summary_mails(utcnow())["queued"] >= 16  # the sample citizens who took part

    body = client.get(f"/api/v1/rounds/{rnd.id}/summary", headers=HOST).get_json()
    assert body["state"] == "published"
    assert body["participation"]["by_channel"]["counter"] == 1
    work = next(t for t in body["themes"] if t["title"] == CLOSED_ROUND["themes"]["sore"]["title"])
    # the campaign counts once among the theme's comments, every copy among its signatures
    assert work["signature_count"] - work["comment_count"] == campaign.size - 1
    assert work["disposition"]["value"] == "partly_adopted"

    page = client.get(f"/rounds/{rnd.id}/ringkasan")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for fields in CLOSED_ROUND["themes"].values():
        assert fields["title"] in html
    # the e-mails went to the sample citizens who took part, never to the placeholders of counter entries
    addresses = db.session.scalars(sa.select(OutboxMessage.to_addr)).all()
    assert sum(a.startswith("warga") and a.endswith("@contoh.example") for a in addresses) >= 16
    assert not any(a.endswith(".invalid") for a in addresses)
    assert audit.verify().ok
