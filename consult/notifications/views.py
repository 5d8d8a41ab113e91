"""Following a round, the e-mail settings page, and unsubscribe links (which work without logging in)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.errors import Invalid
from consult.extensions import csrf
from consult.forms import ActionForm, apply_errors
from consult.notifications import mail, services
from consult.notifications.forms import SettingsForm
from consult.rounds.services import get_round

bp = Blueprint("notifications", __name__)


@bp.app_template_global()
def follows_round(rnd) -> bool:
    """For the round page: whether the viewer follows the round (one query, only for a logged-in viewer)."""
    return services.is_following(current_user, rnd)


def _follow_answer(rnd, message: str):
    if g.htmx:
        return render_template(
            "notifications/_follow.html",
            round=rnd,
            following=services.is_following(current_user, rnd),
            follow_form=ActionForm(),
            follow_message=message,
        )
    flash(message, "success")
    return redirect(url_for("participation.round_page", round_id=rnd.id, _anchor="ikuti"), code=303)


@bp.post("/rounds/<int:round_id>/ikuti")
@login_required
def follow(round_id: int):
    rnd = get_round(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.follow_round(current_user, rnd)
    return _follow_answer(rnd, _("You follow this consultation. We will e-mail you about it."))


@bp.post("/rounds/<int:round_id>/berhenti-ikuti")
@login_required
def unfollow(round_id: int):
    rnd = get_round(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.unfollow_round(current_user.id, rnd.id)
    return _follow_answer(rnd, _("You no longer follow this consultation."))


@bp.route("/profil/notifikasi", methods=["GET", "POST"])
@login_required
def settings():
    current = services.settings_for(current_user)
    form = SettingsForm()
    status = 200
    if request.method == "GET":
        form.email_enabled.data = current.email_enabled
        form.auto_follow.data = current.auto_follow
        form.locale.data = current.locale or "id"
    elif form.validate_on_submit():
        try:
            services.update_settings(
                current_user,
                email_enabled=bool(form.email_enabled.data),
                auto_follow=bool(form.auto_follow.data),
                locale=form.locale.data,
            )
        except Invalid as exc:
            apply_errors(form, exc)
            status = 422
        else:
            flash(_("Your e-mail settings are saved."), "success")
            return redirect(url_for("notifications.settings"), code=303)
    return render_template(
        "notifications/settings.html",
        form=form,
        rounds=services.followed_rounds(current_user),
        action_form=ActionForm(),
    ), status


@bp.post("/profil/notifikasi/putaran/<int:round_id>/berhenti")
@login_required
def settings_unfollow(round_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    services.unfollow_round(current_user.id, get_round(round_id).id)
    flash(_("You no longer follow this consultation."), "info")
    return redirect(url_for("notifications.settings"), code=303)


@bp.route("/berhenti/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the permission; mail clients' one-click POST (RFC 8058) carries no CSRF token
def unsubscribe(token: str):
    """GET: say what the link stops and ask to confirm (a link scanner that fetches it changes nothing).
    POST: stop it — from the page's buttons, or from a mail client's one-click "List-Unsubscribe=One-Click"."""
    try:
        link = mail.read_unsubscribe_token(token)
    except mail.BadToken as exc:
        message = (
            _("This link has expired. Log in and change your e-mail settings in your profile instead.")
            if exc.expired
            else _(
                "This link is not valid. Copy the whole link from the e-mail, or change your settings in your profile."
            )
        )
        return render_template("notifications/unsubscribe.html", error=message, token=token), 400
    rnd = services.link_round(link)
    if request.method == "POST":
        done = services.unsubscribe(link, mail.SCOPE_ALL if request.form.get("scope") == mail.SCOPE_ALL else None)
        return render_template("notifications/unsubscribe.html", done=done, round=rnd, token=token)
    return render_template("notifications/unsubscribe.html", link=link, round=rnd, token=token)
