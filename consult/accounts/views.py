"""Login, registration, logout, the profile page (password, sessions, API tokens), confirmation and reset links."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from consult.accounts import credentials, services
from consult.accounts.bearer import resolve_bearer_user
from consult.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NewPasswordForm,
    RegisterForm,
    TokenForm,
)
from consult.accounts.limits import (
    account_mail_limits,
    device,
    form_email_key,
    login_limits,
    password_check_limits,
    registration_limits,
)
from consult.accounts.models import ApiToken
from consult.accounts.passwords import MIN_LENGTH
from consult.accounts.tokens import DEVICE_COOKIE, BadLink, device_cookie
from consult.errors import Invalid
from consult.extensions import db
from consult.forms import ActionForm, apply_errors
from consult.web import safe_local_path

bp = Blueprint("accounts", __name__)
bp.before_app_request(resolve_bearer_user)  # the rate limits read g.api_user


def _safe_next(target: str | None) -> str:
    return safe_local_path(target) or url_for("rounds.home")


def _next_field(form) -> str:
    """Where the log-in or registration form leads back to: the `next` of the address (GET) or of the form (POST),
    kept only when it is a safe local path, so that nothing else is echoed into the page or its links."""
    return safe_local_path(request.args.get("next") if request.method == "GET" else form.next.data) or ""


def _no_store(response):
    """Pages holding a secret (a new API token, a link's token) or personal data: kept by no cache or history."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def _end_browser_session() -> None:
    """Forget the login in this browser: a fresh session (the chosen language kept), then Flask-Login's logout.

    In that order: logout_user() leaves its instruction to delete the remember cookie in the session, and clearing
    the session after it wiped the instruction, so "keep me logged in" survived the logout.
    """
    lang = session.get("lang")
    session.clear()
    logout_user()
    if lang:
        session["lang"] = lang


def _password_hint() -> str:
    return _(
        "At least %(n)s characters. Avoid common words, names and dates; a short sentence is easy to remember.",
        n=MIN_LENGTH,
    )


# --- login, registration, logout -------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    form = LoginForm()
    form.next.data = _next_field(form)
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
            response = redirect(_safe_next(form.next.data), code=303)
            # this browser now knows the account: failures from elsewhere no longer lock it out (limits.py)
            config = current_app.config
            response.set_cookie(
                DEVICE_COOKIE,
                device_cookie(device(), form_email_key()),
                max_age=int(config["DEVICE_COOKIE_MAX_AGE"]),
                httponly=True,
                secure=bool(config["SESSION_COOKIE_SECURE"]),
                samesite="Lax",
            )
            return response
        form.password.errors = [_("The e-mail address or password is wrong.")]
    # never cached: the page carries this visitor's CSRF token
    return _no_store((render_template("accounts/login.html", form=form), 200 if request.method == "GET" else 401))


@bp.route("/register", methods=["GET", "POST"])
@registration_limits
def register():
    form = RegisterForm()
    status = 200
    form.next.data = _next_field(form)
    if form.validate_on_submit():
        try:
            services.register_user(
                form.email.data or "",
                form.name.data or "",
                form.password.data or "",
                next_path=safe_local_path(form.next.data),
            )
        except Invalid as exc:
            apply_errors(form, exc)
            status = 422
        else:
            # the same answer whether or not the address had an account: the e-mail tells which
            return redirect(url_for("accounts.mail_sent", untuk="daftar"), code=303)
    form.password.data = ""
    return _no_store((render_template("accounts/register.html", form=form, password_hint=_password_hint()), status))


@bp.get("/cek-surel")
def mail_sent():
    purpose = request.args.get("untuk")
    return render_template("accounts/mail_sent.html", purpose=purpose if purpose in {"daftar", "sandi"} else None)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        credentials.end_sessions(current_user)  # a session cookie copied before this no longer works either
    _end_browser_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for("rounds.home"), code=303)


# --- the profile ------------------------------------------------------------------------------------------------


def _profile_page(*, form=None, password_form=None, new_token=None, status=200):
    tokens = db.session.scalars(
        sa.select(ApiToken)
        .where(ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id.desc())
    ).all()
    page = render_template(
        "accounts/profile.html",
        form=form or TokenForm(formdata=None),
        password_form=password_form or ChangePasswordForm(formdata=None),
        password_hint=_password_hint(),
        tokens=tokens,
        new_token=new_token,
        revoke_form=ActionForm(),
    )
    return _no_store((page, status))


