"""Importing a Polis export as a closed round of an imported document (`flask polis import DIR`).

`import_polis_export(export, agency_slug=…)` writes, in ONE write transaction (all or nothing):

- the agency: the given one, or the dedicated agency "impor-polis" (created once, audited as "agency.created");
- a policy Document titled from the export's topic (else the folder's name) with a published version of one
  section: a short description, the conversation's own description (quoted, so its headings make no sections),
  the source URL and the CC BY attribution ("version.published", as for any publication);
- a closed Round, origin "imported", open from the first to the last time in the export (the import time when
  it has none), with source_url, source_attribution and external_id (the conversation id). Its "opened" and
  "closed" round events are recorded with it and `opened_at` is its opening time, so the scheduler neither
  announces nor audits an opening or a closing that never happened here;
- one account per Polis participant (authors and voters) that can never log in: an unusable password hash,
  is_active_account false, no confirmed address, and an address on the reserved `.invalid` domain (e-mail
  validation refuses that domain, so nobody can register it) holding the round's id, so two imports never
  collide; its Participant has a fresh pseudonym, as live rounds give, and external_id = the Polis id;
- the comments with external_id = the Polis comment-id, created_at from the export, the body rendered by the
  one sanitiser. Comments Polis moderated out (moderated -1) are kept, hidden, with a public reason and
  `moderation_rule_title` = "Polis" while `moderation_rule` stays empty: the mark of a comment hidden at its
  source (Comment.hidden_at_source). A comment hidden automatically after reports, pending review, has neither,
  and only reports put a comment in the moderators' queue, so these never reach it. Without comments.csv the
  body is a placeholder saying the text was not in the export;
- the votes as comment_votes (created_at: the pair's first vote, updated_at: its latest), and every counter
  they and the comments move, computed from the same arrays that are written: comments' agree/disagree/pass
  counts, rounds.comment_count and the section's section_stats row (visible comments);
- one "round.imported" audit entry with the source and the counts.

Speed: ids are reserved up front (bulk.reserve_ids) and the rows written by COPY on PostgreSQL and executemany
of plain tuples on SQLite (consult.deliberation.bulk); two million votes take seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable
from urllib.parse import urlparse

import numpy as np
import sqlalchemy as sa
from flask_babel import gettext as _

from consult import audit
from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.agencies.services import create_agency
from consult.deliberation.bulk import large_cache, reserve_ids, sql_times, write_rows
from consult.deliberation.polis_export import PolisExport
from consult.documents.models import DocumentKind
from consult.documents.services import create_document, publish_version
from consult.errors import NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.participation.models import Comment, CommentStatus, Participant, SectionStats
from consult.participation.services import PSEUDONYM_ALPHABET
from consult.rounds.models import Round, RoundEvent, RoundEventKind, RoundOrigin
from consult.sanitize import render_comment
from consult.timeutil import iso_utc, utcnow

ACTOR = "polis-import"  # the audit chain's actor when the operator imports on the command line
AGENCY_SLUG = "impor-polis"
AGENCY_NAME = "Percakapan Polis yang Diimpor"
AGENCY_DESCRIPTION = (
    "Percakapan yang diadakan di Polis (pol.is) dan diimpor ke situs ini sebagai catatan publik, dengan sumber "
    "dan atribusinya. Bukan instansi pemerintah."
)
SOURCE_MARK = "Polis"  # comments.moderation_rule_title of a comment hidden at its source (no house rule here)
EMAIL_DOMAIN = "impor-polis.invalid"  # reserved (RFC 2606): no registration can use it, no mail can reach it
MAX_TITLE = 200
MAX_DESCRIPTION = 5000


EPOCH = dt.datetime(1970, 1, 1)


def _ms_to_datetime(ms: int) -> dt.datetime:
    return EPOCH + dt.timedelta(milliseconds=int(ms))


def _ms(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(milliseconds=1)


def _sql_time(moment: dt.datetime) -> str:
    return str(sql_times(np.array([_ms(moment)]))[0])


def _title(export: PolisExport) -> str:
    title = " ".join((export.topic or "").split()) or export.folder.name
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"


def _source_url(url: str | None) -> str | None:
    """The export's URL when it is a web address (http or https with a host): the round page links it."""
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme in ("http", "https") and parsed.netloc and len(url) <= 500:
        return url
    return None


