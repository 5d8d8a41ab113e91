from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from consult.i18n import lazy_gettext as _l
from consult.rounds.iap2 import LEVELS
from consult.rounds.models import Iap2Level


def _level_field(default: str | None = Iap2Level.CONSULT.value):
    """The IAP2 level: one radio per level, its label; the template shows each level's promise under it. Without
    a default, a form sent without the field leaves the round's level as it is."""
    return RadioField(
        _l("Level of participation"),
        description=_l("What the round promises the public. It is shown on the round's page."),
        choices=[SelectChoice(level.level, level.label) for level in LEVELS.values()],
        default=default,
        validate_choice=False,  # the service names a wrong value (iap2_level)
    )


class ScheduleForm(FlaskForm):
    title = StringField(_l("Title of the round"))
    opens_at = DateTimeLocalField(_l("Opens at"), format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Closes at"), format="%Y-%m-%dT%H:%M")
    verified_only = BooleanField(_l("Only verified citizens may take part"))
    iap2_level = _level_field()


class RescheduleForm(FlaskForm):
    opens_at = DateTimeLocalField(_l("Opens at"), format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("Closes at"), format="%Y-%m-%dT%H:%M")
    iap2_level = _level_field(default=None)


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
