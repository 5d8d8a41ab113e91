"""Document rules: drafting, splitting into sections, publishing versions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa

from consult import audit, signals
from consult.accounts.models import User
from consult.agencies.models import Agency
from consult.agencies.services import can_manage_agency
from consult.documents.components import COMPONENTS
from consult.documents.docx_import import MAX_DOCX_BYTES, DocxError, docx_to_markdown
from consult.documents.import_report import Dropped, dropped_per_section
from consult.documents.models import Document, DocumentKind, DocumentVersion, Section, VersionStatus
from consult.documents.splitting import DEFAULT_SPLIT_LEVEL, SPLIT_LEVELS, split_markdown
from consult.errors import Conflict, Invalid, NotAllowed, NotFound
from consult.extensions import db, write_transaction
from consult.i18n import lazy_gettext as _l
from consult.sanitize import render_document_report
from consult.timeutil import utcnow

MAX_DOCUMENT_CHARS = 200_000
MAX_SECTIONS = 400
MAX_COMPONENT_CHARS = 20_000


def _require_manager(actor: User | str, agency: Agency) -> None:
    if isinstance(actor, str):  # the operator, through the CLI or seeding
        return
    if not can_manage_agency(actor, agency):
        raise NotAllowed()


def get_document(document_id: int) -> Document:
    document = db.session.get(Document, document_id)
    if document is None:
        raise NotFound()
    return document


def _check_meta(title: str, summary: str) -> tuple[str, str, dict]:
    errors: dict[str, object] = {}
    title, summary = " ".join((title or "").split()), " ".join((summary or "").split())
    if not title:
        errors["title"] = _l("Enter a title.")
    elif len(title) > 200:
        errors["title"] = _l("Use at most %(n)s characters.", n=200)
    if len(summary) > 300:
        errors["summary"] = _l("Use at most %(n)s characters.", n=300)
    return title, summary, errors


def _section(key: str, position: int, level: int, title: str, body: str, removed: list) -> Section:
    html, what = render_document_report(body)
    removed.append((title, what))
    return Section(key=key, position=position, level=level, title=title, body=body, body_html=html)


def _policy_sections(markdown: str, split_level: int, removed: list) -> list[Section]:
    if split_level not in SPLIT_LEVELS:
        raise Invalid(fields={"split_level": _l("Choose the headings that start a section.")})
    parts = split_markdown(markdown, split_level=split_level)
    if not parts:
        raise Invalid(fields={"body": _l("Write or paste the text of the policy, with a heading for each section.")})
    if len(parts) > MAX_SECTIONS:
        raise Invalid(fields={"body": _l("The text has more than %(n)s sections.", n=MAX_SECTIONS)})
    return [_section(p.key, i, p.level, p.title, p.body, removed) for i, p in enumerate(parts)]


def _standard_sections(components: dict[str, str], removed: list) -> list[Section]:
    errors = {}
    sections = []
    for i, component in enumerate(COMPONENTS):
        text = (components.get(component.key) or "").strip()
        if len(text) > MAX_COMPONENT_CHARS:
            errors[component.key] = _l("Use at most %(n)s characters.", n=MAX_COMPONENT_CHARS)
        sections.append(_section(component.key, i, 2, component.title, text, removed))
    if errors:
        raise Invalid(fields=errors)
    return sections


def _build_sections(
    kind: str, markdown: str, components: dict[str, str] | None, split_level: int
) -> tuple[list[Section], list[Dropped]]:
    """The sections a draft's text makes, and what the sanitiser removed from each (for the preview's report)."""
    removed: list = []
    if kind == DocumentKind.POLICY:
        if len(markdown or "") > MAX_DOCUMENT_CHARS:
            raise Invalid(fields={"body": _l("Use at most %(n)s characters.", n=MAX_DOCUMENT_CHARS)})
        sections = _policy_sections(markdown or "", split_level, removed)
    else:
        sections = _standard_sections(components or {}, removed)
    return sections, dropped_per_section(removed)


def _checked_draft(kind, title, summary, markdown, components, split_level):
    title, summary, errors = _check_meta(title, summary)
    sections, dropped = [], []
    try:
        sections, dropped = _build_sections(kind, markdown, components, split_level)
    except Invalid as exc:
        errors.update(exc.fields)
    if errors:
        raise Invalid(fields=errors)
    return title, summary, sections, dropped


_DOCX_PROBLEMS = {
    "too_large": _l(
        "The file is larger than %(n)s MB, or unpacks to more than Word files of text do. Images make Word files "
        "large and are not kept: remove them (describe them in words) and upload the file again.",
        n=MAX_DOCX_BYTES // (1024 * 1024),
    ),
    "old_word": _l("This is an old Word file (.doc). Open it in Word, save it as .docx and upload that."),
    "not_docx": _l("This file could not be read as a Word document (.docx). Save it in Word as .docx and try again."),
}


def markdown_from_docx(data: bytes) -> str:
    """The text of an uploaded Word file as Markdown, for the document form (Invalid on the field "file" when
    it is too large, an old .doc, damaged or no Word file, or holds no text). Writes nothing."""
    try:
        markdown = docx_to_markdown(data)
    except DocxError as exc:
        raise Invalid(fields={"file": _DOCX_PROBLEMS[exc.reason]}) from None
    if not markdown.strip():
        raise Invalid(fields={"file": _l("The file holds no text.")})
    return markdown


@dataclass(frozen=True)
class DraftPreview:
    """A draft as it would be saved and published, saved nowhere: its sections (not in the session) and what
    the sanitiser would remove from them."""

    title: str
    summary: str
    service_name: str
    sections: list[Section]
    dropped: list[Dropped]


def preview_draft(
    actor: User | str,
    agency: Agency,
    kind: str,
    title: str,
    summary: str = "",
    *,
    markdown: str = "",
    components: dict[str, str] | None = None,
    service_name: str = "",
    split_level: int = DEFAULT_SPLIT_LEVEL,
) -> DraftPreview:
    """What `create_document` or `update_draft` would save from this text, with the same checks (Invalid
    naming the fields), writing nothing. Agency admins of `agency` only."""
    _require_manager(actor, agency)
    if kind not in {k.value for k in DocumentKind}:
        raise Invalid(fields={"kind": _l("Choose the kind of document.")})
    title, summary, sections, dropped = _checked_draft(kind, title, summary, markdown, components, split_level)
    return DraftPreview(title, summary, " ".join((service_name or "").split())[:200], sections, dropped)


def create_document(
    actor: User | str,
    agency: Agency,
    kind: str,
    title: str,
    summary: str = "",
    *,
    markdown: str = "",
    components: dict[str, str] | None = None,
    service_name: str = "",
    split_level: int = DEFAULT_SPLIT_LEVEL,
) -> Document:
    """Create a document with a first draft version split into sections. Agency admins of `agency` only.

    A policy is Markdown split at its headings of `split_level` and above; a service standard has one section
    per component of Law 25/2009 art. 21. Drafts are not public, so nothing is audited until publication.
    """
    _require_manager(actor, agency)
    if kind not in {k.value for k in DocumentKind}:
        raise Invalid(fields={"kind": _l("Choose the kind of document.")})
    title, summary, sections, _dropped = _checked_draft(kind, title, summary, markdown, components, split_level)
    with write_transaction():
        document = Document(
            agency_id=agency.id,
            kind=kind,
            title=title,
            summary=summary,
            service_name=" ".join((service_name or "").split())[:200],
            created_by_id=None if isinstance(actor, str) else actor.id,
        )
        version = DocumentVersion(
            number=1, status=VersionStatus.DRAFT, body_markdown=markdown if kind == DocumentKind.POLICY else ""
        )
        version.sections = sections
        document.versions.append(version)
        db.session.add(document)
        db.session.flush()  # ids now, also when joined to an outer transaction (seed, imports)
    return document


def update_draft(
    actor: User | str,
    version: DocumentVersion,
    title: str,
    summary: str,
    *,
    markdown: str = "",
    components: dict[str, str] | None = None,
    service_name: str | None = None,
    split_level: int = DEFAULT_SPLIT_LEVEL,
) -> DocumentVersion:
    """Replace the text of a draft version (and the document's title, summary and, for a service standard,
    the name of the service when `service_name` is given). Agency admins only."""
    document = version.document
    _require_manager(actor, document.agency)
    if not version.is_draft:
        raise Conflict(_l("A published version cannot be changed. Start a new draft instead."))
    title, summary, sections, _dropped = _checked_draft(
        document.kind, title, summary, markdown, components, split_level
    )
    with write_transaction():
        version = db.session.get(DocumentVersion, version.id)
        if not version.is_draft:
            raise Conflict(_l("A published version cannot be changed. Start a new draft instead."))
        document = version.document
        document.title, document.summary = title, summary
        if service_name is not None and document.kind == DocumentKind.SERVICE_STANDARD:
            document.service_name = " ".join(service_name.split())[:200]
        version.body_markdown = markdown if document.kind == DocumentKind.POLICY else ""
        version.sections.clear()
        db.session.flush()
        version.sections.extend(sections)
    return version


def section_digest(section: Section) -> str:
    return hashlib.sha256(f"{section.key}\n{section.title}\n{section.body}".encode()).hexdigest()


def publish_version(actor: User | str, version: DocumentVersion) -> DocumentVersion:
    """Publish a draft version: it can no longer change and rounds may be scheduled on it.

    Agency admins only. Audited as "version.published" with a SHA-256 of every section, so monitors can
    check that the text they read is the text that was published.
    """
    _require_manager(actor, version.document.agency)
    with write_transaction():
        version = db.session.get(DocumentVersion, version.id)
        if not version.is_draft:
            raise Conflict(_l("This version is already published."))
        if version.document.kind == DocumentKind.SERVICE_STANDARD:
            missing = [s.key for s in version.sections if not s.body.strip()]
            if missing:
                raise Invalid(
                    _l("Fill in every component of the service standard before publishing."),
                    fields={key: _l("This component is empty.") for key in missing},
                )
        if not version.sections:
            raise Invalid(_l("The document has no sections."))
        version.status = VersionStatus.PUBLISHED
        version.published_at = utcnow()
        audit.record(
            "version.published",
            version,
            {
                "document_id": version.document_id,
                "agency": version.document.agency.slug,
                "number": version.number,
                "title": version.document.title,
                "kind": version.document.kind,
                "sections": [{"key": s.key, "sha256": section_digest(s)} for s in version.sections],
            },
            actor=actor,
        )
        signals.version_published.send(version)  # the pages of rounds on earlier versions link to this one
    return version


def start_new_draft(actor: User | str, document: Document) -> DocumentVersion:
    """Start the next version as a draft copy of the newest one. Agency admins only."""
    _require_manager(actor, document.agency)
    with write_transaction():
        document = db.session.get(Document, document.id)
        latest = document.latest_version
        if latest is not None and latest.is_draft:
            return latest
        version = DocumentVersion(
            number=(latest.number + 1) if latest else 1,
            status=VersionStatus.DRAFT,
            body_markdown=latest.body_markdown if latest else "",
        )
        if latest is not None:
            version.sections = [
                Section(
                    key=s.key, position=s.position, level=s.level, title=s.title, body=s.body, body_html=s.body_html
                )
                for s in latest.sections
            ]
        document.versions.append(version)
    return version


def agency_documents(agency: Agency) -> list[Document]:
    return list(
        db.session.scalars(
            sa.select(Document)
            .where(Document.agency_id == agency.id)
            .order_by(Document.created_at.desc(), Document.id.desc())
        )
    )