@bp.route("/profil", methods=["GET", "POST"])
@login_required
def profile():
    form = TokenForm()
    new_token = None
    if form.validate_on_submit():
        new_token = services.create_api_token(current_user, form.name.data or "api")
    return _profile_page(form=form, new_token=new_token)


@bp.post("/profil/token/<int:token_id>/cabut")
@login_required
def revoke_token(token_id: int):
    services.revoke_api_token(current_user, token_id)
    flash(_("The token was revoked."), "info")
    return redirect(url_for("accounts.profile"), code=303)


@bp.post("/profil/sandi")
@login_required
@password_check_limits
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            credentials.change_password(current_user, form.current.data, form.password.data, form.repeat.data)
        except Invalid as exc:
            apply_errors(form, exc)
            g.wrong_password = "current" in exc.fields  # only a wrong current password counts towards the limit
        else:
            user = current_user._get_current_object()
            remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
            login_user(user, remember=remember)  # this session goes on, with the new session token
            flash(_("Your password is changed. Every other session of your account has ended."), "success")
            return redirect(url_for("accounts.profile"), code=303)
    return _profile_page(password_form=form, status=422)


@bp.post("/profil/keluar-semua")
@login_required
def logout_everywhere():
    credentials.end_sessions(current_user)
    _end_browser_session()
    flash(_("You are logged out on every device."), "info")
    return redirect(url_for("accounts.login"), code=303)


# --- e-mail confirmation ----------------------------------------------------------------------------------------


def _link_problem(exc: BadLink, *, reset: bool):
    if exc.reason == "used":
        message = _("This link was used already. Ask for a new one if you still need it.")
    elif exc.reason == "expired":
        message = _("This link has expired. Ask for a new one.")
    else:
        message = _("This link is not valid. Open the link from the e-mail once more, or ask for a new one.")
    page = render_template("accounts/link_problem.html", message=message, reset=reset)
    return _no_store((page, 400))


@bp.route("/konfirmasi/<token>", methods=["GET", "POST"])
def confirm(token: str):
    form = ActionForm()
    next_path = safe_local_path(request.args.get("next"))  # the page they registered from (account_links)
    try:
        user = credentials.user_for_confirmation(token)
        if form.validate_on_submit():
            user = credentials.confirm_email(token)
            if current_user.is_authenticated and current_user.id == user.id:
                flash(_("Your e-mail address is confirmed. You can take part now."), "success")
                return redirect(next_path or url_for("rounds.home"), code=303)
            flash(_("Your e-mail address is confirmed. Log in to take part."), "success")
            return redirect(url_for("accounts.login", next=next_path), code=303)
    except BadLink as exc:
        return _link_problem(exc, reset=False)
    page = render_template("accounts/confirm.html", form=form, confirmed=user.is_confirmed, next_path=next_path)
    return _no_store(page)


@bp.post("/konfirmasi/kirim-ulang")
@login_required
@account_mail_limits
def resend_confirmation():
    if credentials.send_confirmation(current_user):
        flash(
            _("We sent the confirmation link again to %(email)s. It may take a few minutes.", email=current_user.email),
            "info",
        )
    else:
        flash(_("Your e-mail address is confirmed already."), "info")
    return redirect(safe_local_path(request.form.get("next")) or url_for("accounts.profile"), code=303)


# --- forgot password --------------------------------------------------------------------------------------------


@bp.route("/lupa-sandi", methods=["GET", "POST"])
@account_mail_limits
def forgot_password():
    form = ForgotPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            credentials.request_password_reset(form.email.data or "")
        except Invalid as exc:
            apply_errors(form, exc)
            status = 422
        else:
            return redirect(url_for("accounts.mail_sent", untuk="sandi"), code=303)
    return render_template("accounts/forgot_password.html", form=form), status


@bp.route("/sandi-baru/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = NewPasswordForm()
    status = 200
    try:
        user = credentials.user_for_reset(token)
        if form.validate_on_submit():
            try:
                credentials.reset_password(token, form.password.data, form.repeat.data)
            except Invalid as exc:
                apply_errors(form, exc)
                status = 422
            else:
                _end_browser_session()
                flash(
                    _("Your password is changed and every session of your account has ended. Log in again."), "success"
                )
                return redirect(url_for("accounts.login"), code=303)
    except BadLink as exc:
        return _link_problem(exc, reset=True)
    page = render_template("accounts/reset_password.html", form=form, email=user.email, password_hint=_password_hint())
    return _no_store((page, status))
