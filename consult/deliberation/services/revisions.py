"""The revised version: made from a closed round's published summary, each change traced to what citizens said,
then adopted as the charter in force ("you said, we did" made binding).

- start_revision(): an agency admin writes the revised text (every section, by stable key; a section without a key
  is new) and, per changed, added or removed section, the round's themes that motivated it or another reason. It
  is a draft (status "draft") and replaces the document's pending draft, if any.
- adopt_version(): refused (409, naming the sections) while a changed, added or removed section cites no theme and
  gives no reason. Adopting publishes the version (status "published", adopted_at set: the API says "adopted"),
  records "version.adopted" in the audit chain with a digest of every section and the changes' citations, and
  announces it (signals.version_adopted: accountability drafts the commitments of a service standard). The
  e-mails to the round's participants and followers are queued by a scheduled job (Revision.notified_at).
- version_diff(): the word diff by stable key between two versions (consult.documents.diff) with the themes and
  reason of each change.

Only published summaries can be answered by a revision: the agency's answers (dispositions) are then public and
frozen, and the traceability table links them to the sections they changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from consult import audit, sanitize, signals
from consult.accounts.models import User
from consult.agencies.services import can_manage_agency
from consult.db import digest
from consult.deliberation.models import (
    Revision,
    RevisionChange,
    RevisionChangeTheme,
    Summary,
    SummaryState,
    Theme,
    ThemeStatus,
)
from consult.documents import diff as diffing
from consult.documents.models import Document, DocumentKind, DocumentVersion, Section, VersionStatus
from consult.documents.services import MAX_COMPONENT_CHARS, MAX_DOCUMENT_CHARS, MAX_SECTIONS, section_digest
from consult.documents.splitting import MAX_KEY, slugify
from consult.errors import Conflict, Invalid, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.rounds.models import Round, RoundState
from consult.sanitize import render_document_report
from consult.timeutil import utcnow

MAX_TITLE = 300
MAX_REASON = 2_000


def can_revise(user: User | None, rnd: Round) -> bool:
    return can_manage_agency(user, rnd.agency)


def get_version(version_id: int) -> DocumentVersion:
    version = db.session.get(DocumentVersion, version_id)
    if version is None:
        raise NotFound()
    return version


def base_version(document: Document) -> DocumentVersion | None:
    """The newest published (or adopted) version: what a revision starts from."""
    published = [v for v in document.versions if v.status == VersionStatus.PUBLISHED]
    return published[-1] if published else None


def previous_version(version: DocumentVersion) -> DocumentVersion | None:
    """The newest published version before this one (what its diff is against by default)."""
    earlier = [
        v
        for v in version.document.versions
        if v.status == VersionStatus.PUBLISHED and v.number < version.number and v.id != version.id
    ]
    return earlier[-1] if earlier else None


def revision_of(version_id: int) -> Revision | None:
    return db.session.get(Revision, version_id)


def adopted_from_round(round_id: int) -> DocumentVersion | None:
    """The version adopted from this round's consultation, if any (the newest)."""
    return db.session.scalar(
        sa.select(DocumentVersion)
        .join(Revision, Revision.version_id == DocumentVersion.id)
        .where(Revision.round_id == round_id, DocumentVersion.adopted_at.is_not(None))
        .order_by(DocumentVersion.number.desc())
        .limit(1)
    )


def pending_revision(round_id: int) -> DocumentVersion | None:
    return db.session.scalar(
        sa.select(DocumentVersion)
        .join(Revision, Revision.version_id == DocumentVersion.id)
        .where(Revision.round_id == round_id, DocumentVersion.status == VersionStatus.DRAFT)
        .limit(1)
    )


