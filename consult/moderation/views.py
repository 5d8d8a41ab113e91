"""Moderation pages for everyone: an agency's house rules, the moderation log (everywhere and per round), the
appeal form of a hidden comment's author, the author's own decisions, and the entry to the queue for staff.
The agency workspace (the queue, reviews, appeals, blocks, the rules editor) is in workspace.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.agencies.models import Agency
from consult.agencies.services import can_manage_agency, can_moderate, get_agency
from consult.errors import Invalid, ServiceError
from consult.extensions import db
from consult.forms import apply_errors
from consult.moderation import queries, services
from consult.moderation.forms import (
    AppealForm,
)
from consult.moderation.models import Action
from consult.participation import services as participation
from consult.participation.models import Comment, CommentStatus
from consult.rounds.services import get_round

bp = Blueprint("moderation", __name__)


def _cursor() -> str | None:
    return request.args.get("cursor") or None


def page_of(read, *args, **kwargs):
    try:
        return read(*args, cursor=_cursor(), **kwargs)
    except Invalid:
        abort(400)


# --- public pages ---------------------------------------------------------------------------------------------


@bp.get("/instansi/<slug>/aturan")
def house_rules(slug: str):
    agency = get_agency(slug)
    return render_template(
        "moderation/rules.html",
        agency=agency,
        rules=services.house_rules(agency.id),
        can_manage=can_manage_agency(current_user, agency),
        weight_days=services.WEIGHT_MIN_ACCOUNT_AGE.days,
    )


def _log(agency, rnd):
    where = queries.log_filter(request.args)
    if rnd is not None:
        page = page_of(queries.log_page, round_id=rnd.id, where=where)
    else:
        page = page_of(queries.log_page, agency_id=agency.id if agency else None, where=where)
    return render_template(
        "moderation/log.html",
        page=page,
        agency=agency,
        round=rnd,
        where=where,
        actions=list(Action),
        questions=queries.questions_for([a.id for a in page.items]),
    )


@bp.get("/moderasi")
def log():
    return _log(get_agency(request.args["instansi"]) if request.args.get("instansi") else None, None)


@bp.get("/rounds/<int:round_id>/moderasi")
def round_log(round_id: int):
    rnd = get_round(round_id)
    return _log(rnd.agency, rnd)


@bp.route("/comments/<int:comment_id>/banding", methods=["GET", "POST"])
@login_required
def appeal(comment_id: int):
    """The author of a hidden comment appeals, once (the comment's page links here)."""
    comment = participation.get_comment(comment_id)
    if comment.author_id != current_user.id:
        abort(403)
    existing = services.appeal_of(comment.id)
    if existing is not None or comment.status != CommentStatus.HIDDEN:
        return redirect(url_for("participation.comment_page", comment_id=comment.id), code=303)
    form = AppealForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.file_appeal(current_user, comment, form.body.data or "")
        except Invalid as exc:
            apply_errors(form, exc)
            status = 422
        except ServiceError as exc:
            flash(str(exc.message), "error")
            return redirect(url_for("participation.comment_page", comment_id=comment.id), code=303)
        else:
            flash(_("Your appeal is sent. Another moderator will decide on it."), "success")
            return redirect(url_for("participation.comment_page", comment_id=comment.id), code=303)
    rnd = get_round(comment.round_id)
    return render_template("moderation/appeal.html", form=form, comment=comment, round=rnd), status


@bp.get("/profil/moderasi")
@login_required
def my_decisions():
    """Decisions on the viewer's own comments (hidden, restored, appeals) and any block in force on them."""
    return render_template(
        "moderation/mine.html",
        decisions=queries.decisions_about(current_user.id),
        blocks=queries.blocks_of(current_user.id),
    )


@bp.get("/moderasi/antrean")
@login_required
def entry():
    """Staff's way in: the queue of the one agency they moderate, or the list of them."""
    if current_user.is_admin:
        agencies = list(db.session.scalars(sa.select(Agency).order_by(Agency.name)))
    else:
        ids = {m.agency_id for m in current_user.memberships}
        agencies = list(db.session.scalars(sa.select(Agency).where(Agency.id.in_(ids)).order_by(Agency.name)))
    agencies = [a for a in agencies if can_moderate(current_user, a)]
    if not agencies:
        abort(403)
    if len(agencies) == 1:
        return redirect(url_for("moderation_admin.queue", slug=agencies[0].slug))
    return render_template("moderation/entry.html", agencies=agencies)


@bp.app_template_global()
def my_moderation(limit: int = 3) -> dict:
    """For the viewer's profile page: the latest decisions on their comments and any block in force on them."""
    if not current_user.is_authenticated:
        return {"decisions": [], "blocks": []}
    return {"decisions": queries.decisions_about(current_user.id, limit), "blocks": queries.blocks_of(current_user.id)}


@bp.app_template_global()
def moderation_panel(comment: Comment) -> dict:
    """What the comment's own page adds (templates/participation/comment.html): for its author, the decision on
    it, the appeal and its outcome; for the agency's moderators, a link to review it. Queries only for them."""
    viewer = current_user
    panel: dict = {"author": None, "review_url": None}
    if not viewer.is_authenticated:
        return panel
    if comment.author_id == viewer.id:
        appeal = services.appeal_of(comment.id)
        if comment.status == CommentStatus.HIDDEN or appeal is not None:
            panel["author"] = {
                "appeal": appeal,
                "can_appeal": comment.status == CommentStatus.HIDDEN and appeal is None,
            }
    rnd = get_round(comment.round_id)
    if viewer.is_staff and can_moderate(viewer, rnd.agency):
        panel["review_url"] = url_for("moderation_admin.review", slug=rnd.agency.slug, comment_id=comment.id)
    return panel
