from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, StringField


class ScheduleForm(FlaskForm):
    title = StringField(_l("Title of the round"))
    opens_at = DateTimeLocalField(_l("Opens at"), format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Closes at"), format="%Y-%m-%dT%H:%M")
    verified_only = BooleanField(_l("Only verified citizens may take part"))


class RescheduleForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Opens at"), format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Closes at"), format="%Y-%m-%dT%H:%M")
