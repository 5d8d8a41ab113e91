"""One comment: its permalink page, its replies, and its author's and readers' actions on it (report, edit,
withdraw), with and without JavaScript."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import idempotency
from consult.errors import Invalid, ServiceError
from consult.extensions import client_address
from consult.forms import ActionForm, apply_errors
from consult.participation import queries, services
from consult.participation.forms import STANCE_LABELS, EditForm, ReportForm
from consult.participation.pages import (
    bp,
    comment_context,
    db_round,
    render_comment_page,
    reply_form_for,
)
from consult.ratelimits import participation_limit


@bp.get("/comments/<int:comment_id>")
def comment_page(comment_id: int):
    return render_comment_page(services.get_comment(comment_id))


@bp.get("/comments/<int:comment_id>/balasan")
def replies(comment_id: int):
    comment = services.get_comment(comment_id)
    if not g.htmx:
        return redirect(url_for("participation.comment_page", comment_id=comment.id, _anchor="balasan"))
    try:
        page = queries.replies_page(comment.id, cursor=request.args.get("cursor") or None)
    except Invalid:
        abort(400)
    rnd = db_round(comment)
    return render_template(
        "participation/_replies.html",
        parent=comment,
        replies=page,
        round=rnd,
        reply_form=reply_form_for(comment.id),
        form_error=None,
        refusal=services.participation_refusal(current_user, rnd),
        section_titles={},
        **comment_context(page.items, rnd),
    )


@bp.route("/comments/<int:comment_id>/laporkan", methods=["GET", "POST"])
@participation_limit("REPORT_LIMIT", "report")
def report(comment_id: int):
    comment = services.get_comment(comment_id)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path))
    rnd = db_round(comment)
    if request.method == "GET" and services.my_reports(current_user, [comment.id]):
        flash(_("You have already reported this comment. The moderators will look at it."), "info")
        return redirect(url_for("participation.comment_page", comment_id=comment.id), code=303)
    form = ReportForm(services.house_rules_of(rnd.agency_id))
    status = 200
    if form.validate_on_submit():
        try:
            idempotency.form_once(
                current_user.id,
                lambda: services.report_comment(
                    current_user, comment, form.given_reason(), rule=form.chosen_rule(), address=client_address()
                ),
                lambda report: {"report_id": report.id},
            )
        except Invalid as exc:
            apply_errors(form, exc)
            status = 422
        except ServiceError as exc:
            flash(str(exc.message), "error")
            return redirect(url_for("participation.comment_page", comment_id=comment.id), code=303)
        else:
            flash(_("Thank you. The moderators will look at this comment."), "success")
            return redirect(url_for("participation.comment_page", comment_id=comment.id), code=303)
    return render_template(
        "participation/report.html", form=form, comment=comment, round=rnd, stance_labels=STANCE_LABELS
    ), status


@bp.route("/comments/<int:comment_id>/ubah", methods=["GET", "POST"])
@participation_limit("COMMENT_LIMIT", "comment")
def edit(comment_id: int):
    comment = services.get_comment(comment_id)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path))
    if comment.author_id != current_user.id:
        abort(403)
    form = EditForm(formdata=None, body=comment.body) if request.method == "GET" else EditForm()
    status = 200
    if request.method == "GET":
        refusal = services.participation_refusal(current_user, db_round(comment))
        if refusal is not None or not services.can_edit(current_user, comment):
            message = (
                refusal.message
                if refusal is not None
                else _("A comment can be edited only in the first 15 minutes after posting it.")
            )
            flash(str(message), "error")
            return redirect(url_for("participation.comment_page", comment_id=comment.id), code=303)
    if form.validate_on_submit():
        try:
            idempotency.form_once(
                current_user.id,
                lambda: services.edit_comment(current_user, comment, form.body.data or ""),
                lambda edited: {"comment_id": edited.id},
            )
        except Invalid as exc:
            apply_errors(form, exc)
            status = 422
        except ServiceError as exc:
            form.body.errors = [str(exc.message)]
            status = exc.status
        else:
            flash(_("Your comment is updated."), "success")
            return redirect(
                url_for("participation.comment_page", comment_id=comment.id, baru=comment.id, _anchor=f"c{comment.id}"),
                code=303,
            )
    return render_template("participation/edit.html", form=form, comment=comment, round=db_round(comment)), status


@bp.route("/comments/<int:comment_id>/tarik", methods=["GET", "POST"])
def withdraw(comment_id: int):
    comment = services.get_comment(comment_id)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path))
    if comment.author_id != current_user.id:
        abort(403)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            idempotency.form_once(
                current_user.id,
                lambda: services.withdraw_comment(current_user, comment),
                lambda withdrawn: {"comment_id": withdrawn.id},
            )
        except ServiceError as exc:
            flash(str(exc.message), "error")
        else:
            flash(_("Your comment is withdrawn."), "info")
        return redirect(url_for("participation.comment_page", comment_id=comment.id), code=303)
    return render_template("participation/withdraw.html", form=form, comment=comment, round=db_round(comment))