def conversation_id(export: PolisExport) -> str:
    """The Polis conversation id: the last part of the URL's path (https://pol.is/4yy3sh84js), else the folder's
    name."""
    path = urlparse((export.url or "").strip()).path.rstrip("/")
    return (path.rsplit("/", 1)[-1] if path else "") or export.folder.name[:100]


def _agency(actor: User | str, slug: str | None) -> Agency:
    if slug is not None:
        agency = db.session.scalar(sa.select(Agency).where(Agency.slug == slug.strip().lower()))
        if agency is None:
            raise NotFound(_l("There is no agency with the short name %(slug)s.", slug=slug))
        return agency
    agency = db.session.scalar(sa.select(Agency).where(Agency.slug == AGENCY_SLUG))
    return agency or create_agency(actor, AGENCY_SLUG, AGENCY_NAME, AGENCY_DESCRIPTION)


def _section_markdown(export: PolisExport, source_url: str | None) -> str:
    lines = [
        "## " + _("About this conversation"),
        "",
        _(
            "This consultation was held on Polis, where participants wrote short statements and voted agree, "
            "disagree or pass on the statements of others. Its statements and votes were imported here as the "
            "public record; it no longer accepts participation."
        ),
        "",
    ]
    description = (export.summary.get("conversation-description") or "").strip()[:MAX_DESCRIPTION]
    if description:  # quoted: its headings stay inside this one section
        lines += [_("The conversation's own description:"), ""]
        lines += ["> " + line if line.strip() else ">" for line in description.splitlines()]
        lines.append("")
    if source_url:
        lines += [_("Source: %(url)s", url=f"<{source_url}>"), ""]
    lines.append(export.attribution)
    return "\n".join(lines) + "\n"