def changes_of(version_id: int) -> dict[str, dict[str, Any]]:
    """{section_key: {"theme_ids": [...], "reason": str | None, "reason_html": str}} of a revised version."""
    changes: dict[str, dict[str, Any]] = {}
    for row in db.session.scalars(sa.select(RevisionChange).where(RevisionChange.version_id == version_id)):
        changes[row.section_key] = {"theme_ids": [], "reason": row.reason or None, "reason_html": row.reason_html}
    for key, theme_id in db.session.execute(
        sa.select(RevisionChangeTheme.section_key, RevisionChangeTheme.theme_id)
        .where(RevisionChangeTheme.version_id == version_id)
        .order_by(RevisionChangeTheme.section_key, RevisionChangeTheme.theme_id)
    ):
        changes.setdefault(key, {"theme_ids": [], "reason": None, "reason_html": ""})["theme_ids"].append(theme_id)
    return changes


# --- writing a revision ----------------------------------------------------------------------------------------


@dataclass
class _NewSection:
    key: str
    level: int
    title: str
    body: str


def _checked_sections(raw: Any, base: DocumentVersion, kind: str) -> list[_NewSection]:
    if not isinstance(raw, list) or not raw:
        raise Invalid(
            _l("Send the revised text: a list of sections."), fields={"sections": _l("At least one section.")}
        )
    if len(raw) > MAX_SECTIONS:
        raise Invalid(fields={"sections": _l("At most %(n)s sections.", n=MAX_SECTIONS)})
    old_levels = {s.key: s.level for s in base.sections}
    errors: dict[str, object] = {}
    sections: list[_NewSection] = []
    keys: set[str] = set()
    total = 0
    for n, item in enumerate(raw):
        where = f"sections.{n}"
        if not isinstance(item, dict):
            errors[where] = _l("Each section is an object with a title and a body.")
            continue
        title = item.get("title")
        body = item.get("body", "")
        key = item.get("key")
        level = item.get("level")
        if not isinstance(title, str) or not " ".join(title.split()):
            errors[f"{where}.title"] = _l("Enter a title.")
            continue
        title = " ".join(title.split())
        if len(title) > MAX_TITLE:
            errors[f"{where}.title"] = _l("Use at most %(n)s characters.", n=MAX_TITLE)
        if not isinstance(body, str):
            errors[f"{where}.body"] = _l("The body is text.")
            continue
        body = body.replace("\r\n", "\n").replace("\r", "\n")
        if len(body) > MAX_COMPONENT_CHARS:
            errors[f"{where}.body"] = _l("Use at most %(n)s characters.", n=MAX_COMPONENT_CHARS)
        total += len(body)
        if key is not None and (not isinstance(key, str) or not key or len(key) > MAX_KEY or slugify(key) != key):
            errors[f"{where}.key"] = _l("A section key is lower-case letters, digits and hyphens.")
            continue
        if key is None:  # a new section: its key from its title, unique in the version
            key, suffix = slugify(title), 2
            stem = key
            while key in keys or key in old_levels:
                key, suffix = f"{stem[: MAX_KEY - 4]}-{suffix}", suffix + 1
        elif key in keys:
            errors[f"{where}.key"] = _l("This key is used by another section.")
            continue
        if level is None:
            level = old_levels.get(key, 2)
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 6:
            errors[f"{where}.level"] = _l("The level is a whole number from 1 to 6.")
            continue
        keys.add(key)
        sections.append(_NewSection(key, level, title, body))
    if total > MAX_DOCUMENT_CHARS:
        errors["sections"] = _l("The text is longer than %(n)s characters.", n=MAX_DOCUMENT_CHARS)
    if kind == DocumentKind.SERVICE_STANDARD:
        empty = [s.key for s in sections if not s.body.strip()]
        if empty:
            errors["sections"] = _l("Fill in every component of the service standard.")
    if errors:
        raise Invalid(fields=errors)
    return sections


