"""Login, registration, logout and the profile page (API tokens)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from consult.accounts import services
from consult.accounts.forms import LoginForm, RegisterForm, TokenForm
from consult.accounts.models import ApiToken
from consult.errors import Invalid
from consult.extensions import db, limiter
from consult.forms import ActionForm, apply_errors
from consult.web import safe_local_path

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    return safe_local_path(target) or url_for("rounds.home")


def _login_email_key() -> str:
    return "login-email:" + (request.form.get("email") or "").strip().lower()[:254]


def _failed(response) -> bool:
    return response.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURE_LIMIT"], methods=["POST"], deduct_when=_failed, error_message="login"
)
@limiter.limit(
    lambda: current_app.config["LOGIN_FAILURE_LIMIT"],
    methods=["POST"],
    deduct_when=_failed,
    key_func=_login_email_key,
    error_message="login",
)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            lang = session.get("lang")
            session.clear()  # a fresh session at login: nothing carried over from before (fixation)
            if lang:
                session["lang"] = lang
            login_user(user, remember=bool(form.remember.data))
            services.record_login(user)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(_safe_next(form.next.data), code=303)
        form.password.errors = [_("The e-mail address or password is wrong.")]
    return render_template("accounts/login.html", form=form), 200 if request.method == "GET" else 401


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTER_LIMIT"], methods=["POST"])
def register():
    form = RegisterForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.register_user(form.email.data or "", form.name.data or "", form.password.data or "")
        except Invalid as exc:
            apply_errors(form, exc)
            status = 422
        else:
            session.clear()
            login_user(user)
            flash(_("Your account is ready. Welcome!"), "success")
            return redirect(url_for("rounds.home"), code=303)
    form.password.data = ""
    return render_template("accounts/register.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("rounds.home"), code=303)


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token = services.create_api_token(current_user, form.name.data or "api")
    tokens = db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())
    ).all()
    return render_template(
        "accounts/profile.html", form=form, tokens=tokens, new_token=new_token, revoke_form=ActionForm()
    )


@bp.post("/profil/token/<int:token_id>/cabut")
@login_required
def revoke_token(token_id: int):
    services.revoke_api_token(current_user, token_id)
    flash(_("The token was revoked."), "info")
    return redirect(url_for("accounts.profile"), code=303)
