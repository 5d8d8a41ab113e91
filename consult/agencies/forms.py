"""Verification forms: the citizen's request, and the agency's refusal or revocation with a reason. The services
check every value; the forms only carry them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice

from consult.agencies.verification import MAX_NOTE_CHARS, MAX_REASON_CHARS
from consult.i18n import lazy_gettext as _l


class VerificationRequestForm(FlaskForm):
    agency = SelectField(_l("Agency"), choices=[], validate_choice=False)
    note = TextAreaField(
        _l("Note for the agency (optional)"),
        description=_l(
            "For example where and when you showed your identity card. Do not write your NIK or any other identity "
            "number: the agency checks your card in person and this site never asks for it."
        ),
    )
    max_chars = MAX_NOTE_CHARS

    def __init__(self, agencies, **kwargs):
        super().__init__(**kwargs)
        self.agency.choices = [SelectChoice("", _l("Choose an agency"))] + [
            SelectChoice(str(a.id), a.name) for a in agencies
        ]


class VerificationReasonForm(FlaskForm):
    """Refuse a request, or revoke an approval: the reason the person reads."""

    reason = TextAreaField(_l("Reason (the person reads it)"))
    max_chars = MAX_REASON_CHARS
