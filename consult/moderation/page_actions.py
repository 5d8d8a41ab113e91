"""Moderating where the comments are: a "Hide" control on every visible comment of the round page, the
comment's page and replies, for the moderators of the round's agency (and site admins), not only on reported
comments in the queue.

Without JavaScript the control is a link to a plain page with the form (house rule and public reason); its POST
answers 303 back to where the moderator was. With htmx the form loads in place under the comment, and a hide
answers with the comment as everyone now sees it (its notice citing the rule and the reason). The decision is
the queue's own (services.hide_comment): one transaction with the log row and the audit entry.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.agencies.services import can_moderate
from consult.errors import Invalid, ServiceError
from consult.forms import apply_errors
from consult.moderation import services
from consult.moderation.forms import DecisionForm
from consult.moderation.views import bp
from consult.participation import services as participation
from consult.participation.forms import STANCE_LABELS
from consult.participation.models import Comment
from consult.participation.pages import comment_context, fragment, sections_of
from consult.rounds.services import get_round
from consult.web import htmx_alert, safe_local_path


def _back(comment: Comment) -> str:
    """Where the moderator goes after deciding: the page they came from (`next`), else the comment in its list."""
    default = (
        url_for("participation.comment_page", comment_id=comment.parent_id, _anchor=f"c{comment.id}")
        if comment.parent_id
        else url_for("participation.round_page", round_id=comment.round_id, _anchor=f"c{comment.id}")
    )
    return safe_local_path(request.values.get("next")) or default


@bp.route("/comments/<int:comment_id>/sembunyikan", methods=["GET", "POST"])
@login_required
def hide_in_place(comment_id: int):
    comment = participation.get_comment(comment_id)
    rnd = get_round(comment.round_id)
    if not can_moderate(current_user, rnd.agency):
        abort(403)
    if g.htmx and request.method == "GET" and request.args.get("batal"):
        return render_template("moderation/_hide_slot.html", comment=comment, form=None)
    form = DecisionForm(services.house_rules(rnd.agency_id), prefix=f"hide-{comment.id}")
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            services.hide_comment(current_user, comment, form.rule.data, form.reason.data or "")
        except Invalid as exc:
            apply_errors(form, exc)
            status = 422
        except ServiceError as exc:
            if g.htmx:
                return htmx_alert(str(exc.message), exc.status)
            flash(str(exc.message), "error")
            return redirect(_back(comment), code=303)
        else:
            if g.htmx:
                return _hidden_fragment(comment.id)
            flash(_("The comment is hidden. The decision is in the public moderation log."), "success")
            return redirect(_back(comment), code=303)
    if g.htmx:
        retarget = f"#moderasi-{comment.id}" if status != 200 else None
        return fragment("moderation/_hide_slot.html", status, retarget=retarget, comment=comment, form=form)
    return render_template(
        "moderation/hide.html",
        comment=comment,
        round=rnd,
        form=form,
        back=_back(comment),
        section=next((s for s in sections_of(rnd) if s.id == comment.section_id), None),
        stance_labels=STANCE_LABELS,
    ), status


def _hidden_fragment(comment_id: int):
    """The comment as it now shows (hidden, with its notice), to swap for the one on the page, and the message."""
    comment = participation.get_comment(comment_id)
    rnd = get_round(comment.round_id)
    return render_template(
        "moderation/_hidden_in_place.html",
        comment=comment,
        round=rnd,
        refusal=participation.participation_refusal(current_user, rnd),
        section_titles={s.id: s.title for s in sections_of(rnd)},
        **comment_context([comment], rnd),
    )