def _times(export: PolisExport, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The round's opening and closing: the first and last moment in the export (votes and comments), never
    later than now; the import time when the export has no times. Closing is after opening (the schema's check)."""
    stamps = [c.created_ms for c in export.comments if c.created_ms is not None]
    lows, highs = list(stamps), list(stamps)
    if export.timestamps is not None and export.timestamps.size:
        lows.append(int((export.first_timestamps if export.first_timestamps is not None else export.timestamps).min()))
        highs.append(int(export.timestamps.max()))
    closes = min(_ms_to_datetime(max(highs)), now) if highs else now
    opens = min(_ms_to_datetime(min(lows)), closes) if lows else closes
    return min(opens, closes - dt.timedelta(seconds=1)), closes


def _pseudonyms(n: int) -> list[str]:
    """`n` distinct pseudonyms, drawn as participation draws them (Warga- and five random characters)."""
    taken: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        pseudonym = "Warga-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(5))
        if pseudonym not in taken:
            taken.add(pseudonym)
            out.append(pseudonym)
    return out


def import_polis_export(
    export: PolisExport,
    *,
    agency_slug: str | None = None,
    actor: User | str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Round:
    """Import a Polis export (read by read_polis_export) as a closed round; see the module's docstring.

    The operator (actor None or a name) may import into any agency; a person must manage the agency (and be a
    site admin for the dedicated agency to be created), as the document services check. An unknown
    `agency_slug` is NotFound. One write transaction: on any error nothing is written.
    """
    actor = actor or ACTOR
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    now = utcnow()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # milliseconds, as every time of the export
    opens_at, closes_at = _times(export, now)
    source_url = _source_url(export.url)
    title = _title(export)

    # --- who took part: every voter and every author, in Polis id order; one extra for authorless comments ---
    authors = [c.author_id for c in export.comments]
    known_authors = np.array([a for a in authors if a is not None], dtype=np.int64)
    polis_ids = np.unique(np.concatenate([export.participant_ids, known_authors]))
    anonymous_author = any(a is None for a in authors)
    n_people = polis_ids.size + int(anonymous_author)
    vote_person = np.searchsorted(polis_ids, export.participant_ids)
    comment_ids = np.array([c.comment_id for c in export.comments], dtype=np.int64)  # sorted by the reader
    vote_comment = np.searchsorted(comment_ids, export.comment_ids)
    values = export.values.astype(np.int64)
    n_comments, n_votes = comment_ids.size, int(values.size)
    tallies = {v: np.bincount(vote_comment[values == v], minlength=n_comments) for v in (1, -1, 0)}

    # when each person first appears (their first vote or comment), for participants.created_at
    first_ms = np.full(n_people, np.iinfo(np.int64).max, dtype=np.int64)
    vote_first = export.first_timestamps if export.first_timestamps is not None else export.timestamps
    if vote_first is not None and vote_first.size:
        np.minimum.at(first_ms, vote_person, vote_first)
    author_index = []
    for c in export.comments:
        person = int(np.searchsorted(polis_ids, c.author_id)) if c.author_id is not None else n_people - 1
        author_index.append(person)
        if c.created_ms is not None:
            first_ms[person] = min(first_ms[person], c.created_ms)
    opens_ms = _ms(opens_at)
    first_ms[first_ms == np.iinfo(np.int64).max] = opens_ms

    hidden_reason = _(
        "Moderated out in the original Polis conversation, before it was imported here: its text is not shown."
    )
    placeholder = _("The text of this statement is not in the Polis export (it came without comments.csv).")
    bodies = [(c.text or "").replace("\r\n", "\n").strip() or placeholder for c in export.comments]
    bodies_html = [render_comment(body) for body in bodies]  # before the transaction: SQLite's writers wait
    hidden = [c.moderated == -1 for c in export.comments]
    visible_count = n_comments - sum(hidden)
    say(f"Writing the document, the round, {n_people} participants and {n_comments} comments…")

    with write_transaction():
        agency = _agency(actor, agency_slug)
        document = create_document(
            actor,
            agency,
            DocumentKind.POLICY,
            title,
            _("Imported from a Polis conversation"),
            markdown=_section_markdown(export, source_url),
            split_level=2,
        )
        version = publish_version(actor, document.latest_version)
        section_id = version.sections[0].id
        rnd = Round(
            agency_id=agency.id,
            document_id=document.id,
            version_id=version.id,
            title=title,
            opens_at=opens_at,
            closes_at=closes_at,
            opened_at=opens_at,
            origin=RoundOrigin.IMPORTED,
            comment_count=visible_count,
            created_by_id=None if isinstance(actor, str) else actor.id,
            source_url=source_url,
            source_attribution=export.attribution,
            external_id=conversation_id(export)[:100],
        )
        db.session.add(rnd)
        db.session.flush()
        round_id = rnd.id
        for kind, at in ((RoundEventKind.OPENED, opens_at), (RoundEventKind.CLOSED, closes_at)):
            db.session.add(RoundEvent(round_id=round_id, kind=kind.value, for_time=at, created_at=now))
        tally = SectionStats(round_id=round_id, section_id=section_id, support=0, oppose=0, neutral=0)
        tally.comments = visible_count
        db.session.add(tally)
        db.session.flush()

        # --- accounts that can never log in, and their participants ------------------------------------------
        user_ids = reserve_ids(User.__table__, n_people)
        external = [str(p) for p in polis_ids.tolist()] + ([None] * int(anonymous_author))
        labels = [e if e is not None else "tanpa-penulis" for e in external]
        unusable = "!" + secrets.token_hex(16)  # not a werkzeug hash: no password matches it
        now_text = _sql_time(now)
        write_rows(
            "users",
            (
                "id", "email", "name", "password_hash", "is_verified", "is_admin", "is_observer",
                "is_active_account", "show_name", "session_token", "created_at",
            ),
            (
                user_ids,
                [f"polis-{round_id}-{label}@{EMAIL_DOMAIN}" for label in labels],
                [f"Peserta Polis {label}" for label in labels],
                [unusable] * n_people,
                [False] * n_people,
                [False] * n_people,
                [False] * n_people,
                [False] * n_people,
                [False] * n_people,
                [secrets.token_urlsafe(24) for _ in range(n_people)],
                [now_text] * n_people,
            ),
        )  # fmt: skip
        participant_ids = reserve_ids(Participant.__table__, n_people)
        write_rows(
            "participants",
            ("id", "round_id", "user_id", "pseudonym", "show_name", "created_at", "external_id"),
            (
                participant_ids,
                [round_id] * n_people,
                user_ids,
                _pseudonyms(n_people),
                [False] * n_people,
                sql_times(first_ms),
                external,
            ),
        )

        # --- comments, their counters already known from the votes ---------------------------------------------
        db_comment_ids = reserve_ids(Comment.__table__, n_comments)
        created = sql_times(np.array([c.created_ms if c.created_ms is not None else opens_ms for c in export.comments]))
        write_rows(
            "comments",
            (
                "id", "round_id", "section_id", "participant_id", "author_id", "body", "body_html", "status",
                "created_at", "agree_count", "disagree_count", "pass_count", "reply_count", "report_count",
                "hidden_at", "moderation_rule_title", "moderation_reason", "external_id",
            ),
            (
                db_comment_ids,
                [round_id] * n_comments,
                [section_id] * n_comments,
                participant_ids[author_index],
                user_ids[author_index],
                bodies,
                bodies_html,
                [str(CommentStatus.HIDDEN if h else CommentStatus.VISIBLE) for h in hidden],
                created,
                tallies[1],
                tallies[-1],
                tallies[0],
                [0] * n_comments,
                [0] * n_comments,
                [now_text if h else None for h in hidden],
                [SOURCE_MARK if h else None for h in hidden],
                [hidden_reason if h else None for h in hidden],
                [str(c.comment_id) for c in export.comments],
            ),
        )  # fmt: skip

        # --- votes: the big table ---------------------------------------------------------------------------
        say(f"Writing {n_votes} votes…")
        if export.timestamps is not None:
            updated = export.timestamps
            first = export.first_timestamps if export.first_timestamps is not None else updated
        else:  # participants-votes.csv has no times: the votes were cast by the round's close
            updated = first = np.full(n_votes, _ms(closes_at), dtype=np.int64)
        # In person order, then comment: the (user, comment) index is written in order, and the UNIQUE (comment,
        # user) one at one place per comment (783 hot pages, not two million random ones): five times faster.
        order = np.lexsort((vote_comment, vote_person))
        with large_cache():
            write_rows(
                "comment_votes",
                ("comment_id", "user_id", "value", "created_at", "updated_at"),
                (
                    db_comment_ids[vote_comment[order]],
                    user_ids[vote_person[order]],
                    values[order],
                    first[order],
                    updated[order],
                ),
                times=("created_at", "updated_at"),
                text_safe=True,
            )
        audit.record(
            "round.imported",
            rnd,
            {
                "agency": agency.slug,
                "document_id": document.id,
                "version": version.number,
                "title": title,
                "opens_at": iso_utc(opens_at),
                "closes_at": iso_utc(closes_at),
                "source": "polis",
                "source_url": source_url,
                "external_id": rnd.external_id,
                "votes_source": export.votes_source,
                "participants": n_people,
                "comments": n_comments,
                "hidden": n_comments - visible_count,
                "votes": n_votes,
            },
            actor=actor,
        )
    say(f"Imported in {time.perf_counter() - started:.1f} s.")
    return rnd
