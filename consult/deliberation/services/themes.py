"""Themes of a closed round: create, rename, tag comments (one, a selection, a campaign, a section), merge.

Who: moderators and agency admins of the round's agency, and site admins (can_deliberate); the agency's answers
are consult.deliberation.services.dispositions (agency admins: can_answer). When: only once the round is closed
(an imported round is closed) and until its summary is published, after which the record is frozen (409).
Every change is one write transaction with the round's row locked and its audit entry (consult.audit.record).
Bulk tagging is all or nothing: every id is checked before anything is written, and a repeated call changes
nothing (INSERT … ON CONFLICT DO NOTHING) and is not audited again.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from consult import audit, sanitize
from consult.agencies.services import can_manage_agency, can_moderate
from consult.db import dialect_insert
from consult.deliberation.models import (
    Campaign,
    CampaignMember,
    Summary,
    SummaryState,
    Theme,
    ThemeComment,
    ThemeStatus,
)
from consult.deliberation.services.common import get_round, locked_round
from consult.documents.models import Section
from consult.errors import Conflict, Invalid, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.params import MAX_ID
from consult.participation.models import Comment, CommentStatus
from consult.rounds.models import Round, RoundOrigin, RoundState
from consult.timeutil import utcnow

MAX_TITLE = 200
MAX_SYNTHESIS = 20_000
MAX_IDS = 1000  # comment ids in one tagging request


def can_deliberate(user: Any, rnd: Round) -> bool:
    """Moderators and agency admins of the round's agency, and site admins: themes, tags, syntheses."""
    return user is not None and getattr(user, "is_authenticated", False) and can_moderate(user, rnd.agency)


def can_answer(user: Any, rnd: Round) -> bool:
    """Agency admins of the round's agency, and site admins: the agency's answers (dispositions)."""
    return user is not None and getattr(user, "is_authenticated", False) and can_manage_agency(user, rnd.agency)


def is_deliberation_open(rnd: Round) -> bool:
    """Closed (an imported round always is) and its summary not published yet."""
    closed = rnd.origin == RoundOrigin.IMPORTED or rnd.state == RoundState.CLOSED
    return closed and not is_published(rnd.id)


def is_published(round_id: int) -> bool:
    summary = db.session.get(Summary, round_id)
    return summary is not None and summary.state == SummaryState.PUBLISHED


def check_writable(user: Any, rnd: Round, *, answer: bool = False) -> None:
    """403 for someone who may not, then 409 for a round that is not closed or whose summary is published."""
    if not (can_answer if answer else can_deliberate)(user, rnd):
        if answer:
            raise NotAllowed(_l("Only the admins of this agency can answer the comments of its rounds."))
        raise NotAllowed(_l("Only the moderators and admins of this agency can work on the themes of its rounds."))
    if not (rnd.origin == RoundOrigin.IMPORTED or rnd.state == RoundState.CLOSED):
        raise Conflict(_l("This round is still open: themes, tags and answers can only be made once it has closed."))
    if is_published(rnd.id):
        raise Conflict(
            _l(
                "The summary of this round is published: its themes and answers are part of the public record and "
                "can no longer be changed."
            )
        )