def _checked_changes(raw: Any, rnd: Round, keys: set[str]) -> dict[str, tuple[list[int], str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise Invalid(fields={"changes": _l("Changes are an object keyed by section key.")})
    accepted = set(
        db.session.scalars(sa.select(Theme.id).where(Theme.round_id == rnd.id, Theme.status == ThemeStatus.ACCEPTED))
    )
    errors: dict[str, object] = {}
    changes: dict[str, tuple[list[int], str]] = {}
    for key, why in raw.items():
        where = f"changes.{key}"
        if key not in keys:
            errors[where] = _l("No section of either version has this key.")
            continue
        if not isinstance(why, dict):
            errors[where] = _l('Give "theme_ids" and/or "reason".')
            continue
        ids = why.get("theme_ids") or []
        reason = why.get("reason") or ""
        if not isinstance(ids, list) or any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
            errors[f"{where}.theme_ids"] = _l("Theme ids are a list of numbers.")
            continue
        unknown = sorted(set(ids) - accepted)
        if unknown:
            errors[f"{where}.theme_ids"] = _l(
                "These are not themes of this consultation: %(ids)s.", ids=", ".join(map(str, unknown))
            )
            continue
        if not isinstance(reason, str) or len(reason) > MAX_REASON:
            errors[f"{where}.reason"] = _l("The reason is text of at most %(n)s characters.", n=MAX_REASON)
            continue
        reason = reason.strip()
        if ids or reason:
            changes[key] = (sorted(set(ids)), reason)
    if errors:
        raise Invalid(fields=errors)
    return changes


def _require_answerable(actor: User | None, rnd: Round) -> None:
    if not can_revise(actor, rnd):
        raise NotAllowed()
    if rnd.state != RoundState.CLOSED:
        raise Conflict(_l("A revised version answers a closed consultation."))
    state = db.session.scalar(sa.select(Summary.state).where(Summary.round_id == rnd.id))
    if state != SummaryState.PUBLISHED:
        raise Conflict(_l("Publish the consultation's summary first: the revised version answers it."))


def start_revision(actor: User | None, rnd: Round, sections: Any, changes: Any = None) -> DocumentVersion:
    """A revised draft of the round's document from its newest published version (see the module's docstring)."""
    _require_answerable(actor, rnd)
    with write_transaction():
        document = db.session.get(Document, rnd.document_id)
        base = base_version(document)
        if base is None:
            raise Conflict(_l("The document has no published version to revise."))
        new_sections = _checked_sections(sections, base, document.kind)
        keys = {s.key for s in new_sections} | {s.key for s in base.sections}
        cited = _checked_changes(changes, rnd, keys)
        latest = document.latest_version
        if latest is not None and latest.is_draft:  # a new revision replaces the pending draft
            db.session.delete(latest)
            db.session.flush()
            db.session.expire(document, ["versions"])
        now = utcnow()
        version = DocumentVersion(
            document_id=document.id,
            number=max(v.number for v in document.versions) + 1,
            status=VersionStatus.DRAFT,
            body_markdown="\n\n".join(f"{'#' * s.level} {s.title}\n\n{s.body}".rstrip() for s in new_sections)
            if document.kind == DocumentKind.POLICY
            else "",
            created_at=now,
        )
        for position, s in enumerate(new_sections):
            html, _removed = render_document_report(s.body)
            version.sections.append(
                Section(key=s.key, position=position, level=s.level, title=s.title, body=s.body, body_html=html)
            )
        db.session.add(version)
        db.session.flush()
        db.session.add(Revision(version_id=version.id, round_id=rnd.id, created_at=now, created_by_id=actor.id))
        db.session.flush()
        for key, (ids, reason) in cited.items():
            db.session.add(
                RevisionChange(
                    version_id=version.id,
                    section_key=key,
                    reason=reason,
                    reason_html=sanitize.render_comment(reason) if reason else "",
                )
            )
            for theme_id in ids:
                db.session.add(RevisionChangeTheme(version_id=version.id, section_key=key, theme_id=theme_id))
    return version


def version_diff(version: DocumentVersion, against: DocumentVersion | None = None) -> dict[str, Any]:
    """The per-section word diff of `version` against `against` (default: the previous published version; a
    first version is all "added"), with each change's themes and reason."""
    if against is not None and against.document_id != version.document_id:
        raise Invalid(fields={"against": _l("Compare two versions of the same document.")})
    against = against if against is not None else previous_version(version)
    changes = changes_of(version.id)
    old = against.sections if against is not None else []
    return diffing.diff_versions(old, version.sections, changes)


def uncited_changes(version: DocumentVersion) -> list[dict[str, Any]]:
    """The changed, added or removed sections that cite no theme and give no reason."""
    base = previous_version(version)
    result = version_diff(version, base)
    return [s for s in result["sections"] if s["change"] != "unchanged" and not s["theme_ids"] and not s["reason"]]


def adopt_version(actor: User | None, version: DocumentVersion) -> DocumentVersion:
    """Adopt a revised draft as the charter in force (see the module's docstring)."""
    revision = revision_of(version.id)
    if revision is None:
        raise Conflict(_l("Only a revised version made from a consultation's summary can be adopted here."))
    rnd = db.session.get(Round, revision.round_id)
    if not can_revise(actor, rnd):
        raise NotAllowed()
    with write_transaction():
        version = db.session.get(DocumentVersion, version.id)
        if not version.is_draft:
            raise Conflict(_l("This version is already adopted."))
        missing = uncited_changes(version)
        if missing:
            names = "; ".join(f"{s['title']} ({s['key']})" for s in missing)
            raise Conflict(
                _l(
                    "Every change must cite the themes that motivated it or give another reason. "
                    "These sections cite nothing: %(sections)s.",
                    sections=names,
                )
            )
        changed = [s for s in version_diff(version)["sections"] if s["change"] != "unchanged"]
        now = utcnow()
        version.status = VersionStatus.PUBLISHED
        version.published_at = now
        version.adopted_at = now
        revision = db.session.get(Revision, version.id)
        revision.adopted_at = now
        revision.adopted_by_id = actor.id
        document = version.document
        audit.record(
            "version.adopted",
            version,
            {
                "document_id": document.id,
                "agency": document.agency.slug,
                "number": version.number,
                "round_id": rnd.id,
                "title": document.title,
                "kind": document.kind,
                "sections": [{"key": s.key, "sha256": section_digest(s)} for s in version.sections],
                "changes": [
                    {
                        "key": s["key"],
                        "change": s["change"],
                        "theme_ids": s["theme_ids"],
                        "reason_sha256": digest(s["reason"]) if s["reason"] else None,
                    }
                    for s in changed
                ],
            },
            actor=actor,
        )
        signals.version_published.send(version)
        signals.version_adopted.send(version, revision=revision, round=rnd, actor=actor)
    return version


def revision_rounds(version_ids: list[int]) -> dict[int, int]:
    """{version_id: round_id} of the revised versions among these."""
    if not version_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Revision.version_id, Revision.round_id).where(Revision.version_id.in_(version_ids))
        ).all()
    )


