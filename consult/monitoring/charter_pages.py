"""The public record of a revision: the word diff between two versions of a document and the traceability table
of a round ("which theme changed which section"). Read-only pages for everyone; drafts only for the agency's admins.

In monitoring because they read deliberation's revisions and present them as the public record; the staff's editor
is deliberation's (consult.deliberation.revision_pages).
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from consult.deliberation.services import get_round
from consult.deliberation.services import revisions as service
from consult.deliberation.services import summary as summary_service
from consult.documents import diff as diffing
from consult.documents.services import get_document
from consult.errors import NotFound
from consult.params import whole_number

bp = Blueprint("charter", __name__)

CHANGE_LABELS = {"added": "Added", "removed": "Removed", "changed": "Changed", "unchanged": "Unchanged"}


def _version_by_number(document, number: int):
    for v in document.versions:
        if v.number == number:
            if v.is_draft and not service.can_manage_agency(current_user, document.agency):
                break
            return v
    abort(404)


@bp.get("/dokumen/<int:document_id>/versi/<int:number>/perubahan")
def version_changes(document_id: int, number: int):
    try:
        document = get_document(document_id)
    except NotFound:
        abort(404)
    version = _version_by_number(document, number)
    against_number = whole_number(request.args.get("dengan"), "dengan", minimum=1, maximum=100_000)
    against = _version_by_number(document, against_number) if against_number else service.previous_version(version)
    data = service.version_diff(version, against)
    revision = service.revision_of(version.id)
    rnd = get_round(revision.round_id) if revision else None
    theme_titles = {}
    if rnd is not None:
        theme_titles = {row["theme"].id: row["theme"].title for row in service.traceability(rnd, None)}
    labels = {"inserted": _("[added]"), "deleted": _("[removed]")}
    sections = []
    for s in data["sections"]:
        sections.append(
            {
                **s,
                "diff_html": diffing.render_ops_html(s["ops"], **labels),  # escaped there: |safe in the template
                "themes": [(i, theme_titles.get(i, f"#{i}")) for i in s["theme_ids"]],
            }
        )
    counts = {kind: sum(1 for s in sections if s["change"] == kind) for kind in CHANGE_LABELS}
    published = [v for v in document.versions if not v.is_draft]
    return render_template(
        "charter/changes.html",
        document=document,
        version=version,
        against=against,
        sections=sections,
        counts=counts,
        round=rnd,
        published=published,
    )


@bp.get("/rounds/<int:round_id>/jejak")
def traceability(round_id: int):
    """Every accepted theme of the round, the agency's answer, and the sections of the adopted version whose change
    cites it; themes that changed nothing show the agency's answer as its reason. Public once the summary is."""
    rnd = get_round(round_id)
    if not summary_service.is_published(rnd.id):
        abort(404)
    version = service.adopted_from_round(rnd.id)
    pending = None
    if version is None and service.can_manage_agency(current_user, rnd.agency):
        pending = service.pending_revision(rnd.id)
    rows = service.traceability(rnd, version or pending)
    return render_template(
        "charter/traceability.html",
        round=rnd,
        version=version,
        pending=pending,
        rows=rows,
        labels=summary_service.DISPOSITION_LABELS,
    )
