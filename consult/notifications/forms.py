from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from consult.i18n import lazy_gettext as _l


class SettingsForm(FlaskForm):
    email_enabled = BooleanField(_l("Send me e-mail notifications"))
    auto_follow = BooleanField(_l("Follow a consultation automatically when I comment in it"))
    locale = SelectField(
        _l("Language of the e-mails"),
        choices=[SelectChoice("id", "Bahasa Indonesia"), SelectChoice("en", "English")],
        validate_choice=False,
    )
