"""The round page and everything a participant does there, with and without JavaScript.

Every action is a plain form POST answered with 303 to the page it came from; with htmx (HX-Request) the
same view answers with the fragment to swap instead. Errors keep what was typed: the form comes back filled,
with the reason next to it.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.agencies.services import can_manage_agency
from consult.documents.published import published_version
from consult.errors import Invalid, LoginRequired, ServiceError
from consult.extensions import client_address
from consult.forms import ActionForm, apply_errors
from consult.params import id_arg, id_field, parse_id
from consult.participation import queries, services
from consult.participation.forms import STANCE_LABELS, CommentForm, EditForm, ReplyForm, ReportForm
from consult.participation.models import Comment
from consult.ratelimits import participation_limit
from consult.rounds.models import Round
from consult.rounds.services import get_round
from consult.web import htmx_alert, safe_local_path

bp = Blueprint("participation", __name__)
VOTE_VALUES = {"1": 1, "-1": -1, "0": 0}


def _fragment(template: str, status: int = 200, retarget: str | None = None, **context):
    response = current_app.make_response((render_template(template, **context), status))
    if retarget:
        response.headers["HX-Retarget"] = retarget
        response.headers["HX-Reswap"] = "outerHTML"
    return response


# --- the round page ------------------------------------------------------------------------------------------


def _comment_form(rnd: Round, *, fresh: bool = False) -> CommentForm:
    """The new-comment form: bound to what was posted, or `fresh` (empty) after a successful post."""
    form = CommentForm(formdata=None) if fresh else CommentForm()
    form.section_id.choices = [("", _("The whole document"))] + [(str(s.id), s.title) for s in _sections(rnd)]
    if request.method == "GET" or fresh:
        section = id_arg("bagian") if request.method == "GET" else None
        form.section_id.data = str(section) if section else ""
        form.show_name.data = services.shows_name(current_user, rnd.id)
    return form


def _list_args() -> tuple[int | None, str, str | None]:
    order = "agreed" if request.args.get("urut") == "setuju" else "new"
    return id_arg("bagian"), order, request.args.get("cursor") or None


@bp.app_context_processor
def _comment_root() -> dict:
    """'/comments/': comment links are this plus the id (and a suffix), built once per page, not per link."""
    return {"comment_root": url_for("participation.comment_page", comment_id=1)[:-1]}


def _version(rnd: Round):
    """The round's document version: a round's version is published, so from memory after a first read."""
    return published_version(rnd.version_id) or rnd.version


def _sections(rnd: Round):
    return _version(rnd).sections


def _comment_context(items: list[Comment]) -> dict:
    """What every comment template needs: the viewer's votes on these comments and shared helpers.

    The viewer and the page's own address are resolved once here: templates that read `current_user` or
    `request` go through a context-local proxy on every access, which cost a tenth of the round page.
    """
    return {
        "my_votes": queries.votes_of(current_user, [c.id for c in items]),
        "stance_labels": {key: str(label) for key, label in STANCE_LABELS.items()},  # translated once, not per use
        "vote_labels": {1: _("Agree"), -1: _("Disagree"), 0: _("Pass")},
        "action_form": ActionForm(),
        "can_edit": services.can_edit,
        "viewer": current_user._get_current_object(),
        "back_path": request.full_path.rstrip("?") if request.method == "GET" else None,
        "fragment_load": request.args.get("fragment") == "komentar",
    }


def render_round(rnd: Round, form: CommentForm | None = None, status: int = 200, form_error: str | None = None):
    section_id, order, cursor = _list_args()
    try:
        page = queries.comments_page(rnd.id, section_id=section_id, order=order, cursor=cursor)
    except Invalid:
        abort(400)
    context = _comment_context(page.items)
    version = _version(rnd)
    if g.htmx and request.method == "GET" and request.args.get("fragment") == "komentar":
        return render_template(
            "participation/_comment_page.html",
            round=rnd,
            page=page,
            order=order,
            section_id=section_id,
            section_titles={s.id: s.title for s in version.sections},
            refusal=services.participation_refusal(current_user, rnd),
            **context,
        )
    sections = version.sections
    return render_template(
        "participation/round.html",
        round=rnd,
        round_url=url_for("participation.round_page", round_id=rnd.id),
        version=version,
        document=rnd.document,
        sections=sections,
        section_titles={s.id: s.title for s in sections},
        stats=queries.section_stats(rnd.id),
        my_stances=queries.stances_of(current_user, rnd.id),
        page=page,
        order=order,
        section_id=section_id,
        form=form or _comment_form(rnd),
        form_error=form_error,
        refusal=services.participation_refusal(current_user, rnd),
        can_manage=can_manage_agency(current_user, rnd.agency),
        **context,
    ), status


@bp.get("/rounds/<int:round_id>")
def round_page(round_id: int):
    return render_round(get_round(round_id))


@bp.post("/rounds/<int:round_id>/komentar")
@participation_limit("COMMENT_LIMIT", "comment")
def post_comment(round_id: int):
    rnd = get_round(round_id)
    form = _comment_form(rnd)
    form.validate()
    parent_id = id_field("parent_id")
    section_id = parse_id(form.section_id.data, "section_id")
    try:
        comment = services.post_comment(
            current_user,
            rnd,
            form.body.data or "",
            section_id=section_id,
            parent_id=parent_id,
            stance=form.stance.data or None,
            # A reply form has no such box: a reply leaves the author's choice for the round as it is.
            show_name=None if parent_id else bool(form.show_name.data),
        )
    except ServiceError as exc:
        return _comment_refused(rnd, form, exc, parent_id)
    if g.htmx:
        context = _comment_context([comment])
        if parent_id:
            parent = services.get_comment(comment.parent_id)
            return render_template(
                "participation/_reply_posted.html",
                comment=comment,
                round=rnd,
                refusal=None,
                section_titles={},
                parent=parent,
                reply_form=_reply_form(parent.id),
                form_error=None,
                **context,
            )
        return render_template(
            "participation/_comment_posted.html",
            comment=comment,
            round=rnd,
            form=_comment_form(rnd, fresh=True),
            refusal=None,
            section_titles={s.id: s.title for s in _sections(rnd)},
            section=next((s for s in _sections(rnd) if s.id == comment.section_id), None),
            stat=queries.section_stats(rnd.id).get(comment.section_id),
            mine=queries.stances_of(current_user, rnd.id).get(comment.section_id),
            **context,
        )
    flash(_("Your comment is published."), "success")
    if parent_id:
        return redirect(
            url_for("participation.comment_page", comment_id=comment.parent_id, _anchor=f"c{comment.id}"), code=303
        )
    return redirect(url_for("participation.round_page", round_id=rnd.id, _anchor=f"c{comment.id}"), code=303)


def _comment_refused(rnd: Round, form, exc: ServiceError, parent_id: int | None):
    """The form again, filled as sent, with the reason; nothing typed is lost."""
    if isinstance(exc, LoginRequired) and not g.htmx:
        flash(str(exc.message), "info")
    message = None if exc.fields else str(exc.message)
    if isinstance(exc, Invalid):
        apply_errors(form, exc) if exc.fields else None
    if parent_id:
        reply_form = ReplyForm(formdata=request.form)
        if exc.fields:
            reply_form.body.errors = [str(m) for m in exc.fields.values()]
        parent = services.get_comment(parent_id)
        if g.htmx:
            return _fragment(
                "participation/_reply_form.html",
                exc.status,
                retarget=f"#balas-{parent.id}",
                reply_form=reply_form,
                parent=parent,
                form_error=message,
                refusal=None,
            )
        return render_comment_page(parent, reply_form=reply_form, form_error=message, status=exc.status)
    if g.htmx:
        return _fragment(
            "participation/_comment_form.html",
            exc.status,
            retarget="#form-komentar",
            form=form,
            round=rnd,
            form_error=message,
            refusal=None,
        )
    return render_round(rnd, form=form, status=exc.status, form_error=message)


# --- stances and votes --------------------------------------------------------------------------------------


def _back(default: str) -> str:
    return safe_local_path(request.form.get("next")) or default


@bp.post("/rounds/<int:round_id>/bagian/<int:section_id>/sikap")
@participation_limit("STANCE_LIMIT", "stance")
def set_stance(round_id: int, section_id: int):
    rnd = get_round(round_id)
    section = next((s for s in _sections(rnd) if s.id == section_id), None)
    if section is None:
        abort(404)
    try:
        services.set_stance(current_user, rnd, section_id, request.form.get("value", ""))
    except ServiceError as exc:
        if g.htmx:
            return htmx_alert(str(exc.message), exc.status)
        flash(str(exc.message), "error")
    else:
        if g.htmx:
            return render_template(
                "participation/_tally.html",
                round=rnd,
                section=section,
                stat=queries.section_stats(rnd.id).get(section_id),
                mine=queries.stances_of(current_user, rnd.id).get(section_id),
                action_form=ActionForm(),
                stance_labels={key: str(label) for key, label in STANCE_LABELS.items()},
                refusal=None,
            )
        flash(_("Your stance is saved."), "success")
    return redirect(_back(url_for("participation.round_page", round_id=rnd.id, _anchor=section.key)), code=303)


@bp.post("/comments/<int:comment_id>/suara")
@participation_limit("VOTE_LIMIT", "vote")
def vote(comment_id: int):
    comment = services.get_comment(comment_id)
    value = VOTE_VALUES.get(request.form.get("value", ""), 99)  # the service names anything else
    try:
        comment = services.vote(current_user, comment, value)
    except ServiceError as exc:
        if g.htmx:
            return htmx_alert(str(exc.message), exc.status)
        flash(str(exc.message), "error")
    else:
        if g.htmx:
            return render_template(
                "participation/_votes.html",
                comment=comment,
                my_vote=queries.votes_of(current_user, [comment.id]).get(comment.id),
                action_form=ActionForm(),
                can_vote=True,
            )
    return redirect(
        _back(url_for("participation.round_page", round_id=comment.round_id, _anchor=f"c{comment.id}")), code=303
    )


# --- one comment: permalink, replies, report, edit, withdraw --------------------------------------------------


def _reply_form(parent_id: int) -> ReplyForm:
    form = ReplyForm(formdata=None)
    form.parent_id.data = str(parent_id)
    return form


def render_comment_page(comment: Comment, reply_form=None, form_error=None, status: int = 200):
    rnd = db_round(comment)
    top = comment if comment.parent_id is None else services.get_comment(comment.parent_id)
    try:
        replies = queries.replies_page(top.id, cursor=request.args.get("cursor") or None, limit=50)
    except Invalid:
        abort(400)
    context = _comment_context([top, *replies.items])
    return render_template(
        "participation/comment.html",
        comment=top,
        focus=comment,
        round=rnd,
        replies=replies,
        reply_form=reply_form or _reply_form(top.id),
        form_error=form_error,
        refusal=services.participation_refusal(current_user, rnd),
        section_titles={s.id: s.title for s in _sections(rnd)},
        **context,
    ), status


def db_round(comment: Comment) -> Round:
    return get_round(comment.round_id)


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
        reply_form=_reply_form(comment.id),
        form_error=None,
        refusal=services.participation_refusal(current_user, rnd),
        section_titles={},
        **_comment_context(page.items),
    )


@bp.route("/comments/<int:comment_id>/laporkan", methods=["GET", "POST"])
@participation_limit("REPORT_LIMIT", "report")
def report(comment_id: int):
    comment = services.get_comment(comment_id)
    form = ReportForm()
    status = 200
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path))
    if form.validate_on_submit():
        try:
            services.report_comment(current_user, comment, form.reason.data or "", address=client_address())
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
        "participation/report.html", form=form, comment=comment, round=db_round(comment), stance_labels=STANCE_LABELS
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
            services.edit_comment(current_user, comment, form.body.data or "")
        except Invalid as exc:
            apply_errors(form, exc)
            status = 422
        except ServiceError as exc:
            form.body.errors = [str(exc.message)]
            status = exc.status
        else:
            flash(_("Your comment is updated."), "success")
            return redirect(
                url_for("participation.comment_page", comment_id=comment.id, _anchor=f"c{comment.id}"), code=303
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
            services.withdraw_comment(current_user, comment)
        except ServiceError as exc:
            flash(str(exc.message), "error")
        else:
            flash(_("Your comment is withdrawn."), "info")
        return redirect(url_for("participation.comment_page", comment_id=comment.id), code=303)
    return render_template("participation/withdraw.html", form=form, comment=comment, round=db_round(comment))
