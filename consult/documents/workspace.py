"""Agency workspace for documents: write a draft, edit it, publish it, start the next version."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.agencies.services import can_manage_agency
from consult.agencies.workspace import owned, workspace_blueprint
from consult.documents import services
from consult.documents.components import COMPONENTS
from consult.documents.docx_import import MAX_DOCX_BYTES
from consult.documents.forms import PolicyForm, ServiceStandardForm, component_field, component_values
from consult.documents.models import Document, DocumentKind
from consult.documents.splitting import split_level_of
from consult.errors import Conflict, Invalid
from consult.forms import ActionForm, apply_errors
from consult.params import id_arg
from consult.web import larger_body

bp = workspace_blueprint("documents", __name__, url_prefix="/dokumen", admits=can_manage_agency)


def _document(document_id: int) -> Document:
    return owned(services.get_document(document_id))


def _form_for(kind: str, **kwargs):
    return (PolicyForm if kind == DocumentKind.POLICY else ServiceStandardForm)(**kwargs)


# A Word file of up to MAX_DOCX_BYTES, and a whole document's text (200,000 characters, percent-encoded up to
# 12 bytes each when the preview sends it back) in the fields beside it.
_BODY_LIMITS = larger_body(MAX_DOCX_BYTES + 3 * 1024 * 1024, 3 * 1024 * 1024)


@bp.route("/baru", methods=["GET", "POST"])
@_BODY_LIMITS
def new():
    kind = request.values.get("jenis", DocumentKind.SERVICE_STANDARD)
    if kind not in {k.value for k in DocumentKind}:
        abort(404)
    form = _form_for(kind)
    if request.method != "POST":
        return _render_form(form, kind, None, 200)

    def save(args):
        document = services.create_document(current_user, g.agency, kind, form.title.data, form.summary.data, **args)
        flash(_("Draft saved. Check it, then publish it."), "success")
        return redirect(url_for("documents.show", document_id=document.id), code=303)

    return _draft_flow(form, kind, None, save)


def _draft_flow(form, kind: str, document: Document | None, save):
    """The POST of the document form. The first submit shows the preview (nothing saved); from there "Simpan"
    (aksi=simpan) saves with `save(args)` and "Ubah lagi" (aksi=ubah) shows the form again with everything sent.
    A Word file, when one is uploaded, replaces the text: the preview and the form then hold its Markdown."""
    action = request.form.get("aksi", "pratinjau")
    if action == "ubah":
        return _render_form(form, kind, document, 200)
    if not form.validate_on_submit():
        return _render_form(form, kind, document, 422)
    from_file = None
    try:
        upload = getattr(form, "file", None) and form.file.data
        if upload and upload.filename:
            with upload.stream:  # the spooled temporary file goes now, not when the request ends
                data = upload.read(MAX_DOCX_BYTES + 1)
            form.body.data = services.markdown_from_docx(data)
            from_file = upload.filename
        args = _text_args(form, kind)
        if action == "simpan":
            return save(args)
        preview = services.preview_draft(current_user, g.agency, kind, form.title.data, form.summary.data, **args)
    except Invalid as exc:
        _apply(form, exc)
        return _render_form(form, kind, document, 422)
    return render_template(
        "documents/preview.html", form=form, kind=kind, document=document, preview=preview, from_file=from_file
    )


def _text_args(form, kind: str) -> dict:
    """The document text from the form, as the services take it for this kind of document."""
    if kind == DocumentKind.POLICY:
        return {"markdown": form.body.data or "", "split_level": form.split_level.data}
    return {"components": component_values(form), "service_name": form.service_name.data or ""}


def _render_form(form, kind: str, document: Document | None, status: int):
    return render_template(
        "documents/form.html",
        form=form,
        kind=kind,
        document=document,
        components=COMPONENTS,
        component_field=component_field,
        max_docx_mb=MAX_DOCX_BYTES // (1024 * 1024),
    ), status


def _apply(form, exc: Invalid) -> None:
    fields = {k.replace("-", "_"): v for k, v in exc.fields.items()}
    apply_errors(form, Invalid(exc.message, fields=fields))


@bp.get("/<int:document_id>")
def show(document_id: int):
    document = _document(document_id)
    version_number = id_arg("versi")
    version = next((v for v in document.versions if v.number == version_number), None) or document.latest_version
    return render_template("documents/show.html", document=document, version=version, action_form=ActionForm())


@bp.route("/<int:document_id>/ubah", methods=["GET", "POST"])
@_BODY_LIMITS
def edit(document_id: int):
    document = _document(document_id)
    version = document.latest_version
    if version is None or not version.is_draft:
        flash(_("A published version cannot be changed. Start a new draft instead."), "error")
        return redirect(url_for("documents.show", document_id=document.id), code=303)
    if request.method == "GET":
        form = _form_for(document.kind, formdata=None, obj=document)
        if document.kind == DocumentKind.POLICY:
            form.body.data = version.body_markdown
            form.split_level.data = split_level_of(version.body_markdown, [s.level for s in version.sections])
        else:
            form.service_name.data = document.service_name
            by_key = {s.key: s.body for s in version.sections}
            for component in COMPONENTS:
                component_field(form, component.key).data = by_key.get(component.key, "")
        return _render_form(form, document.kind, document, 200)
    form = _form_for(document.kind)

    def save(args):
        services.update_draft(current_user, version, form.title.data, form.summary.data, **args)
        flash(_("Draft saved."), "success")
        return redirect(url_for("documents.show", document_id=document.id), code=303)

    return _draft_flow(form, document.kind, document, save)


@bp.post("/<int:document_id>/terbitkan")
def publish(document_id: int):
    document = _document(document_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    version = document.latest_version
    try:
        services.publish_version(current_user, version)
    except (Invalid, Conflict) as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("documents.show", document_id=document.id), code=303)
    flash(_("Version %(n)s published. You can now schedule a consultation round on it.", n=version.number), "success")
    return redirect(url_for("documents.show", document_id=document.id), code=303)


@bp.post("/<int:document_id>/versi-baru")
def new_version(document_id: int):
    document = _document(document_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    version = services.start_new_draft(current_user, document)
    flash(_("Draft version %(n)s started.", n=version.number), "success")
    return redirect(url_for("documents.edit", document_id=document.id), code=303)
