"""The agency admin's editor of the revised version: /kelola/<agency>/putaran/<id>/revisi.

Beside each section of the newest published version: the themes of the round's published summary whose comments
are on that section, with the agency's answers, checkboxes to cite them, and a reason field. Sections can be
edited, removed and added. "Simpan draf" saves the revised draft (replacing the pending one); "Adopsi" saves and
adopts it, and a refusal (a change that cites nothing) is shown with the input kept. Plain forms, no JavaScript.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.agencies.services import can_manage_agency
from consult.agencies.workspace import owned, workspace_blueprint
from consult.deliberation.services import get_round
from consult.deliberation.services import revisions as service
from consult.deliberation.services import summary as summary_service
from consult.errors import Conflict, Invalid, ServiceError
from consult.forms import ActionForm

bp = workspace_blueprint("revision_admin", __name__, admits=can_manage_agency)


def _rows_from_version(version, changes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "key": s.key,
            "title": s.title,
            "body": s.body,
            "remove": False,
            "theme_ids": set(changes.get(s.key, {}).get("theme_ids", [])),
            "reason": changes.get(s.key, {}).get("reason") or "",
        }
        for s in version.sections
    ]


def _rows_from_form(base) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    rows = []
    for n, s in enumerate(base.sections):
        rows.append(
            {
                "key": s.key,
                "title": request.form.get(f"title-{n}", s.title),
                "body": request.form.get(f"body-{n}", s.body),
                "remove": request.form.get(f"remove-{n}") == "1",
                "theme_ids": {int(v) for v in request.form.getlist(f"themes-{n}") if v.isdigit()},
                "reason": request.form.get(f"reason-{n}", ""),
            }
        )
    new = None
    if (request.form.get("new-title") or "").strip():
        new = {
            "title": request.form.get("new-title", ""),
            "body": request.form.get("new-body", ""),
            "theme_ids": {int(v) for v in request.form.getlist("new-themes") if v.isdigit()},
            "reason": request.form.get("new-reason", ""),
        }
    return rows, new


def _payload(rows, new) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    sections, changes = [], {}
    for row in rows:
        if not row["remove"]:
            sections.append({"key": row["key"], "title": row["title"], "body": row["body"]})
        if row["theme_ids"] or row["reason"].strip():
            changes[row["key"]] = {"theme_ids": sorted(row["theme_ids"]), "reason": row["reason"]}
    if new is not None:
        sections.append({"title": new["title"], "body": new["body"]})
    return sections, changes


def _page(rnd, rows, new, *, errors=None, refusal=None, status=200):
    summary = summary_service.summary_for(rnd, current_user)
    themes = summary["themes"]
    by_section: dict[str, list[dict[str, Any]]] = {}
    for t in themes:
        for key in t["section_keys"]:
            by_section.setdefault(key, []).append(t)
    return (
        render_template(
            "deliberation/revision.html",
            agency=g.agency,
            round=rnd,
            rows=rows,
            new=new or {"title": "", "body": "", "theme_ids": set(), "reason": ""},
            themes=themes,
            by_section=by_section,
            labels=summary_service.DISPOSITION_LABELS,
            errors=errors or {},
            refusal=refusal,
            pending=service.pending_revision(rnd.id),
            adopted=service.adopted_from_round(rnd.id),
            form=ActionForm(),
        ),
        status,
    )


def _round(round_id: int):
    rnd = owned(get_round(round_id))
    if not summary_service.is_published(rnd.id):
        flash(_("Publish the consultation's summary first: the revised version answers it."), "error")
        return rnd, redirect(url_for("summary.summary_page", round_id=rnd.id), 303)
    return rnd, None


@bp.get("/putaran/<int:round_id>/revisi")
def revision_editor(round_id: int):
    rnd, away = _round(round_id)
    if away is not None:
        return away
    pending = service.pending_revision(rnd.id)
    base = service.base_version(rnd.document)
    if base is None:
        abort(404)
    if pending is not None:
        changes = service.changes_of(pending.id)
        rows = _rows_from_version(pending, changes)
        present = {r["key"] for r in rows}
        rows += [
            {"key": s.key, "title": s.title, "body": s.body, "remove": True, "theme_ids": set(), "reason": ""}
            | {
                "theme_ids": set(changes.get(s.key, {}).get("theme_ids", [])),
                "reason": changes.get(s.key, {}).get("reason") or "",
            }
            for s in base.sections
            if s.key not in present
        ]
        order = {s.key: n for n, s in enumerate(base.sections)}
        rows = sorted([r for r in rows if r["key"] in order], key=lambda r: order[r["key"]])
    else:
        rows = _rows_from_version(base, {})
    return _page(rnd, rows, None)


@bp.post("/putaran/<int:round_id>/revisi")
def save_revision(round_id: int):
    rnd, away = _round(round_id)
    if away is not None:
        return away
    form = ActionForm()
    if not form.validate():
        abort(400)
    base = service.base_version(rnd.document)
    rows, new = _rows_from_form(base)
    sections, changes = _payload(rows, new)
    try:
        version = service.start_revision(current_user, rnd, sections, changes)
    except Invalid as exc:
        errors = {k: str(v) for k, v in exc.fields.items()}
        return _page(rnd, rows, new, errors=errors, refusal=str(exc.message), status=422)
    except Conflict as exc:
        return _page(rnd, rows, new, refusal=str(exc.message), status=409)
    if request.form.get("action") == "adopt":
        try:
            service.adopt_version(current_user, version)
        except ServiceError as exc:
            return _page(rnd, rows, new, refusal=str(exc.message), status=exc.status)
        flash(_("Version %(n)s is adopted and in force.", n=version.number), "success")
        return redirect(url_for("charter.version_changes", document_id=version.document_id, number=version.number), 303)
    flash(_("The revised draft is saved. Check its changes, then adopt it."), "success")
    return redirect(url_for(".revision_editor", round_id=rnd.id) + "#perubahan", 303)
