"""Rate limits of the account pages (Flask-Limiter), every one keyed on the *normalised* address.

Failed logins (LOGIN_FAILURE_LIMIT, a failure being any answer but the 303 of a successful login):
- per client address, whatever the account;
- per account: the address as login normalises it (consult.accounts.services.email_key), so that no spelling of it
  — case, full-width letters, an ideographic full stop — gets a fresh budget. Once locked, every spelling gets 429
  from any address, except from a browser that has logged in to this account before (the signed device cookie,
  consult.accounts.tokens): a lock an attacker sets off from elsewhere does not shut the real person out;
- per device and account, for such a browser: its own budget, so the cookie is no licence to guess either.
The per-address limit applies to every browser, cookie or not.

Account e-mails (ACCOUNT_MAIL_LIMIT): confirmation, reset and "you already have an account" mails per recipient
address, shared by registration, "forgot password" and "send the confirmation again" (no mailbox can be flooded
through any of them). Per client address: REGISTER_LIMIT for registration, PASSWORD_RESET_LIMIT for the other two.
"""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user

from consult.accounts.services import email_key
from consult.accounts.tokens import DEVICE_COOKIE, Device, read_device
from consult.extensions import client_address, limiter


def _failed(response) -> bool:
    return response.status_code != 303


def _accepted(response) -> bool:
    return response.status_code == 303


def form_email_key() -> str:
    """The normalised address of the request's "email" field (computed once per request)."""
    if "_form_email_key" not in g:
        g._form_email_key = email_key(request.form.get("email") or "")
    return g._form_email_key


def device() -> Device | None:
    """The request's device cookie, when it is genuine and not too old."""
    if "_device" not in g:
        g._device = read_device(request.cookies.get(DEVICE_COOKIE))
    return g._device


def trusted_device() -> bool:
    """This browser has logged in to the account named in the form before."""
    known = device()
    return known is not None and known.knows(form_email_key())


def _login_limit() -> str:
    return current_app.config["LOGIN_FAILURE_LIMIT"]


_per_address = limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed, error_message="login")
_per_account = limiter.limit(
    _login_limit,
    methods=["POST"],
    deduct_when=_failed,
    key_func=lambda: "login-account:" + form_email_key(),
    exempt_when=trusted_device,
    error_message="login",
)
_per_device = limiter.limit(
    _login_limit,
    methods=["POST"],
    deduct_when=_failed,
    key_func=lambda: f"login-device:{device().id}:{form_email_key()}",
    exempt_when=lambda: not trusted_device(),
    error_message="login",
)


def login_limits(view):
    return _per_address(_per_account(_per_device(view)))


def _mail_key() -> str:
    """The recipient of the account e-mail a request asks for: the form's address, else the logged-in person's."""
    if "email" in request.form or not current_user.is_authenticated:
        return "account-mail:" + form_email_key()
    return "account-mail:" + email_key(current_user.email)


def _per_recipient():
    return limiter.shared_limit(
        lambda: current_app.config["ACCOUNT_MAIL_LIMIT"],
        "account-mail",
        key_func=_mail_key,
        methods=["POST"],
        deduct_when=_accepted,
    )


def registration_limits(view):
    per_address = limiter.limit(lambda: current_app.config["REGISTER_LIMIT"], methods=["POST"])
    return per_address(_per_recipient()(view))


def account_mail_limits(view):
    """ "Forgot password" and "send the confirmation again"."""
    per_address = limiter.shared_limit(
        lambda: current_app.config["PASSWORD_RESET_LIMIT"],
        "account-mail-address",
        key_func=lambda: f"addr:{client_address()}",
        methods=["POST"],
    )
    return per_address(_per_recipient()(view))


def password_check_limits(view):
    """The current password asked by the password change form: LOGIN_FAILURE_LIMIT wrong answers per account."""
    return limiter.limit(
        _login_limit,
        methods=["POST"],
        key_func=lambda: f"password-check:{current_user.id if current_user.is_authenticated else client_address()}",
        deduct_when=lambda response: bool(g.get("wrong_password")),
    )(view)