def traceability(rnd: Round, version: DocumentVersion | None) -> list[dict[str, Any]]:
    """Per accepted theme of the round: its disposition and the sections of `version` whose change cites it."""
    cited: dict[int, list[str]] = {}
    if version is not None:
        for key, theme_id in db.session.execute(
            sa.select(RevisionChangeTheme.section_key, RevisionChangeTheme.theme_id)
            .where(RevisionChangeTheme.version_id == version.id)
            .order_by(RevisionChangeTheme.section_key)
        ):
            cited.setdefault(theme_id, []).append(key)
    themes = db.session.scalars(
        sa.select(Theme)
        .where(Theme.round_id == rnd.id, Theme.status == ThemeStatus.ACCEPTED)
        .order_by(Theme.position, Theme.id)
    )
    titles = {s.key: s.title for s in version.sections} if version is not None else {}
    return [
        {
            "theme": t,
            "sections": [(key, titles.get(key, key)) for key in cited.get(t.id, [])],
        }
        for t in themes
    ]


def due_notifications(limit: int = 50) -> list[Revision]:
    return list(
        db.session.scalars(
            sa.select(Revision)
            .where(Revision.adopted_at.is_not(None), Revision.notified_at.is_(None))
            .order_by(Revision.adopted_at)
            .limit(limit)
        )
    )


def mark_notified(version_id: int, when: dt.datetime) -> None:
    with write_transaction():
        db.session.execute(
            sa.update(Revision)
            .where(Revision.version_id == version_id, Revision.notified_at.is_(None))
            .values(notified_at=when)
        )
