"""Verification pages: the citizen's request (/profil/verifikasi) and the agency's list and decisions
(/kelola/<slug>/verifikasi, agency admins and site admins). Every form is a plain POST answered with 303; errors
come back next to their fields (422), with what was typed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.agencies import verification
from consult.agencies.forms import VerificationReasonForm, VerificationRequestForm
from consult.agencies.services import can_manage_agency
from consult.agencies.workspace import owned, workspace_blueprint
from consult.errors import Invalid, ServiceError
from consult.forms import ActionForm, apply_errors
from consult.params import id_field
from consult.web import mark_no_store

bp = Blueprint("verification", __name__)
# the agency's pages show the people's names, e-mail addresses and notes: no cache keeps a copy
admin = workspace_blueprint("verification_admin", __name__, url_prefix="/verifikasi", admits=can_manage_agency)
admin.after_request(mark_no_store)


@bp.app_template_global()
def my_verification():
    """The viewer's latest verification request (their profile shows its state), or None."""
    return verification.latest_request(current_user)


# --- the citizen ------------------------------------------------------------------------------------------------


def _request_page(form, status: int = 200):
    page = render_template(
        "agencies/verification_request.html",
        form=form,
        refusal=verification.request_refusal(current_user),
        latest=verification.latest_request(current_user),
    )
    return mark_no_store(make_response(page, status))


@bp.route("/profil/verifikasi", methods=["GET", "POST"])
@login_required
def request_verification():
    form = VerificationRequestForm(verification.agencies_to_ask())
    if request.method == "GET":
        return _request_page(form)
    if not form.validate_on_submit():
        return _request_page(form, 422)
    try:
        verification.request_verification(current_user, id_field("agency"), form.note.data or "")
    except Invalid as exc:
        for message in apply_errors(form, exc):
            flash(message, "error")
        return _request_page(form, 422)
    except ServiceError as exc:
        flash(str(exc.message), "error")
        return _request_page(form, exc.status)
    flash(_("Your request is sent. The agency will tell you its decision by e-mail and on your profile."), "success")
    return redirect(url_for("accounts.profile", _anchor="verifikasi"), code=303)


# --- the agency -------------------------------------------------------------------------------------------------


def _list_name() -> str:
    name = request.args.get("daftar") or "menunggu"
    if name not in verification.LISTS:
        abort(404)
    return name


@admin.get("")
def requests():
    name = _list_name()
    page = verification.requests_page(
        current_user, g.agency, verification.LISTS[name], cursor=request.args.get("cursor") or None
    )
    return render_template(
        "agencies/verification_list.html", agency=g.agency, page=page, list_name=name, action_form=ActionForm()
    )


def _review(row, status: int = 200, **forms):
    forms.setdefault("refuse_form", VerificationReasonForm(prefix="tolak", formdata=None))
    forms.setdefault("revoke_form", VerificationReasonForm(prefix="cabut", formdata=None))
    page = render_template(
        "agencies/verification_review.html", agency=g.agency, row=row, action_form=ActionForm(), **forms
    )
    return make_response(page, status)


def _row(request_id: int):
    return owned(verification.get_request(current_user, request_id))


@admin.get("/<int:request_id>")
def review(request_id: int):
    return _review(_row(request_id))


def _decide(row, action, form=None, form_name: str | None = None):
    """Run one decision; on success back to the list of pending requests, else the review page with the error."""
    try:
        action()
    except Invalid as exc:
        loose = apply_errors(form, exc) if form is not None else [str(exc.message)]
        for message in loose:
            flash(message, "error")
        return _review(row, 422, **({form_name: form} if form is not None else {}))
    except ServiceError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for(".review", request_id=row.id), code=303)
    return None


@admin.post("/<int:request_id>/setujui")
def approve(request_id: int):
    row = _row(request_id)
    refused = _decide(row, lambda: verification.approve(current_user, row.id))
    if refused is not None:
        return refused
    flash(_("%(name)s is verified now.", name=row.user.name), "success")
    return redirect(url_for(".requests"), code=303)


@admin.post("/<int:request_id>/tolak")
def refuse(request_id: int):
    row = _row(request_id)
    form = VerificationReasonForm(prefix="tolak")
    if not form.validate_on_submit():
        return _review(row, 422, refuse_form=form)
    refused = _decide(row, lambda: verification.refuse(current_user, row.id, form.reason.data), form, "refuse_form")
    if refused is not None:
        return refused
    flash(_("The request of %(name)s is refused; they see your reason.", name=row.user.name), "success")
    return redirect(url_for(".requests"), code=303)


@admin.post("/<int:request_id>/cabut")
def revoke(request_id: int):
    row = _row(request_id)
    form = VerificationReasonForm(prefix="cabut")
    if not form.validate_on_submit():
        return _review(row, 422, revoke_form=form)
    refused = _decide(row, lambda: verification.revoke(current_user, row.id, form.reason.data), form, "revoke_form")
    if refused is not None:
        return refused
    flash(_("The verification of %(name)s is revoked; they see your reason.", name=row.user.name), "success")
    return redirect(url_for(".requests", daftar="disetujui"), code=303)