def get_theme(theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        raise NotFound()
    return theme


def theme_round(theme: Theme) -> Round:
    return get_round(theme.round_id)


def clean_title(value: Any, errors: dict) -> str | None:
    if value is None or not isinstance(value, str) or not value.strip():
        errors["title"] = _l("A theme needs a title.")
        return None
    title = " ".join(value.split())
    if len(value) > MAX_TITLE:
        errors["title"] = _l("At most %(n)s characters.", n=MAX_TITLE)
        return None
    return title


def clean_synthesis(value: Any, errors: dict) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        errors["synthesis"] = _l("Must be a string.")
        return None
    if len(value) > MAX_SYNTHESIS:
        errors["synthesis"] = _l("At most %(n)s characters.", n=MAX_SYNTHESIS)
        return None
    return value.strip()


def _set_synthesis(theme: Theme, synthesis: str) -> None:
    theme.synthesis = synthesis
    theme.synthesis_html = sanitize.render_comment(synthesis) if synthesis else ""


def _next_position(round_id: int) -> int:
    return (db.session.scalar(sa.select(sa.func.max(Theme.position)).where(Theme.round_id == round_id)) or 0) + 1


def create_theme(user: Any, rnd: Round, title: Any, synthesis: Any = None) -> Theme:
    """A new accepted theme of a closed round. 422 "title" without one or over 200 characters."""
    check_writable(user, rnd)
    errors: dict = {}
    title = clean_title(title, errors)
    synthesis = clean_synthesis(synthesis, errors)
    if errors:
        raise Invalid(fields=errors)
    with write_transaction():
        locked_round(rnd.id)
        theme = Theme(
            round_id=rnd.id,
            title=title,
            status=ThemeStatus.ACCEPTED,
            position=_next_position(rnd.id),
            created_by_id=user.id,
        )
        _set_synthesis(theme, synthesis or "")
        db.session.add(theme)
        audit.record("theme.created", theme, {"round_id": rnd.id, "title": title}, actor=user)
    return theme


def update_theme(user: Any, theme: Theme, *, title: Any = None, synthesis: Any = None) -> Theme:
    """Rename a theme and/or change its synthesis (None: unchanged)."""
    rnd = theme_round(theme)
    check_writable(user, rnd)
    errors: dict = {}
    new_title = clean_title(title, errors) if title is not None else None
    new_synthesis = clean_synthesis(synthesis, errors)
    if errors:
        raise Invalid(fields=errors)
    with write_transaction():
        locked_round(rnd.id)
        changed = []
        if new_title is not None and new_title != theme.title:
            theme.title = new_title
            changed.append("title")
        if new_synthesis is not None and new_synthesis != theme.synthesis:
            _set_synthesis(theme, new_synthesis)
            changed.append("synthesis")
        if changed:
            theme.updated_at = utcnow()
            audit.record("theme.updated", theme, {"round_id": rnd.id, "changed": changed}, actor=user)
    return theme


def delete_theme(user: Any, theme: Theme) -> None:
    rnd = theme_round(theme)
    check_writable(user, rnd)
    with write_transaction():
        locked_round(rnd.id)
        audit.record("theme.deleted", theme, {"round_id": rnd.id, "title": theme.title}, actor=user)
        db.session.execute(sa.delete(ThemeComment).where(ThemeComment.theme_id == theme.id))
        db.session.delete(theme)


def _ids_of(value: Any) -> list[int] | None:
    if not isinstance(value, list) or not value or len(value) > MAX_IDS:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v <= MAX_ID for v in value):
        return None
    return sorted(set(value))


def tagged_selection(
    rnd: Round, *, comment_ids: Any = None, campaign_id: Any = None, section_key: Any = None
) -> tuple[list[int], dict[str, Any]]:
    """The comment ids a tagging request names, every one checked (422 naming the field), and what to audit."""
    given = [
        name
        for name, v in (("comment_ids", comment_ids), ("campaign_id", campaign_id), ("section_key", section_key))
        if v is not None
    ]
    if len(given) != 1:
        message = _l("Give exactly one of comment_ids, campaign_id or section_key.")
        raise Invalid(fields=dict.fromkeys(given or ["comment_ids"], message))
    if comment_ids is not None:
        ids = _ids_of(comment_ids)
        if ids is None:
            raise Invalid(
                fields={"comment_ids": _l("A list of 1 to %(n)s comment ids (positive whole numbers).", n=MAX_IDS)}
            )
        found = set(db.session.scalars(sa.select(Comment.id).where(Comment.id.in_(ids), Comment.round_id == rnd.id)))
        missing = [i for i in ids if i not in found]
        if missing:
            raise Invalid(
                fields={
                    "comment_ids": _l(
                        "No comment of this round has these ids: %(ids)s.", ids=", ".join(map(str, missing[:20]))
                    )
                }
            )
        return ids, {"comments": len(ids)}
    if campaign_id is not None:
        campaign = None
        if isinstance(campaign_id, int) and not isinstance(campaign_id, bool):
            campaign = db.session.get(Campaign, campaign_id)
        if campaign is None or campaign.round_id != rnd.id:
            raise Invalid(fields={"campaign_id": _l("This round has no campaign with this id.")})
        ids = list(
            db.session.scalars(
                sa.select(CampaignMember.comment_id)
                .where(CampaignMember.campaign_id == campaign.id)
                .order_by(CampaignMember.comment_id)
            )
        )
        return ids, {"campaign_id": campaign.id, "comments": len(ids)}
    key = section_key if isinstance(section_key, str) else ""
    section = next((s for s in rnd.version.sections if s.key == key), None) if key else None
    if section is None:
        raise Invalid(fields={"section_key": _l("This round's document has no section with this key.")})
    ids = list(
        db.session.scalars(
            sa.select(Comment.id)
            .join(Section, Section.id == Comment.section_id)
            .where(
                Comment.round_id == rnd.id,
                Section.key == key,
                Comment.status == CommentStatus.VISIBLE,
                Comment.official_role.is_(None),
            )
            .order_by(Comment.id)
        )
    )
    if not ids:
        raise Invalid(fields={"section_key": _l("This section has no visible comments to tag.")})
    return ids, {"section_key": key, "comments": len(ids)}


def insert_tags(theme_id: int, comment_ids: list[int], user_id: int | None) -> int:
    """Tag the comments (those already tagged stay as they are); how many were new."""
    if not comment_ids:
        return 0
    before = db.session.scalar(sa.select(sa.func.count()).where(ThemeComment.theme_id == theme_id))
    now = utcnow()
    for start in range(0, len(comment_ids), 500):
        rows = [
            {"theme_id": theme_id, "comment_id": cid, "created_at": now, "created_by_id": user_id}
            for cid in comment_ids[start : start + 500]
        ]
        db.session.execute(dialect_insert(ThemeComment).values(rows).on_conflict_do_nothing())
    after = db.session.scalar(sa.select(sa.func.count()).where(ThemeComment.theme_id == theme_id))
    return after - before


