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

from consult import idempotency, pagecache
from consult.errors import Invalid, LoginRequired, ServiceError
from consult.forms import ActionForm, apply_errors
from consult.params import id_arg, id_field, parse_id
from consult.participation import queries, services
from consult.participation.forms import STANCE_LABELS, ReplyForm
from consult.participation.pages import (
    bp,
    comment_context,
    comment_form,
    confirm_at,
    form_place,
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


@bp.get("/rounds/<int:round_id>/bagian/<int:section_id>/tulis")
def section_form(round_id: int, section_id: int):
    """ "Comment on this section": with htmx, the comment form for that section, opened in place under it (the
    list's filter comes as ?daftar=); without, the round page's form with that section chosen."""
    rnd = get_round(round_id)
    if all(s.id != section_id for s in sections_of(rnd)):
        abort(404)
    if not g.htmx:
        return redirect(url_for("participation.round_page", round_id=rnd.id, tulis=section_id, _anchor="form-komentar"))
    return render_template(
        "participation/_comment_form.html",
        form=comment_form(rnd, place=section_id, section=section_id),
        round=rnd,
        place=section_id,
        list_section=id_arg("daftar"),
        form_error=None,
        refusal=services.participation_refusal(current_user, rnd),
        speaking_as=services.staff_role(current_user, rnd.agency_id),
    )


@bp.post("/rounds/<int:round_id>/komentar")
@participation_limit("COMMENT_LIMIT", "comment")
def post_comment(round_id: int):
    """A comment or a reply. The form's one-time key makes a repeat (a retry on a flaky connection) answer with
    the comment the first one published instead of publishing it twice (consult/idempotency.py)."""
    rnd = get_round(round_id)
    place = form_place()
    form = comment_form(rnd, place=place)
    form.validate()
    parent_id = id_field("parent_id")
    section_id = parse_id(form.section_id.data, "section_id")
    user_id = current_user.id if current_user.is_authenticated else None
    try:
        outcome = idempotency.form_once(
            user_id,
            lambda: services.post_comment(
                current_user,
                rnd,
                form.body.data or "",
                section_id=section_id,
                parent_id=parent_id,
                stance=form.stance.data or None,
                # A reply form has no such box: a reply leaves the author's choice for the round as it is.
                show_name=None if parent_id else bool(form.show_name.data),
            ),
            lambda comment: {"comment_id": comment.id},
            keep_loaded=True,  # the answer needs the comment: no reload after COMMIT
        )
    except ServiceError as exc:
        return _comment_refused(rnd, form, exc, parent_id, place)
    comment = outcome.value or services.get_comment(outcome.result["comment_id"])
    if parent_id:
        return _reply_posted(rnd, comment)
    list_section = id_field("list_section")
    shown = list_section is None or list_section == comment.section_id  # the list of the page shows it
    if g.htmx:
        return _comment_posted(rnd, comment, place, shown)
    flash(_("Your comment is published."), "success")
    # where the comment is listed: the page's list when it shows the comment, else the list of its section
    listed = list_section if shown else comment.section_id
    return redirect(
        url_for(
            "participation.round_page",
            round_id=rnd.id,
            **({"bagian": listed} if listed else {}),
            **({"tulis": comment.section_id} if comment.section_id else {}),
            baru=comment.id,
            _anchor=f"c{comment.id}",
        ),
        code=303,
    )


def _reply_posted(rnd: Round, comment):
    parent = services.get_comment(comment.parent_id)
    if not g.htmx:
        flash(_("Your reply is published."), "success")
        return redirect(
            url_for("participation.comment_page", comment_id=parent.id, baru=comment.id, _anchor=f"c{comment.id}"),
            code=303,
        )
    return render_template(
        "participation/_reply_posted.html",
        comment=comment,
        round=rnd,
        refusal=None,
        section_titles={},
        parent=parent,
        reply_form=reply_form_for(parent.id),
        form_error=None,
        **comment_context([comment], rnd),
    )


def _comment_posted(rnd: Round, comment, place: int | None, shown: bool):
    """The htmx answer: the form again, fresh and about the same section, with a link to the comment; the
    comment on top of the page's list when the list shows its section (else the message says where it went)."""
    sections = sections_of(rnd)
    section = next((s for s in sections if s.id == comment.section_id), None)
    listed = url_for(
        "participation.round_page",
        round_id=rnd.id,
        **({"bagian": comment.section_id} if comment.section_id else {}),
        _anchor=f"c{comment.id}",
    )
    return render_template(
        "participation/_comment_posted.html",
        comment=comment,
        round=rnd,
        form=comment_form(rnd, fresh=True, place=place, section=comment.section_id),
        place=place,
        list_section=id_field("list_section"),
        posted=comment if place or not shown else None,  # the note that takes the focus (_comment_posted.html)
        posted_url=f"#c{comment.id}" if shown else listed,
        inserted=shown,
        refusal=None,
        section_titles={s.id: s.title for s in sections},
        section=section,
        stat=queries.section_stats(rnd.id).get(comment.section_id),
        mine=queries.stances_of(current_user, rnd.id).get(comment.section_id),
        **comment_context([comment], rnd),
    )


def _comment_refused(rnd: Round, form, exc: ServiceError, parent_id: int | None, place: int | None = None):
    """The form again, filled as sent, with the reason; nothing typed is lost."""
    if isinstance(exc, LoginRequired) and not g.htmx:
        flash(str(exc.message), "info")
    loose = [str(m) for name, m in exc.fields.items() if name not in ("body", "section_id", "stance")]
    message = (" ".join(loose) or None) if exc.fields else str(exc.message)
    if isinstance(exc, Invalid):
        apply_errors(form, exc) if exc.fields else None
    if parent_id:
        reply_form = ReplyForm(formdata=request.form)
        if exc.fields.get("body"):
            reply_form.body.errors = [str(exc.fields["body"])]
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
            retarget=f"#form-komentar-{place}" if place else "#form-komentar",
            form=form,
            round=rnd,
            place=place,
            list_section=id_field("list_section"),
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
    # the message on the section's tally, where the redirect lands (#sikap-<id>), not at the top of the page
    back = _back(url_for("participation.round_page", round_id=rnd.id, _anchor=f"sikap-{section_id}"))
    return redirect(confirm_at(back, sikap=section_id), code=303)


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
        # the refusal is said on the comment, where the redirect lands
        return redirect(confirm_at(_back(_round_at(comment)), baru=comment.id), code=303)
    if g.htmx:
        return render_template(
            "participation/_votes.html",
            comment=comment,
            my_vote=queries.votes_of(current_user, [comment.id]).get(comment.id),
            action_form=ActionForm(),
            can_vote=True,
        )
    return redirect(_back(_round_at(comment)), code=303)


def _round_at(comment) -> str:
    return url_for("participation.round_page", round_id=comment.round_id, _anchor=f"c{comment.id}")
