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
from consult.deliberation.services.revision_input import checked_changes, checked_sections
from consult.documents import diff as diffing
from consult.documents.models import Document, DocumentKind, DocumentVersion, Section, VersionStatus
from consult.documents.services import section_digest
from consult.errors import Conflict, NotAllowed, NotFound
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
        new_sections = checked_sections(sections, base, document.kind)
        keys = {s.key for s in new_sections} | {s.key for s in base.sections}
        cited = checked_changes(changes, rnd, keys)
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
        raise NotFound(_l("Compare two versions of the same document."))
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
    if not can_manage_agency(actor, version.document.agency):
        raise NotAllowed()
    revision = revision_of(version.id)
    if revision is None:
        raise Conflict(_l("Only a revised version made from a consultation's summary can be adopted here."))
    rnd = db.session.get(Round, revision.round_id)
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