def tag(user: Any, theme: Theme, *, comment_ids: Any = None, campaign_id: Any = None, section_key: Any = None) -> int:
    """Tag comments into an accepted theme: a list of ids, every member of a campaign of this round, or every
    visible comment of a section. All or nothing; repeating it changes nothing. How many were newly tagged."""
    rnd = theme_round(theme)
    check_writable(user, rnd)
    if theme.status != ThemeStatus.ACCEPTED:
        raise Conflict(_l("Accept this suggested theme before tagging comments into it."))
    ids, what = tagged_selection(rnd, comment_ids=comment_ids, campaign_id=campaign_id, section_key=section_key)
    with write_transaction():
        locked_round(rnd.id)
        added = insert_tags(theme.id, ids, user.id)
        if added:
            audit.record("theme.tagged", theme, {"theme_id": theme.id, "added": added, **what}, actor=user)
    return added


def untag(user: Any, theme: Theme, comment_ids: Any) -> int:
    """Take comments out of a theme; how many were in it."""
    rnd = theme_round(theme)
    check_writable(user, rnd)
    ids = _ids_of(comment_ids)
    if ids is None:
        raise Invalid(
            fields={"comment_ids": _l("A list of 1 to %(n)s comment ids (positive whole numbers).", n=MAX_IDS)}
        )
    with write_transaction():
        locked_round(rnd.id)
        removed = db.session.execute(
            sa.delete(ThemeComment)
            .where(ThemeComment.theme_id == theme.id, ThemeComment.comment_id.in_(ids))
            .execution_options(synchronize_session=False)
        ).rowcount
        if removed:
            audit.record("theme.untagged", theme, {"theme_id": theme.id, "removed": removed}, actor=user)
    return removed


def merge(user: Any, target: Theme, sources: list[Theme]) -> Theme:
    """Move the comments of `sources` into `target` (a union: a comment in both is there once), then delete the
    sources. All must be themes of the same round; the target is accepted."""
    rnd = theme_round(target)
    check_writable(user, rnd)
    sources = [s for s in sources if s.id != target.id]
    if not sources:
        raise Invalid(fields={"sources": _l("Choose at least one other theme to merge into this one.")})
    if any(s.round_id != target.round_id for s in sources):
        raise Invalid(fields={"sources": _l("Only themes of the same round can be merged.")})
    if target.status != ThemeStatus.ACCEPTED:
        raise Conflict(_l("Accept this suggested theme before merging others into it."))
    source_ids = [s.id for s in sources]
    titles = [s.title for s in sources]
    with write_transaction():
        locked_round(rnd.id)
        moved = sorted(
            set(db.session.scalars(sa.select(ThemeComment.comment_id).where(ThemeComment.theme_id.in_(source_ids))))
        )
        added = insert_tags(target.id, moved, user.id)
        db.session.execute(sa.delete(ThemeComment).where(ThemeComment.theme_id.in_(source_ids)))
        for source in sources:
            db.session.delete(source)
        target.updated_at = utcnow()
        audit.record(
            "theme.merged",
            target,
            {"theme_id": target.id, "sources": source_ids, "titles": titles, "added": added},
            actor=user,
        )
    return target


def accept(user: Any, theme: Theme, title: Any = None) -> Theme:
    """A suggestion (or a rejected one) becomes an accepted theme, renamed at the same time if a title is given."""
    rnd = theme_round(theme)
    check_writable(user, rnd)
    if theme.status == ThemeStatus.ACCEPTED:
        raise Conflict(_l("This theme is already accepted."))
    errors: dict = {}
    new_title = clean_title(title, errors) if title not in (None, "") else None
    if errors:
        raise Invalid(fields=errors)
    with write_transaction():
        locked_round(rnd.id)
        theme.status = ThemeStatus.ACCEPTED
        if new_title:
            theme.title = new_title
        theme.updated_at = utcnow()
        audit.record("theme.accepted", theme, {"round_id": rnd.id, "title": theme.title}, actor=user)
    return theme


def reject(user: Any, theme: Theme) -> Theme:
    """Turn a suggestion down: it is kept, so that it is not suggested again."""
    rnd = theme_round(theme)
    check_writable(user, rnd)
    if theme.status != ThemeStatus.SUGGESTED:
        raise Conflict(_l("Only a suggested theme can be rejected."))
    with write_transaction():
        locked_round(rnd.id)
        theme.status = ThemeStatus.REJECTED
        theme.updated_at = utcnow()
        audit.record("theme.rejected", theme, {"round_id": rnd.id, "title": theme.title}, actor=user)
    return theme
