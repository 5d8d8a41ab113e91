from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField

from consult.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"))
    password = PasswordField(_l("Password"))
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class RegisterForm(FlaskForm):
    name = StringField(_l("Name"))
    email = EmailField(_l("E-mail"))
    password = PasswordField(_l("Password"))
    next = HiddenField()  # where to come back to, carried into the confirmation link


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"))


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"))
    repeat = PasswordField(_l("New password again"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"))
    password = PasswordField(_l("New password"))
    repeat = PasswordField(_l("New password again"))
