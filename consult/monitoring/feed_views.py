"""Atom 1.0 feeds for monitors and feed readers (CONTRACT.md, "The public record"):

- /feeds/rounds.atom[?instansi=SLUG]       new rounds, openings, closings, extensions, summaries, adopted versions
- /feeds/moderation.atom[?instansi=SLUG]   the public moderation log
- /rounds/<id>/feed.atom                   one round: its life, its moderation decisions, its frozen archives

Every feed carries the signed audit head of the moment it was written (<audit:head>, docs/VERIFY.md). Feeds are
public and the same for everyone: cached for five minutes, with an ETag so that a reader polling an unchanged
feed gets 304 and no body.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, make_response, request
from flask_babel import get_locale
from flask_babel import gettext as _

from consult import audit
from consult.agencies.services import get_agency
from consult.monitoring import feeds, keys
from consult.monitoring.atom import build_feed
from consult.rounds.services import get_round
from consult.timeutil import utcnow
from consult.web import public_url

bp = Blueprint("feeds", __name__)
MAX_AGE = 300


def _serve(*, feed_id: str, title: str, self_url: str, alternate_url: str, entries, fallback, subtitle: str):
    body = build_feed(
        feed_id=feeds.tag(feed_id),
        title=title,
        subtitle=subtitle,
        self_url=self_url,
        alternate_url=alternate_url,
        entries=entries,
        updated=feeds.newest_time(entries, fallback),
        language=str(get_locale() or "id"),
        audit_head=keys.sign(audit.head()),
    )
    response = make_response(body)
    response.mimetype = "application/atom+xml"
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


def _agency():
    slug = request.args.get("instansi")
    return get_agency(slug) if slug else None


@bp.get("/feeds/rounds.atom")
def rounds():
    agency = _agency()
    if agency:
        title = _("Consultations of %(agency)s", agency=agency.name)
        alternate = public_url("rounds.index", instansi=agency.slug)
    else:
        title = _("Public consultations")
        alternate = public_url("rounds.home")
    return _serve(
        feed_id=f"feeds/rounds/{agency.slug}" if agency else "feeds/rounds",
        title=title,
        subtitle=_("New consultations, openings, closings, extensions, summaries and adopted versions."),
        self_url=public_url("feeds.rounds", **({"instansi": agency.slug} if agency else {})),
        alternate_url=alternate,
        entries=feeds.rounds(agency.id if agency else None),
        fallback=agency.created_at if agency else utcnow(),
    )


@bp.get("/feeds/moderation.atom")
def moderation():
    agency = _agency()
    return _serve(
        feed_id=f"feeds/moderation/{agency.slug}" if agency else "feeds/moderation",
        title=_("Moderation log of %(agency)s", agency=agency.name) if agency else _("Moderation log"),
        subtitle=_("Every moderation decision, newest first. Moderators appear under a pseudonym."),
        self_url=public_url("feeds.moderation", **({"instansi": agency.slug} if agency else {})),
        alternate_url=public_url("moderation.log", **({"instansi": agency.slug} if agency else {})),
        entries=feeds.moderation(agency.id if agency else None),
        fallback=agency.created_at if agency else utcnow(),
    )


@bp.get("/rounds/<int:round_id>/feed.atom")
def round_feed(round_id: int):
    rnd = get_round(round_id)
    return _serve(
        feed_id=f"round/{rnd.id}/feed",
        title=rnd.title,
        subtitle=_(
            "What happens to this consultation: its times, moderation decisions, summary, adopted version and archives."
        ),
        self_url=public_url("feeds.round_feed", round_id=rnd.id),
        alternate_url=public_url("participation.round_page", round_id=rnd.id),
        entries=feeds.round_feed(rnd),
        fallback=rnd.created_at,
    )
