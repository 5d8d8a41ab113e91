"""Forms of the complaint and commitment pages: they carry the values; the services check them."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from consult.i18n import lazy_gettext as _l


class ComplaintForm(FlaskForm):
    about = SelectField(_l("What is the complaint about?"), choices=[], validate_choice=False)
    what = TextAreaField(
        _l("What happened?"),
        description=_l("Describe what went wrong. The text is not public unless you ask below and a moderator agrees."),
    )
    where = StringField(_l("Where did it happen? (optional)"), description=_l("For example: the counter, the office."))
    when = StringField(_l("When did it happen? (optional)"), description=_l("For example: Monday 3 March, morning."))
    confidential = BooleanField(
        _l("Confidential: never publish the text"),
        description=_l("The agency's staff still see who filed it; the public never sees your identity in any case."),
    )
    publish_text = BooleanField(_l("Ask to publish the text of my complaint (a moderator decides)"))


class CounterComplaintForm(ComplaintForm):
    channel = RadioField(
        _l("How was it received?"),
        choices=[
            SelectChoice("counter", _l("At a counter")),
            SelectChoice("paper", _l("On paper")),
            SelectChoice("phone", _l("By phone")),
        ],
        default="counter",
        validate_choice=False,
    )
    received_at = StringField(
        _l("Date and time received"), description=_l("Up to 30 days back. The answer is due 14 days after this.")
    )
    received_place = StringField(_l("Place received (optional)"))
    complainant_name = StringField(_l("Complainant's name (optional, never public)"))
    complainant_contact = StringField(
        _l("Complainant's phone or e-mail (optional, never public)"),
        description=_l("An e-mail address hears of every step of the complaint."),
    )


class LookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    nomor = StringField(_l("Tracking number"), description=_l("For example ADU-7KQ2M9XRH, from your receipt."))


class SecretForm(FlaskForm):
    secret = StringField(
        _l("Secret code"), description=_l("The 12 characters on your receipt. Not needed when you are logged in.")
    )


class DisputeForm(SecretForm):
    reason = TextAreaField(_l("Why does the answer not settle your complaint?"))


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("The agency's answer"), description=_l("Public on the complaint's page."))


class TextDecisionForm(FlaskForm):
    decision = HiddenField()
    reason = StringField(_l("Reason for refusing (required to refuse)"))


class CommitmentForm(FlaskForm):
    text = TextAreaField(_l("Commitment"))
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("days", _l("Days")),
            SelectChoice("rupiah", _l("Rupiah")),
            SelectChoice("text", _l("Text")),
        ],
        validate_choice=False,
    )
    value = StringField(_l("Value"), description=_l("A whole number for days and rupiah."))
    section_key = StringField(_l("Section"))


class PeopleServedForm(FlaskForm):
    """One service's row on /kelola/<slug>/layanan (prefixed by the service, several on one page)."""

    people_served = StringField(
        _l("People served"),
        description=_l("How many people the service serves in the period: the survey's minimum sample comes from it."),
    )
    period = StringField(_l("Period"), description=_l("For example: per quarter."))
