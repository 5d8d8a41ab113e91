"""A closed round's deliberation summary: its figures, the draft overview, publishing, and the answers shown.

Reads are aggregate queries only: a constant number of queries whatever the size of the round (a round may have
100,000 comments). Hidden comments are counted in the figures and never shown: every text that leaves this module
(most agreed comments, consensus, e-mails) comes from visible comments only.

Who may do what: the moderators and agency admins of the round's agency and site admins see and edit the draft
(`can_edit_summary`); agency admins and site admins publish it (`can_publish_summary`). Once published, the
summary (as frozen in Summary.published_json) is public.

Participants (decided here, the issue was silent): the distinct people who commented, voted or took a stance,
without the agency's own staff (their votes are left out of the opinion groups too, and their official comments
are the agency speaking), plus one person per comment entered by staff on a citizen's behalf (channel other than
web): such a comment is a citizen the web never saw.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa

from consult import audit, signals
from consult.accounts.models import User
from consult.agencies.services import can_manage_agency, can_moderate
from consult.deliberation import summary_text
from consult.deliberation.answers import answers_for_comments
from consult.deliberation.models import Summary, SummaryState, Theme, ThemeStatus
from consult.deliberation.summary_figures import CHANNELS, compute_summary, participation, without_hidden_since
from consult.errors import Conflict, Invalid, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.rounds.models import Round, RoundState
from consult.sanitize import render_comment
from consult.timeutil import iso_utc, utcnow

__all__ = ["CHANNELS", "answers_for_comments", "compute_summary", "participation"]

DISPOSITION_LABELS = {
    "adopted": _l("Adopted"),
    "partly_adopted": _l("Partly adopted"),
    "not_adopted": _l("Not adopted"),
    "out_of_scope": _l("Out of scope"),
}
CHANNEL_LABELS = {
    "web": _l("Website"),
    "counter": _l("Service counter"),
    "paper": _l("Paper"),
    "phone": _l("Phone"),
    "forum": _l("Public forum"),
}


def can_edit_summary(user: User | None, rnd: Round) -> bool:
    return can_moderate(user, rnd.agency)


def can_publish_summary(user: User | None, rnd: Round) -> bool:
    return can_manage_agency(user, rnd.agency)


def summary_row(round_id: int) -> Summary | None:
    return db.session.get(Summary, round_id)


def is_published(round_id: int) -> bool:
    return bool(db.session.scalar(sa.select(Summary.state).where(Summary.round_id == round_id)) == "published")


def summary_for(rnd: Round, viewer: User | None) -> dict[str, Any]:
    """The summary as `viewer` may see it: the frozen published one for everyone once published; before that the
    live draft for the agency's staff (NotFound for anyone else). Adds state, published_at, overview(_html)."""
    row = summary_row(rnd.id)
    if row is not None and row.state == SummaryState.PUBLISHED:
        data = without_hidden_since(rnd.id, row.published)
        data.update(state="published", published_at=iso_utc(row.published_at))
        return data
    if not can_edit_summary(viewer, rnd):
        raise NotFound()
    data = compute_summary(rnd)
    overview = row.overview if row is not None else draft_text(rnd, data)
    data.update(
        state="draft",
        published_at=None,
        overview=overview,
        overview_html=row.overview_html if row is not None else render_comment(overview),
    )
    return data


def draft_text(rnd: Round, data: dict[str, Any]) -> str:
    return summary_text.draft_overview(rnd.title, rnd.agency.name, data)


def unanswered_themes(round_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Theme.title)
            .where(Theme.round_id == round_id, Theme.status == ThemeStatus.ACCEPTED, Theme.disposition_value.is_(None))
            .order_by(Theme.position, Theme.id)
        )
    )


# --- writing ---------------------------------------------------------------------------------------------------


def _ensure_row(rnd: Round, user: User | None) -> Summary:
    """The round's Summary row, created with the drafted overview (call inside a write transaction)."""
    row = db.session.get(Summary, rnd.id, populate_existing=True)
    if row is None:
        text = draft_text(rnd, compute_summary(rnd))
        row = Summary(round_id=rnd.id, state=SummaryState.DRAFT, overview=text, overview_html=render_comment(text))
        db.session.add(row)
        db.session.flush()
    return row


def update_overview(rnd: Round, user: User | None, text: str) -> Summary:
    """Staff (can_edit_summary) change the overview text of the draft; sanitised. 409 once published.
    Audited as "summary.edited" (the text is public once published)."""
    if not can_edit_summary(user, rnd):
        raise NotAllowed()
    text = (text or "").strip()
    if len(text) > 20000:
        raise Invalid(fields={"overview": _l("At most 20,000 characters.")})
    with write_transaction():
        row = _ensure_row(rnd, user)
        if row.state == SummaryState.PUBLISHED:
            raise Conflict(_l("The summary is published and can no longer be changed."))
        row.overview, row.overview_html = text, render_comment(text)
        row.updated_at, row.updated_by_id = utcnow(), user.id
        audit.record(
            "summary.edited", None, {"chars": len(text)}, actor=user, subject_type="summaries", subject_id=rnd.id
        )
    return row


def publish_summary(rnd: Round, user: User | None) -> dict[str, Any]:
    """An agency admin (or site admin) publishes the closed round's summary with every theme answered.

    403 for anyone else; 409 while the round is not closed, once published, or while accepted themes have no
    disposition (the message lists them). Freezes the figures in published_json, records "summary.published"
    and sends signals.summary_published in the same transaction (the scheduler then queues the e-mails in batches
    and records notified_at). Returns the published summary."""
    if not can_publish_summary(user, rnd):
        raise NotAllowed(_l("Only the agency's admins publish the summary."))
    if rnd.state != RoundState.CLOSED:
        raise Conflict(_l("The round is not closed yet: the summary is published after the close."))
    with write_transaction():
        row = _ensure_row(rnd, user)
        if row.state == SummaryState.PUBLISHED:
            raise Conflict(_l("The summary is already published."))
        missing = unanswered_themes(rnd.id)
        if missing:
            raise Conflict(
                _l("These themes have no answer from the agency yet: %(themes)s.", themes="; ".join(missing))
            )
        data = compute_summary(rnd)
        data["overview"], data["overview_html"] = row.overview, row.overview_html
        now = utcnow()
        row.state, row.published_at, row.published_by_id = SummaryState.PUBLISHED, now, user.id
        row.published_json = json.dumps(data, ensure_ascii=False, sort_keys=True)
        # the round's pages now show the answers under each comment: their anonymous copies are made again
        db.session.execute(sa.update(Round).where(Round.id == rnd.id).values(public_revision=Round.public_revision + 1))
        audit.record(
            "summary.published",
            None,
            {
                "round_id": rnd.id,
                "themes": len(data["themes"]),
                "participants": data["participation"]["participants"],
                # what the archives' summary.json holds, so a monitor can check it against the chain
                "summary_sha256": hashlib.sha256(
                    audit.canonical_json(json.loads(row.published_json)).encode()
                ).hexdigest(),
            },
            actor=user,
            subject_type="summaries",
            subject_id=rnd.id,
        )
        # the e-mails to everyone who took part are queued by the scheduler (notifications.summary_mail), in
        # batches and outside this transaction: a round of 30,000 people must not hold the write lock for minutes
        signals.summary_published.send(rnd, summary=row)
    return summary_for(rnd, user)


def get_round_or_404(round_id: int) -> Round:
    rnd = db.session.get(Round, round_id)
    if rnd is None:
        raise NotFound()
    return rnd
