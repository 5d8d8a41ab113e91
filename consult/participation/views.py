"""The round page and everything a participant does there, with and without JavaScript: comments and
replies, stances on sections, votes on comments.

Every action is a plain form POST answered with 303 to the page it came from; with htmx (HX-Request) the
same view answers with the fragment to swap instead. Errors keep what was typed: the form comes back filled,
with the reason next to it.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult import pagecache
from consult.errors import Invalid, LoginRequired, ServiceError
from consult.forms import ActionForm, apply_errors
from consult.params import id_field, parse_id
from consult.participation import queries, services
from consult.participation.forms import STANCE_LABELS, ReplyForm
from consult.participation.pages import (
    bp,
    comment_context,
    comment_form,
    fragment,
    render_comment_page,
    render_round,
    reply_form_for,
    sections_of,
)
from consult.ratelimits import participation_limit
from consult.rounds.models import Round
from consult.rounds.services import get_round
from consult.web import htmx_alert, safe_local_path

VOTE_VALUES = {"1": 1, "-1": -1, "0": 0}


@bp.get("/rounds/<int:round_id>")
def round_page(round_id: int):
    """The round page (and its htmx "load more" fragment). For anonymous readers, from consult.pagecache: the
    key is everything on the round's row that the page shows, public_revision moving with every comment, vote,
    stance and moderation decision, and the state, which moves with the clock."""
    rnd = get_round(round_id)
    if not pagecache.anonymous_reader():
        return render_round(rnd)
    shown = (rnd.id, rnd.public_revision, str(rnd.state), rnd.title, rnd.opens_at, rnd.closes_at, rnd.closed_at)
    return pagecache.serve(
        ("round", *shown, rnd.opened_at, rnd.comment_count, rnd.public_change_count), lambda: render_round(rnd)
    )


@bp.post("/rounds/<int:round_id>/komentar")
@participation_limit("COMMENT_LIMIT", "comment")
def post_comment(round_id: int):
    rnd = get_round(round_id)
    form = comment_form(rnd)
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
        context = comment_context([comment], rnd)
        if parent_id:
            parent = services.get_comment(comment.parent_id)
            return render_template(
                "participation/_reply_posted.html",
                comment=comment,
                round=rnd,
                refusal=None,
                section_titles={},
                parent=parent,
                reply_form=reply_form_for(parent.id),
                form_error=None,
                **context,
            )
        return render_template(
            "participation/_comment_posted.html",
            comment=comment,
            round=rnd,
            form=comment_form(rnd, fresh=True),
            refusal=None,
            section_titles={s.id: s.title for s in sections_of(rnd)},
            section=next((s for s in sections_of(rnd) if s.id == comment.section_id), None),
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
            return fragment(
                "participation/_reply_form.html",
                exc.status,
                retarget=f"#balas-{parent.id}",
                reply_form=reply_form,
                parent=parent,
                round=rnd,
                form_error=message,
                refusal=None,
                speaking_as=services.staff_role(current_user, rnd.agency_id),
            )
        return render_comment_page(parent, reply_form=reply_form, form_error=message, status=exc.status)
    if g.htmx:
        return fragment(
            "participation/_comment_form.html",
            exc.status,
            retarget="#form-komentar",
            form=form,
            round=rnd,
            form_error=message,
            refusal=None,
            speaking_as=services.staff_role(current_user, rnd.agency_id),
        )
    return render_round(rnd, form=form, status=exc.status, form_error=message)


# --- stances and votes --------------------------------------------------------------------------------------


def _back(default: str) -> str:
    return safe_local_path(request.form.get("next")) or default


@bp.post("/rounds/<int:round_id>/bagian/<int:section_id>/sikap")
@participation_limit("STANCE_LIMIT", "stance")
def set_stance(round_id: int, section_id: int):
    rnd = get_round(round_id)
    section = next((s for s in sections_of(rnd) if s.id == section_id), None)
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
                speaking_as=None,
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
