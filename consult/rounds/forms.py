from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, StringField, TextAreaField

from consult.i18n import lazy_gettext as _l


class ScheduleForm(FlaskForm):
    title = StringField(_l("Title of the round"))
    opens_at = DateTimeLocalField(_l("Opens at"), format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Closes at"), format="%Y-%m-%dT%H:%M")
    verified_only = BooleanField(_l("Only verified citizens may take part"))


class RescheduleForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Opens at"), format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Closes at"), format="%Y-%m-%dT%H:%M")


class CloseForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is the round closing early?"),
        description=_l("The public sees this reason on the round's page and in the audit log."),
    )


class ExtendForm(FlaskForm):
    closes_at = DateTimeLocalField(_l("New closing time"), format="%Y-%m-%dT%H:%M")
    reason = TextAreaField(
        _l("Why does the closing time change?"),
        description=_l("The public sees this reason on the round's page and in the audit log."),
    )
